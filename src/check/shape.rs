//! The shape of SCIM message bodies: the Error response (RFC 7644 §3.12) and the ListResponse
//! (RFC 7644 §3.4.2). Pure helpers that return human-readable problems (empty = well formed), used by
//! the fuzzer's checks and by the Okta conformance suites alike.
//!
//! On `status` in an Error body: RFC 7644 §3.12 makes it a JSON **string** ("404"), but Okta's tests
//! compare its text form, so the number `404` passes them, and many servers send a number.
//! [`error_body_problems`] therefore accepts a string or an integer equal to the HTTP status;
//! [`strict_error_body_problems`] adds the RFC's "must be a string" rule for callers that want it.

use serde_json::Value;

use crate::scim::urn;

/// The `scimType` values RFC 7644 §3.12 (Table 9) defines.
pub const SCIM_TYPES: [&str; 10] = [
    "invalidFilter",
    "tooMany",
    "uniqueness",
    "mutability",
    "invalidSyntax",
    "invalidPath",
    "noTarget",
    "invalidValue",
    "invalidVers",
    "sensitive",
];

/// Problems with a SCIM Error body answered with HTTP `status`: `schemas` must contain the Error URN,
/// `detail` must be a non-empty string, `status` must equal the HTTP status (as a string per RFC, or
/// an integer as Okta tolerates), and `scimType`, when present, must be one of [`SCIM_TYPES`].
pub fn error_body_problems(body: &Value, status: u16) -> Vec<String> {
    let Some(object) = body.as_object() else {
        return vec![format!(
            "the error body is not a JSON object (got {})",
            kind_of(body)
        )];
    };
    let mut problems = Vec::new();
    if let Some(problem) = schemas_problem(body, urn::ERROR) {
        problems.push(problem);
    }
    match object.get("detail") {
        Some(Value::String(text)) if !text.trim().is_empty() => {}
        Some(Value::String(_)) => problems.push("`detail` is an empty string".into()),
        Some(other) => problems.push(format!("`detail` is {}, not a string", kind_of(other))),
        None => problems.push("`detail` is missing".into()),
    }
    match object.get("status") {
        Some(Value::String(text)) if text.trim() == status.to_string() => {}
        Some(Value::Number(number)) if number.as_u64() == Some(u64::from(status)) => {}
        Some(Value::String(text)) => problems.push(format!(
            "`status` is \"{text}\" but the HTTP status is {status}"
        )),
        Some(Value::Number(number)) => problems.push(format!(
            "`status` is {number} but the HTTP status is {status}"
        )),
        Some(other) => problems.push(format!(
            "`status` is {}, not the string \"{status}\" (RFC 7644 §3.12)",
            kind_of(other)
        )),
        None => problems.push(format!(
            "`status` is missing (RFC 7644 §3.12 requires \"{status}\")"
        )),
    }
    match object.get("scimType") {
        None | Some(Value::Null) => {}
        Some(Value::String(kind)) if SCIM_TYPES.contains(&kind.as_str()) => {}
        Some(Value::String(kind)) => problems.push(format!(
            "`scimType` \"{kind}\" is not one of RFC 7644 §3.12's values ({})",
            SCIM_TYPES.join(", ")
        )),
        Some(other) => problems.push(format!("`scimType` is {}, not a string", kind_of(other))),
    }
    problems
}

/// [`error_body_problems`] plus RFC 7644 §3.12's rule that `status` is a JSON string, not a number.
pub fn strict_error_body_problems(body: &Value, status: u16) -> Vec<String> {
    let mut problems = error_body_problems(body, status);
    if let Some(Value::Number(number)) = body.get("status") {
        problems.push(format!(
            "`status` is the number {number}; RFC 7644 §3.12 makes it the string \"{number}\""
        ));
    }
    problems
}

/// Problems with a ListResponse body: `schemas` must contain the ListResponse URN; `totalResults`,
/// `startIndex` and `itemsPerPage` must be non-negative JSON integers (not numeric strings);
/// `Resources` must be an array when present and must be present when `totalResults` > 0;
/// `itemsPerPage` must equal the number of `Resources`, which cannot exceed `totalResults`.
pub fn list_response_problems(body: &Value) -> Vec<String> {
    let Some(object) = body.as_object() else {
        return vec![format!(
            "the list body is not a JSON object (got {})",
            kind_of(body)
        )];
    };
    let mut problems = Vec::new();
    if let Some(problem) = schemas_problem(body, urn::LIST_RESPONSE) {
        problems.push(problem);
    }
    let mut integer = |name: &str| match object.get(name) {
        Some(Value::Number(number)) if number.as_u64().is_some() => number.as_u64(),
        Some(other) => {
            problems.push(format!(
                "`{name}` is {}, not a non-negative integer",
                kind_of(other)
            ));
            None
        }
        None => {
            problems.push(format!("`{name}` is missing"));
            None
        }
    };
    let total = integer("totalResults");
    let start = integer("startIndex");
    let per_page = integer("itemsPerPage");
    if start == Some(0) {
        problems.push("`startIndex` is 0 but SCIM indexes are 1-based".into());
    }
    let resources = match object.get("Resources") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(items.len() as u64),
        Some(other) => {
            problems.push(format!("`Resources` is {}, not an array", kind_of(other)));
            return problems;
        }
    };
    if resources.is_none() && total.is_some_and(|total| total > 0) {
        problems.push(format!(
            "`Resources` is missing although `totalResults` is {}",
            total.unwrap_or_default()
        ));
    }
    let listed = resources.unwrap_or(0);
    if let Some(per_page) = per_page {
        if per_page != listed {
            problems.push(format!(
                "`itemsPerPage` is {per_page} but `Resources` holds {listed}"
            ));
        }
    }
    if let Some(total) = total {
        if listed > total {
            problems.push(format!(
                "`Resources` holds {listed} but `totalResults` is only {total}"
            ));
        }
    }
    problems
}

