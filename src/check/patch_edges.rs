//! The PATCH edge cases whose acceptable outcome depends on the profile: a `remove` of a value that
//! is not there (200/204 with nothing changed, or 400 noTarget where `remove_absent = "either"`), an
//! `add` of a value already there (200/204, nothing changed, no duplicate),
//! and a boolean sent as the string `"True"`/`"False"` (stored as the boolean it names, or 400
//! invalidValue where `string_booleans = "either"`). In both cases a GET afterwards must show what
//! the answer claimed: either the change, or nothing at all.

use serde_json::Value;

use super::catalogue as id;
use super::finding::{CheckContext, Finding};
use super::judge::{check_call, relabel};
use super::response::names_deactivated;
use crate::driver::Call;
use crate::model::{Expected, Op, UserHandle, UserRecord};

/// A PATCH that must change nothing (call 0: removing an absent value, adding one already there),
/// then the GET that shows `read` unchanged (call 1).
pub fn nothing_changed_findings(
    op: &Op,
    read: &Expected,
    no_target_allowed: bool,
    calls: &[Call],
    ctx: &CheckContext,
) -> Vec<Finding> {
    let Some(patch) = calls.first() else {
        return Vec::new();
    };
    let check = match op {
        // A deactivated user answered 404: the deactivation defect, whatever the PATCH was.
        _ if patch.response.status == 404 && names_deactivated(patch, ctx) => {
            id::DEACTIVATED_READABLE
        }
        Op::AddExistingEmail { .. } => id::PATCH_ADD_EXISTING,
        _ => id::PATCH_REMOVE_ABSENT,
    };
    let findings = match patch.response.status {
        200 | 204 => labelled(
            check_call(op, &patched_version(read), Some(patch), 0, ctx),
            check,
        ),
        400 if no_target_allowed => refused(op, patch, "noTarget", ctx),
        status => vec![Finding::new(
            check,
            if no_target_allowed {
                "200 or 204 with nothing changed, or 400 with scimType noTarget"
            } else {
                "200 or 204 with nothing changed"
            },
            format!("HTTP {status}"),
        )],
    };
    then_read(op, findings, read, calls, ctx, check)
}

/// The PATCH with a string boolean (call 0), the GET that shows what stuck (call 1), and the same
/// change as a JSON boolean (call 2).
pub fn string_boolean_findings(
    op: &Op,
    (user, before, after): (UserHandle, &UserRecord, &UserRecord),
    must_accept: bool,
    calls: &[Call],
    ctx: &CheckContext,
) -> Vec<Finding> {
    let Some(patch) = calls.first() else {
        return Vec::new();
    };
    let patched = |record: &UserRecord| Expected::UserPatched {
        user,
        record: record.clone(),
    };
    let read = |record: &UserRecord| Expected::UserRead {
        user,
        record: record.clone(),
    };
    let (findings, stuck) = match patch.response.status {
        200 | 204 => (
            labelled(
                check_call(op, &patched(after), Some(patch), 0, ctx),
                id::PATCH_STRING_BOOLEAN,
            ),
            after,
        ),
        400 if !must_accept => (refused(op, patch, "invalidValue", ctx), before),
        status => (
            vec![Finding::new(
                id::PATCH_STRING_BOOLEAN,
                if must_accept {
                    "200 or 204, with `active` stored as the boolean the string names"
                } else {
                    "200 or 204 with `active` stored as the boolean the string names, or 400 invalidValue"
                },
                format!("HTTP {status}"),
            )],
            before,
        ),
    };
    let mut findings = then_read(
        op,
        findings,
        &read(stuck),
        calls,
        ctx,
        id::PATCH_STRING_BOOLEAN,
    );
    if findings.iter().any(Finding::is_blocking) {
        return findings;
    }
    findings.extend(check_call(op, &patched(after), calls.get(2), 2, ctx));
    findings
}

/// A refused PATCH: a SCIM Error with status 400, whose scimType should name the reason.
fn refused(op: &Op, call: &Call, scim_type: &str, ctx: &CheckContext) -> Vec<Finding> {
    let mut findings = check_call(op, &Expected::BadRequest, Some(call), 0, ctx);
    let given = call
        .response
        .json()
        .and_then(|body| body.get("scimType").cloned())
        .unwrap_or(Value::Null);
    if findings.is_empty() && given.as_str() != Some(scim_type) {
        findings.push(Finding::new(
            id::PATCH_ERROR_SCIM_TYPE,
            format!("\"scimType\": \"{scim_type}\""),
            format!("scimType {given}"),
        ));
    }
    findings
}

