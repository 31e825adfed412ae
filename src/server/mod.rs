//! The embedded reference SCIM server (axum, in memory) and its named, injectable faults. An
//! independent implementation: it never imports the harness's model.
//!
//! Start one with [`spawn`] (inside a tokio runtime) or [`spawn_on_thread`] (from synchronous
//! code); `scimfuzz serve` is the command-line front end.

mod app;
mod config;
mod discovery;
mod errors;
mod faults;
mod groups;
mod lifecycle;
mod list;
mod patch;
mod record;
mod resource;
pub mod store;
mod users;

pub use config::{RunningServer, ServerConfig, DEFAULT_MAX_BODY_BYTES};
pub use errors::ScimError;
pub use faults::{Fault, FaultSet, UnknownFault};
pub use lifecycle::{spawn, spawn_on_thread};
