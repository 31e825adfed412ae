//! One filter sent alone and judged by the model on the case's own users (users of others are
//! ignored), for `fuzz::localize`; and the control filters a culprit is compared with: one that
//! matches nobody (does the server ignore filters?), the userName exactly as stored (is a
//! `userName eq` miss the case's fault?) and the culprit's operators on userName (is it the
//! attribute's fault or the operator's?).

use serde_json::Value;

use super::exec::Executor;
use super::localize::{Verdict, MAX_PROBES};
use super::render::render;
use crate::check::catalogue as id;
use crate::check::{list_findings, CheckContext, Finding};
use crate::driver::{Call, ResourceKind, TransportError};
use crate::model::{
    apply, eq_ignore_case, substitute, Expected, ListExpectation, ListQuery, Op, State, Tri,
    UserHandle, UserRecord,
};
use crate::scim::filter::{AttrPath, CompValue, CompareOp, Filter};

impl Executor<'_> {
    /// Whether a `userName eq` that missed a user is the case's fault: its value is a case
    /// variant of the user's stored userName, and `userName eq` of the name exactly as stored
    /// finds the user. A miss the list checks put down to deactivation is then the case too.
    pub(super) fn blame_case(
        &self,
        op: &Op,
        state: &State,
        findings: &[Finding],
        ctx: &CheckContext,
    ) -> Result<Option<CaseBlame>, TransportError> {
        let missed = |finding: &Finding| {
            finding.is_blocking()
                && (finding.check_id == id::FILTER_MISSING_MATCH
                    || finding.check_id == id::DEACTIVATED_READABLE)
        };
        if !findings.iter().any(missed) {
            return Ok(None);
        }
        let Some(asked) = user_name_asked(op, state) else {
            return Ok(None);
        };
        let variant_of = |(_, record): &(UserHandle, &UserRecord)| {
            record.user_name != asked
                && eq_ignore_case(&record.user_name, &asked, state.rules.folding) == Tri::Yes
        };
        let Some((_, record)) = state.live_users().find(variant_of) else {
            return Ok(None);
        };
        let exact = user_name_eq(&record.user_name);
        let (verdict, probe) = self.probe(&exact, false, state, ctx)?;
        Ok((verdict.verdict == Verdict::Right).then(|| CaseBlame {
            probe,
            verdict: format!("`{exact}` finds the user, `userName eq \"{asked}\"` does not"),
        }))
    }

    /// Sends `filter` alone (not confined to the namespace) and judges it on the case's users,
    /// and its `totalResults` when `count_judged`.
    pub(super) fn probe(
        &self,
        filter: &Filter,
        count_judged: bool,
        state: &State,
        ctx: &CheckContext,
    ) -> Result<(Judged, Call), TransportError> {
        let mut alone = state.clone();
        alone.rules.exclusive = true;
        let op = Op::ListUsers {
            query: ListQuery {
                filter: Some(filter.clone()),
                start_index: None,
                count: None,
                namespaced: false,
            },
        };
        let call = self.send(&render(&op, &alone, &alone, ctx.ids))?;
        let verdict = match apply(&alone, &op) {
            Some((_, Expected::Listed(mut expectation))) => {
                // Other users on the server may match a sub-filter: its count says nothing.
                expectation.total_predictable = count_judged;
                judge(&call, &expectation, &op, ctx)
            }
            _ => Judged {
                verdict: Verdict::Inconclusive,
                wrong_way: None,
            },
        };
        Ok((verdict, call))
    }
}

