//! The search: proptest's `TestRunner` draws op sequences from a seeded RNG, each case runs in a
//! fresh namespace, and a failing case is shrunk with proptest's sequence shrinking (every shrink
//! candidate re-checks preconditions on the model and counts as failing only if it reproduces the
//! same defect, see `check::defect_key`). After a failure the search continues with a new round in
//! which that defect is known: cases that meet it go on (the model adopts the server's state), so
//! one run reports every distinct defect it reaches, each shrunk and counted once.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use proptest::strategy::{BoxedStrategy, Strategy};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde::{Deserialize, Serialize};

use super::discovery::DiscoveryFinding;
use super::exec::{CaseOutcome, Executor};
use super::race::{has_race, race_sequence, DEFAULT_RACE_REPEATS};
use crate::check::Finding;
use crate::driver::{leftovers, CleanupMode, Namespaces, TransportError};
use crate::gen::{op_sequence, GenConfig};
use crate::model::Op;

/// The default number of sequential cases (the "default budget" of `scimfuzz fuzz`).
pub const DEFAULT_CASES: u32 = 300;
/// The distinct defects one run looks for before it stops.
pub const DEFAULT_MAX_DEFECTS: usize = 40;
/// How long one failure may shrink before the shortest sequence found so far is reported.
pub const DEFAULT_SHRINK_TIME: Duration = Duration::from_secs(30);

/// What the search may spend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchConfig {
    pub seed: u64,
    /// Passing cases to run in total.
    pub cases: u32,
    pub gen: GenConfig,
    pub time_limit: Option<Duration>,
    /// Shrink steps per failure.
    pub max_shrink_iters: u32,
    /// Wall time per failure's shrinking; past it the sequence found so far is reported.
    pub max_shrink_time: Duration,
    /// Distinct defects to look for before stopping.
    pub max_failures: usize,
    /// Race cases to run after the sequential ones (0: none).
    pub race_cases: u32,
    /// How often a race case runs before it counts as passed.
    pub race_repeats: u32,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            cases: DEFAULT_CASES,
            gen: GenConfig::default(),
            time_limit: None,
            max_shrink_iters: 400,
            max_shrink_time: DEFAULT_SHRINK_TIME,
            max_failures: DEFAULT_MAX_DEFECTS,
            race_cases: 12,
            race_repeats: DEFAULT_RACE_REPEATS,
        }
    }
}

/// One distinct defect: the shrunk case that shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// The check id of the defect.
    pub check_id: String,
    /// The defect's identity (`check::defect_key`): what the shrinking held on to.
    #[serde(default)]
    pub defect: String,
    /// The number of ops of the case as first drawn.
    pub original_len: usize,
    /// The shrunk case as replayed last (ops, exchanges, findings).
    pub minimal: CaseOutcome,
    /// Seconds from the start of the run to the first failing case.
    pub seconds_to_detect: f64,
    /// Seconds spent shrinking it.
    #[serde(default)]
    pub seconds_to_shrink: f64,
    /// Shrinking stopped at `max_shrink_time`: a shorter sequence may exist.
    #[serde(default)]
    pub shrink_cut_short: bool,
}

impl Failure {
    /// The finding of this defect in the minimal case (older reports: its first blocking one).
    pub fn finding(&self) -> Option<&Finding> {
        self.minimal
            .finding_of(&self.defect)
            .or_else(|| self.minimal.first_blocking())
    }
}

/// The result of a whole search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchSummary {
    pub seed: u64,
    /// Cases run, shrink replays included.
    pub cases_run: u64,
    /// Ops executed, and ops skipped because their precondition did not hold.
    pub ops_run: u64,
    pub ops_skipped: u64,
    pub requests: u64,
    pub elapsed_seconds: f64,
    pub time_limit_reached: bool,
    /// Ctrl-C stopped the search at a request boundary: the summary covers the cases run so far
    /// (a failure being shrunk is reported with its shortest sequence so far).
    #[serde(default)]
    pub interrupted: bool,
    pub failures: Vec<Failure>,
    /// Non-blocking findings (notes), one per check id.
    pub notes: Vec<Finding>,
    pub cleanup_refused: u64,
    /// Ops executed per kind (`create-user`, `set-active-string`, …): what the run covered.
    #[serde(default)]
    pub op_kinds: BTreeMap<String, u64>,
    /// Resources of the run still on the server after cleanup (`cleanup.leftover`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leftover: Option<Finding>,
    /// Findings of discovery (`fuzz::discover`), each with the exchange that shows it; not part
    /// of any case.
    #[serde(default)]
    pub discovery: Vec<DiscoveryFinding>,
}

