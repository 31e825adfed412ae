//! Every fault of the reference server that is a defect is found by the default budget with each
//! of seeds 1–3, with the check id that names the broken rule, and shrinks to a short sequence.
//! (Faults and seeds run in parallel threads.)

use std::time::Duration;

use scimfuzz::fuzz::SearchConfig;
use scimfuzz::server::Fault;

use super::fuzz::fuzz_embedded_as;

/// Fault → the check ids that correctly name it (the first one is the most specific).
pub const EXPECTED: &[(&str, &[&str])] = &[
    (
        "case-sensitive-filter",
        &["filter.username-case-insensitive", "filter.missing-match"],
    ),
    ("lowercased-storage", &["resource.username-case-preserved"]),
    ("case-variant-duplicate", &["uniqueness.duplicate-409"]),
    ("duplicate-upsert", &["uniqueness.duplicate-409"]),
    ("duplicate-200", &["uniqueness.duplicate-409"]),
    ("rename-duplicate", &["uniqueness.modify-409"]),
    ("bogus-id-400", &["error.not-found-404"]),
    ("bogus-id-500", &["error.not-found-404"]),
    ("create-200", &["status.create-201"]),
    ("delete-200-body", &["delete.status-204"]),
    ("missing-location", &["create.location"]),
    ("error-no-schemas", &["error.body"]),
    ("error-status-number", &["error.status-string"]),
    ("html-500", &["error.invalid-syntax-400"]),
    ("unauthorized-empty", &["error.body"]),
    (
        "zero-based-paging",
        &["list.start-index", "list.page-size", "list.stable-paging"],
    ),
    ("count-ignored", &["list.page-size"]),
    ("wrong-total", &["list.total-results"]),
    ("unstable-order", &["list.stable-paging"]),
    ("string-totals", &["list.shape"]),
    (
        "filter-ignored",
        &["filter.unexpected-match", "list.total-results"],
    ),
    (
        "and-as-or",
        &["filter.unexpected-match", "list.total-results"],
    ),
    (
        "co-as-sw",
        &[
            "filter.missing-match",
            "list.total-results",
            "filter.unexpected-match",
        ],
    ),
    (
        "emails-filter-first-only",
        &["filter.missing-match", "list.total-results"],
    ),
    ("no-match-404", &["filter.no-match-200"]),
    ("pathless-patch-rejected", &["patch.pathless-replace"]),
    ("replace-appends", &["group.membership"]),
    (
        "remove-filter-removes-all",
        &["group.membership", "patch.remove-absent"],
    ),
    ("remove-absent-500", &["patch.remove-absent"]),
    (
        "add-duplicates-values",
        &["patch.add-existing", "group.membership"],
    ),
    ("string-boolean-truthy", &["patch.string-boolean"]),
    ("patch-not-atomic", &["patch.atomic"]),
    (
        "patch-stale-response",
        &["patch.result", "group.membership", "group.display-name"],
    ),
    ("patch-op-case-sensitive", &["patch.op-case-insensitive"]),
    ("put-merges", &["put.result"]),
    ("put-rejects-readonly", &["put.readonly-echo-accepted"]),
    ("put-drops-extension", &["put.result"]),
    ("deactivation-lost", &["patch.result", "put.result"]),
    (
        "deactivated-404",
        &[
            "lifecycle.deactivated-readable",
            "filter.missing-match",
            "list.total-results",
        ],
    ),
    (
        "reactivation-new-id",
        &[
            "resource.id-stable",
            "list.total-results",
            "filter.missing-match",
        ],
    ),
    ("member-removal-ignored", &["group.membership"]),
    ("group-rename-ignored", &["group.display-name"]),
    (
        "deleted-user-kept-in-groups",
        &["group.deleted-member-removed"],
    ),
    ("duplicate-race", &["race.duplicate-create"]),
    ("group-lost-update", &["race.group-lost-update"]),
    (
        "lost-write",
        &[
            "consistency.read-your-writes",
            "uniqueness.duplicate-409",
            "filter.missing-match",
            "list.total-results",
        ],
    ),
    (
        "create-stored-500",
        &[
            "status.no-5xx",
            "uniqueness.duplicate-409",
            "list.total-results",
            "filter.unexpected-match",
        ],
    ),
    ("slow-responses", &["latency.okta-600ms"]),
    ("invalid-filter-evaluated", &["filter.invalid-400"]),
    ("truncated-json", &["media.json-body"]),
    ("wrong-content-type", &["media.content-type"]),
    (
        "sporadic-500",
        &[
            "status.no-5xx",
            "uniqueness.duplicate-409",
            "list.total-results",
            "error.not-found-404",
        ],
    ),
    ("scim-json-rejected", &["media.scim-json-accepted"]),
    ("password-returned", &["resource.password-not-returned"]),
    ("etag-ignored", &["etag.if-match-412"]),
    // Partial servers: a requirement beyond RFC 7643 and an advertised PATCH that does not work.
    (
        "extra-required-attribute",
        &["discovery.required-beyond-rfc", "status.expected"],
    ),
    (
        "patch-path-501",
        &["discovery.capability-works", "status.no-5xx"],
    ),
    // Capabilities advertised in /ServiceProviderConfig that do not work (the capability probes).
    ("sort-ignored", &["discovery.capability-works"]),
    ("bulk-id-unresolved", &["discovery.capability-works"]),
    // A validator that crashes where it may refuse (400 invalidValue is allowed, 500 is not).
    ("unicode-email-500", &["status.no-5xx"]),
];

