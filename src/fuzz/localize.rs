//! Filter localization: when a filtered listing returns the wrong users, which part of the filter
//! is to blame. The filter actually sent (the user's filter `and` the namespace conjunct
//! `userName sw "<tag>."`) is taken apart into its sub-trees, and each is sent alone, leaves
//! first, and judged by the model on the case's own users (others' users are ignored). The
//! culprit is the lowest sub-tree that is wrong while each of its operands is right alone: a
//! comparison names its operator (`co`), a logical node its word (`and`, `or`, `not`). The
//! finding's subject becomes the culprit, so a server that evaluates `and` as `or` is one defect
//! about `and`, not one per comparison operator it happened to meet. A culprit is checked
//! against a filter that matches nobody: a server that returns users for it ignores
//! filters (`filter ignored`), whichever comparison met it. A `list.total-results` on a filter
//! found wrong is the filter's defect. A `userName eq` that missed a user whose stored name is
//! a case variant of its value is asked again with the name as stored: when that finds the user,
//! the miss is `filter.username-case-insensitive`, as for Okta's lookups. The probes are recorded
//! on the step as evidence.

use serde_json::Value;

use super::exec::Executor;
use super::render::render;
use crate::check::catalogue as id;
use crate::check::{comparison_operators, list_findings, CheckContext, Finding};
use crate::driver::{Call, ResourceKind, TransportError};
use crate::model::{
    apply, effective_filter, eq_ignore_case, substitute, Expected, ListExpectation, ListQuery, Op,
    State, Tri, UserHandle, UserRecord,
};
use crate::scim::filter::{AttrPath, CompValue, CompareOp, Filter};

/// The most probes one step sends.
pub const MAX_PROBES: usize = 12;

/// What one probe showed of a sub-filter sent alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It returned exactly the case's users it should.
    Right,
    /// It returned a user it should not, or left out one it should have returned.
    Wrong,
    /// It could not be judged (not a 200, not a list, a page that may have left users out).
    Inconclusive,
}

/// A sub-tree of a filter and, by their index in the same post-order list, its operands.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'f> {
    pub filter: &'f Filter,
    pub children: Vec<usize>,
}

/// The sub-trees of `filter`, operands before the node that joins them (post-order, the whole
/// filter last). A value path (`emails[type eq "work"]`) is one leaf.
pub fn post_order(filter: &Filter) -> Vec<Node<'_>> {
    fn visit<'f>(filter: &'f Filter, out: &mut Vec<Node<'f>>) -> usize {
        let children = match filter {
            Filter::And(left, right) | Filter::Or(left, right) => {
                vec![visit(left, out), visit(right, out)]
            }
            Filter::Not(inner) => vec![visit(inner, out)],
            Filter::Compare { .. } | Filter::Present(_) | Filter::ValuePath { .. } => Vec::new(),
        };
        out.push(Node { filter, children });
        out.len() - 1
    }
    let mut nodes = Vec::new();
    visit(filter, &mut nodes);
    nodes
}

/// The culprit: the first node (in post-order, so the lowest) that was probed wrong while every
/// one of its operands was probed right. `None` when the probes show no such node.
pub fn culprit(nodes: &[Node], verdicts: &[Option<Verdict>]) -> Option<usize> {
    let right = |index: &usize| verdicts.get(*index) == Some(&Some(Verdict::Right));
    (0..nodes.len()).find(|&index| {
        verdicts.get(index) == Some(&Some(Verdict::Wrong))
            && nodes[index].children.iter().all(right)
    })
}

/// Probes the nodes in post-order, at most `budget` of them, until the culprit shows. A node is
/// probed only when its operands were all right: otherwise it cannot be the culprit.
pub fn probe_nodes<E>(
    nodes: &[Node],
    budget: usize,
    mut probe: impl FnMut(&Filter) -> Result<Verdict, E>,
) -> Result<Vec<Option<Verdict>>, E> {
    let mut verdicts: Vec<Option<Verdict>> = vec![None; nodes.len()];
    let mut sent = 0;
    for (index, node) in nodes.iter().enumerate() {
        let operands_right = node
            .children
            .iter()
            .all(|child| verdicts[*child] == Some(Verdict::Right));
        if !operands_right {
            continue;
        }
        if sent == budget {
            break;
        }
        sent += 1;
        verdicts[index] = Some(probe(node.filter)?);
        if verdicts[index] == Some(Verdict::Wrong) {
            break;
        }
    }
    Ok(verdicts)
}

/// What a culprit is called in a defect key: a comparison's operator, a logical node's word.
pub fn subject_of(filter: &Filter) -> String {
    match filter {
        Filter::And(..) => "and".into(),
        Filter::Or(..) => "or".into(),
        Filter::Not(_) => "not".into(),
        leaf => comparison_operators(leaf),
    }
}

