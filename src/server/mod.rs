//! The embedded reference SCIM server (axum, in memory) and its named, injectable faults. An
//! independent implementation: it never imports the harness's model.
//!
//! Start one with [`spawn`] (inside a tokio runtime) or [`spawn_on_thread`] (from synchronous
//! code); `scimfuzz serve` is the command-line front end. Without faults it is correct by RFC
//! 7643/7644 and Okta's rules; where those leave room, it decides:
//!
//! - userName is unique caselessly (`scim::matching::fold`) and stored exactly as sent; group
//!   displayNames need not be unique. The store starts empty (`seed_users` for load tests).
//! - POST and PUT ignore echoed `id`, `meta`, `schemas` (and a user's `groups`); a user without
//!   `active` is active; a PUT without `password` keeps the stored one (it is never returned).
//! - Group members must be existing users or groups (else 400 invalidValue); a member listed
//!   twice is kept once; `display` defaults to the member's displayName, then userName.
//! - PATCH: all operations or none; op names caseless; `remove` needs a path (400 noTarget); a
//!   value filter that selects nothing is 400 noTarget for add/replace and a no-op for remove;
//!   replace/add on a complex value merges sub-attributes, on a multi-valued one replaces/appends;
//!   a path naming no attribute of the schema (and none present) is 400 invalidPath; read-only
//!   paths are 400 mutability, but path-less values may echo the resource's own `id`.
//! - Lists: creation order unless `sortBy` (RFC 7644 §3.4.2.3, caseless for caseExact=false
//!   attributes, missing values last when ascending), 1-based, `count` capped at 1000 (also the default), `count=0` gives
//!   only totals, `startIndex<1` is 1; `attributes`/`excludedAttributes` on top-level names.
//! - Bulk (RFC 7644 §3.7): operations run in order through the router itself, `bulkId:` references
//!   resolved, at most 100 operations, `failOnErrors` honoured.
//! - Versions: weak ETags `W/"n"`; If-Match mismatch 412; If-None-Match match on GET 304.

mod app;
mod bulk;
mod config;
mod discovery;
mod errors;
mod faults;
mod groups;
mod lifecycle;
mod list;
mod oauth;
mod partial;
mod patch;
mod record;
mod resource;
mod sort;
pub mod store;
mod users;

pub use config::{RunningServer, ServerConfig, DEFAULT_MAX_BODY_BYTES};
pub use errors::ScimError;
pub use faults::{Fault, FaultSet, UnknownFault};
pub use lifecycle::{spawn, spawn_on_thread};
pub use oauth::OAuthServerConfig;
