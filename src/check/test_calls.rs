//! Test support for the check modules: a recorded exchange and a check context built by hand, so
//! each test states only the status, body and namespace it is about.

use super::finding::{CheckContext, CheckRules, UNGRADED};
use crate::driver::{Call, IdMap, RecordedRequest, RecordedResponse, Timings};

/// A `method` request to `/Users/1` answered `status` with a SCIM JSON `body`, in 1 ms.
pub fn exchange(method: &str, status: u16, body: &str) -> Call {
    Call {
        request: RecordedRequest {
            method: method.into(),
            url: "http://x/Users/1".into(),
            headers: Vec::new(),
            body: None,
        },
        response: RecordedResponse {
            status,
            headers: vec![("content-type".into(), "application/scim+json".into())],
            body: body.into(),
            oversized: None,
        },
        timings: Timings {
            started_at_us: 0,
            headers_us: 1,
            total_us: 1_000,
        },
    }
}

/// A context with the ids in `ids`, names under `namespace_prefix`, default tolerances, and no
/// deactivated users or memberships.
pub fn context<'a>(ids: &'a IdMap, namespace_prefix: &'a str) -> CheckContext<'a> {
    CheckContext {
        ids,
        namespace_prefix,
        deactivated_ids: &[],
        memberships: &[],
        rules: CheckRules::default(),
        grading: &UNGRADED,
    }
}
