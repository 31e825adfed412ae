//! Partial servers, one default run each (issue 9, item 7): a reference server with a fault that
//! mimics what real partial servers do (A: blocks every create or every PATCH with a path, or
//! refuses `sw`) plus an ordinary defect (B). One default `fuzz --fault A --fault B --seed S`
//! must report B's defect, A's defect when A is one, and nothing else: what RFC 7644 allows
//! (an unadvertised extension ignored, `sw` refused, a strict email validator) is not a finding
//! (a note at most). Pairs run in parallel threads, in-process.

use std::process::Command;
use std::time::{Duration, Instant};

use scimfuzz::driver::Call;
use scimfuzz::fuzz::{Failure, SearchConfig, SearchSummary};
use scimfuzz::server::Fault;

use super::fuzz::fuzz_embedded_as;
use super::fuzz_faults::EXPECTED;

/// The partial-server faults: the check ids that name A's own defect, or none when RFC 7644
/// allows what A does.
const PARTIAL: &[(&str, &[&str])] = &[
    ("missing-location", &["create.location"]),
    (
        "extra-required-attribute",
        &["discovery.required-beyond-rfc"],
    ),
    (
        "patch-path-501",
        &["discovery.capability-works", "status.no-5xx"],
    ),
    ("unadvertised-extension-dropped", &[]),
    ("sw-refused", &[]),
    ("test-domain-emails-refused", &[]),
    ("display-name-derived", &[]),
];

/// Faults of the catalogue left out of the pairs (none: every partial-server fault is paired).
const NOT_YET_PAIRED: &[&str] = &[];

/// (A, B, seed).
const PAIRS: &[(&str, &str, u64)] = &[
    ("missing-location", "case-sensitive-filter", 1),
    ("missing-location", "case-variant-duplicate", 2),
    ("missing-location", "deactivated-404", 3),
    ("missing-location", "bogus-id-400", 4),
    ("missing-location", "zero-based-paging", 5),
    ("test-domain-emails-refused", "case-sensitive-filter", 6),
    ("test-domain-emails-refused", "case-variant-duplicate", 7),
    ("test-domain-emails-refused", "deactivated-404", 8),
    ("test-domain-emails-refused", "bogus-id-400", 9),
    ("test-domain-emails-refused", "zero-based-paging", 10),
    (
        "unadvertised-extension-dropped",
        "case-variant-duplicate",
        11,
    ),
    ("unadvertised-extension-dropped", "deactivated-404", 12),
    ("unadvertised-extension-dropped", "put-merges", 13),
    ("unadvertised-extension-dropped", "lowercased-storage", 14),
    ("extra-required-attribute", "case-sensitive-filter", 15),
    ("extra-required-attribute", "bogus-id-400", 16),
    ("extra-required-attribute", "duplicate-upsert", 17),
    ("extra-required-attribute", "wrong-total", 18),
    ("patch-path-501", "deactivation-lost", 19),
    ("patch-path-501", "case-variant-duplicate", 20),
    ("patch-path-501", "bogus-id-400", 21),
    ("patch-path-501", "group-rename-ignored", 22),
    ("sw-refused", "case-sensitive-filter", 23),
    ("sw-refused", "deactivated-404", 24),
    ("sw-refused", "delete-200-body", 25),
    ("sw-refused", "count-ignored", 26),
    ("display-name-derived", "put-merges", 27),
    ("display-name-derived", "case-variant-duplicate", 28),
    ("display-name-derived", "group-rename-ignored", 29),
];

