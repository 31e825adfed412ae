//! Runs one op sequence against the target in a fresh namespace: re-checks each op's precondition
//! on the model (skipping those that fail, which is how shrunk sequences stay valid), sends the
//! rendered requests, checks the responses, maps new ids to handles, stops at the first blocking
//! finding of a defect not known yet (after a known one the model adopts the server's state, see
//! `model::adopt`, and the case goes on), and cleans up. A filter that returned the wrong users
//! is localized first (`fuzz::localize`), so its defect names the part of the filter to blame. The async driver is driven with
//! `block_on` on the runner's runtime.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::runtime::Runtime;

use super::discovery::with_required;
use super::lost_creates::{record_unrecorded_creates, unrecorded_creates};
use super::multi::follow_ups;
use super::race::{race_follow_up, race_requests, send_concurrently};
use super::render::render;
use crate::check::{
    check_op, defect_key, linearize, CheckContext, CheckRules, Finding, Grading, ModelFacts,
};
use crate::driver::{
    cleanup, Call, CleanupMode, Driver, IdMap, RequestSpec, ResourceKind, TransportError,
};
use crate::model::{apply, resolve, Expected, ModelRules, Op, State};
use crate::scim::schema::Attribute;

/// One executed op: what the model expected, the exchanges, and what was wrong with them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub op: Op,
    pub expected: Expected,
    pub calls: Vec<Call>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Reads of what the op touched, sent after a known defect so the model could adopt the
    /// server's state (judged by nothing; see `model::adopt`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_back: Vec<Call>,
    /// Sub-filters sent alone to find which part of a wrong filter is to blame (judged, but
    /// never findings of their own; see `fuzz::localize`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnosis: Vec<Call>,
    /// What the diagnosis showed, e.g. "`and` is wrong, its operands are right alone".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub localized: Option<String>,
}

impl Step {
    /// The defect key of one of this step's findings.
    pub fn defect_of(&self, finding: &Finding) -> String {
        defect_key(finding, &self.op, &self.calls)
    }
}

/// The result of running one sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseOutcome {
    /// The namespace tag the case ran in.
    pub tag: String,
    /// The ops that ran (preconditions held), in order; op indexes in findings refer to these.
    pub steps: Vec<Step>,
    /// How many ops of the sequence were skipped because their precondition failed.
    pub skipped: usize,
    /// Cleanup requests the server refused.
    pub cleanup_refused: usize,
}

impl CaseOutcome {
    /// Every finding of the case.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.steps.iter().flat_map(|step| step.findings.iter())
    }

    /// The first finding that fails the case, if any.
    pub fn first_blocking(&self) -> Option<&Finding> {
        self.findings().find(|finding| finding.is_blocking())
    }

    /// Every blocking finding with its defect key, in order.
    pub fn blocking_defects(&self) -> impl Iterator<Item = (String, &Finding)> {
        self.steps.iter().flat_map(|step| {
            step.findings
                .iter()
                .filter(|finding| finding.is_blocking())
                .map(move |finding| (step.defect_of(finding), finding))
        })
    }

    /// The first blocking finding whose defect is not `known`: what ended the case.
    pub fn new_defect(&self, known: &dyn Fn(&str) -> bool) -> Option<(String, &Finding)> {
        self.blocking_defects().find(|(key, _)| !known(key))
    }

    /// The finding of defect `key`, if the case shows it.
    pub fn finding_of(&self, key: &str) -> Option<&Finding> {
        self.blocking_defects()
            .find(|(found, _)| found == key)
            .map(|(_, finding)| finding)
    }

    /// The ops that ran.
    pub fn ops(&self) -> Vec<Op> {
        self.steps.iter().map(|step| step.op.clone()).collect()
    }

    /// The number of HTTP exchanges.
    pub fn request_count(&self) -> usize {
        self.steps.iter().map(|step| step.calls.len()).sum()
    }
}

