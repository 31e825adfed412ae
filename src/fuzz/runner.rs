//! The search: proptest's `TestRunner` draws op sequences from a seeded RNG, each case runs in a
//! fresh namespace, and a failing case is shrunk with proptest's sequence shrinking (every shrink
//! candidate re-checks preconditions on the model and counts as failing only if it reproduces the
//! same check id). After a failure the search continues with a new round, ignoring check ids
//! already found, so one run can report several distinct defects.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde::{Deserialize, Serialize};

use super::exec::{CaseOutcome, Executor};
use crate::check::Finding;
use crate::driver::{Namespaces, TransportError};
use crate::gen::{op_sequence, GenConfig};
use crate::model::Op;

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
    /// Distinct failures (by check id) to look for before stopping.
    pub max_failures: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            cases: 100,
            gen: GenConfig::default(),
            time_limit: None,
            max_shrink_iters: 400,
            max_failures: 5,
        }
    }
}

/// One defect: the shrunk case that shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// The check id the shrinking held on to.
    pub check_id: String,
    /// The number of ops of the case as first drawn.
    pub original_len: usize,
    /// The shrunk case as replayed last (ops, exchanges, findings).
    pub minimal: CaseOutcome,
    /// Seconds from the start of the run to the first failing case.
    pub seconds_to_detect: f64,
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
    pub failures: Vec<Failure>,
    /// Non-blocking findings (notes), one per check id.
    pub notes: Vec<Finding>,
    pub cleanup_refused: u64,
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
}

struct Tally {
    cases_run: u64,
    ops_run: u64,
    ops_skipped: u64,
    requests: u64,
    cleanup_refused: u64,
    notes: Vec<Finding>,
    transport: Option<TransportError>,
    known: BTreeSet<String>,
}

/// Runs the search. Only a transport failure (the target went away) is an error.
pub fn search(
    exec: &Executor,
    namespaces: &Namespaces,
    config: &SearchConfig,
    progress: &dyn Fn(Progress),
) -> Result<SearchSummary, TransportError> {
    let started = Instant::now();
    let out_of_time = || {
        config
            .time_limit
            .is_some_and(|limit| started.elapsed() >= limit)
    };
    let tally = RefCell::new(Tally {
        cases_run: 0,
        ops_run: 0,
        ops_skipped: 0,
        requests: 0,
        cleanup_refused: 0,
        notes: Vec::new(),
        transport: None,
        known: BTreeSet::new(),
    });
    let strategy = op_sequence(&config.gen);
    let mut failures = Vec::new();
    for round_index in 0..config.max_failures.max(1) {
        let budget = u64::from(config.cases).saturating_sub(tally.borrow().cases_run);
        if budget == 0 || out_of_time() {
            break;
        }
        let round = RefCell::new(Round::default());
        let run_one = |ops: &[Op]| -> Result<Option<CaseOutcome>, ()> {
            if tally.borrow().transport.is_some() || out_of_time() {
                return Err(());
            }
            let outcome = exec.run_case(ops, &namespaces.next_tag());
            let mut t = tally.borrow_mut();
            t.cases_run += 1;
            match outcome {
                Err(err) => {
                    t.transport = Some(err);
                    Err(())
                }
                Ok(outcome) => {
                    t.requests += outcome.request_count() as u64;
                    t.ops_run += outcome.steps.len() as u64;
                    t.ops_skipped += outcome.skipped as u64;
                    t.cleanup_refused += outcome.cleanup_refused as u64;
                    for note in outcome.findings().filter(|f| !f.is_blocking()) {
                        if !t.notes.iter().any(|n| n.check_id == note.check_id) {
                            t.notes.push(note.clone());
                        }
                    }
                    Ok(Some(outcome))
                }
            }
        };
        let test = |ops: Vec<Op>| -> Result<(), TestCaseError> {
            let Ok(Some(outcome)) = run_one(&ops) else {
                return Ok(());
            };
            let mut r = round.borrow_mut();
            progress(Progress {
                cases_run: tally.borrow().cases_run,
                failures: failures.len() + usize::from(r.target.is_some()),
                shrinking: r.target.is_some(),
            });
            let Some(blocking) = outcome.first_blocking() else {
                return Ok(());
            };
            let check_id = blocking.check_id.clone();
            match &r.target {
                None if tally.borrow().known.contains(&check_id) => Ok(()),
                None => {
                    r.target = Some(check_id.clone());
                    r.original_len = ops.len();
                    r.detected_at = Some(started.elapsed());
                    r.last_failure = Some(outcome);
                    Err(TestCaseError::fail(check_id))
                }
                Some(target) if *target == check_id => {
                    r.last_failure = Some(outcome);
                    Err(TestCaseError::fail(check_id))
                }
                Some(_) => Ok(()),
            }
        };
        let mut runner = TestRunner::new_with_rng(
            runner_config(config, budget),
            seeded_rng(config.seed, round_index),
        );
        let result = runner.run(&strategy, test);
        if let Some(err) = tally.borrow_mut().transport.take() {
            return Err(err);
        }
        let Err(TestError::Fail(_, minimal_ops)) = result else {
            break;
        };
        let round = round.into_inner();
        let Some(target) = round.target else { break };
        // Replay the minimal sequence once more so the report shows its own exchanges.
        let replay = run_one(&minimal_ops).ok().flatten();
        if let Some(err) = tally.borrow_mut().transport.take() {
            return Err(err);
        }
        let reproduces = |o: &CaseOutcome| o.first_blocking().is_some_and(|f| f.check_id == target);
        let Some(minimal) = replay.filter(reproduces).or(round.last_failure) else {
            break;
        };
        tally.borrow_mut().known.insert(target.clone());
        failures.push(Failure {
            check_id: target,
            original_len: round.original_len,
            minimal,
            seconds_to_detect: round.detected_at.unwrap_or_default().as_secs_f64(),
        });
    }
    let tally = tally.into_inner();
    Ok(SearchSummary {
        seed: config.seed,
        cases_run: tally.cases_run,
        ops_run: tally.ops_run,
        ops_skipped: tally.ops_skipped,
        requests: tally.requests,
        elapsed_seconds: started.elapsed().as_secs_f64(),
        time_limit_reached: out_of_time(),
        failures,
        notes: tally.notes,
        cleanup_refused: tally.cleanup_refused,
    })
}

fn runner_config(config: &SearchConfig, budget: u64) -> Config {
    Config {
        cases: u32::try_from(budget).unwrap_or(u32::MAX),
        max_shrink_iters: config.max_shrink_iters,
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
