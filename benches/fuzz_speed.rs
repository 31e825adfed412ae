//! `scimfuzz fuzz` against a slow server: the reference server with every response delayed 20 ms
//! (`serve --latency 20ms`, in-process on 127.0.0.1, a free port), judged as a shared target (as
//! `fuzz --target` would), with the okta profile. Prints cases/s for `--jobs` 1, 2, 4, 8 and 16
//! with the ratio to the ideal (N times the rate of one job), then the time to detect every fault
//! of the reference server that is a defect at `--jobs 8` (median, max), then the time to shrink
//! a few faults found by the random search at `--jobs 1` and `--jobs 8` (shrink candidates run
//! `--jobs` at a time). Not a timed test: run `cargo bench --bench fuzz_speed` (release build);
//! `cargo bench --bench fuzz_speed -- shrink` runs only the shrink part.

use std::time::Duration;

use scimfuzz::driver::{Driver, Namespaces, Target};
use scimfuzz::fuzz::{
    discover, load_behaviour, probe_capabilities, search, RunSetup, SearchConfig, SearchSummary,
};
use scimfuzz::server::{spawn_on_thread, Fault, ServerConfig};

const LATENCY: Duration = Duration::from_millis(20);
/// Random cases per throughput run.
const CASES: u32 = 64;
/// Faults RFC 7643/7644 allow: not defects, so nothing to detect.
const RFC_ALLOWED: [&str; 4] = [
    "unadvertised-extension-dropped",
    "sw-refused",
    "test-domain-emails-refused",
    "display-name-derived",
];

fn fuzz(profile: &str, faults: Vec<Fault>, config: SearchConfig) -> SearchSummary {
    let server = spawn_on_thread(ServerConfig {
        faults,
        latency: LATENCY,
        ..ServerConfig::default()
    })
    .expect("the server starts");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let driver = Driver::new(Target::new(server.base_url(), Some(server.authorization())))
        .expect("a driver");
    let behaviour = load_behaviour(profile).expect("a built-in profile");
    let mut setup = RunSetup::new(behaviour, config.gen.max_ops, false, true);
    let namespaces = Namespaces::new();
    let mut discovery = discover(&driver, &runtime, namespaces.run_prefix(), &setup.grading)
        .expect("the server answers discovery");
    setup.adopt(&discovery);
    // As `scimfuzz fuzz` does: an advertised sort or bulk is probed before the search.
    let context = setup.probe_context(&driver, &runtime, namespaces.run_prefix());
    let probed =
        probe_capabilities(&context, &discovery).expect("the server answers the capability probes");
    discovery.findings.extend(probed);
    let exec = setup.executor(&driver, &runtime);
    let config = SearchConfig {
        gen: setup.gen.clone(),
        ..config
    };
    let mut summary = search(&exec, &namespaces, &config, &|_| {}).expect("the server answers");
    summary.discovery = discovery.findings;
    summary
}

fn throughput() {
    println!(
        "fuzz against a server answering in {} ms, {CASES} random cases (seed 1, shared target):",
        LATENCY.as_millis()
    );
    let mut one = 0.0;
    for jobs in [1usize, 2, 4, 8, 16] {
        let config = SearchConfig {
            seed: 1,
            cases: CASES,
            race_cases: 0,
            directed: false,
            jobs,
            ..SearchConfig::default()
        };
        let summary = fuzz("okta", Vec::new(), config);
        let rate = summary.planned_done as f64 / summary.elapsed_seconds;
        if jobs == 1 {
            one = rate;
        }
        println!(
            "  --jobs {jobs:>2}: {rate:6.2} cases/s ({} requests in {:.1} s), {:.2}x one job, ratio to ideal {:.2}",
            summary.requests,
            summary.elapsed_seconds,
            rate / one,
            rate / (one * jobs as f64)
        );
    }
}

fn time_to_detect() {
    let faults: Vec<Fault> = Fault::all()
        .iter()
        .copied()
        .filter(|fault| !RFC_ALLOWED.contains(&fault.name()))
        .collect();
    println!(
        "time to detect at --jobs 8, default settings (seed 1), {} faults:",
        faults.len()
    );
    let mut times = Vec::new();
    for fault in faults {
        let profile = if fault.name() == "string-boolean-truthy" {
            "entra"
        } else {
            "okta"
        };
        let config = SearchConfig {
            seed: 1,
            jobs: 8,
            max_failures: 1,
            time_limit: Some(Duration::from_secs(30)),
            ..SearchConfig::default()
        };
        let summary = fuzz(profile, vec![fault], config);
        let before_search = summary.discovery.iter().any(|d| d.finding.is_blocking());
        let found = summary.failures.first();
        let (seconds, what) = match (before_search, found) {
            (true, _) => (0.0, "discovery".to_string()),
            (false, Some(failure)) => (failure.seconds_to_detect, failure.check_id.clone()),
            (false, None) => {
                // A note does not stop the run, so its moment is not recorded: left out of the
                // median and max.
                let what = match summary.notes.first() {
                    Some(note) => format!("{} (a note: found, not timed)", note.check_id),
                    None => "NOT FOUND".to_string(),
                };
                println!("  {:<32}      - s  {what}", fault.name());
                continue;
            }
        };
        println!("  {:<32} {seconds:6.2} s  {what}", fault.name());
        times.push(seconds);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "time to detect ({} timed): median {:.2} s, max {:.2} s",
        times.len(),
        times[times.len() / 2],
        times[times.len() - 1]
    );
}

/// Faults the random search finds with a case longer than its minimal one.
const SHRINK_FAULTS: [&str; 5] = [
    "replace-appends",
    "etag-ignored",
    "deactivated-404",
    "put-merges",
    "rename-duplicate",
];

fn shrink_times() {
    println!("time to shrink, random search only (seed 1), --jobs 1 vs 8:");
    for name in SHRINK_FAULTS {
        let fault: Fault = name.parse().expect("a fault name");
        let mut line = format!("  {name:<20}");
        for jobs in [1usize, 8] {
            let config = SearchConfig {
                seed: 1,
                jobs,
                max_failures: 1,
                directed: false,
                race_cases: 0,
                time_limit: Some(Duration::from_secs(120)),
                ..SearchConfig::default()
            };
            let summary = fuzz("okta", vec![fault], config);
            match summary.failures.first() {
                Some(f) => line.push_str(&format!(
                    "  jobs {jobs}: {} -> {} ops in {:5.2} s",
                    f.original_len,
                    f.minimal.steps.len(),
                    f.seconds_to_shrink
                )),
                None => line.push_str(&format!("  jobs {jobs}: not found")),
            }
        }
        println!("{line}");
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a bare word picks one part.
    let part = std::env::args().skip(1).find(|arg| !arg.starts_with('-'));
    match part.as_deref() {
        Some("throughput") => throughput(),
        Some("detect") => time_to_detect(),
        Some("shrink") => shrink_times(),
        _ => {
            throughput();
            time_to_detect();
            shrink_times();
        }
    }
}