impl Executor<'_> {
    /// Whether a comparison wrong alone is its attribute's fault rather than its operator's: the
    /// same operators on userName, with values drawn from a user of the case, are right. The
    /// attribute's name, then (`emails` for `emails.value` and `emails[…]`). Asked only while
    /// the step's probes stay within [`MAX_PROBES`].
    pub(super) fn blame_attribute(
        &self,
        leaf: &Filter,
        state: &State,
        ctx: &CheckContext,
        probes: &mut Vec<Call>,
    ) -> Result<Option<String>, TransportError> {
        let (path, inner) = match leaf {
            Filter::Compare { path, .. } | Filter::Present(path) => (path, leaf),
            Filter::ValuePath { path, filter } => (path, filter.as_ref()),
            _ => return Ok(None),
        };
        let Some((_, user)) = state.live_users().next() else {
            return Ok(None);
        };
        if path.name.eq_ignore_ascii_case("userName") {
            return Ok(None);
        }
        let mut controls = Vec::new();
        operator_controls(inner, &user.user_name, &mut controls);
        if controls.is_empty() || probes.len() + controls.len() > MAX_PROBES {
            return Ok(None);
        }
        for control in &controls {
            let (judged, call) = self.probe(control, false, state, ctx)?;
            probes.push(call);
            if judged.verdict != Verdict::Right {
                return Ok(None);
            }
        }
        Ok(Some(path.name.clone()))
    }
}

/// For each operator of `filter`, once: the same operator on userName with a value `name`
/// matches (`co` a middle part of it, `sw` its start, `ew` its end, the others the whole name).
pub(super) fn operator_controls(filter: &Filter, name: &str, out: &mut Vec<Filter>) {
    let control = match filter {
        Filter::And(left, right) | Filter::Or(left, right) => {
            operator_controls(left, name, out);
            operator_controls(right, name, out);
            return;
        }
        Filter::Not(inner) | Filter::ValuePath { filter: inner, .. } => {
            return operator_controls(inner, name, out)
        }
        Filter::Present(_) => Filter::Present(AttrPath::simple("userName")),
        Filter::Compare { op, .. } => {
            let chars: Vec<char> = name.chars().collect();
            let keep = |from: usize, to: usize| chars[from.min(to)..to].iter().collect::<String>();
            let value = match op {
                CompareOp::Co => keep(1, chars.len().saturating_sub(1)),
                CompareOp::Sw => keep(0, chars.len().saturating_sub(1)),
                CompareOp::Ew => keep(1, chars.len()),
                _ => name.to_string(),
            };
            Filter::Compare {
                path: AttrPath::simple("userName"),
                op: *op,
                value: CompValue::String(value),
            }
        }
    };
    if !out.contains(&control) {
        out.push(control);
    }
}

/// The subject of a defect where the server returns what a filter that matches nobody excludes.
pub const IGNORED: &str = "filter ignored";

/// A filter no user matches: `userName eq "<tag>.nobody@example.com"`.
fn matches_nobody(state: &State) -> Filter {
    user_name_eq(&format!("{}nobody@example.com", state.namespace_prefix()))
}

impl Executor<'_> {
    /// Whether the server ignores filters: it lists users for [`matches_nobody`], a name in the
    /// case's own namespace that no user on any server has (so users of others count too, which
    /// shows it even when the case has none left). The filter sent and its exchange come along.
    pub(super) fn ignores_filters(
        &self,
        state: &State,
        ctx: &CheckContext,
    ) -> Result<(bool, Filter, Call), TransportError> {
        let control = matches_nobody(state);
        let (judged, call) = self.probe(&control, false, state, ctx)?;
        let listed = (call.response.status == 200)
            .then(|| call.response.json())
            .flatten()
            .and_then(|body| body.get("Resources")?.as_array().map(|r| !r.is_empty()))
            .unwrap_or(false);
        Ok((judged.verdict == Verdict::Wrong || listed, control, call))
    }
}

/// A miss of `userName eq` put down to the case of its value.
pub(super) struct CaseBlame {
    pub probe: Call,
    pub verdict: String,
}

impl CaseBlame {
    /// A missing match (or a miss put down to deactivation) becomes
    /// `filter.username-case-insensitive`, the defect of Okta's lookups in capitals.
    pub(super) fn re_aim(&self, finding: Finding, ctx: &CheckContext) -> Finding {
        let missed = finding.check_id == id::FILTER_MISSING_MATCH
            || finding.check_id == id::DEACTIVATED_READABLE;
        if !finding.is_blocking() || !missed {
            return finding;
        }
        let mut converted = Finding::new(
            id::USERNAME_CASE_INSENSITIVE,
            &finding.expected,
            &finding.actual,
        )
        .about(LOOKUP_SUBJECT)
        .at_call(finding.call_index);
        converted.op_index = finding.op_index;
        ctx.grading.apply(vec![converted]).pop().unwrap_or(finding)
    }
}

