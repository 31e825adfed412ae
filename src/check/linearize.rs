//! Linearizability of race ops (Wing & Gong's search with Lowe's memoisation, for small n): the
//! branches of a race were all in flight at once, so any order of them is a candidate. The race is
//! correct iff some order, applied branch by branch with the pure model (`model::apply`), gives
//! every branch an expectation its response satisfies (the ordinary per-call checks) and leaves a
//! state the read after the race satisfies. The search stops an order at its first blocking
//! finding and remembers dead (remaining branches, state, ids) nodes. When no order explains the
//! responses but one explains every status and only content differs (a server that derives
//! displayName), the content findings of that order are the verdict; otherwise one finding says
//! how many orders were tried and shows the closest one.

use super::catalogue as id;
use super::facts::ModelFacts;
use super::finding::{CheckContext, Finding};
use super::judge::check_call;
use crate::driver::{Call, IdMap, ResourceKind};
use crate::model::{apply, race_read, Expected, MembershipChange, Op, State};

/// Findings that describe one response whatever state it saw (timing, media type, error-body
/// shape, meta, a truncated body that cannot be compared): they never rule an order out, and are
/// reported with the order that explains the rest.
const ORDER_AGNOSTIC: &[&str] = &[
    id::LATENCY,
    id::CONTENT_TYPE,
    id::JSON_BODY,
    id::ERROR_BODY,
    id::ERROR_STATUS_STRING,
    id::UNIQUENESS_SCIM_TYPE,
    id::LOCATION,
    id::META,
    id::PASSWORD_NOT_RETURNED,
];

/// Findings about what a response carried, not its status: an order whose only mismatches are
/// these explains every status, so the race is judged by its content (RFC 7644 §3.3).
const CONTENT_ONLY: &[&str] = &[id::CONTENT, id::CASE_PRESERVED, id::MULTI_VALUED_ARRAY];

/// The verdict on one race.
#[derive(Debug, Clone, PartialEq)]
pub struct Linearization {
    /// The findings of the order that explains everything (none of them rules an order out), or
    /// one finding saying that no order does.
    pub findings: Vec<Finding>,
    /// Branch indexes in the order that explains the responses, or in the one that came closest.
    pub order: Vec<usize>,
    /// The model state after that order.
    pub state: State,
    /// Whether some order explains every response and the read.
    pub linearizable: bool,
}

/// Judges a race op: `before` is the model state before it, `calls` one exchange per branch (in
/// branch order) and then the read. `ctx` supplies the namespace and the profile's tolerances.
pub fn linearize(op: &Op, before: &State, calls: &[Call], ctx: &CheckContext) -> Linearization {
    let branches = op.race_branches().unwrap_or_default();
    let Some(read) = race_read(&branches) else {
        return Linearization {
            findings: Vec::new(),
            order: Vec::new(),
            state: before.clone(),
            linearizable: true,
        };
    };
    let mut search = Search {
        branches: &branches,
        read: &read,
        calls,
        base: ctx,
        dead: Vec::new(),
        deactivated: deactivated_during(before, &branches, ctx.ids),
    };
    let mut order = Vec::new();
    let mut kept = Vec::new();
    if let Some((state, findings)) = search.explain(0, before, ctx.ids, &mut order, &mut kept) {
        return Linearization {
            findings,
            order,
            state,
            linearizable: true,
        };
    }
    search.closest(before)
}

/// One search over the orders of a race's branches.
struct Search<'s> {
    branches: &'s [Op],
    read: &'s Op,
    calls: &'s [Call],
    base: &'s CheckContext<'s>,
    /// Nodes (branches used, state, ids) from which no order explains the rest.
    dead: Vec<(u32, State, IdMap)>,
    /// Ids of users deactivated before the race or by one of its branches: a 404 for them during
    /// the race is named as Okta's deactivated-user quirk whatever the order.
    deactivated: Vec<String>,
}

/// One order judged to the end: its blocking findings, each with the step (0-based position in
/// the order, the read last) where it arose.
struct Judged {
    order: Vec<usize>,
    state: State,
    blocking: Vec<(usize, Finding)>,
}

