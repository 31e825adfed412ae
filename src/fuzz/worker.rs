//! Running the plan: `jobs` workers take the plan's cases in order, each case in a fresh namespace.
//! The defects already known (recorded, or being shrunk by some worker) are shared: a case that
//! meets one goes on (the model adopts the server's state); the first case to meet a new one
//! claims it, its worker runs the case again to tell whether it comes and goes (see
//! `intermittent`), and shrinks it if not (proptest's simplify/complicate walk over the case's
//! value tree, up to `jobs` candidates at once, see `shrink`; every candidate counting as failing
//! only if it shows the same defect first), while the other workers go on with the plan. A case whose predictions need the whole server (a listing
//! of everything on an exclusive target) runs alone; races stay inside their case.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use proptest::strategy::ValueTree;

use super::exec::{CaseOutcome, Executor};
use super::plan::{CaseTree, Plan, Strategies};
use super::race::has_race;
use super::runner::{Failure, Progress, SearchConfig};
use super::shrink::{walk, Verdict};
use crate::check::Finding;
use crate::driver::{Namespaces, TransportError};
use crate::model::Op;

/// What the workers share: counts, notes, known defects, failures.
#[derive(Default)]
pub struct Tally {
    pub cases_run: u64,
    pub ops_run: u64,
    pub ops_skipped: u64,
    pub requests: u64,
    pub cleanup_refused: u64,
    pub op_kinds: BTreeMap<String, u64>,
    pub notes: Vec<Finding>,
    /// Failures in the order of the cases that found them.
    pub failures: Vec<Failure>,
    /// Cases of the plan finished.
    pub planned_done: u64,
    transport: Option<TransportError>,
    /// The next case of the plan to hand out.
    next: u64,
    /// Defect keys recorded or being shrunk.
    known: BTreeSet<String>,
    /// Workers shrinking now.
    pub(super) shrinking: usize,
    /// Each failure with the number of the case that found it.
    pub(super) found: Vec<(u64, Failure)>,
}

/// One search over a target.
pub struct Search<'a> {
    exec: &'a Executor<'a>,
    namespaces: &'a Namespaces,
    pub(super) config: &'a SearchConfig,
    plan: &'a Plan,
    progress: &'a (dyn Fn(Progress) + Sync),
    started: Instant,
    tally: Mutex<Tally>,
    /// Held shared by ordinary cases and exclusively by cases that need the whole server.
    whole_server: RwLock<()>,
}

impl<'a> Search<'a> {
    pub fn new(
        exec: &'a Executor<'a>,
        namespaces: &'a Namespaces,
        config: &'a SearchConfig,
        plan: &'a Plan,
        progress: &'a (dyn Fn(Progress) + Sync),
        started: Instant,
    ) -> Self {
        Self {
            exec,
            namespaces,
            config,
            plan,
            progress,
            started,
            tally: Mutex::new(Tally::default()),
            whole_server: RwLock::new(()),
        }
    }

