//! The follow-up exchanges of ops that take more than one request: Okta's GET-then-PUT, the
//! GET that proves a failed PATCH changed nothing, the pages of an import walk, and the stale
//! If-Match write. Each follow-up depends on what the first response said.

use serde_json::Value;

use super::render::{boolean_patch, display_name_patch, list_path, replace_body, walk_query};
use crate::driver::{Call, Method, RequestSpec, TransportError};
use crate::model::{Expected, Op, State, UserChange};

pub use crate::check::MAX_WALK_PAGES;
/// Sends the follow-ups of `op` after its `first` exchange.
pub fn follow_ups(
    op: &Op,
    expected: &Expected,
    before: &State,
    first: &Call,
    base_url: &str,
    send: &dyn Fn(&RequestSpec) -> Result<Call, TransportError>,
) -> Result<Vec<Call>, TransportError> {
    let path = first.request.url.trim_start_matches(base_url).to_string();
    let path = path.split('?').next().unwrap_or_default().to_string();
    let body = first.response.json();
    let ok = first.response.status == 200;
    match (op, expected) {
        (Op::ReplaceUser { change, .. }, Expected::UserReplaced { after, .. }) if ok => {
            let body = body.unwrap_or_default();
            Ok(vec![send(&RequestSpec::with_json(
                Method::Put,
                path,
                replace_body(&body, change, after),
            ))?])
        }
        (Op::ReplaceUser { change, .. }, Expected::ReplaceRefused { before: record, .. }) if ok => {
            let UserChange::TakeUserNameOf(other) = change else {
                return Ok(Vec::new());
            };
            let mut attempted = record.clone();
            attempted.user_name = before
                .live_user(*other)
                .map(|r| r.user_name.clone())
                .unwrap_or_default();
            let body = body.unwrap_or_default();
            Ok(vec![send(&RequestSpec::with_json(
                Method::Put,
                path,
                replace_body(&body, change, &attempted),
            ))?])
        }
        (
            Op::PatchAtomicity { .. }
            | Op::InvalidPatch { .. }
            | Op::RemoveAbsent { .. }
            | Op::AddExistingEmail { .. }
            | Op::RemoveAbsentMember { .. },
            _,
        ) => Ok(vec![send(&RequestSpec::get(path))?]),
        (Op::SetActiveString { active, .. }, _) => {
            let read = send(&RequestSpec::get(path.clone()))?;
            let settle = send(&RequestSpec::with_json(
                Method::Patch,
                path,
                boolean_patch(*active),
            ))?;
            Ok(vec![read, settle])
        }
        (
            Op::WalkUsers {
                page_size,
                namespaced,
            },
            _,
        ) if ok => walk_pages(before, *page_size, *namespaced, first, send),
        (Op::StaleWrite { .. }, Expected::StaleWrite { after, .. }) if ok => {
            let stale = etag_of(first);
            let fresh = RequestSpec::with_json(
                Method::Patch,
                path.clone(),
                display_name_patch(&after.display_name),
            );
            let mut calls = vec![send(&fresh)?];
            if let Some(stale) = stale.filter(|_| calls[0].response.status < 300) {
                let write =
                    RequestSpec::with_json(Method::Patch, path, display_name_patch("Stale write"))
                        .header("If-Match", stale);
                calls.push(send(&write)?);
            }
            Ok(calls)
        }
        _ => Ok(Vec::new()),
    }
}

fn walk_pages(
    state: &State,
    page_size: u8,
    namespaced: bool,
    first: &Call,
    send: &dyn Fn(&RequestSpec) -> Result<Call, TransportError>,
) -> Result<Vec<Call>, TransportError> {
    let step = i64::from(page_size.max(1));
    let total = |call: &Call| {
        call.response
            .json()
            .and_then(|body| body.get("totalResults").and_then(Value::as_i64))
            .unwrap_or(0)
    };
    let mut calls: Vec<Call> = Vec::new();
    let mut start = 1 + step;
    let mut known_total = total(first);
    while start <= known_total && calls.len() + 1 < MAX_WALK_PAGES {
        let call = send(&RequestSpec::get(list_path(
            state,
            &walk_query(page_size, namespaced, start),
        )))?;
        let page_ok = call.response.status == 200;
        known_total = total(&call);
        calls.push(call);
        if !page_ok {
            break;
        }
        start += step;
    }
    Ok(calls)
}

/// The version a response carries: the `ETag` header, else `meta.version`.
pub fn etag_of(call: &Call) -> Option<String> {
    if let Some(etag) = call.response.header("etag") {
        return Some(etag.to_string());
    }
    call.response.json().and_then(|body| {
        body.pointer("/meta/version")
            .and_then(Value::as_str)
            .map(str::to_string)
    })
}