/// After the first exchange's findings: unless one blocks, the GET (call 1) must answer `read`.
fn then_read(
    op: &Op,
    mut findings: Vec<Finding>,
    read: &Expected,
    calls: &[Call],
    ctx: &CheckContext,
    label: &str,
) -> Vec<Finding> {
    if findings.iter().any(Finding::is_blocking) {
        return findings;
    }
    findings.extend(labelled(check_call(op, read, calls.get(1), 1, ctx), label));
    findings
}

/// The PATCH-response form of a read expectation (a PATCH may also answer 204).
fn patched_version(read: &Expected) -> Expected {
    match read {
        Expected::UserRead { user, record } => Expected::UserPatched {
            user: *user,
            record: record.clone(),
        },
        Expected::GroupRead { group, record } => Expected::GroupPatched {
            group: *group,
            record: record.clone(),
        },
        other => other.clone(),
    }
}

/// Content mismatches of a user (content or PATCH result) named by the edge case's own check.
fn labelled(findings: Vec<Finding>, to: &str) -> Vec<Finding> {
    findings
        .into_iter()
        .map(|f| relabel(relabel(f, id::CONTENT, to), id::PATCH_RESULT, to))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_calls::{context, exchange};
    use crate::driver::IdMap;
    use crate::model::{ModelRules, Spelling, State};

    fn call(status: u16, body: &str) -> Call {
        exchange("PATCH", status, body)
    }

    fn error(status: u16, scim_type: &str) -> Call {
        let body = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": status.to_string(),
            "scimType": scim_type,
            "detail": "refused",
        });
        call(status, &body.to_string())
    }

    fn record() -> UserRecord {
        State::new("77", ModelRules::default()).new_user_record(UserHandle(0), Spelling::Base)
    }

    fn ids_of(findings: Vec<Finding>) -> Vec<String> {
        findings.into_iter().map(|f| f.check_id).collect()
    }

    fn judge(expected: &Expected, calls: &[Call]) -> Vec<String> {
        let ids = IdMap::new();
        let ctx = context(&ids, "77.");
        let op = Op::GetUser {
            user: UserHandle(0),
        };
        ids_of(super::super::check_op(&op, expected, calls, &ctx))
    }

    fn removed_nothing(no_target_allowed: bool) -> Expected {
        Expected::NothingChanged {
            read: Box::new(Expected::UserRead {
                user: UserHandle(0),
                record: record(),
            }),
            no_target_allowed,
        }
    }

    fn string_boolean(must_accept: bool) -> Expected {
        let before = record();
        let after = UserRecord {
            active: false,
            ..before.clone()
        };
        Expected::StringBoolean {
            user: UserHandle(0),
            before,
            after,
            must_accept,
        }
    }

    #[test]
    fn removing_nothing_may_answer_204() {
        assert!(judge(&removed_nothing(false), &[call(204, "")]).is_empty());
    }

    #[test]
    fn removing_nothing_may_answer_400_no_target_only_where_the_profile_allows_it() {
        assert!(judge(&removed_nothing(true), &[error(400, "noTarget")]).is_empty());
        assert_eq!(
            judge(&removed_nothing(false), &[error(400, "noTarget")]),
            ["patch.remove-absent"]
        );
    }

    #[test]
    fn a_refusal_of_a_remove_that_names_another_reason_is_a_warning() {
        assert_eq!(
            judge(&removed_nothing(true), &[error(400, "invalidPath")]),
            ["patch.error-scim-type"]
        );
    }

    #[test]
    fn a_crash_on_removing_nothing_is_a_finding() {
        assert_eq!(
            judge(&removed_nothing(true), &[error(500, "")]),
            ["patch.remove-absent"]
        );
    }

    #[test]
    fn a_string_boolean_may_be_refused_with_invalid_value_unless_the_profile_requires_it() {
        assert!(judge(&string_boolean(false), &[error(400, "invalidValue")]).is_empty());
        assert_eq!(
            judge(&string_boolean(true), &[error(400, "invalidValue")]),
            ["patch.string-boolean"]
        );
    }

    #[test]
    fn a_string_boolean_stored_as_text_is_a_finding() {
        let after = UserRecord {
            active: false,
            ..record()
        };
        let mut body = serde_json::json!({
            "schemas": [crate::scim::urn::USER],
            "id": "1",
            "userName": after.user_name,
            "name": {"givenName": after.given_name, "familyName": after.family_name},
            "displayName": after.display_name,
            "externalId": after.external_id,
            "emails": after.emails.iter().map(|e| serde_json::json!({"value": e})).collect::<Vec<_>>(),
            "meta": {"resourceType": "User"},
        });
        body["active"] = Value::String("False".into());
        let found = judge(&string_boolean(false), &[call(200, &body.to_string())]);
        assert!(
            found.contains(&"patch.string-boolean".to_string()),
            "{found:?}"
        );
        assert!(!found.contains(&"patch.result".to_string()), "{found:?}");
    }
}