/// When a case must stop: asked before every request of a case (not of its cleanup); once it
/// says yes the case ends with [`TransportError::TimeLimit`]. The search's time limit.
#[derive(Clone, Copy)]
pub struct StopWhen<'a>(pub &'a (dyn Fn() -> bool + Sync));

impl StopWhen<'_> {
    /// Never stops.
    pub const NEVER: StopWhen<'static> = StopWhen(&|| false);

    fn check(&self) -> Result<(), TransportError> {
        if (self.0)() {
            Err(TransportError::TimeLimit)
        } else {
            Ok(())
        }
    }
}

impl std::fmt::Debug for StopWhen<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StopWhen(..)")
    }
}

/// Everything needed to run sequences against one target.
#[derive(Debug)]
pub struct Executor<'a> {
    pub driver: &'a Driver,
    pub runtime: &'a Runtime,
    pub rules: ModelRules,
    pub check_rules: CheckRules,
    pub grading: &'a Grading,
    /// `None` leaves the resources on the server (`--no-cleanup`).
    pub cleanup: Option<CleanupMode>,
    /// Attributes the server requires beyond RFC 7643, added to creates (discovery).
    pub required_extras: &'a [(String, Attribute)],
    /// Asked before each request of a case: the search's time limit ([`StopWhen::NEVER`]
    /// elsewhere).
    pub stop: StopWhen<'a>,
}

impl Executor<'_> {
    /// Runs `ops` in namespace `tag`. The case ends at the first blocking finding whose defect
    /// is not `known`; after a known one the model adopts the server's state and the case goes
    /// on. A transport failure is a harness error, never a finding; so is `stop` saying yes
    /// before a request ([`TransportError::TimeLimit`]). Cleanup runs either way.
    pub fn run_case(
        &self,
        ops: &[Op],
        tag: &str,
        known: &dyn Fn(&str) -> bool,
    ) -> Result<CaseOutcome, TransportError> {
        let mut state = State::new(tag, self.rules);
        let mut ids = IdMap::new();
        let mut outcome = CaseOutcome {
            tag: tag.to_string(),
            steps: Vec::new(),
            skipped: 0,
            cleanup_refused: 0,
        };
        let result = self.run_steps(ops, &mut state, &mut ids, &mut outcome, known);
        if let Some(mode) = self.cleanup {
            // After Ctrl-C the case stops at the next request, but what it created still goes,
            // a create whose answer gave no id (a 5xx after storing) included.
            let driver = self.driver.uninterruptible();
            let calls = outcome.steps.iter().flat_map(|step| &step.calls);
            let unrecorded = unrecorded_creates(calls);
            outcome.cleanup_refused = self.runtime.block_on(async {
                record_unrecorded_creates(&driver, &unrecorded, &mut ids).await?;
                cleanup(&driver, &ids, mode).await
            })?;
        }
        result.map(|()| outcome)
    }

    fn run_steps(
        &self,
        ops: &[Op],
        state: &mut State,
        ids: &mut IdMap,
        outcome: &mut CaseOutcome,
        known: &dyn Fn(&str) -> bool,
    ) -> Result<(), TransportError> {
        for drawn in ops {
            let resolved = resolve(state, drawn);
            let Some((op, (next, expected))) =
                resolved.and_then(|op| apply(state, &op).map(|applied| (op, applied)))
            else {
                outcome.skipped += 1;
                continue;
            };
            let op = &op;
            let calls = self.send_op(op, &expected, state, &next, ids)?;
            let prefix = state.namespace_prefix();
            let facts = ModelFacts::of(state, ids);
            let ctx = CheckContext {
                ids,
                namespace_prefix: &prefix,
                deactivated_ids: &facts.deactivated,
                memberships: &facts.memberships,
                rules: self.check_rules,
                grading: self.grading,
            };
            let op_index = outcome.steps.len();
            let findings: Vec<Finding> = self
                .grading
                .apply(check_op(op, &expected, &calls, &ctx))
                .into_iter()
                .map(|mut finding| {
                    finding.op_index = op_index;
                    finding
                })
                .collect();
            let localized = self.localize(op, &expected, state, &calls, findings, &ctx)?;
            // A race ends in the state of the order that explains it (or came closest).
            let next = match &expected {
                Expected::Linearizable { before } => linearize(op, before, &calls, &ctx).state,
                // The server refused the create it was free to refuse: nothing was made.
                Expected::CreatedOrRefused { .. } if created_id(&calls[0]).is_none() => {
                    state.clone()
                }
                _ => next,
            };
            record_ids(op, &expected, &calls, ids);
            let mut step = Step {
                op: op.clone(),
                expected,
                calls,
                findings: localized.findings,
                read_back: Vec::new(),
                diagnosis: localized.probes,
                localized: localized.verdict,
            };
            let blocking: Vec<String> = step
                .findings
                .iter()
                .filter(|finding| finding.is_blocking())
                .map(|finding| step.defect_of(finding))
                .collect();
            let next = if blocking.iter().any(|key| !known(key)) {
                None
            } else if blocking.is_empty() {
                Some(next)
            } else {
                self.adopt(op, state, next, &step.calls, ids, &mut step.read_back)?
            };
            outcome.steps.push(step);
            match next {
                Some(next) => *state = next,
                None => break,
            }
        }
        Ok(())
    }

    /// Sends one request of the case (after asking `stop`).
    pub(super) fn send(&self, spec: &RequestSpec) -> Result<Call, TransportError> {
        self.stop.check()?;
        self.runtime.block_on(self.driver.send(spec))
    }

    fn send_op(
        &self,
        op: &Op,
        expected: &Expected,
        before: &State,
        after: &State,
        ids: &IdMap,
    ) -> Result<Vec<Call>, TransportError> {
        let extras = |spec| with_required(spec, self.required_extras, &before.tag);
        let race: Vec<RequestSpec> = race_requests(op, before, ids)
            .into_iter()
            .map(extras)
            .collect();
        if !race.is_empty() {
            self.stop.check()?;
            let mut calls = self
                .runtime
                .block_on(send_concurrently(self.driver, race))?;
            if let Some(read) = race_follow_up(op, before, ids) {
                calls.push(self.send(&read)?);
            }
            return Ok(calls);
        }
        let first = self.send(&extras(render(op, before, after, ids)))?;
        let base_url = &self.driver.target().base_url;
        let send = |spec: &RequestSpec| self.send(spec);
        let more = follow_ups(op, expected, before, &first, base_url, &send)?;
        let mut calls = vec![first];
        calls.extend(more);
        Ok(calls)
    }
}