    /// Runs every case of the plan (or until time, defects or the target run out, or Ctrl-C).
    /// The tally holds every failure recorded, a failure being shrunk when the search stopped
    /// included (with its shortest sequence so far); the transport failure that stopped the
    /// search, if any, comes beside it.
    pub fn run(self) -> (Tally, Option<TransportError>) {
        let jobs = self.config.jobs.max(1);
        if jobs == 1 {
            self.work();
        } else {
            std::thread::scope(|scope| {
                for _ in 0..jobs {
                    scope.spawn(|| self.work());
                }
            });
        }
        self.rejudge();
        let mut tally = self.tally.into_inner().unwrap_or_else(|e| e.into_inner());
        let stopped_by = tally.transport.take();
        tally.found.sort_by_key(|(index, _)| *index);
        tally.failures = tally.found.drain(..).map(|(_, f)| f).collect();
        (tally, stopped_by)
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Tally> {
        self.tally.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn out_of_time(&self) -> bool {
        self.config
            .time_limit
            .is_some_and(|limit| self.started.elapsed() >= limit)
    }

    /// One worker: takes the next case until there is none.
    fn work(&self) {
        let strategies = Strategies::new(self.config);
        while let Some(index) = self.next_case() {
            let Some(tree) = self.plan.case(index, &strategies) else {
                self.lock().planned_done += 1;
                continue;
            };
            let ops = tree.current();
            let (outcome, claimed) = self.run_planned(&ops);
            let detected_at = self.started.elapsed();
            if outcome.is_none() && self.lock().transport.is_some() {
                // Stopped in flight (time limit, Ctrl-C, the target gone): not finished.
                break;
            }
            self.lock().planned_done += 1;
            self.report();
            if let (Some(outcome), Some(defect)) = (outcome, claimed) {
                match self.confirm(&ops, &defect, &outcome) {
                    Some(intermittent) => self.record_intermittent(
                        (index, detected_at),
                        ops.len(),
                        defect,
                        outcome,
                        intermittent,
                    ),
                    None => self.shrink(
                        (index, detected_at),
                        &strategies,
                        tree,
                        ops.len(),
                        defect,
                        outcome,
                    ),
                }
            }
        }
    }

    /// Runs a case of the plan and claims the new defect it shows. A case that stopped at a
    /// defect another case claimed while it ran is run again (at most twice more), now going on
    /// past it as it would have had it started later: what a case finds does not depend on how
    /// many ran beside it.
    fn run_planned(&self, ops: &[Op]) -> (Option<CaseOutcome>, Option<String>) {
        for _ in 0..3 {
            let before = self.known_but(None);
            let Some(outcome) = self.run_one(ops, false, None) else {
                return (None, None);
            };
            match self.claim(&outcome, &before) {
                Claim::New(defect) => return (Some(outcome), Some(defect)),
                Claim::Nothing => return (Some(outcome), None),
                Claim::TakenMeanwhile => {}
            }
        }
        (None, None)
    }

    /// The number of the next case, or `None` when the search is over.
    fn next_case(&self) -> Option<u64> {
        if self.out_of_time() {
            return None;
        }
        let mut tally = self.lock();
        let over = tally.transport.is_some()
            || tally.known_count() >= self.config.max_failures.max(1)
            || tally.next >= self.plan.len();
        if over {
            return None;
        }
        tally.next += 1;
        Some(tally.next - 1)
    }

    /// Claims the new defect `outcome` shows, if no other case has; `before` is what was known
    /// when the case started.
    fn claim(&self, outcome: &CaseOutcome, before: &BTreeSet<String>) -> Claim {
        let mut tally = self.lock();
        let stopped_at = outcome.new_defect(&|key| before.contains(key));
        let Some((defect, _)) = outcome.new_defect(&|key| tally.known.contains(key)) else {
            return match stopped_at {
                Some(_) => Claim::TakenMeanwhile,
                None => Claim::Nothing,
            };
        };
        if stopped_at.is_some_and(|(first, _)| first != defect) {
            return Claim::TakenMeanwhile;
        }
        if tally.known_count() >= self.config.max_failures.max(1) {
            return Claim::Nothing;
        }
        tally.known.insert(defect.clone());
        tally.shrinking += 1;
        Claim::New(defect)
    }

    fn report(&self) {
        let progress = {
            let tally = self.lock();
            Progress {
                cases_run: tally.cases_run,
                planned_done: tally.planned_done,
                planned: self.plan.len(),
                failures: tally.known_count(),
                shrinking: tally.shrinking > 0,
                elapsed_seconds: self.started.elapsed().as_secs_f64(),
            }
        };
        (self.progress)(progress);
    }

    /// Whether `ops` needs the whole server to itself: a listing of everything on an exclusive
    /// target predicts every user there, so no other case may have any.
    fn needs_whole_server(&self, ops: &[Op]) -> bool {
        self.exec.rules.exclusive
            && self.config.jobs > 1
            && ops.iter().any(|op| match op {
                Op::ListUsers { query } => !query.namespaced,
                Op::WalkUsers { namespaced, .. } => !namespaced,
                _ => false,
            })
    }

    /// Runs one case (race cases up to `race_repeats` times, stopping at the first failure).
    /// While shrinking `target`, every candidate runs at least twice before it counts as
    /// passing, so a flaky defect (a race, an unstable order) does not end the shrink early, and
    /// `target` is not known to the case (it must end there). `None` when the search is over.
    pub(super) fn run_one(
        &self,
        ops: &[Op],
        shrinking: bool,
        target: Option<&str>,
    ) -> Option<CaseOutcome> {
        let base = if has_race(ops) {
            self.config.race_repeats.max(1)
        } else {
            1
        };
        let repeats = if shrinking { base.max(2) } else { base };
        let mut last = None;
        for _ in 0..repeats {
            if self.lock().transport.is_some() || self.out_of_time() {
                return None;
            }
            let known = self.known_but(target);
            let result = {
                let alone = self.needs_whole_server(ops);
                let _alone =
                    alone.then(|| self.whole_server.write().unwrap_or_else(|e| e.into_inner()));
                let _shared =
                    (!alone).then(|| self.whole_server.read().unwrap_or_else(|e| e.into_inner()));
                self.exec
                    .run_case(ops, &self.namespaces.next_tag(), &|key| known.contains(key))
            };
            let outcome = match result {
                Err(err) => {
                    let mut tally = self.lock();
                    tally.cases_run += 1;
                    tally.transport.get_or_insert(err);
                    return None;
                }
                Ok(outcome) => outcome,
            };
            self.count(&outcome);
            let failed = outcome.new_defect(&|key| known.contains(key)).is_some();
            last = Some(outcome);
            if failed {
                break;
            }
        }
        last
    }

    /// The known defects, without `target`.
    fn known_but(&self, target: Option<&str>) -> BTreeSet<String> {
        let mut known = self.lock().known.clone();
        if let Some(target) = target {
            known.remove(target);
        }
        known
    }

    fn count(&self, outcome: &CaseOutcome) {
        let mut t = self.lock();
        t.cases_run += 1;
        t.requests += outcome.request_count() as u64;
        t.ops_run += outcome.steps.len() as u64;
        t.ops_skipped += outcome.skipped as u64;
        for step in &outcome.steps {
            *t.op_kinds.entry(step.op.kind().to_string()).or_default() += 1;
        }
        t.cleanup_refused += outcome.cleanup_refused as u64;
        for note in outcome.findings().filter(|f| !f.is_blocking()) {
            if !t
                .notes
                .iter()
                .any(|n| n.check_id == note.check_id && n.subject == note.subject)
            {
                t.notes.push(note.clone());
            }
        }
    }

    /// Whether `outcome` shows `target` before any other defect not known.
    fn reproduces(&self, outcome: &CaseOutcome, target: &str) -> bool {
        let known = self.known_but(Some(target));
        outcome
            .new_defect(&|key| known.contains(key))
            .is_some_and(|(defect, _)| defect == target)
    }

    /// Shrinks case `index` (first failing as `first`) to the shortest sequence that still shows
    /// `target`, and records the failure. Up to `jobs` candidates run at once, each in its own
    /// namespace; the walk (see `shrink`) reaches the sequence the sequential one would.
    fn shrink(
        &self,
        (index, detected_at): (u64, Duration),
        strategies: &Strategies,
        tree: CaseTree,
        original_len: usize,
        target: String,
        first: CaseOutcome,
    ) {
        let shrink_started = self.started.elapsed();
        let fresh = || {
            self.plan
                .case(index, strategies)
                .expect("a case drawn once draws again")
        };
        let evaluate = |values: &[Vec<Op>]| {
            let over = self.started.elapsed().saturating_sub(shrink_started)
                >= self.config.max_shrink_time;
            let verdicts = if over {
                values.iter().map(|_| None).collect()
            } else {
                self.candidates(values, &target)
            };
            self.report();
            verdicts
        };
        let end = walk(
            tree,
            &fresh,
            self.config.jobs.max(1),
            self.config.max_shrink_iters,
            evaluate,
        );
        let minimal = end.minimal.unwrap_or(first);
        let shrinking = self.started.elapsed().saturating_sub(shrink_started);
        let failure = minimal
            .finding_of(&target)
            .map(|f| f.check_id.clone())
            .map(|check_id| Failure {
                check_id,
                defect: target,
                original_len,
                minimal,
                seconds_to_detect: detected_at.as_secs_f64(),
                seconds_to_shrink: shrinking.as_secs_f64(),
                shrink_cut_short: end.cut_short,
                intermittent: None,
            });
        let mut tally = self.lock();
        tally.shrinking -= 1;
        tally.found.extend(failure.map(|failure| (index, failure)));
    }

    /// Runs shrink candidates at once (one thread each), each judged by whether it shows
    /// `target` first; `None` for one that could not run (the search is over).
    fn candidates(&self, values: &[Vec<Op>], target: &str) -> Vec<Verdict<CaseOutcome>> {
        let judge = |ops: &Vec<Op>| {
            let outcome = self.run_one(ops, true, Some(target))?;
            Some((self.reproduces(&outcome, target), outcome))
        };
        if values.len() == 1 {
            return values.iter().map(judge).collect();
        }
        std::thread::scope(|scope| {
            let handles: Vec<_> = values
                .iter()
                .map(|ops| scope.spawn(move || judge(ops)))
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap_or(None))
                .collect()
        })
    }
}

impl Tally {
    /// Distinct defects recorded or being shrunk (intermittent ones count once).
    fn known_count(&self) -> usize {
        self.known.len().saturating_sub(self.merged())
    }
}

/// What a finished case leaves to its worker.
enum Claim {
    /// A defect nobody knew: this worker shrinks it.
    New(String),
    /// Nothing new.
    Nothing,
    /// The case stopped at a defect another case claimed while it ran: run it again.
    TakenMeanwhile,
}