/// The subject of a lookup's findings (`check::list` names Okta's lookup so).
const LOOKUP_SUBJECT: &str = "userName eq";

/// The value of the `userName eq "…"` the op asked, when that is all its own filter is.
fn user_name_asked(op: &Op, state: &State) -> Option<String> {
    let filter = match op {
        Op::LookupUser { user, spelling } => return Some(state.user_name(*user, *spelling)),
        Op::ListUsers { query } => substitute(query.filter.as_ref()?, &state.tag),
        _ => return None,
    };
    match filter {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::String(value),
        } if path.schema.is_none()
            && path.sub_attr.is_none()
            && path.name.eq_ignore_ascii_case("userName") =>
        {
            Some(value)
        }
        _ => None,
    }
}

pub(super) fn user_name_eq(name: &str) -> Filter {
    Filter::Compare {
        path: AttrPath::simple("userName"),
        op: CompareOp::Eq,
        value: CompValue::String(name.to_string()),
    }
}

/// Whether a listing confined to the namespace returned a user from outside it (one the list
/// checks ignore, since other users may be listed where the listing is not confined; its
/// `totalResults` counted it).
pub(super) fn foreign_listed(call: &Call, ctx: &CheckContext) -> bool {
    let Some(body) = call.response.json() else {
        return false;
    };
    let resources = body.get("Resources").and_then(Value::as_array);
    resources.into_iter().flatten().any(|resource| {
        let text = |key| {
            resource
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
        };
        let ours = ctx.ids.slot_of(ResourceKind::User, text("id")).is_some()
            || ctx.ids.created_here(ResourceKind::User, text("id"));
        !ours && !text("userName").starts_with(ctx.namespace_prefix)
    })
}

/// A probe's verdict: wrong when the list checks find a missing or unexpected match (or a wrong
/// count, where the count is judged); right when they do not and every user that must match was
/// on the page; inconclusive otherwise.
fn judge(call: &Call, expectation: &ListExpectation, op: &Op, ctx: &CheckContext) -> Judged {
    let inconclusive = Judged {
        verdict: Verdict::Inconclusive,
        wrong_way: None,
    };
    if call.response.status != 200 {
        return inconclusive;
    }
    let Some(body) = call.response.json() else {
        return inconclusive;
    };
    let findings = list_findings(&body, expectation, op, ctx);
    let check = |wanted: &str| findings.iter().any(|finding| finding.check_id == wanted);
    let total = body.get("totalResults").and_then(Value::as_u64);
    let wrong_way = if check(id::FILTER_UNEXPECTED_MATCH) {
        Some(id::FILTER_UNEXPECTED_MATCH)
    } else if check(id::FILTER_MISSING_MATCH) {
        Some(id::FILTER_MISSING_MATCH)
    } else if check(id::TOTAL_RESULTS) {
        total.map(|total| direction(total, expectation))
    } else {
        None
    };
    if wrong_way.is_some() {
        return Judged {
            verdict: Verdict::Wrong,
            wrong_way,
        };
    }
    if check(id::LIST_SHAPE) {
        return inconclusive;
    }
    let returned: Vec<&str> = body
        .get("Resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|resource| resource.get("id").and_then(Value::as_str))
        .collect();
    let all_there = expectation.must.iter().all(|handle| {
        ctx.ids
            .id(ResourceKind::User, handle.0)
            .is_some_and(|id| returned.contains(&id))
    });
    match all_there {
        true => Judged {
            verdict: Verdict::Right,
            wrong_way: None,
        },
        false => inconclusive,
    }
}

/// The way a listing that counted `total` is wrong: too many matches, or too few.
pub(super) fn direction(total: u64, expectation: &ListExpectation) -> &'static str {
    if total > expectation.total_range().1 {
        id::FILTER_UNEXPECTED_MATCH
    } else {
        id::FILTER_MISSING_MATCH
    }
}

/// A probe's verdict and, when wrong, which way: the check of the filter finding it showed.
#[derive(Debug, Clone, Copy)]
pub(super) struct Judged {
    pub verdict: Verdict,
    pub wrong_way: Option<&'static str>,
}