impl Search<'_> {
    fn full(&self) -> u32 {
        (1u32 << self.branches.len()) - 1
    }

    /// The findings of exchange `index` (a branch, or the read at `branches.len()`) judged as
    /// `op` with `expected` in model state `state`.
    fn judge(
        &self,
        op: &Op,
        expected: &Expected,
        index: usize,
        state: &State,
        ids: &IdMap,
    ) -> Vec<Finding> {
        let mut facts = ModelFacts::of(state, ids);
        for id in &self.deactivated {
            if !facts.deactivated.contains(id) {
                facts.deactivated.push(id.clone());
            }
        }
        let ctx = facts.context(ids, self.base);
        let found = check_call(op, expected, self.calls.get(index), index, &ctx);
        self.base.grading.apply(found)
    }

    /// Depth-first over the orders that extend `order`; on success, the final state and the
    /// findings of the explaining order (`kept` collects them on the way down).
    fn explain(
        &mut self,
        used: u32,
        state: &State,
        ids: &IdMap,
        order: &mut Vec<usize>,
        kept: &mut Vec<Finding>,
    ) -> Option<(State, Vec<Finding>)> {
        if used == self.full() {
            let (_, expected) = apply(state, self.read)?;
            let found = self.judge(self.read, &expected, self.branches.len(), state, ids);
            if rules_out(&found) {
                return None;
            }
            kept.extend(found);
            return Some((state.clone(), kept.clone()));
        }
        let known_dead = |(mask, dead_state, dead_ids): &(u32, State, IdMap)| {
            *mask == used && dead_state == state && dead_ids == ids
        };
        if self.dead.iter().any(known_dead) {
            return None;
        }
        let candidates: Vec<usize> = (0..self.branches.len())
            .filter(|&i| used & (1 << i) == 0 && self.may_come_next(used, i))
            .collect();
        for index in candidates {
            let Some((next, expected)) = apply(state, &self.branches[index]) else {
                continue;
            };
            let found = self.judge(&self.branches[index], &expected, index, state, ids);
            // A branch the server failed (5xx) did nothing: its findings stand, in any order.
            let failed = self.server_failed(index);
            if !failed && rules_out(&found) {
                continue;
            }
            let next = if failed { state.clone() } else { next };
            let next_ids = with_created(ids, &expected, self.calls.get(index));
            let kept_before = kept.len();
            kept.extend(found);
            order.push(index);
            if let Some(done) = self.explain(used | 1 << index, &next, &next_ids, order, kept) {
                return Some(done);
            }
            order.pop();
            kept.truncate(kept_before);
        }
        self.dead.push((used, state.clone(), ids.clone()));
        None
    }

    /// Runs one order to the end without stopping, collecting every blocking finding.
    fn judge_order(&self, before: &State, order: Vec<usize>) -> Option<Judged> {
        let mut state = before.clone();
        let mut ids = self.base.ids.clone();
        let mut blocking = Vec::new();
        for (step, &index) in order.iter().enumerate() {
            let (next, expected) = apply(&state, &self.branches[index])?;
            let found = self.judge(&self.branches[index], &expected, index, &state, &ids);
            blocking.extend(found.into_iter().filter(rules_out_one).map(|f| (step, f)));
            ids = with_created(&ids, &expected, self.calls.get(index));
            if !self.server_failed(index) {
                state = next;
            }
        }
        let (_, expected) = apply(&state, self.read)?;
        let found = self.judge(self.read, &expected, self.branches.len(), &state, &ids);
        let step = order.len();
        blocking.extend(found.into_iter().filter(rules_out_one).map(|f| (step, f)));
        Some(Judged {
            order,
            state,
            blocking,
        })
    }

    /// No order explains the race: judge every order to the end and report the closest one.
    fn closest(&self, before: &State) -> Linearization {
        let n = self.branches.len();
        let judged: Vec<Judged> = permutations(n)
            .into_iter()
            .filter(|order| self.respects_real_time(order))
            .filter_map(|order| self.judge_order(before, order))
            .collect();
        if let Some(fits) = judged
            .iter()
            .filter(|j| !j.blocking.is_empty() && j.blocking.iter().all(|(_, f)| content_only(f)))
            .min_by_key(|j| self.distance(j))
        {
            return self.content_only(fits);
        }
        // Orders whose only mismatch is the read explain every response: what is wrong is the
        // read (or what stuck), not the responses' interleaving.
        let explained: Vec<&Judged> = judged
            .iter()
            .filter(|j| j.blocking.iter().all(|(step, _)| *step == n))
            .collect();
        let candidates: Vec<&Judged> = if explained.is_empty() {
            judged.iter().collect()
        } else {
            explained
        };
        let Some(best) = candidates.into_iter().min_by_key(|j| self.distance(j)) else {
            return Linearization {
                findings: Vec::new(),
                order: Vec::new(),
                state: before.clone(),
                linearizable: false,
            };
        };
        let common = self.not_about_order(&judged, best);
        let findings = match best.blocking.first() {
            Some((_, first)) => self.report(best, first, common, judged.len()),
            None => Vec::new(),
        };
        Linearization {
            findings,
            order: best.order.clone(),
            state: best.state.clone(),
            linearizable: false,
        }
    }

    /// An order explains every status and only content differs: its content findings, each
    /// saying which order the statuses fit (a derived displayName is not a uniqueness bug).
    fn content_only(&self, fits: &Judged) -> Linearization {
        let order = self.order_text(&fits.order);
        let findings = fits
            .blocking
            .iter()
            .map(|(_, finding)| {
                let mut finding = finding.clone();
                finding.actual = format!(
                    "{} (every status fits the order {order}; only the content differs)",
                    finding.actual
                );
                finding
            })
            .collect();
        Linearization {
            findings,
            order: fits.order.clone(),
            state: fits.state.clone(),
            linearizable: false,
        }
    }

    /// `#2 create user#0, then #0 create user#0, then …`.
    fn order_text(&self, order: &[usize]) -> String {
        let steps: Vec<String> = order
            .iter()
            .map(|&index| format!("#{index} {}", branch_label(&self.branches[index])))
            .collect();
        steps.join(", then ")
    }

    /// The closest order's first mismatch that is not about the interleaving: the read, when the
    /// order explains every response; else a response found wrong in every order, a success with
    /// wrong content (a changed id, a stale body) before error statuses, which are often its
    /// consequence, and any branch before the read, which only shows what the branches left.
    fn not_about_order<'j>(&self, judged: &[Judged], best: &'j Judged) -> Option<&'j Finding> {
        let n = self.branches.len();
        let only_read = best.blocking.iter().all(|(step, _)| *step == n);
        let in_every_order = |f: &Finding| {
            judged
                .iter()
                .all(|j| j.blocking.iter().any(|(_, g)| g.call_index == f.call_index))
        };
        let succeeded = |f: &Finding| {
            self.calls
                .get(f.call_index)
                .is_some_and(|c| (200..300).contains(&c.response.status))
        };
        let wrong_everywhere: Vec<&Finding> = best
            .blocking
            .iter()
            .map(|(_, f)| f)
            .filter(|f| only_read || in_every_order(f))
            .collect();
        let branch = |f: &&&Finding| f.call_index < n;
        wrong_everywhere
            .iter()
            .filter(branch)
            .find(|f| succeeded(f))
            .or_else(|| wrong_everywhere.iter().find(branch))
            .or(wrong_everywhere.first())
            .copied()
    }

    /// How far an order is from explaining the race, for choosing the closest: fewer mismatches,
    /// then agreement with the order the responses arrived in, then a later first mismatch.
    fn distance(&self, judged: &Judged) -> (usize, usize, std::cmp::Reverse<usize>) {
        let first_step = judged
            .blocking
            .first()
            .map_or(usize::MAX, |(step, _)| *step);
        let ends: Vec<u64> = judged.order.iter().map(|&i| self.end_of(i)).collect();
        let inversions = (0..ends.len())
            .flat_map(|a| (a + 1..ends.len()).map(move |b| (a, b)))
            .filter(|&(a, b)| ends[b] < ends[a])
            .count();
        (
            judged.blocking.len(),
            inversions,
            std::cmp::Reverse(first_step),
        )
    }

    /// Whether the server answered branch `index` with a 5xx: it did not carry the branch out.
    fn server_failed(&self, index: usize) -> bool {
        self.calls
            .get(index)
            .is_some_and(|c| c.response.status >= 500)
    }

    fn start_of(&self, index: usize) -> u64 {
        self.calls.get(index).map_or(0, |c| c.timings.started_at_us)
    }

    fn end_of(&self, index: usize) -> u64 {
        self.calls.get(index).map_or(u64::MAX, |c| {
            c.timings.started_at_us.saturating_add(c.timings.total_us)
        })
    }

    /// Whether branch `index` may come next while `used` are done: no branch still to come had
    /// answered before `index` was sent (real-time order, the one constraint an overlap-free pair
    /// of requests imposes).
    fn may_come_next(&self, used: u32, index: usize) -> bool {
        (0..self.branches.len())
            .filter(|&other| other != index && used & (1 << other) == 0)
            .all(|other| self.end_of(other) >= self.start_of(index))
    }

    fn respects_real_time(&self, order: &[usize]) -> bool {
        let mut used = 0u32;
        order.iter().all(|&index| {
            let ok = self.may_come_next(used, index);
            used |= 1 << index;
            ok
        })
    }

    /// The finding for a race no order explains. `first` is the closest order's first mismatch,
    /// `common` its first mismatch that is not about the interleaving: one that arises in every
    /// order, or the read when the order explains every response. Such a mismatch is reported
    /// under its own check, unless it is the read showing a lost membership change.
    fn report(
        &self,
        best: &Judged,
        first: &Finding,
        common: Option<&Finding>,
        tried: usize,
    ) -> Vec<Finding> {
        let n = self.branches.len();
        let lost = |f: &Finding| f.check_id == id::GROUP_MEMBERSHIP && f.call_index == n;
        let (check, shown) = match (self.duplicate_check(), common) {
            (Some(check), _) => (check, first),
            (None, Some(common)) if lost(common) => (id::RACE_LOST_UPDATE, common),
            (None, Some(common)) => {
                let mut finding = common.clone();
                let why = if common.call_index == n {
                    format!("the read after {} concurrent requests", n)
                } else if tried == 1 {
                    format!(
                        "wrong in the one order the timing of the {n} concurrent requests allows"
                    )
                } else {
                    format!("wrong whichever order the {n} concurrent requests ran in: {tried} orders tried")
                };
                finding.actual = format!("{} ({why})", common.actual);
                return vec![finding];
            }
            (None, None) if lost(first) => (id::RACE_LOST_UPDATE, first),
            (None, None) => (id::RACE_LINEARIZABLE, first),
        };
        let first = shown;
        let on_read = first.call_index == n;
        let at = if on_read {
            "the read after the race".to_string()
        } else {
            let index = first.call_index;
            match self.branches.get(index) {
                Some(branch) => format!("#{index} {}", branch_label(branch)),
                None => format!("exchange {index}"),
            }
        };
        let mismatches = best.blocking.len();
        let expected = format!(
            "some order of the {n} concurrent requests, run one at a time, explains every answer \
             and the read after them ({tried} order{} tried)",
            if tried == 1 { "" } else { "s" }
        );
        let actual = format!(
            "no order does: even the nearest ({}, then the read) disagrees {}, first at {at}: \
             [{}] expected {}; got {}",
            self.order_text(&best.order),
            match mismatches {
                1 => "once".to_string(),
                n => format!("{n} times"),
            },
            first.check_id,
            first.expected,
            first.actual
        );
        vec![Finding::new(check, expected, actual).at_call(first.call_index)]
    }

    /// Creates of one userName answered with more than one success: the duplicate answered with
    /// the existing user (an upsert, one id) is a uniqueness bug with or without concurrency;
    /// distinct ids but at most one user found afterwards is a success that was never stored;
    /// otherwise (or with two users found after one success) the race let a duplicate in.
    fn duplicate_check(&self) -> Option<&'static str> {
        let created: Vec<&Call> = self
            .branches
            .iter()
            .zip(self.calls)
            .filter(|(branch, call)| {
                matches!(branch, Op::CreateUser { .. })
                    && (200..300).contains(&call.response.status)
            })
            .map(|(_, call)| call)
            .collect();
        if !self
            .branches
            .iter()
            .any(|b| matches!(b, Op::CreateUser { .. }))
        {
            return None;
        }
        let listed = self
            .calls
            .get(self.branches.len())
            .and_then(|c| c.response.json())
            .and_then(|body| body.get("totalResults").and_then(serde_json::Value::as_u64))
            .unwrap_or(0);
        if created.len() < 2 {
            // One success, but two users with the userName afterwards: a refused create stored.
            return (listed > 1).then_some(id::RACE_DUPLICATE);
        }
        let mut ids: Vec<String> = created
            .iter()
            .filter_map(|c| c.response.json()?.get("id")?.as_str().map(str::to_string))
            .collect();
        ids.sort();
        ids.dedup();
        Some(match (ids.len(), listed) {
            (0 | 1, _) => id::DUPLICATE_409,
            (_, 0 | 1) => id::READ_YOUR_WRITES,
            _ => id::RACE_DUPLICATE,
        })
    }
}

