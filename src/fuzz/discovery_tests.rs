//! Unit tests of discovery's readers: malformed discovery answers, the `sw` verdict, the
//! extension and required attributes, and what a run adopts from them.

use serde_json::{json, Value};

use super::discovery::*;
use super::setup::{load_behaviour, RunSetup};
use crate::driver::{Body, Call, Method, RecordedRequest, RecordedResponse, RequestSpec, Timings};
use crate::scim::schema::{AttrType, Attribute};
use crate::scim::urn;

fn call(method: &str, path: &str, status: u16, body: &str) -> Call {
    Call {
        request: RecordedRequest {
            method: method.into(),
            url: format!("http://127.0.0.1:1{path}"),
            headers: Vec::new(),
            body: None,
        },
        response: RecordedResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
            oversized: None,
        },
        timings: Timings {
            started_at_us: 0,
            headers_us: 0,
            total_us: 0,
        },
    }
}

fn list(resources: Value) -> String {
    json!({"schemas": [urn::LIST_RESPONSE], "totalResults": 1, "Resources": resources}).to_string()
}

#[test]
fn a_complete_list_response_has_no_problem() {
    let (resources, problem) = read_list(&call("GET", "/Schemas", 200, &list(json!([{}]))));
    assert_eq!((resources.len(), problem), (1, None));
}

#[test]
fn malformed_discovery_answers_are_named() {
    let cases = [
        (404, "{}", "HTTP 404"),
        (200, "<html>", "not JSON"),
        (200, "[{\"id\":\"x\"}]", "bare JSON array"),
        (200, "7", "not a ListResponse"),
        (
            200,
            "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\"Resources\":[]}",
            "no `totalResults`",
        ),
        (200, "{\"totalResults\":-1}", "no ListResponse URN"),
    ];
    for (status, body, wanted) in cases {
        let (_, problem) = read_list(&call("GET", "/ResourceTypes", status, body));
        let problem = problem.unwrap_or_default();
        assert!(problem.contains(wanted), "{body}: {problem}");
    }
    assert!(read_config(&call("GET", "/ServiceProviderConfig", 200, "[]")).is_err());
}

#[test]
fn only_a_refused_filter_means_sw_is_unsupported() {
    let refused = json!({"schemas": [urn::ERROR], "status": "400", "scimType": "invalidFilter"});
    assert!(refuses_filter(&call(
        "GET",
        "/Users",
        400,
        &refused.to_string()
    )));
    assert!(refuses_filter(&call("GET", "/Users", 501, "")));
    let other = json!({"status": "400", "scimType": "invalidValue"});
    assert!(!refuses_filter(&call(
        "GET",
        "/Users",
        400,
        &other.to_string()
    )));
    assert!(!refuses_filter(&call(
        "GET",
        "/Users",
        200,
        &list(json!([]))
    )));
}

#[test]
fn the_extension_is_sent_only_when_the_user_type_advertises_it() {
    let mut found = Discovery::default();
    found.read_resource_types(&[json!({"id": "User", "endpoint": "/Users", "schema": urn::USER})]);
    assert!(!found.enterprise);
    found.read_resource_types(&[json!({"schema": urn::USER, "schemaExtensions": [
        {"schema": urn::ENTERPRISE_USER.to_uppercase(), "required": false}
    ]})]);
    assert!(found.enterprise);
    let mut unknown = Discovery::default();
    unknown.read_resource_types(&[json!("junk"), json!({"id": "Group"})]);
    assert!(
        unknown.enterprise,
        "nothing said about User keeps the default"
    );
}

#[test]
fn required_attributes_beyond_the_create_body_are_reported_and_filled_in() {
    let mut found = Discovery::default();
    found
        .table
        .overlay(&json!([{"id": urn::USER, "attributes": [
            {"name": "title", "required": true},
            {"name": "displayName", "required": true},
            {"name": "badges", "type": "integer", "multiValued": true, "required": true},
        ]}]));
    let findings = found.read_required(&call("GET", "/Schemas", 200, "{}"));
    let names: Vec<&str> = found
        .extra_required
        .iter()
        .map(|(_, a)| a.name.as_str())
        .collect();
    assert_eq!(names, ["title", "badges"], "displayName is sent anyway");
    assert_eq!(findings.len(), 2);
    let body = json!({"userName": "a", "TITLE": "kept"});
    let spec = RequestSpec::with_json(Method::Post, "/Users", body);
    let spec = with_required(spec, &found.extra_required, "77");
    let Some(Body::Json { value }) = spec.body else {
        panic!("a JSON body")
    };
    assert_eq!(value["TITLE"], "kept");
    assert_eq!(value["badges"], json!([1]));
    let get = with_required(RequestSpec::get("/Users"), &found.extra_required, "77");
    assert!(get.body.is_none());
}

