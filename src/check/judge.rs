//! The entry point of checking: one op's exchanges against the model's expectation, dispatched to
//! the per-concern checks (response line, resource content, lists).

use std::collections::BTreeSet;

use serde_json::Value;

use super::catalogue as id;
use super::finding::{CheckContext, Finding};
use super::linearize::linearize;
use super::list::{list_findings, walk_findings};
use super::patch_edges::{nothing_changed_findings, string_boolean_findings};
use super::resource::{group_findings, groups_findings, user_findings};
use super::response::{check_response, location_findings};
use crate::driver::{Call, ResourceKind};
use crate::model::{Expected, GroupRecord, ListExpectation, Op, UserHandle, UserRecord};

/// Every finding about the exchanges `calls` that `op` produced, given what the model expected.
pub fn check_op(op: &Op, expected: &Expected, calls: &[Call], ctx: &CheckContext) -> Vec<Finding> {
    let read = |user: &UserHandle, record: &UserRecord| Expected::UserRead {
        user: *user,
        record: record.clone(),
    };
    match expected {
        Expected::UserReplaced {
            user,
            before,
            after,
        } => in_sequence(
            op,
            calls,
            ctx,
            vec![
                (read(user, before), None),
                (read(user, after), Some(id::PUT_RESULT)),
            ],
        ),
        Expected::ReplaceRefused { user, before } => in_sequence(
            op,
            calls,
            ctx,
            vec![(read(user, before), None), (Expected::Conflict, None)],
        ),
        Expected::PatchRejected { user, record } => in_sequence(
            op,
            calls,
            ctx,
            vec![
                (Expected::BadRequest, None),
                (read(user, record), Some(rejected_patch_check(op))),
            ],
        ),
        Expected::StaleWrite {
            user,
            before,
            after,
        } => {
            let patched = Expected::UserPatched {
                user: *user,
                record: after.clone(),
            };
            in_sequence(
                op,
                calls,
                ctx,
                vec![
                    (read(user, before), None),
                    (patched, None),
                    (Expected::PreconditionFailed, None),
                ],
            )
        }
        Expected::Walked(expectation) => {
            let pages = in_sequence(op, calls, ctx, walk_pages(expectation, calls.len()));
            if pages.iter().any(Finding::is_blocking) {
                return pages;
            }
            let mut findings = pages;
            findings.extend(walk_findings(expectation, calls, ctx));
            findings
        }
        Expected::Linearizable { before } => linearize(op, before, calls, ctx).findings,
        Expected::NothingChanged {
            read,
            no_target_allowed,
        } => nothing_changed_findings(op, read, *no_target_allowed, calls, ctx),
        Expected::StringBoolean {
            user,
            before,
            after,
            must_accept,
        } => string_boolean_findings(op, (*user, before, after), *must_accept, calls, ctx),
        Expected::CreatedOrRefused { user, record } => {
            // Judged as the outcome the server chose; any other status against both.
            let chosen = match calls.first().map(|call| call.response.status) {
                Some(201) => Expected::UserCreated {
                    user: *user,
                    record: record.clone(),
                },
                Some(400) => Expected::BadRequest,
                _ => expected.clone(),
            };
            check_call(op, &chosen, calls.first(), 0, ctx)
        }
        _ => check_call(op, expected, calls.first(), 0, ctx),
    }
}

/// The check a changed resource after a refused PATCH violates.
fn rejected_patch_check(op: &Op) -> &'static str {
    match op {
        Op::InvalidPatch { .. } => id::PATCH_INVALID,
        _ => id::PATCH_ATOMIC,
    }
}

/// The per-page expectations of a walk: page `i` starts at `1 + i * count`.
fn walk_pages(
    expectation: &ListExpectation,
    pages: usize,
) -> Vec<(Expected, Option<&'static str>)> {
    let step = expectation.count.unwrap_or(1).max(1);
    (0..pages)
        .map(|page| {
            let mut page_expectation = expectation.clone();
            page_expectation.start_index = 1 + page as u64 * step;
            (Expected::Listed(page_expectation), None)
        })
        .collect()
}

/// Checks consecutive exchanges against consecutive expectations, stopping at the first blocking
/// finding; `relabel` turns content mismatches of that exchange into a more specific check.
fn in_sequence(
    op: &Op,
    calls: &[Call],
    ctx: &CheckContext,
    expectations: Vec<(Expected, Option<&'static str>)>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, (expected, relabel_to)) in expectations.iter().enumerate() {
        let mut found = check_call(op, expected, calls.get(index), index, ctx);
        if let Some(to) = relabel_to {
            found = found
                .into_iter()
                .map(|f| relabel(f, id::CONTENT, to))
                .collect();
        }
        let blocking = found.iter().any(Finding::is_blocking);
        findings.extend(found);
        if blocking {
            break;
        }
    }
    findings
}