/// The ids of users deactivated in `before` or by a branch of the race.
fn deactivated_during(before: &State, branches: &[Op], ids: &IdMap) -> Vec<String> {
    let mut deactivated = ModelFacts::of(before, ids).deactivated;
    for branch in branches {
        if let Op::SetActive {
            user,
            active: false,
            ..
        } = branch
        {
            if let Some(id) = ids.id(ResourceKind::User, user.0) {
                deactivated.push(id.to_string());
            }
        }
    }
    deactivated.sort();
    deactivated.dedup();
    deactivated
}

fn content_only(finding: &Finding) -> bool {
    CONTENT_ONLY.contains(&finding.check_id.as_str())
}

/// Whether a finding rules the order it arose in out.
fn rules_out_one(finding: &Finding) -> bool {
    finding.is_blocking() && !ORDER_AGNOSTIC.contains(&finding.check_id.as_str())
}

fn rules_out(findings: &[Finding]) -> bool {
    findings.iter().any(rules_out_one)
}

/// `ids` with the id a successful create assigned to its handle in this order.
fn with_created(ids: &IdMap, expected: &Expected, call: Option<&Call>) -> IdMap {
    let mut ids = ids.clone();
    let new_id = call
        .filter(|c| (200..300).contains(&c.response.status))
        .and_then(|c| c.response.json())
        .and_then(|body| body.get("id")?.as_str().map(str::to_string));
    match (expected, new_id) {
        (Expected::UserCreated { user, .. }, Some(new_id)) => {
            ids.assign(ResourceKind::User, user.0, new_id);
        }
        (Expected::GroupCreated { group, .. }, Some(new_id)) => {
            ids.assign(ResourceKind::Group, group.0, new_id);
        }
        _ => {}
    }
    ids
}

/// Every order of `0..n`, in lexicographic order.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut all = Vec::new();
    for first in 0..n {
        for rest in permutations(n - 1) {
            let mut order = vec![first];
            order.extend(rest.into_iter().map(|i| if i >= first { i + 1 } else { i }));
            all.push(order);
        }
    }
    all
}

/// A short name of a branch for reports: `create`, `active=false`, `add user#1`, ….
fn branch_label(op: &Op) -> String {
    let users = |users: &[crate::model::UserHandle]| {
        let shown: Vec<String> = users.iter().map(|u| format!("user#{}", u.0)).collect();
        shown.join(", ")
    };
    match op {
        Op::CreateUser { user, .. } => format!("create user#{}", user.0),
        Op::SetActive { active, .. } => format!("active={active}"),
        Op::PatchMembers { change, .. } => match change {
            MembershipChange::Add { users: u } => format!("add {}", users(u)),
            MembershipChange::Remove { users: u } => format!("remove {}", users(u)),
            MembershipChange::ReplaceAll { users: u } => format!("replace members [{}]", users(u)),
        },
        other => other.kind().to_string(),
    }
}