impl SearchSummary {
    /// Whether anything blocking was found: a failure, a blocking discovery finding, a leak.
    pub fn has_findings(&self) -> bool {
        !self.failures.is_empty()
            || self.discovery.iter().any(|d| d.finding.is_blocking())
            || self.leftover.as_ref().is_some_and(Finding::is_blocking)
    }
}

/// Progress as the search goes: cases run so far and failures found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub cases_run: u64,
    pub failures: usize,
    pub shrinking: bool,
}

#[derive(Default)]
struct Round {
    target: Option<String>,
    original_len: usize,
    last_failure: Option<CaseOutcome>,
    detected_at: Option<Duration>,
    /// Shrinking ran out of `max_shrink_time`; later candidates were passed without running.
    shrink_cut_short: bool,
}

#[derive(Default)]
struct Tally {
    cases_run: u64,
    ops_run: u64,
    ops_skipped: u64,
    requests: u64,
    cleanup_refused: u64,
    op_kinds: BTreeMap<String, u64>,
    notes: Vec<Finding>,
    transport: Option<TransportError>,
    /// Defect keys already recorded.
    known: BTreeSet<String>,
    failures: Vec<Failure>,
}

/// One search over a target: the shared tally of every phase.
struct Search<'a> {
    exec: &'a Executor<'a>,
    namespaces: &'a Namespaces,
    config: &'a SearchConfig,
    progress: &'a dyn Fn(Progress),
    started: Instant,
    tally: RefCell<Tally>,
}

/// Runs the search: sequential cases, then race cases (each repeated before it passes). Only a
/// transport failure (the target went away) is an error.
pub fn search(
    exec: &Executor,
    namespaces: &Namespaces,
    config: &SearchConfig,
    progress: &dyn Fn(Progress),
) -> Result<SearchSummary, TransportError> {
    let search = Search {
        exec,
        namespaces,
        config,
        progress,
        started: Instant::now(),
        tally: RefCell::new(Tally::default()),
    };
    let interrupted = match search.phases() {
        Ok(()) => false,
        Err(TransportError::Interrupted) => true,
        Err(err) => return Err(err),
    };
    let time_limit_reached = !interrupted && search.out_of_time();
    // The scan for leftovers lists the run's prefix with `sw`; a server that refuses `sw` is
    // cleaned up by id (every case deletes what it created) but cannot be scanned.
    let leftover = match exec.cleanup {
        Some(mode) if exec.rules.sw_supported => leftover_finding(exec, namespaces, mode)?,
        _ => None,
    };
    let tally = search.tally.into_inner();
    Ok(SearchSummary {
        seed: config.seed,
        cases_run: tally.cases_run,
        ops_run: tally.ops_run,
        ops_skipped: tally.ops_skipped,
        requests: tally.requests,
        elapsed_seconds: search.started.elapsed().as_secs_f64(),
        time_limit_reached,
        interrupted,
        failures: tally.failures,
        notes: tally.notes,
        cleanup_refused: tally.cleanup_refused,
        op_kinds: tally.op_kinds,
        leftover,
        discovery: Vec::new(),
    })
}

/// Lists what the run left behind (names start with the run's prefix).
fn leftover_finding(
    exec: &Executor,
    namespaces: &Namespaces,
    mode: CleanupMode,
) -> Result<Option<Finding>, TransportError> {
    let prefix = namespaces.run_prefix();
    let driver = exec.driver.uninterruptible();
    let (users, groups) = exec.runtime.block_on(leftovers(&driver, prefix, mode))?;
    if users + groups == 0 {
        return Ok(None);
    }
    let finding = exec.grading.apply(vec![Finding::new(
        crate::check::catalogue::LEFTOVER,
        format!("no user or group named {prefix}… after cleanup"),
        format!("{users} users and {groups} groups left"),
    )]);
    Ok(finding.into_iter().next())
}

