//! Okta's conformance suites run natively (SPEC, CRUD lifecycle, group push, import, entitlements)
//! and the runner for Runscope API-test exports.

pub mod okta;
pub mod outcome;
pub mod runscope;
pub mod url;
pub mod wire;
