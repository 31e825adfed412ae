//! Okta's conformance suites run natively against a SCIM server: SPEC (Okta's 12 Runscope steps),
//! the CRUD lifecycle in OIN (PATCH) and AIW (PUT) modes, group push, import paging, and
//! entitlement endpoints. Each check is named after the Okta step or rule it mirrors.

pub mod bodies;
pub mod crud;
pub mod finish;
pub mod groups;
pub mod import;
pub mod names;
pub mod run;
pub mod session;
pub mod spec;
pub mod strict;

pub use crud::Mode;
pub use run::{run_okta, OktaError, OktaOptions, SuiteKind};
pub use session::Session;