impl Search<'_> {
    /// Races first (they are few, and a server with a race window is slow in every create
    /// after), then the sequential cases.
    fn phases(&self) -> Result<(), TransportError> {
        let config = self.config;
        if config.race_cases > 0 {
            self.phase(
                &race_sequence(config.gen.groups),
                u64::from(config.race_cases),
                100,
            )?;
        }
        let budget = self.tally.borrow().cases_run + u64::from(config.cases);
        self.phase(&op_sequence(&config.gen), budget, 0)?;
        match self.tally.borrow_mut().transport.take() {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// Whether the search must stop drawing cases: out of time, a transport failure, or Ctrl-C.
    fn stopped(&self) -> bool {
        self.out_of_time() || self.tally.borrow().transport.is_some()
    }

    /// The transport failure that ends the round, if any. An interrupt (Ctrl-C) while a failure
    /// is being shrunk is kept for later, so the round still reports that failure with its
    /// shortest sequence so far.
    fn round_error(&self, has_failure: bool) -> Option<TransportError> {
        let mut tally = self.tally.borrow_mut();
        let keep = matches!(tally.transport, Some(TransportError::Interrupted)) && has_failure;
        if keep {
            return None;
        }
        tally.transport.take()
    }

    fn out_of_time(&self) -> bool {
        self.config
            .time_limit
            .is_some_and(|limit| self.started.elapsed() >= limit)
    }

    /// Rounds of one strategy until `budget` cases have run in total or nothing more fails.
    fn phase(
        &self,
        strategy: &BoxedStrategy<Vec<Op>>,
        budget: u64,
        seed_offset: usize,
    ) -> Result<(), TransportError> {
        for round_index in 0..self.config.max_failures.max(1) {
            let remaining = budget.saturating_sub(self.tally.borrow().cases_run);
            if remaining == 0 || self.stopped() {
                break;
            }
            if !self.round(strategy, remaining, seed_offset + round_index)? {
                break;
            }
        }
        Ok(())
    }

    /// Runs one case (race cases up to `race_repeats` times, stopping at the first failure).
    /// While shrinking (`shrinking`), every candidate runs at least twice before it counts as
    /// passing, so a flaky defect (a race, an unstable order) does not end the shrink early.
    fn run_one(&self, ops: &[Op], shrinking: bool) -> Option<CaseOutcome> {
        let base = if has_race(ops) {
            self.config.race_repeats.max(1)
        } else {
            1
        };
        let repeats = if shrinking { base.max(2) } else { base };
        let mut last = None;
        for _ in 0..repeats {
            if self.stopped() {
                return None;
            }
            let known = self.tally.borrow().known.clone();
            let outcome = self
                .exec
                .run_case(ops, &self.namespaces.next_tag(), &|key| known.contains(key));
            let mut t = self.tally.borrow_mut();
            t.cases_run += 1;
            let outcome = match outcome {
                Err(err) => {
                    t.transport = Some(err);
                    return None;
                }
                Ok(outcome) => outcome,
            };
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
            let failed = outcome.new_defect(&|key| known.contains(key)).is_some();
            last = Some(outcome);
            if failed {
                break;
            }
        }
        last
    }

    /// Whether the round's shrinking has used up `max_shrink_time` since the failure was found.
    fn shrink_time_is_up(&self, round: &Round) -> bool {
        round.detected_at.is_some_and(|found| {
            self.started.elapsed().saturating_sub(found) >= self.config.max_shrink_time
        })
    }

    /// One proptest run; returns whether it found (and recorded) a new failure.
    fn round(
        &self,
        strategy: &BoxedStrategy<Vec<Op>>,
        budget: u64,
        round_index: usize,
    ) -> Result<bool, TransportError> {
        let round = RefCell::new(Round::default());
        let test = |ops: Vec<Op>| -> Result<(), TestCaseError> {
            let shrinking = round.borrow().target.is_some();
            if shrinking && self.shrink_time_is_up(&round.borrow()) {
                // Counting the candidate as passing ends the shrinking at the last failure.
                round.borrow_mut().shrink_cut_short = true;
                return Ok(());
            }
            let Some(outcome) = self.run_one(&ops, shrinking) else {
                return Ok(());
            };
            let mut r = round.borrow_mut();
            (self.progress)(Progress {
                cases_run: self.tally.borrow().cases_run,
                failures: self.tally.borrow().failures.len() + usize::from(r.target.is_some()),
                shrinking: r.target.is_some(),
            });
            let tally = self.tally.borrow();
            let Some((defect, _)) = outcome.new_defect(&|key| tally.known.contains(key)) else {
                return Ok(());
            };
            drop(tally);
            match &r.target {
                None => {
                    r.target = Some(defect.clone());
                    r.original_len = ops.len();
                    r.detected_at = Some(self.started.elapsed());
                    r.last_failure = Some(outcome);
                    Err(TestCaseError::fail(defect))
                }
                Some(target) if *target == defect => {
                    r.last_failure = Some(outcome);
                    Err(TestCaseError::fail(defect))
                }
                Some(_) => Ok(()),
            }
        };
        let mut runner = TestRunner::new_with_rng(
            runner_config(self.config, budget),
            seeded_rng(self.config.seed, round_index),
        );
        let result = runner.run(strategy, test);
        let finished_at = self.started.elapsed();
        if let Some(err) = self.round_error(round.borrow().last_failure.is_some()) {
            return Err(err);
        }
        let Err(TestError::Fail(_, minimal_ops)) = result else {
            return Ok(false);
        };
        let round = round.into_inner();
        let Some(target) = round.target else {
            return Ok(false);
        };
        // Replay the minimal sequence once more so the report shows its own exchanges.
        let replay = self.run_one(&minimal_ops, true);
        if let Some(err) = self.round_error(round.last_failure.is_some()) {
            return Err(err);
        }
        let known = self.tally.borrow().known.clone();
        let reproduces = |o: &CaseOutcome| {
            o.new_defect(&|key| known.contains(key))
                .is_some_and(|(defect, _)| defect == target)
        };
        let Some(minimal) = replay.filter(reproduces).or(round.last_failure) else {
            return Ok(false);
        };
        let Some(check_id) = minimal.finding_of(&target).map(|f| f.check_id.clone()) else {
            return Ok(false);
        };
        let detected_at = round.detected_at.unwrap_or_default();
        let shrinking = finished_at.saturating_sub(detected_at);
        let mut tally = self.tally.borrow_mut();
        tally.known.insert(target.clone());
        tally.failures.push(Failure {
            check_id,
            defect: target,
            original_len: round.original_len,
            minimal,
            seconds_to_detect: detected_at.as_secs_f64(),
            seconds_to_shrink: shrinking.as_secs_f64(),
            shrink_cut_short: round.shrink_cut_short,
        });
        Ok(true)
    }
}

fn runner_config(config: &SearchConfig, budget: u64) -> Config {
    Config {
        cases: u32::try_from(budget).unwrap_or(u32::MAX),
        max_shrink_iters: config.max_shrink_iters,
        // The search enforces `max_shrink_time` itself (see `shrink_time_is_up`).
        max_shrink_time: 0,
        failure_persistence: None,
        max_global_rejects: 1_000,
        ..Config::default()
    }
}

/// A ChaCha RNG whose 32-byte seed is expanded from the user's seed and the round number.
fn seeded_rng(seed: u64, round: usize) -> TestRng {
    let mut state = seed ^ (round as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_mut(8) {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// The op sequences a seed draws first (for "same seed, same sequence" checks and debugging).
pub fn first_sequences(config: &SearchConfig, count: usize) -> Vec<Vec<Op>> {
    let mut runner = TestRunner::new_with_rng(runner_config(config, 1), seeded_rng(config.seed, 0));
    let strategy = op_sequence(&config.gen);
    (0..count)
        .filter_map(|_| strategy.new_tree(&mut runner).ok())
        .map(|tree| proptest::strategy::ValueTree::current(&tree))
        .collect()
}