/// Partial-server faults RFC 7644 allows (an unsupported extension ignored, an unsupported
/// operator refused, a strict email validator, a displayName declared readOnly and derived):
/// not defects, so not in [`EXPECTED`].
const RFC_ALLOWED: &[&str] = &[
    "unadvertised-extension-dropped",
    "sw-refused",
    "test-domain-emails-refused",
    "display-name-derived",
];

/// Faults that show only on some requests (counters, timing): their shrinking is
/// limited by how often a candidate reproduces, so their sequences may stay longer.
const FLAKY: &[&str] = &[
    "sporadic-500",
    "lost-write",
    "create-stored-500",
    "duplicate-race",
    "group-lost-update",
];

/// Faults that only a profile other than okta exercises: Okta never sends string booleans.
pub const PROFILE_FOR: &[(&str, &str)] = &[("string-boolean-truthy", "entra")];

/// The profile a fault's runs use.
pub fn profile_for(fault: Fault) -> &'static str {
    PROFILE_FOR
        .iter()
        .find(|(name, _)| *name == fault.name())
        .map_or("okta", |(_, profile)| profile)
}

/// The seeds every fault must be found with.
const SEEDS: [u64; 3] = [1, 2, 3];

struct Detection {
    fault: Fault,
    seed: u64,
    check_id: Option<String>,
    minimal_len: usize,
    seconds_to_detect: f64,
    seconds_to_shrink: f64,
}

fn detect((fault, seed): (Fault, u64)) -> Detection {
    let config = SearchConfig {
        seed,
        max_failures: 1,
        time_limit: Some(Duration::from_secs(90)),
        ..SearchConfig::default()
    };
    let summary = fuzz_embedded_as(profile_for(fault), &[fault], config);
    let first = summary.failures.first();
    // Discovery runs before the search: a blocking discovery finding is the first one reported.
    let discovered = |blocking: bool| {
        summary
            .discovery
            .iter()
            .find(|d| d.finding.is_blocking() == blocking)
            .map(|d| d.finding.check_id.clone())
    };
    let note = summary.notes.first().map(|n| n.check_id.clone());
    Detection {
        fault,
        seed,
        check_id: discovered(true)
            .or_else(|| first.map(|f| f.check_id.clone()))
            .or_else(|| discovered(false))
            .or(note),
        minimal_len: first.map_or(0, |f| f.minimal.steps.len()),
        seconds_to_detect: first.map_or(0.0, |f| f.seconds_to_detect),
        seconds_to_shrink: first.map_or(0.0, |f| f.seconds_to_shrink),
    }
}

#[test]
fn every_fault_is_detected_with_the_right_check_id_and_a_short_sequence() {
    fault_table(&SEEDS);
}

/// The same table with seeds 4–10 (392 runs: minutes, so not in CI; figures in the README).
#[test]
#[ignore = "long (the fault table x 7 seeds); run by hand: cargo test --release --test it fuzz_faults::seeds_4_to_10 -- --ignored --nocapture"]
fn seeds_4_to_10() {
    fault_table(&[4, 5, 6, 7, 8, 9, 10]);
}