pub(super) fn relabel(mut finding: Finding, from: &str, to: &str) -> Finding {
    if finding.check_id == from {
        let relabelled = Finding::new(to, finding.expected.clone(), finding.actual.clone());
        finding.check_id = relabelled.check_id;
        finding.citation = relabelled.citation;
        finding.severity = relabelled.severity;
    }
    finding
}

pub(super) fn check_call(
    op: &Op,
    expected: &Expected,
    call: Option<&Call>,
    call_index: usize,
    ctx: &CheckContext,
) -> Vec<Finding> {
    let Some(call) = call else {
        return Vec::new();
    };
    if let Some(oversized) = call.response.oversized {
        let wanted = format!("a body of at most {} bytes", oversized.limit);
        let finding = Finding::new(id::RESPONSE_TOO_LARGE, wanted, oversized.describe());
        return vec![finding.at_call(call_index)];
    }
    let mut findings = check_response(expected, op, call, ctx);
    let status_ok = expected.statuses().contains(&call.response.status);
    if findings.iter().any(|f| f.check_id == id::JSON_BODY) || !status_ok {
        return findings
            .into_iter()
            .map(|f| f.at_call(call_index))
            .collect();
    }
    if let Some(body) = call.response.json() {
        findings.extend(content_findings(op, expected, call, &body, ctx));
    }
    findings
        .into_iter()
        .map(|f| f.at_call(call_index))
        .collect()
}

fn content_findings(
    op: &Op,
    expected: &Expected,
    call: &Call,
    body: &Value,
    ctx: &CheckContext,
) -> Vec<Finding> {
    let user_id = |slot: u8| ctx.ids.id(ResourceKind::User, slot);
    let group_id = |slot: u8| ctx.ids.id(ResourceKind::Group, slot);
    match expected {
        Expected::UserCreated { record, .. } => {
            let mut findings =
                user_findings(body, record, None, id::CONTENT, &ctx.rules.attributes);
            if let Some(new_id) = body.get("id").and_then(Value::as_str) {
                findings.extend(location_findings(call, new_id));
            }
            findings
        }
        Expected::UserRead { user, record } => {
            let mut findings = user_findings(
                body,
                record,
                user_id(user.0),
                id::CONTENT,
                &ctx.rules.attributes,
            );
            if call.request.method == "GET" {
                findings.extend(groups_findings(body, ctx));
            }
            findings
        }
        Expected::UserPatched { user, record } => user_findings(
            body,
            record,
            user_id(user.0),
            id::PATCH_RESULT,
            &ctx.rules.attributes,
        ),
        Expected::Listed(expectation) => list_findings(body, expectation, op, ctx),
        Expected::GroupCreated { record, .. } => {
            let mut findings =
                group_findings(body, record, None, &member_ids(record, ctx), true, ctx);
            if let Some(new_id) = body.get("id").and_then(Value::as_str) {
                findings.extend(location_findings(call, new_id));
            }
            findings
        }
        Expected::GroupRead { group, record } => group_findings(
            body,
            record,
            group_id(group.0),
            &member_ids(record, ctx),
            true,
            ctx,
        ),
        Expected::GroupPatched { group, record } => group_findings(
            body,
            record,
            group_id(group.0),
            &member_ids(record, ctx),
            false,
            ctx,
        ),
        Expected::UserReplaced { .. }
        | Expected::ReplaceRefused { .. }
        | Expected::Walked(_)
        | Expected::BadRequest
        | Expected::PatchRejected { .. }
        | Expected::StaleWrite { .. }
        | Expected::PreconditionFailed
        | Expected::Linearizable { .. }
        | Expected::NothingChanged { .. }
        | Expected::StringBoolean { .. }
        | Expected::CreatedOrRefused { .. }
        | Expected::Conflict
        | Expected::NotFound
        | Expected::Deleted
        | Expected::Unauthorized => Vec::new(),
    }
}

fn member_ids(record: &GroupRecord, ctx: &CheckContext) -> BTreeSet<String> {
    record
        .members
        .iter()
        .filter_map(|user| ctx.ids.id(ResourceKind::User, user.0).map(str::to_string))
        .collect()
}
