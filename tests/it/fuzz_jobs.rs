//! `fuzz --jobs N`: cases run N at once, each in its own namespace, and case i depends only on the
//! seed and i, so a seed finds the same distinct defects whatever N is; the directed first pass
//! finds shallow defects first.

use std::collections::BTreeSet;

use scimfuzz::fuzz::SearchConfig;
use scimfuzz::server::{Fault, ServerConfig};

use super::fuzz::fuzz_server_as;
use super::fuzz_faults::{profile_for, EXPECTED};

/// Deterministic faults of several kinds: a filter operator, lifecycle, uniqueness, membership,
/// paging, a logical operator.
const FAULTS: [&str; 6] = [
    "co-as-sw",
    "deactivated-404",
    "rename-duplicate",
    "replace-appends",
    "zero-based-paging",
    "and-as-or",
];

fn defects(fault: &str, jobs: usize) -> BTreeSet<String> {
    let config = SearchConfig {
        seed: 3,
        cases: 60,
        jobs,
        ..SearchConfig::default()
    };
    defects_with(fault, config)
}

fn defects_with(fault: &str, config: SearchConfig) -> BTreeSet<String> {
    let fault: Fault = fault.parse().expect("a fault name");
    let jobs = config.jobs;
    let summary = fuzz_server_as(
        profile_for(fault),
        ServerConfig::with_faults([fault]),
        config,
    );
    assert_eq!(summary.jobs, jobs);
    // What a reader is told to fix: a failure that follows from another is not a defect of its
    // own, and every intermittent failure is one defect.
    let causes = scimfuzz::report::grouping::causes(&summary.failures);
    summary
        .failures
        .iter()
        .zip(causes)
        .filter(|(_, cause)| cause.is_none())
        .map(|(f, _)| f.identity().to_string())
        .collect()
}

#[test]
fn the_same_seed_finds_the_same_defects_whatever_the_jobs() {
    let handles: Vec<_> = FAULTS
        .iter()
        .map(|fault| std::thread::spawn(move || (fault, defects(fault, 1), defects(fault, 4))))
        .collect();
    let mut problems = Vec::new();
    for handle in handles {
        let (fault, one, four) = handle.join().expect("a fault thread");
        eprintln!("  {fault:<20} jobs 1: {one:?}");
        if one.is_empty() || one != four {
            problems.push(format!("{fault}: jobs 1 found {one:?}, jobs 4 {four:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every fault of the fault table, default settings (seed 3): `--jobs 8` finds the distinct
/// defects `--jobs 1` finds. Two full runs per fault: minutes, so not in CI (the test above is
/// its cheap subset); figures in the README.
#[test]
#[ignore = "long (every fault, two default runs each); run by hand: cargo test --release --test it fuzz_jobs::every_fault -- --ignored --nocapture"]
fn every_fault_finds_the_same_defects_at_jobs_1_and_8() {
    let names: Vec<&str> = EXPECTED.iter().map(|(name, _)| *name).collect();
    let threads = 3;
    let handles: Vec<_> = (0..threads)
        .map(|worker| {
            let mine: Vec<&str> = names
                .iter()
                .copied()
                .skip(worker)
                .step_by(threads)
                .collect();
            std::thread::spawn(move || {
                mine.into_iter()
                    .map(|fault| {
                        let run = |jobs| {
                            // A bound for slow-responses (every answer 1 s later), whose
                            // default run would take many minutes; the others end well before.
                            let config = SearchConfig {
                                seed: 3,
                                jobs,
                                time_limit: Some(std::time::Duration::from_secs(90)),
                                ..SearchConfig::default()
                            };
                            defects_with(fault, config)
                        };
                        (fault, run(1), run(8))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut problems = Vec::new();
    let mut compared = 0;
    for (fault, one, eight) in handles
        .into_iter()
        .flat_map(|h| h.join().expect("a fault thread"))
    {
        let same = if one == eight { "same" } else { "DIFFERENT" };
        eprintln!("  {fault:<28} {same}: jobs 1 {one:?}, jobs 8 {eight:?}");
        compared += 1;
        if one != eight {
            problems.push(format!("{fault}: jobs 1 found {one:?}, jobs 8 {eight:?}"));
        }
    }
    eprintln!("  {compared} faults compared, {} differ", problems.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// With every response delayed, four cases at once finish the same plan in fewer round trips of
/// wall time than one at a time: the cases really overlap (a ratio, not an absolute time).
#[test]
fn four_jobs_overlap_their_cases_against_a_slow_server() {
    let slow = || ServerConfig {
        latency: std::time::Duration::from_millis(40),
        ..ServerConfig::default()
    };
    let run = |jobs| {
        let config = SearchConfig {
            seed: 5,
            cases: 16,
            race_cases: 0,
            directed: false,
            jobs,
            ..SearchConfig::default()
        };
        fuzz_server_as("okta", slow(), config)
    };
    let one = run(1);
    let four = run(4);
    assert_eq!(one.planned_done, 16);
    assert_eq!(four.planned_done, 16);
    // Wall time per request: the cases are the same (a stray finding on a loaded machine may end
    // one early, so requests are compared per request, not in total).
    let pace = |s: &scimfuzz::fuzz::SearchSummary| s.elapsed_seconds / s.requests.max(1) as f64;
    assert!(
        pace(&four) < pace(&one) * 0.75,
        "jobs 4: {:.1} ms a request, jobs 1: {:.1} ms",
        pace(&four) * 1000.0,
        pace(&one) * 1000.0
    );
}

/// The default `--jobs`: one on an exclusive target; on a shared one four when the probe finds a
/// slow server that answers concurrent requests together, one when the server is fast.
#[test]
fn the_default_jobs_follow_what_a_probe_says_the_server_takes() {
    use scimfuzz::driver::{Driver, Target};
    use scimfuzz::fuzz::{default_jobs, PARALLEL_JOBS};
    use scimfuzz::server::spawn_on_thread;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let jobs_for = |latency_ms: u64, exclusive: bool| {
        let server = spawn_on_thread(ServerConfig {
            latency: std::time::Duration::from_millis(latency_ms),
            ..ServerConfig::default()
        })
        .expect("the server starts");
        let driver = Driver::new(Target::new(server.base_url(), Some(server.authorization())))
            .expect("a driver");
        default_jobs(&driver, &runtime, exclusive)
    };
    assert_eq!(jobs_for(300, false), PARALLEL_JOBS, "slow and concurrent");
    assert_eq!(jobs_for(300, true), 1, "exclusive");
    assert_eq!(jobs_for(0, false), 1, "fast");
}