/// Maps the ids of new resources to their handles (and notes unexpected creations for cleanup).
/// Under concurrent creates the first success gets the handle; other successes are leaks.
fn record_ids(op: &Op, expected: &Expected, calls: &[Call], ids: &mut IdMap) {
    let race_creator = || {
        op.race_branches()?.iter().find_map(|branch| match branch {
            Op::CreateUser { user, .. } => Some(user.0),
            _ => None,
        })
    };
    let mut handle = match expected {
        Expected::UserCreated { user, .. } | Expected::CreatedOrRefused { user, .. } => {
            Some((ResourceKind::User, user.0))
        }
        Expected::GroupCreated { group, .. } => Some((ResourceKind::Group, group.0)),
        Expected::Linearizable { .. } => race_creator().map(|slot| (ResourceKind::User, slot)),
        _ => None,
    };
    for call in calls.iter().filter(|call| call.request.method == "POST") {
        let Some(id) = created_id(call) else { continue };
        match handle.take() {
            Some((kind, slot)) => ids.assign(kind, slot, id),
            None => {
                let kind = if call.request.url.contains("/Groups") {
                    ResourceKind::Group
                } else {
                    ResourceKind::User
                };
                ids.note_created(kind, id);
            }
        }
    }
}

pub(super) fn created_id(call: &Call) -> Option<String> {
    if !(200..300).contains(&call.response.status) {
        return None;
    }
    call.response
        .json()?
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
}
