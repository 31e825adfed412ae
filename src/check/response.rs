//! Checks every response gets, whatever the operation: the status against the acceptable ones
//! (mapped to the most specific check id), SCIM Error bodies on errors, the media type, JSON
//! completeness, the Location of a 201, and latency.

use serde_json::Value;

use super::catalogue as id;
use super::finding::{CheckContext, Finding};
use super::list::filter_subject;
use super::shape::error_body_problems;
use crate::driver::Call;
use crate::model::{Expected, Op, Spelling};

/// The findings about `call`'s status line, error body, media type and latency.
pub fn check_response(
    expected: &Expected,
    op: &Op,
    call: &Call,
    ctx: &CheckContext,
) -> Vec<Finding> {
    let status = call.response.status;
    let mut findings = Vec::new();
    if let Some(budget) = ctx.rules.latency_budget_ms {
        let millis = call.timings.total_us / 1000;
        if millis > budget {
            findings.push(Finding::new(
                id::LATENCY,
                format!("a response within {budget} ms"),
                format!("{millis} ms"),
            ));
        }
    }
    if !expected.statuses().contains(&status) {
        findings.push(wrong_status(expected, op, call, ctx));
        return findings;
    }
    if status >= 400 {
        findings.extend(error_body_findings(expected, call));
        if matches!(op, Op::ListInvalidFilter { .. }) {
            findings.extend(scim_type_finding(
                call,
                "invalidFilter",
                id::FILTER_INVALID_400,
            ));
        }
    } else if !call.response.body.trim().is_empty() {
        findings.extend(media_findings(call, ctx));
    }
    findings
}

fn expected_text(expected: &Expected) -> String {
    let statuses: Vec<String> = expected.statuses().iter().map(u16::to_string).collect();
    format!("HTTP {}", statuses.join(" or "))
}

fn actual_text(call: &Call) -> String {
    let mut body = call.response.body.clone();
    if body.len() > 300 {
        let cut = (0..=300)
            .rev()
            .find(|i| body.is_char_boundary(*i))
            .unwrap_or(0);
        body.truncate(cut);
        body.push('…');
    }
    format!("HTTP {} {}", call.response.status, body)
}

/// Whether the request's path names a user the model holds as deactivated.
pub(super) fn names_deactivated(call: &Call, ctx: &CheckContext) -> bool {
    let path = call.request.url.split('?').next().unwrap_or_default();
    ctx.deactivated_ids
        .iter()
        .any(|id| path.ends_with(&format!("/{id}")))
}

/// The most specific check a wrong status violates.
fn wrong_status(expected: &Expected, op: &Op, call: &Call, ctx: &CheckContext) -> Finding {
    let status = call.response.status;
    if let Some(subject) = unsupported_filter(op, call) {
        return Finding::new(
            id::FILTER_UNSUPPORTED,
            expected_text(expected),
            actual_text(call),
        )
        .about(subject);
    }
    let check = if status == 415 && call.request.body.is_some() {
        id::SCIM_JSON_ACCEPTED
    } else if status == 404
        && !matches!(expected, Expected::NotFound)
        && names_deactivated(call, ctx)
    {
        id::DEACTIVATED_READABLE
    } else if status == 400
        && is_pathless_patch(call)
        && !matches!(expected, Expected::BadRequest | Expected::NotFound)
    {
        id::PATHLESS_PATCH
    } else {
        match (expected, op) {
            (Expected::Unauthorized, _) => id::UNAUTHORIZED_401,
            (Expected::NotFound, _) => id::NOT_FOUND_404,
            (Expected::Conflict, Op::ReplaceUser { .. }) => id::RENAME_UNIQUENESS,
            (Expected::Conflict, _) => id::DUPLICATE_409,
            (Expected::BadRequest, Op::MalformedCreate) => id::INVALID_SYNTAX_400,
            (Expected::BadRequest, Op::ListInvalidFilter { .. }) => id::FILTER_INVALID_400,
            (Expected::BadRequest, Op::InvalidPatch { .. }) => id::PATCH_INVALID,
            (Expected::PreconditionFailed, _) => id::ETAG_PRECONDITION,
            _ if status >= 500 => id::NO_SERVER_ERROR,
            (Expected::UserCreated { .. } | Expected::GroupCreated { .. }, _) if status < 300 => {
                id::CREATE_201
            }
            (Expected::UserRead { record, .. }, _) if status == 404 && !record.active => {
                id::DEACTIVATED_READABLE
            }
            (Expected::UserRead { .. } | Expected::GroupRead { .. }, _) if status == 404 => {
                id::READ_YOUR_WRITES
            }
            (
                Expected::UserPatched { .. },
                Op::SetActive {
                    capitalised: true, ..
                },
            ) => id::PATCH_OP_CASE,
            (Expected::UserPatched { .. }, Op::SetActive { .. })
            | (Expected::GroupPatched { .. }, Op::RenameGroup { .. })
                if status == 400 =>
            {
                id::PATHLESS_PATCH
            }
            _ if status == 400 && call.request.method == "PUT" => id::PUT_READONLY_ECHO,
            (Expected::Deleted, _) => id::DELETE_204,
            (Expected::Listed(list), _) if status == 404 && list.must.is_empty() => {
                id::NO_MATCH_200
            }
            (Expected::Listed(_), Op::LookupUser { spelling, .. })
                if status == 404 && *spelling != Spelling::Base =>
            {
                id::USERNAME_CASE_INSENSITIVE
            }
            _ => id::STATUS,
        }
    };
    Finding::new(check, expected_text(expected), actual_text(call))
}