/// One line for the report: what the probes showed.
pub fn sentence(filter: &Filter) -> String {
    match filter {
        Filter::And(..) | Filter::Or(..) => format!(
            "`{}` is wrong, its operands are right alone",
            subject_of(filter)
        ),
        Filter::Not(_) => "`not` is wrong, its operand is right alone".into(),
        leaf => format!("`{leaf}` is wrong alone"),
    }
}

/// What localization found on one step: the findings (re-aimed at the culprit), the probes sent
/// and, when a culprit showed, the line that says so.
#[derive(Debug)]
pub struct Localized {
    pub findings: Vec<Finding>,
    pub probes: Vec<Call>,
    pub verdict: Option<String>,
}

impl Executor<'_> {
    /// Localizes the filter of a list op whose findings say it returned the wrong users (nothing
    /// is sent otherwise). `state` is the model before the op (a listing changes nothing).
    pub(super) fn localize(
        &self,
        op: &Op,
        expected: &Expected,
        state: &State,
        calls: &[Call],
        findings: Vec<Finding>,
        ctx: &CheckContext,
    ) -> Result<Localized, TransportError> {
        let unchanged = |findings| Localized {
            findings,
            probes: Vec::new(),
            verdict: None,
        };
        let Some(sent) = sent_filter(op, state) else {
            return Ok(unchanged(findings));
        };
        if let Some(case) = self.blame_case(op, state, &findings, ctx)? {
            let findings = findings.into_iter().map(|f| case.re_aim(f, ctx)).collect();
            return Ok(Localized {
                findings,
                probes: vec![case.probe],
                verdict: Some(case.verdict),
            });
        }
        if !findings.iter().any(|finding| about_the_filter(finding, op)) {
            return Ok(unchanged(findings));
        }
        let nodes = post_order(&sent);
        let confined = is_confined(op, state);
        let crowded = confined && calls.first().is_some_and(|call| foreign_listed(call, ctx));
        let shown_wrong = crowded || findings.iter().any(is_filter_finding);
        let mut probes = Vec::new();
        // Probing stops at the first wrong node whose operands are right: the culprit.
        let mut wrong_way = None;
        let verdicts = probe_nodes(&nodes, MAX_PROBES - 1, |filter| {
            let whole = std::ptr::eq(filter, &sent);
            if whole && shown_wrong {
                // The step itself showed the filter it sent wrong: no need to ask again.
                return Ok(Verdict::Wrong);
            }
            // The whole filter, confined to the namespace, must count only the case's users.
            let (judged, call) = self.probe(filter, whole && confined, state, ctx)?;
            probes.push(call);
            wrong_way = judged.wrong_way;
            Ok(judged.verdict)
        })?;
        let Some(found) = culprit(&nodes, &verdicts) else {
            return Ok(Localized {
                findings,
                probes,
                verdict: None,
            });
        };
        let blamed = nodes[found].filter;
        // Is that part to blame, or does the server ignore every filter?
        let control = matches_nobody(state);
        let (ignored, call) = self.probe(&control, false, state, ctx)?;
        probes.push(call);
        let (subject, verdict) = match ignored.verdict {
            Verdict::Wrong => {
                wrong_way = ignored.wrong_way;
                (
                    IGNORED.to_string(),
                    format!(
                        "the filter is ignored: `{control}`, which matches no user, returned some"
                    ),
                )
            }
            _ => (subject_of(blamed), sentence(blamed)),
        };
        let blame = Blame {
            subject,
            crowded,
            wrong_way,
        };
        let findings = findings
            .into_iter()
            .map(|finding| re_aim(finding, op, &blame, expected, calls, ctx))
            .collect();
        Ok(Localized {
            findings,
            probes,
            verdict: Some(verdict),
        })
    }

    /// Whether a `userName eq` that missed a user is the case's fault: its value is a case
    /// variant of the user's stored userName, and `userName eq` of the name exactly as stored
    /// finds the user. A miss the list checks put down to deactivation is then the case too.
    fn blame_case(
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
    fn probe(
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

/// The subject of a defect where the server returns what a filter that matches nobody excludes.
pub const IGNORED: &str = "filter ignored";

/// A filter no user matches: `userName eq "<tag>.nobody@example.com"`.
fn matches_nobody(state: &State) -> Filter {
    user_name_eq(&format!("{}nobody@example.com", state.namespace_prefix()))
}

/// A miss of `userName eq` put down to the case of its value.
struct CaseBlame {
    probe: Call,
    verdict: String,
}

impl CaseBlame {
    /// A missing match (or a miss put down to deactivation) becomes
    /// `filter.username-case-insensitive`, the defect of Okta's lookups in capitals.
    fn re_aim(&self, finding: Finding, ctx: &CheckContext) -> Finding {
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

fn user_name_eq(name: &str) -> Filter {
    Filter::Compare {
        path: AttrPath::simple("userName"),
        op: CompareOp::Eq,
        value: CompValue::String(name.to_string()),
    }
}

/// The filter `op` actually sent, if it is a filtered listing.
fn sent_filter(op: &Op, state: &State) -> Option<Filter> {
    match op {
        Op::ListUsers { query } if query.filter.is_some() => effective_filter(state, query),
        Op::LookupUser { user, spelling } => Some(user_name_eq(&state.user_name(*user, *spelling))),
        _ => None,
    }
}

/// Whether the filter `op` sent confines the listing to the case's namespace (`… and userName sw
/// "<tag>."`), so that a correct server counts only the case's users.
fn is_confined(op: &Op, state: &State) -> bool {
    matches!(op, Op::ListUsers { query } if query.namespaced || !state.rules.exclusive)
}

fn is_filter_finding(finding: &Finding) -> bool {
    finding.is_blocking()
        && (finding.check_id == id::FILTER_MISSING_MATCH
            || finding.check_id == id::FILTER_UNEXPECTED_MATCH)
}

/// Whether a listing confined to the namespace returned a user from outside it (one the list
/// checks ignore, since other users may be listed where the listing is not confined; its
/// `totalResults` counted it).
fn foreign_listed(call: &Call, ctx: &CheckContext) -> bool {
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

/// Whether `finding` blames the filter's result: a blocking missing or unexpected match, or a
/// wrong `totalResults` of a filtered listing.
fn about_the_filter(finding: &Finding, op: &Op) -> bool {
    is_filter_finding(finding)
        || (finding.is_blocking()
            && finding.check_id == id::TOTAL_RESULTS
            && matches!(op, Op::ListUsers { .. }))
}

/// What the filter is blamed for: the culprit's subject, and whether the listing, confined to
/// the namespace, held users from outside it.
struct Blame {
    subject: String,
    crowded: bool,
    /// The way the culprit's own probe was wrong, when it was probed.
    wrong_way: Option<&'static str>,
}

/// `finding` about the culprit: a filter finding takes it as its subject; a wrong `totalResults`
/// becomes the filter's defect (too many: unexpected matches; too few: missing ones), and so does
/// a user missing from a page that users from outside the namespace took (they are the wrong
/// matches).
fn re_aim(
    finding: Finding,
    op: &Op,
    blame: &Blame,
    expected: &Expected,
    calls: &[Call],
    ctx: &CheckContext,
) -> Finding {
    if !about_the_filter(&finding, op) {
        return finding;
    }
    let total = total_of(calls.get(finding.call_index));
    let check = match (blame.wrong_way, finding.check_id.as_str(), expected, total) {
        // The culprit alone showed which way it is wrong: a `not` above it turns a missing match
        // into an unexpected one, but the defect is the culprit's.
        (Some(way), ..) => way,
        (None, id::FILTER_MISSING_MATCH, ..) if blame.crowded => id::FILTER_UNEXPECTED_MATCH,
        (None, id::TOTAL_RESULTS, Expected::Listed(expectation), Some(total)) => {
            direction(total, expectation)
        }
        (None, id::TOTAL_RESULTS, ..) => return finding,
        _ => return finding.about(&blame.subject),
    };
    if check == finding.check_id {
        return finding.about(&blame.subject);
    }
    let why = match (blame.wrong_way, blame.crowded) {
        (Some(id::FILTER_MISSING_MATCH), _) => " (its culprit alone leaves matches out)",
        (Some(_), _) => " (its culprit alone returns users that do not match)",
        (None, true) => " (users from outside the namespace were listed)",
        (None, false) => "",
    };
    let actual = format!("{}{why}", finding.actual);
    let mut converted = Finding::new(check, &finding.expected, actual)
        .about(&blame.subject)
        .at_call(finding.call_index);
    converted.op_index = finding.op_index;
    ctx.grading.apply(vec![converted]).pop().unwrap_or(finding)
}

fn total_of(call: Option<&Call>) -> Option<u64> {
    call?.response.json()?.get("totalResults")?.as_u64()
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
fn direction(total: u64, expectation: &ListExpectation) -> &'static str {
    if total > expectation.total_range().1 {
        id::FILTER_UNEXPECTED_MATCH
    } else {
        id::FILTER_MISSING_MATCH
    }
}

/// A probe's verdict and, when wrong, which way: the check of the filter finding it showed.
#[derive(Debug, Clone, Copy)]
struct Judged {
    verdict: Verdict,
    wrong_way: Option<&'static str>,
}
