//! The PATCH edge cases whose acceptable outcome depends on the profile: a `remove` of a value that
//! is not there (200/204 with nothing changed, or 400 noTarget where `remove_absent = "either"`),
//! and a boolean sent as the string `"True"`/`"False"` (stored as the boolean it names, or 400
//! invalidValue where `string_booleans = "either"`). In both cases a GET afterwards must show what
//! the answer claimed: either the change, or nothing at all.

use serde_json::Value;

use super::catalogue as id;
use super::finding::{CheckContext, Finding};
use super::judge::{check_call, relabel};
use crate::driver::Call;
use crate::model::{Expected, Op, UserHandle, UserRecord};

/// The PATCH removing an absent value (call 0), then the GET that shows `read` unchanged (call 1).
pub fn removed_nothing_findings(
    op: &Op,
    read: &Expected,
    no_target_allowed: bool,
    calls: &[Call],
    ctx: &CheckContext,
) -> Vec<Finding> {
    let Some(patch) = calls.first() else {
        return Vec::new();
    };
    let findings = match patch.response.status {
        200 | 204 => labelled(
            check_call(op, &patched_version(read), Some(patch), 0, ctx),
            id::PATCH_REMOVE_ABSENT,
        ),
        400 if no_target_allowed => refused(op, patch, "noTarget", ctx),
        status => vec![Finding::new(
            id::PATCH_REMOVE_ABSENT,
            if no_target_allowed {
                "200 or 204 with nothing changed, or 400 with scimType noTarget"
            } else {
                "200 or 204 with nothing changed (the profile's remove_absent = \"succeed\")"
            },
            format!("HTTP {status}"),
        )],
    };
    then_read(op, findings, read, calls, ctx, id::PATCH_REMOVE_ABSENT)
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
