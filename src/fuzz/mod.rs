//! Runs proptest's TestRunner over operation sequences against a target: shrinking, traces,
//! replay and repro scripts.

mod adopt;
mod capabilities;
mod discovery;
#[cfg(test)]
mod discovery_tests;
mod exec;
mod filter_probe;
mod intermittent;
mod localize;
#[cfg(test)]
mod localize_tests;
mod lost_creates;
mod multi;
mod plan;
mod probe;
mod race;
mod render;
mod runner;
mod setup;
mod shrink;
mod trace;
mod worker;

pub use capabilities::{probe_capabilities, ProbeContext};
pub use discovery::{
    advertised_but_refused, discover, generated_value, with_required, Discovery, DiscoveryFinding,
};
pub use exec::{CaseOutcome, Executor, Step, StopWhen};
pub use filter_probe::IGNORED as FILTER_IGNORED;
pub use multi::MAX_WALK_PAGES;
pub use plan::first_sequences;
pub use probe::{default_jobs, probe, ProbeError, PARALLEL_JOBS};
pub use race::{has_race, race_sequence, DEFAULT_RACE_REPEATS};
pub use render::{bogus_id, create_user_body, list_path, render, replace_body};
pub use runner::{
    search, Failure, Intermittent, Progress, SearchConfig, SearchSummary, DEFAULT_CASES,
    DEFAULT_MAX_DEFECTS, DEFAULT_SHRINK_TIME, INTERMITTENT,
};
pub use setup::{load_behaviour, RunSetup};
pub use trace::{read_trace, Trace, TraceError, TraceOrigin, TRACE_VERSION};