fn ids_for<'t>(table: &'t [(&str, &'t [&str])], fault: &str) -> &'t [&'t str] {
    table
        .iter()
        .find(|(name, _)| *name == fault)
        .map(|(_, ids)| *ids)
        .unwrap_or_else(|| panic!("{fault} is not in the table"))
}

/// One blocking finding a run reported, and whether the exchange that shows it is a PATCH
/// answered 501 (the patch-path-501 defect, whichever check met it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Seen {
    id: String,
    patch_501: bool,
}

/// The distinct blocking findings one run reported: failures, discovery findings, a leak.
fn reported(summary: &SearchSummary) -> Vec<Seen> {
    let plain = |id: &str| Seen {
        id: id.to_string(),
        patch_501: false,
    };
    let mut seen: Vec<Seen> = summary
        .failures
        .iter()
        .map(|failure| Seen {
            id: failure.check_id.clone(),
            patch_501: blocking_call(failure)
                .is_some_and(|call| call.request.method == "PATCH" && call.response.status == 501),
        })
        .chain(
            summary
                .discovery
                .iter()
                .filter(|d| d.finding.is_blocking())
                .map(|d| plain(&d.finding.check_id)),
        )
        .chain(
            summary
                .leftover
                .iter()
                .filter(|f| f.is_blocking())
                .map(|f| plain(&f.check_id)),
        )
        .collect();
    seen.sort();
    seen.dedup();
    seen
}

/// The exchange that shows a failure's first blocking finding.
fn blocking_call(failure: &Failure) -> Option<&Call> {
    let step = failure
        .minimal
        .steps
        .iter()
        .find(|step| step.findings.iter().any(|f| f.is_blocking()))?;
    let finding = step.findings.iter().find(|f| f.is_blocking())?;
    step.calls.get(finding.call_index)
}

/// What one pair's run reported beyond A's and B's defects (`b_alone`: what B alone reports with
/// the same seed, since a default run finds up to five distinct defects of one fault), and what
/// it missed.
fn judge_pair(a: &str, b: &str, found: &[Seen], b_alone: &[Seen]) -> Vec<String> {
    let a_ids = ids_for(PARTIAL, a);
    let b_ids = ids_for(EXPECTED, b);
    let is_a = |s: &Seen| a_ids.contains(&s.id.as_str()) || (a == "patch-path-501" && s.patch_501);
    let is_b = |s: &Seen| b_ids.contains(&s.id.as_str()) || b_alone.iter().any(|o| o.id == s.id);
    let mut problems = Vec::new();
    if !a_ids.is_empty() && !found.iter().any(is_a) {
        problems.push(format!("A's defect missing (one of {a_ids:?})"));
    }
    if !found.iter().any(|s| b_ids.contains(&s.id.as_str())) {
        problems.push(format!("B's defect missing (one of {b_ids:?})"));
    }
    // No pair holds slow-responses: the in-process server answers in about a millisecond, so a
    // 600 ms answer is this loaded test machine (four runs share two cores), not the pair.
    let machine = |s: &Seen| s.id == "latency.okta-600ms";
    let stray: Vec<&str> = found
        .iter()
        .filter(|s| !is_a(s) && !is_b(s) && !machine(s))
        .map(|s| s.id.as_str())
        .collect();
    if !stray.is_empty() {
        problems.push(format!("reported beyond A and B: {stray:?}"));
    }
    problems
}

struct PairRun {
    a: &'static str,
    b: &'static str,
    seed: u64,
    found: Vec<Seen>,
    problems: Vec<String>,
    first_blocking: Option<String>,
    seconds: f64,
}

/// One default run with `faults` and `seed`.
fn default_run(faults: &[&str], seed: u64) -> SearchSummary {
    let faults: Vec<Fault> = faults
        .iter()
        .map(|name| name.parse().expect("a fault name"))
        .collect();
    let config = SearchConfig {
        seed,
        // A bound for CI only; the default run has none.
        time_limit: Some(Duration::from_secs(60)),
        ..SearchConfig::default()
    };
    fuzz_embedded_as("okta", &faults, config)
}

fn run_pair(a: &'static str, b: &'static str, seed: u64) -> PairRun {
    let started = Instant::now();
    let summary = default_run(&[a, b], seed);
    let found = reported(&summary);
    let mut problems = judge_pair(a, b, &found, &[]);
    if problems.iter().any(|p| p.starts_with("reported beyond")) {
        // Only then is B's own run needed, to tell B's side findings from A's.
        let b_alone = reported(&default_run(&[b], seed));
        problems = judge_pair(a, b, &found, &b_alone);
    }
    let first_blocking = summary.failures.first().and_then(|f| {
        f.minimal.first_blocking().map(|x| {
            format!(
                "{}: expected {}; got {}",
                x.check_id,
                x.expected,
                shorten(&x.actual)
            )
        })
    });
    PairRun {
        a,
        b,
        seed,
        found,
        problems,
        first_blocking,
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn shorten(text: &str) -> String {
    let short: String = text.chars().take(160).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

#[test]
fn one_default_run_reports_both_defects_of_every_pair_and_nothing_the_rfc_allows() {
    assert!(PAIRS.len() >= 20);
    for (a, _) in PARTIAL {
        assert!(a.parse::<Fault>().is_ok(), "{a}");
        let paired = PAIRS.iter().any(|(pa, _, _)| pa == a);
        assert!(paired != NOT_YET_PAIRED.contains(a), "{a} is in a pair");
    }
    let threads = 4;
    let handles: Vec<_> = (0..threads)
        .map(|worker| {
            std::thread::spawn(move || {
                PAIRS
                    .iter()
                    .skip(worker)
                    .step_by(threads)
                    .map(|(a, b, seed)| run_pair(a, b, *seed))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let runs: Vec<PairRun> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("a pair thread"))
        .collect();
    let mut problems = Vec::new();
    for run in &runs {
        let ids: Vec<&str> = run.found.iter().map(|s| s.id.as_str()).collect();
        eprintln!(
            "  {:<31} + {:<24} seed {:>2} {:>5.1}s {} {ids:?}",
            run.a,
            run.b,
            run.seed,
            run.seconds,
            if run.problems.is_empty() {
                "ok  "
            } else {
                "FAIL"
            },
        );
        if !run.problems.is_empty() {
            problems.push(format!(
                "--fault {} --fault {} --seed {}: {}; first blocking: {}",
                run.a,
                run.b,
                run.seed,
                run.problems.join("; "),
                run.first_blocking.as_deref().unwrap_or("-")
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} pairs:\n{}",
        problems.len(),
        runs.len(),
        problems.join("\n")
    );
}

/// The command line takes two faults, and one run reports both defects.
#[test]
fn the_cli_runs_the_embedded_server_with_two_faults() {
    let output = Command::new(env!("CARGO_BIN_EXE_scimfuzz"))
        .args([
            "fuzz",
            "--fault",
            "missing-location",
            "--fault",
            "bogus-id-400",
            "--seed",
            "4",
        ])
        .env_remove("SCIMFUZZ_AUTH")
        .env_remove("SCIM_AUTH")
        .env_remove("SCIM_BASE_URL")
        .output()
        .expect("scimfuzz runs");
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("create.location") && shown.contains("error.not-found-404"),
        "{shown}"
    );
}