/// What a generated filter the server refused with 400 invalidFilter compares, when the refusal
/// is the server's right: RFC 7644 §3.4.2.2 lets a server refuse operators it does not support.
/// `eq` is never optional: Okta looks up users and groups with it.
fn unsupported_filter(op: &Op, call: &Call) -> Option<String> {
    let Op::ListUsers { query } = op else {
        return None;
    };
    let refused = call.response.status == 400
        && call.response.json().is_some_and(|body| {
            body.get("scimType").and_then(Value::as_str) == Some("invalidFilter")
        });
    let subject = filter_subject(op)?;
    let only_eq = subject == "eq";
    (refused && query.filter.is_some() && !only_eq).then_some(subject)
}

/// Whether the request is a PATCH with an operation that has no `path`.
fn is_pathless_patch(call: &Call) -> bool {
    if call.request.method != "PATCH" {
        return false;
    }
    let body: Option<Value> = call
        .request
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok());
    let operations = body
        .as_ref()
        .and_then(|b| b.get("Operations"))
        .and_then(Value::as_array);
    operations.is_some_and(|ops| ops.iter().any(|op| op.get("path").is_none()))
        && !operations.is_some_and(|ops| {
            ops.iter().any(|op| {
                op.get("op")
                    .and_then(Value::as_str)
                    .is_some_and(|name| name != name.to_lowercase())
            })
        })
}

/// A refusal whose `scimType` is not `wanted`.
fn scim_type_finding(call: &Call, wanted: &str, check: &'static str) -> Option<Finding> {
    let body = call.response.json()?;
    let scim_type = body.get("scimType").cloned().unwrap_or(Value::Null);
    (scim_type.as_str() != Some(wanted)).then(|| {
        Finding::new(
            check,
            format!("\"scimType\": \"{wanted}\""),
            format!("scimType {scim_type}"),
        )
    })
}

/// Error responses must carry a SCIM Error body; a 409 should say `uniqueness`.
fn error_body_findings(expected: &Expected, call: &Call) -> Vec<Finding> {
    let status = call.response.status;
    let Some(body) = call.response.json() else {
        return vec![Finding::new(
            id::ERROR_BODY,
            "a SCIM Error JSON body",
            actual_text(call),
        )];
    };
    let mut findings = Vec::new();
    let problems = error_body_problems(&body, status);
    if !problems.is_empty() {
        findings.push(Finding::new(
            id::ERROR_BODY,
            "a SCIM Error body",
            problems.join("; "),
        ));
    }
    if let Some(Value::Number(number)) = body.get("status") {
        findings.push(Finding::new(
            id::ERROR_STATUS_STRING,
            format!("\"status\": \"{status}\""),
            format!("\"status\": {number}"),
        ));
    }
    if matches!(expected, Expected::Conflict) {
        findings.extend(scim_type_finding(
            call,
            "uniqueness",
            id::UNIQUENESS_SCIM_TYPE,
        ));
    }
    findings
}

