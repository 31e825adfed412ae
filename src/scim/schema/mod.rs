//! The attribute table: every attribute of User, Group and the Enterprise User extension with
//! its characteristics (type, multiValued, caseExact, mutability, returned, required,
//! uniqueness), built from RFC 7643 §3.1, §4 and §8.7 and overlaid with what a server's
//! `/Schemas` says (RFC 7643 §7). One table serves the reference server, discovery, generation
//! and the checks.

mod overlay;
mod policy;
mod rfc;
mod table;

pub use overlay::OverlayReport;
pub use policy::{AttributePolicy, Tracked};
pub use table::{AttrType, Attribute, AttributeTable, Mutability, Returned, SchemaDef, Uniqueness};