/// Runs every fault with every seed of `seeds` (6 runs at a time), prints the table (check id,
/// shrunk length, time to detect) and asserts each fault was found with a right check id and
/// shrunk short.
fn fault_table(seeds: &[u64]) {
    let faults: Vec<Fault> = Fault::all()
        .iter()
        .copied()
        .filter(|fault| !RFC_ALLOWED.contains(&fault.name()))
        .collect();
    assert_eq!(
        faults.len(),
        EXPECTED.len(),
        "the table must name every fault that is a defect"
    );
    let runs: Vec<(Fault, u64)> = seeds
        .iter()
        .flat_map(|seed| faults.iter().map(move |fault| (*fault, *seed)))
        .collect();
    let threads = 6;
    let handles: Vec<_> = (0..threads)
        .map(|worker| {
            let mine: Vec<(Fault, u64)> =
                runs.iter().copied().skip(worker).step_by(threads).collect();
            std::thread::spawn(move || mine.into_iter().map(detect).collect::<Vec<_>>())
        })
        .collect();
    let detections: Vec<Detection> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("a fault thread"))
        .collect();
    let mut problems = Vec::new();
    let mut lengths = Vec::new();
    for detection in &detections {
        let name = detection.fault.name();
        let (_, wanted) = EXPECTED
            .iter()
            .find(|(fault, _)| *fault == name)
            .expect("in the table");
        match &detection.check_id {
            Some(id) if wanted.contains(&id.as_str()) => {
                if detection.minimal_len > 0 {
                    lengths.push(detection.minimal_len);
                }
                let bound = if FLAKY.contains(&name) { 14 } else { 8 };
                if detection.minimal_len > bound {
                    problems.push(format!(
                        "{name} (seed {}): shrunk to {} ops (bound {bound})",
                        detection.seed, detection.minimal_len
                    ));
                }
            }
            other => problems.push(format!(
                "{name} (seed {}): found {other:?}, wanted one of {wanted:?}",
                detection.seed
            )),
        }
    }
    lengths.sort_unstable();
    let median = lengths.get(lengths.len() / 2).copied().unwrap_or(0);
    let max = lengths.last().copied().unwrap_or(0);
    let mut times: Vec<f64> = detections.iter().map(|d| d.seconds_to_detect).collect();
    times.sort_by(f64::total_cmp);
    eprintln!(
        "fault table: {}/{} detected as failures (the rest as notes or not at all); shrunk length median {median}, max {max}; time to detect median {:.2}s, max {:.2}s",
        lengths.len(),
        detections.len(),
        times[times.len() / 2],
        times[times.len() - 1]
    );
    for d in &detections {
        eprintln!(
            "  {:<28} seed {} {:<36} len {} in {:.2}s, shrunk in {:.2}s",
            d.fault.name(),
            d.seed,
            d.check_id.as_deref().unwrap_or("-"),
            d.minimal_len,
            d.seconds_to_detect,
            d.seconds_to_shrink
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What RFC 7644 allows is not a defect: a default run against each RFC-allowed fault alone
/// reports nothing blocking (a note at most, such as `filter.sw-unsupported`).
#[test]
fn every_rfc_allowed_fault_gives_a_clean_run() {
    let handles: Vec<_> = RFC_ALLOWED
        .iter()
        .map(|name| {
            let fault: Fault = name.parse().expect("a fault name");
            std::thread::spawn(move || {
                let config = SearchConfig {
                    seed: 7,
                    time_limit: Some(Duration::from_secs(90)),
                    ..SearchConfig::default()
                };
                (fault, fuzz_embedded_as("okta", &[fault], config))
            })
        })
        .collect();
    let mut problems = Vec::new();
    for handle in handles {
        let (fault, summary) = handle.join().expect("a fault thread");
        let blocking: Vec<String> = summary
            .failures
            .iter()
            .map(|f| f.check_id.clone())
            .chain(
                summary
                    .discovery
                    .iter()
                    .filter(|d| d.finding.is_blocking())
                    .map(|d| d.finding.check_id.clone()),
            )
            .collect();
        let creates = summary.op_kinds.get("create-user").copied().unwrap_or(0);
        eprintln!("  {fault:<31} blocking {blocking:?}, {creates} user creates");
        if !blocking.is_empty() {
            problems.push(format!("{fault}: {blocking:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