/// The problem with `schemas` when it does not list `wanted`, if any.
fn schemas_problem(body: &Value, wanted: &str) -> Option<String> {
    match body.get("schemas") {
        Some(Value::Array(items)) if items.iter().any(|item| item == wanted) => None,
        Some(Value::Array(items)) => Some(format!(
            "`schemas` {} does not contain {wanted}",
            Value::Array(items.clone())
        )),
        Some(other) => Some(format!("`schemas` is {}, not an array", kind_of(other))),
        None => Some(format!("`schemas` is missing (expected [\"{wanted}\"])")),
    }
}

/// A short description of a JSON value's type, with the value when it is small.
fn kind_of(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(flag) => format!("the boolean {flag}"),
        Value::Number(number) => format!("the number {number}"),
        Value::String(text) if text.chars().count() <= 40 => format!("the string \"{text}\""),
        Value::String(_) => "a string".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_rfc_error_body_has_no_problems() {
        let body = json!({"schemas": [urn::ERROR], "detail": "no such user", "status": "404"});
        assert_eq!(error_body_problems(&body, 404), Vec::<String>::new());
        assert_eq!(strict_error_body_problems(&body, 404), Vec::<String>::new());
    }

    #[test]
    fn a_numeric_status_passes_okta_but_not_the_strict_rfc_check() {
        let body = json!({"schemas": [urn::ERROR], "detail": "exists", "status": 409,
                          "scimType": "uniqueness"});
        assert!(error_body_problems(&body, 409).is_empty());
        let strict = strict_error_body_problems(&body, 409);
        assert_eq!(strict.len(), 1);
        assert!(strict[0].contains("RFC 7644 §3.12"), "{strict:?}");
    }

    #[test]
    fn a_status_that_disagrees_with_http_is_a_problem() {
        let body = json!({"schemas": [urn::ERROR], "detail": "bad", "status": "400"});
        let problems = error_body_problems(&body, 404);
        assert_eq!(
            problems,
            vec!["`status` is \"400\" but the HTTP status is 404"]
        );
    }

    #[test]
    fn missing_urn_empty_detail_and_unknown_scim_type_are_each_reported() {
        let body = json!({"schemas": ["urn:x"], "detail": " ", "status": "400",
                          "scimType": "badThing"});
        let problems = error_body_problems(&body, 400);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains(urn::ERROR));
        assert!(problems[1].contains("empty"));
        assert!(problems[2].contains("badThing"));
    }

    #[test]
    fn a_non_object_error_body_is_one_problem() {
        let problems = error_body_problems(&json!("Not Found"), 404);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("not a JSON object"));
    }

    #[test]
    fn a_missing_status_and_detail_are_reported() {
        let body = json!({"schemas": [urn::ERROR]});
        let problems = error_body_problems(&body, 401);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("`detail` is missing")));
        assert!(problems.iter().any(|p| p.contains("`status` is missing")));
    }

    #[test]
    fn a_well_formed_list_response_has_no_problems() {
        let body = json!({"schemas": [urn::LIST_RESPONSE], "totalResults": 3, "startIndex": 1,
                          "itemsPerPage": 2, "Resources": [{"id": "a"}, {"id": "b"}]});
        assert_eq!(list_response_problems(&body), Vec::<String>::new());
    }

    #[test]
    fn an_empty_list_may_omit_resources() {
        let body = json!({"schemas": [urn::LIST_RESPONSE], "totalResults": 0, "startIndex": 1,
                          "itemsPerPage": 0});
        assert!(list_response_problems(&body).is_empty());
    }

    #[test]
    fn string_counts_are_problems() {
        let body = json!({"schemas": [urn::LIST_RESPONSE], "totalResults": "1", "startIndex": 1,
                          "itemsPerPage": "1", "Resources": [{}]});
        let problems = list_response_problems(&body);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("`totalResults` is the string \"1\""));
        assert!(problems[1].contains("`itemsPerPage`"));
    }

    #[test]
    fn items_per_page_must_match_the_resources_returned() {
        let body = json!({"schemas": [urn::LIST_RESPONSE], "totalResults": 5, "startIndex": 1,
                          "itemsPerPage": 100, "Resources": [{}, {}]});
        assert_eq!(
            list_response_problems(&body),
            vec!["`itemsPerPage` is 100 but `Resources` holds 2"]
        );
    }

    #[test]
    fn resources_are_required_when_there_are_results() {
        let body = json!({"schemas": [urn::LIST_RESPONSE], "totalResults": 2, "startIndex": 1,
                          "itemsPerPage": 0});
        let problems = list_response_problems(&body);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("`Resources` is missing"));
    }

    #[test]
    fn resources_must_be_an_array_and_the_urn_present() {
        let body = json!({"totalResults": 1, "startIndex": 1, "itemsPerPage": 1,
                          "Resources": {"id": "a"}});
        let problems = list_response_problems(&body);
        assert!(problems[0].contains("`schemas` is missing"), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("not an array")));
    }

    #[test]
    fn more_resources_than_total_and_a_zero_start_index_are_problems() {
        let body = json!({"schemas": [urn::LIST_RESPONSE], "totalResults": 1, "startIndex": 0,
                          "itemsPerPage": 2, "Resources": [{}, {}]});
        let problems = list_response_problems(&body);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("1-based"));
        assert!(problems[1].contains("only 1"));
    }
}
