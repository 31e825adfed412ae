//! Filter localization: when a filtered listing returns the wrong users, which part of the filter
//! is to blame. The filter actually sent (the user's filter `and` the namespace conjunct
//! `userName sw "<tag>."`) is taken apart into its sub-trees, and each is sent alone, leaves
//! first, and judged by the model on the case's own users (others' users are ignored). The
//! culprit is the lowest sub-tree that is wrong while each of its operands is right alone: a
//! comparison names its operator (`co`), a logical node its word (`and`, `or`, `not`). The
//! finding's subject becomes the culprit, so a server that evaluates `and` as `or` is one defect
//! about `and`, not one per comparison operator it happened to meet. A culprit is checked
//! against a filter that matches nobody: a server that returns users for it ignores
//! filters (`filter ignored`), whichever comparison met it; a comparison to blame whose
//! operators are right on userName is its attribute's defect (`emails`). A `list.total-results` on a filter
//! found wrong is the filter's defect. A `userName eq` that missed a user whose stored name is
//! a case variant of its value is asked again with the name as stored: when that finds the user,
//! the miss is `filter.username-case-insensitive`, as for Okta's lookups. The probes are recorded
//! on the step as evidence.

use serde_json::Value;

use super::exec::Executor;
use super::filter_probe::{direction, foreign_listed, user_name_eq, IGNORED};
use crate::check::catalogue as id;
use crate::check::{comparison_operators, CheckContext, Finding};
use crate::driver::{Call, TransportError};
use crate::model::{effective_filter, Expected, Op, State};
use crate::scim::filter::Filter;

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
        let shown_wrong = crowded || findings.iter().any(|f| shows_wrong(f, calls));
        let mut probes = Vec::new();
        // Probing stops at the first wrong node whose operands are right: the culprit.
        let mut wrong_way = None;
        // The sub-filters, then one filter that matches nobody, then what is left on userName.
        let verdicts = probe_nodes(&nodes, MAX_PROBES - 2, |filter| {
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
        let (ignored, control, call) = self.ignores_filters(state, ctx)?;
        probes.push(call);
        let (subject, verdict) = match ignored {
            true => {
                wrong_way = Some(id::FILTER_UNEXPECTED_MATCH);
                (
                    IGNORED.to_string(),
                    format!(
                        "the filter is ignored: `{control}`, which matches no user, returned some"
                    ),
                )
            }
            false => match self.blame_attribute(blamed, state, ctx, &mut probes)? {
                Some(attribute) => (
                    attribute.clone(),
                    format!(
                        "`{blamed}` is wrong alone while its operators are right on userName: \
                         `{attribute}` is to blame"
                    ),
                ),
                None => (subject_of(blamed), sentence(blamed)),
            },
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

/// Whether `finding` alone shows the filter sent wrong: an unexpected match does; a missing one
/// only where the page held every match (else others' users may have taken its place).
fn shows_wrong(finding: &Finding, calls: &[Call]) -> bool {
    let complete = || {
        let body = calls
            .get(finding.call_index)
            .and_then(|call| call.response.json());
        body.is_some_and(|body| {
            let listed = body
                .get("Resources")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let total = body.get("totalResults").and_then(Value::as_u64);
            total.is_some_and(|total| listed as u64 >= total)
        })
    };
    is_filter_finding(finding) && (finding.check_id == id::FILTER_UNEXPECTED_MATCH || complete())
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