#[test]
fn generated_values_have_the_declared_type() {
    let mut address = Attribute::new("home", AttrType::Complex);
    address.sub_attributes = vec![
        Attribute::new("street", AttrType::String),
        Attribute::new("primary", AttrType::Boolean),
    ];
    assert_eq!(
        generated_value(&address, "9"),
        json!({"street": "9-street", "primary": true})
    );
    assert_eq!(
        generated_value(&Attribute::new("hired", AttrType::DateTime), "9"),
        json!("2024-01-01T00:00:00Z")
    );
}

#[test]
fn a_run_adopts_what_discovery_found() {
    let mut setup = RunSetup::new(load_behaviour("okta").unwrap(), 8, true, true);
    let found = Discovery {
        patch: Some(false),
        filter: Some(false),
        etag: Some(false),
        enterprise: false,
        sw_supported: false,
        ..Discovery::default()
    };
    setup.adopt(&found);
    assert!(!setup.gen.patch && !setup.gen.etag && !setup.gen.string_booleans);
    assert_eq!(setup.gen.filter_operators, ["eq"]);
    assert!(!setup.rules.enterprise);
    assert!(!setup.sw_supported && !setup.gen.sw_supported && !setup.rules.sw_supported);
    let state = crate::model::State::new("5", setup.rules);
    let record = state.new_user_record(crate::model::UserHandle(0), crate::model::Spelling::Base);
    assert_eq!(record.employee_number, None);
}

fn summary_with(calls: Vec<Call>) -> super::runner::SearchSummary {
    use super::exec::{CaseOutcome, Step};
    use super::runner::{Failure, SearchSummary};
    use crate::model::{Expected, Op};
    let step = Step {
        op: Op::DeleteUser {
            user: crate::model::UserHandle(0),
        },
        expected: Expected::Deleted,
        calls,
        findings: Vec::new(),
        read_back: Vec::new(),
        diagnosis: Vec::new(),
        localized: None,
    };
    let minimal = CaseOutcome {
        tag: "1".into(),
        steps: vec![step.clone(), step],
        skipped: 0,
        cleanup_refused: 0,
    };
    SearchSummary {
        seed: 1,
        cases_run: 1,
        ops_run: 2,
        ops_skipped: 0,
        requests: 2,
        elapsed_seconds: 0.0,
        time_limit_reached: false,
        interrupted: false,
        failures: vec![Failure {
            check_id: "status.no-5xx".into(),
            defect: "status.no-5xx [delete-user] 5xx".into(),
            original_len: 2,
            minimal,
            seconds_to_detect: 0.0,
            seconds_to_shrink: 0.0,
            shrink_cut_short: false,
            intermittent: None,
        }],
        notes: Vec::new(),
        cleanup_refused: 0,
        op_kinds: Default::default(),
        leftover: None,
        jobs: 1,
        planned_cases: 1,
        planned_done: 1,
        discovery: Vec::new(),
    }
}

#[test]
fn an_advertised_patch_answered_501_is_reported_once() {
    let summary = summary_with(vec![
        call("PATCH", "/Users/1", 501, ""),
        call("GET", "/Users?filter=x", 501, ""),
    ]);
    let grading = crate::check::Grading::default();
    let advertised = Discovery {
        patch: Some(true),
        ..Discovery::default()
    };
    let found = advertised_but_refused(&advertised, &summary, &grading);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].finding.check_id, "discovery.capability-works");
    assert!(found[0].finding.actual.contains("PATCH"));
    let both = Discovery {
        patch: Some(true),
        filter: Some(true),
        ..Discovery::default()
    };
    assert_eq!(advertised_but_refused(&both, &summary, &grading).len(), 2);
    let silent = Discovery::default();
    assert!(advertised_but_refused(&silent, &summary, &grading).is_empty());
}
