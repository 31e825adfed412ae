//! Okta's conformance suites run natively (SPEC, CRUD lifecycle, group push, import, entitlements)
//! and the runner for Runscope API-test exports.
