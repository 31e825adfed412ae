//! SCIM resources and messages as serde types (RFC 7643 §4–§8, RFC 7644 §3.4.2, §3.12): every
//! attribute optional, absent ones not written, unknown ones kept in `extra` and written back.

mod discovery;
mod group;
mod message;
mod user;

pub use crate::scim::patch::{PatchOperation, PatchRequest};
pub use discovery::{
    AuthenticationScheme, BulkSupport, FilterSupport, ResourceType, Schema, SchemaAttribute,
    SchemaExtension, ServiceProviderConfig, Supported,
};
pub use group::{Group, Member};
pub use message::{ErrorResponse, ListResponse, Meta};
pub use user::{Address, EnterpriseUser, Manager, MultiValued, Name, User};
