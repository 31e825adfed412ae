//! The search's configuration and results, and its entry point: the plan's cases (the directed
//! first pass, the race cases, the random search; see `plan`) run `jobs` at a time, each in a
//! fresh namespace (see `worker`); each distinct defect (`check::defect_key`) is shrunk once, by
//! the worker that found it, and cases that meet a defect already known go on (the model adopts
//! the server's state), so one run reports every distinct defect it reaches. The run ends with a
//! scan for anything of it left on the server.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::discovery::DiscoveryFinding;
use super::exec::{CaseOutcome, Executor, StopWhen};
use super::plan::Plan;
use super::race::DEFAULT_RACE_REPEATS;
use super::worker::Search;
use crate::check::Finding;
use crate::driver::{leftovers, CleanupMode, Namespaces, TransportError};
use crate::gen::GenConfig;

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
    /// Random cases to draw (after the directed and race cases); shrink replays are extra.
    pub cases: u32,
    pub gen: GenConfig,
    pub time_limit: Option<Duration>,
    /// Shrink steps per failure.
    pub max_shrink_iters: u32,
    /// Wall time per failure's shrinking; past it the sequence found so far is reported.
    pub max_shrink_time: Duration,
    /// Distinct defects to look for before stopping.
    pub max_failures: usize,
    /// Race cases to run after the directed ones (0: none).
    pub race_cases: u32,
    /// How often a race case runs before it counts as passed.
    pub race_repeats: u32,
    /// Run the directed first pass (`gen::directed_cases`) before the races and random cases.
    pub directed: bool,
    /// Cases run at once, each in its own namespace (1: one after another).
    pub jobs: usize,
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
            directed: true,
            jobs: 1,
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
    /// The defect did not show every time its case ran again (see [`Intermittent`]); `None`
    /// when it showed every time (or is a race, intermittent by nature and judged by repeats).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intermittent: Option<Intermittent>,
}

/// The identity every intermittent failure of a run shares: a server that fails now and then
/// (a 500 on every so many requests, a write lost now and then, a body cut short) is one defect,
/// whichever operation the failure happened to land on.
pub const INTERMITTENT: &str = "intermittent";

/// A defect that its own case, run again unchanged in a fresh namespace, did not show every time.
/// Such failures are not shrunk (a shorter sequence that passes could not be told from luck) and
/// are reported as one defect: the first keeps its case, the others are listed in `also`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intermittent {
    /// Runs of the case that showed the defect, of `runs`.
    pub shown: u32,
    pub runs: u32,
    /// The other defects seen intermittently in this run (defect keys, in the order met).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
}

impl Failure {
    /// What tells this failure's defect from the others of the run: its defect key, or
    /// [`INTERMITTENT`] for the one that stands for every intermittent failure.
    pub fn identity(&self) -> &str {
        match self.intermittent {
            Some(_) => INTERMITTENT,
            None => &self.defect,
        }
    }

    /// Whether defect `key` is this failure's, or one it stands for (an intermittent one).
    pub fn stands_for(&self, key: &str) -> bool {
        self.defect == key
            || self
                .intermittent
                .as_ref()
                .is_some_and(|i| i.also.iter().any(|also| also == key))
    }

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
    /// Cases that ran at once.
    #[serde(default = "one")]
    pub jobs: usize,
    /// Cases in the plan (directed, race and random), and how many of them finished: fewer
    /// when the time limit or the defect limit stopped the search.
    #[serde(default)]
    pub planned_cases: u64,
    #[serde(default)]
    pub planned_done: u64,
}

fn one() -> usize {
    1
}

impl SearchSummary {
    /// Whether anything blocking was found: a failure, a blocking discovery finding, a leak.
    pub fn has_findings(&self) -> bool {
        !self.failures.is_empty()
            || self.discovery.iter().any(|d| d.finding.is_blocking())
            || self.leftover.as_ref().is_some_and(Finding::is_blocking)
    }
}

/// Progress as the search goes: cases run so far (shrink replays and race repeats included),
/// how many of the plan's cases have finished, and failures found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub cases_run: u64,
    /// Cases of the plan (directed, race, random) finished so far.
    pub planned_done: u64,
    /// Cases in the plan.
    pub planned: u64,
    pub failures: usize,
    pub shrinking: bool,
    /// Seconds since the search started.
    pub elapsed_seconds: f64,
}

impl Progress {
    /// The time the rest of the plan should take at the pace so far (`None` before any case
    /// has finished). Shrinking is not foreseen.
    pub fn eta(&self) -> Option<Duration> {
        if self.planned_done == 0 {
            return None;
        }
        let left = self.planned.saturating_sub(self.planned_done) as f64;
        let per_case = self.elapsed_seconds / self.planned_done as f64;
        Some(Duration::from_secs_f64(left * per_case))
    }
}

/// Runs the search: the directed cases, the race cases (each repeated before it passes), then
/// the random ones, `config.jobs` at a time. Only a transport failure (the target went away) is
/// an error.
pub fn search(
    exec: &Executor,
    namespaces: &Namespaces,
    config: &SearchConfig,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<SearchSummary, TransportError> {
    let plan = Plan::new(config);
    let started = Instant::now();
    // Past the time limit no case starts, and a case in flight stops before its next request.
    let out_of_time = || {
        config
            .time_limit
            .is_some_and(|limit| started.elapsed() >= limit)
    };
    let exec = &Executor {
        stop: StopWhen(&out_of_time),
        ..*exec
    };
    let search = Search::new(exec, namespaces, config, &plan, progress, started);
    let (tally, stopped_by) = search.run();
    let interrupted = match stopped_by {
        None | Some(TransportError::TimeLimit) => false,
        Some(TransportError::Interrupted) => true,
        Some(err) => return Err(err),
    };
    let time_limit_reached = !interrupted
        && config
            .time_limit
            .is_some_and(|limit| started.elapsed() >= limit);
    // The scan for leftovers lists the run's prefix with `sw`; a server that refuses `sw` is
    // cleaned up by id (every case deletes what it created) but cannot be scanned.
    let leftover = match exec.cleanup {
        Some(mode) if exec.rules.sw_supported => leftover_finding(exec, namespaces, mode)?,
        _ => None,
    };
    Ok(SearchSummary {
        seed: config.seed,
        cases_run: tally.cases_run,
        ops_run: tally.ops_run,
        ops_skipped: tally.ops_skipped,
        requests: tally.requests,
        elapsed_seconds: started.elapsed().as_secs_f64(),
        time_limit_reached,
        interrupted,
        failures: tally.failures,
        notes: tally.notes,
        cleanup_refused: tally.cleanup_refused,
        op_kinds: tally.op_kinds,
        leftover,
        discovery: Vec::new(),
        jobs: config.jobs.max(1),
        planned_cases: plan.len(),
        planned_done: tally.planned_done,
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
