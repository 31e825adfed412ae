//! The SCIM 2.0 vocabulary of RFC 7643/7644: resources, list and error messages, the filter
//! grammar, the PATCH grammar and the matching rules. Pure: no I/O, no randomness, no async.

pub mod filter;
pub mod matching;
pub mod patch;
pub mod resource;
pub mod schema;
pub mod urn;
