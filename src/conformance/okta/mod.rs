//! Okta's conformance suites run natively against a SCIM server: SPEC (Okta's 12 Runscope steps),
//! the CRUD lifecycle in OIN (PATCH) and AIW (PUT) modes, group push, import paging, and
//! entitlement endpoints. Each check is named after the Okta step or rule it mirrors.

pub mod bodies;
pub mod names;
pub mod session;
pub mod spec;

pub use session::Session;
