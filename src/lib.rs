//! scimfuzz: finds the bugs in SCIM 2.0 servers before an identity provider does.
//!
//! The library holds every part of the tool; the `scimfuzz` binary is a thin shell over [`cli`].
//! See the README's "How it works" for the module map and the rules that keep fuzzing honest.

pub mod check;
pub mod cli;
pub mod conformance;
pub mod driver;
pub mod fuzz;
pub mod fuzz_bodies;
pub mod gen;
pub mod load;
pub mod model;
pub mod report;
pub mod scim;
pub mod server;