/// Successful responses with a body: complete JSON, labelled as SCIM JSON.
fn media_findings(call: &Call, ctx: &CheckContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    if call.response.json().is_none() {
        findings.push(Finding::new(
            id::JSON_BODY,
            "a complete JSON body",
            actual_text(call),
        ));
    }
    let media = call.response.media_type().unwrap_or_default();
    let acceptable = media == "application/scim+json"
        || (ctx.rules.accept_plain_json && media == "application/json");
    if !acceptable {
        findings.push(Finding::new(
            id::CONTENT_TYPE,
            "Content-Type: application/scim+json",
            format!(
                "Content-Type: {}",
                call.response.header("content-type").unwrap_or("(none)")
            ),
        ));
    }
    findings
}

/// A 201 must name the new resource in `Location`.
pub fn location_findings(call: &Call, new_id: &str) -> Vec<Finding> {
    match call.response.header("location") {
        Some(location) if location.trim_end_matches('/').ends_with(new_id) => Vec::new(),
        Some(location) => vec![Finding::new(
            id::LOCATION,
            format!("a Location ending in /{new_id}"),
            format!("Location: {location}"),
        )],
        None => vec![Finding::new(
            id::LOCATION,
            "a Location header",
            "no Location header",
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_calls::{context, exchange};
    use crate::driver::IdMap;
    use crate::model::BogusId;

    fn call(status: u16, body: &str) -> Call {
        exchange("GET", status, body)
    }

    fn check(expected: &Expected, call: &Call) -> Vec<String> {
        let op = Op::GetBogusUser {
            id: BogusId::OktaThirtyDigits,
        };
        check_op_response(&op, expected, call)
    }

    fn check_op_response(op: &Op, expected: &Expected, call: &Call) -> Vec<String> {
        let ids = IdMap::new();
        let ctx = context(&ids, "1.");
        check_response(expected, op, call, &ctx)
            .into_iter()
            .map(|f| f.check_id)
            .collect()
    }

    #[test]
    fn an_unknown_id_answered_400_is_a_not_found_finding() {
        let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","detail":"bad id"}"#;
        assert_eq!(
            check(&Expected::NotFound, &call(400, body)),
            vec![id::NOT_FOUND_404]
        );
    }

    /// A path-less deactivation of a deleted user answered 400: the id is the problem (it must be
    /// 404), not the path-less form.
    #[test]
    fn a_pathless_patch_of_a_deleted_user_answered_400_is_a_not_found_finding() {
        let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","detail":"invalid id"}"#;
        let mut patch = call(400, body);
        patch.request.method = "PATCH".into();
        patch.request.body = Some(
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}"#.into(),
        );
        assert_eq!(check(&Expected::NotFound, &patch), vec![id::NOT_FOUND_404]);
    }

    #[test]
    fn a_404_with_a_numeric_status_is_a_status_string_finding_only() {
        let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":404,"detail":"none"}"#;
        assert_eq!(
            check(&Expected::NotFound, &call(404, body)),
            vec![id::ERROR_STATUS_STRING]
        );
    }

    #[test]
    fn a_404_without_a_scim_error_body_is_an_error_body_finding() {
        assert_eq!(
            check(&Expected::NotFound, &call(404, "<html>nope</html>")),
            vec![id::ERROR_BODY]
        );
    }

    #[test]
    fn an_ordering_filter_on_a_boolean_must_be_refused_with_invalid_filter() {
        let op = Op::ListInvalidFilter {
            filter: crate::model::InvalidFilter::ActiveGt,
        };
        let refused = |scim_type: &str| {
            format!(
                r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"{scim_type}","detail":"no"}}"#
            )
        };
        let empty_list = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#;
        let judge =
            |status, body: &str| check_op_response(&op, &Expected::BadRequest, &call(status, body));
        assert!(judge(400, &refused("invalidFilter")).is_empty());
        assert_eq!(judge(200, empty_list), vec![id::FILTER_INVALID_400]);
        assert_eq!(judge(500, &refused("x")), vec![id::FILTER_INVALID_400]);
        assert_eq!(
            judge(400, &refused("invalidValue")),
            vec![id::FILTER_INVALID_400]
        );
    }

    #[test]
    fn a_409_without_scim_type_uniqueness_is_reported() {
        let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","detail":"taken"}"#;
        assert_eq!(
            check(&Expected::Conflict, &call(409, body)),
            vec![id::UNIQUENESS_SCIM_TYPE]
        );
    }
}
