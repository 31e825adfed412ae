//! The optional RFC-strict suite (`scimfuzz okta --rfc-strict`):
//! rules RFC 7643/7644 state where Okta's own tests are lax. Error bodies carry `status` as a
//! string and a valid `scimType`; a create whose userName differs only in case from an existing one
//! is a 409 `uniqueness` (userName is caseExact=false); a 201 carries a `Location` equal to
//! `meta.location`. Off by default, because Okta passes servers that break these.

use serde_json::Value;

use super::bodies::{okta_create_body, spec_create_body};
use super::names::SECOND_BOGUS_ID;
use super::session::{body_id, okta_request, spec_get, with_authorization, Check, Session};
use crate::check::shape::strict_error_body_problems;
use crate::conformance::outcome::SuiteResult;
use crate::driver::{Call, Method, TransportError};

/// The suite's name in reports.
pub const SUITE: &str = "RFC strict";

/// Runs the strict checks into `suite` (named [`SUITE`]); the users they create are left to
/// the final cleanup.
pub fn run_strict(
    session: &mut Session<'_>,
    suite: &mut SuiteResult,
) -> Result<(), TransportError> {
    let person = session.names.person();
    let external_id = session.names.okta_user_id();
    let password = session.names.password();
    let created = session.send(&okta_request(
        Method::Post,
        "/Users",
        Some(okta_create_body(&person, &external_id, &password)),
    ))?;
    if let Some(id) = body_id(&created).filter(|_| created.response.status < 300) {
        session.created_user(&id);
    }
    suite.steps.push(location_check(&created));
    let duplicate = session.send(&okta_request(
        Method::Post,
        "/Users",
        Some(okta_create_body(&person, &external_id, &password)),
    ))?;
    let mut caps_person = person.clone();
    caps_person.email = person.user_name_caps();
    let caps = session.send(&okta_request(
        Method::Post,
        "/Users",
        Some(spec_create_body(&caps_person)),
    ))?;
    if let Some(id) = body_id(&caps).filter(|_| caps.response.status < 300) {
        session.created_user(&id);
    }
    let mut check = Check::new(
        "r2",
        "RFC 7643 §4.1.1: a create with the all-caps userName of an existing user is a 409",
    );
    check.status(&caps, &[409]);
    suite.steps.push(check.finish());
    let mut check = Check::new(
        "r3",
        "RFC 7644 §3.3: a duplicate userName is a 409 with scimType \"uniqueness\"",
    );
    if check.status(&duplicate, &[409]) {
        let body = duplicate.response.json().unwrap_or(Value::Null);
        let kind = body.get("scimType").and_then(Value::as_str).unwrap_or("");
        check.require(
            kind == "uniqueness",
            "scimType",
            "\"uniqueness\"",
            format!("\"{kind}\""),
        );
    }
    suite.steps.push(check.finish());
    let unknown = session.send(&spec_get(format!("/Users/{SECOND_BOGUS_ID}")))?;
    let unauthorized = session.send(&with_authorization(spec_get("/Users"), "non-token"))?;
    suite
        .steps
        .push(error_bodies_check(&[&unknown, &unauthorized, &duplicate]));
    Ok(())
}

/// RFC 7644 §3.3: "the response [to a create] ... SHALL contain a Location header" equal to
/// `meta.location`.
fn location_check(created: &Call) -> crate::conformance::outcome::StepResult {
    let mut check = Check::new(
        "r1",
        "RFC 7644 §3.3: a 201 carries a Location header equal to meta.location",
    );
    if check.status(created, &[201]) {
        let location = created.response.header("location").unwrap_or("");
        let body = created.response.json().unwrap_or(Value::Null);
        let meta = body
            .pointer("/meta/location")
            .and_then(Value::as_str)
            .unwrap_or("");
        check.require(
            !location.is_empty(),
            "Location header",
            "present",
            "missing",
        );
        check.require(
            location == meta,
            "Location header",
            format!("meta.location \"{meta}\""),
            format!("\"{location}\""),
        );
    }
    check.finish()
}

/// RFC 7644 §3.12 on every error answer: Error URN, detail, `status` a string equal to the HTTP
/// status, a valid scimType.
fn error_bodies_check(calls: &[&Call]) -> crate::conformance::outcome::StepResult {
    let mut check = Check::new(
        "r4",
        "RFC 7644 §3.12: 404, 401 and 409 bodies are SCIM errors with status as a string",
    );
    for call in calls {
        let status = call.response.status;
        if status < 400 {
            continue;
        }
        let body = call.response.json().unwrap_or(Value::Null);
        let problems = strict_error_body_problems(&body, status);
        if !problems.is_empty() {
            check.record(call);
        }
        for problem in problems {
            check.fail(format!("{status} body"), "a SCIM Error", problem);
        }
    }
    check.finish()
}
