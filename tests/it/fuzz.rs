//! `scimfuzz fuzz` as a library: no false positives on the clean reference server, determinism of
//! the search, and the helpers the fault table and CLI tests share.

use scimfuzz::driver::{Driver, Namespaces, Target};
use scimfuzz::fuzz::{
    advertised_but_refused, discover, first_sequences, load_behaviour, probe_capabilities, search,
    RunSetup, SearchConfig, SearchSummary,
};
use scimfuzz::server::{spawn_on_thread, Fault, ServerConfig};

/// Runs a search against a fresh embedded server with `faults`, judged by the okta profile.
pub fn fuzz_embedded(faults: &[Fault], config: SearchConfig) -> SearchSummary {
    fuzz_embedded_as("okta", faults, config)
}

/// Runs a search against a fresh embedded server with `faults`, judged by `profile`.
pub fn fuzz_embedded_as(profile: &str, faults: &[Fault], config: SearchConfig) -> SearchSummary {
    fuzz_server_as(
        profile,
        ServerConfig::with_faults(faults.iter().copied()),
        config,
    )
}

/// Runs a search against a fresh embedded server started with `server`, judged by `profile`.
pub fn fuzz_server_as(profile: &str, server: ServerConfig, config: SearchConfig) -> SearchSummary {
    // Latency is judged only where the server is made slow on purpose: on a loaded test machine a
    // correct server's answer can take over 600 ms, and a test must not depend on timing.
    let judge_latency = server.faults.contains(&Fault::SlowResponses);
    let server = spawn_on_thread(server).expect("the embedded server starts");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let driver = Driver::new(Target::new(server.base_url(), Some(server.authorization())))
        .expect("a driver");
    let mut setup = RunSetup::new(
        load_behaviour(profile).expect("a built-in profile"),
        config.gen.max_ops,
        true,
        true,
    );
    if !judge_latency {
        setup.check_rules.latency_budget_ms = None;
    }
    let namespaces = Namespaces::new();
    let mut discovery = discover(&driver, &runtime, namespaces.run_prefix(), &setup.grading)
        .expect("the server answers discovery");
    setup.adopt(&discovery);
    let context = setup.probe_context(&driver, &runtime, namespaces.run_prefix());
    let probed =
        probe_capabilities(&context, &discovery).expect("the server answers the capability probes");
    discovery.findings.extend(probed);
    let exec = setup.executor(&driver, &runtime);
    let config = SearchConfig {
        gen: setup.gen.clone(),
        ..config
    };
    let mut summary =
        search(&exec, &namespaces, &config, &|_| {}).expect("the server keeps answering");
    summary.discovery = discovery.findings.clone();
    summary
        .discovery
        .extend(advertised_but_refused(&discovery, &summary, &setup.grading));
    server.shutdown();
    summary
}

fn describe(summary: &SearchSummary) -> String {
    summary
        .failures
        .iter()
        .map(|f| {
            let ops: Vec<String> = f.minimal.ops().iter().map(|op| format!("{op:?}")).collect();
            let finding = f
                .minimal
                .first_blocking()
                .map(|x| format!("{} expected {} got {}", x.check_id, x.expected, x.actual));
            format!("{finding:?} after {ops:?}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_clean_reference_server_has_no_findings_over_twenty_four_seeds() {
    let seeds: Vec<u64> = (1..=24).collect();
    let handles: Vec<_> = seeds
        .chunks(6)
        .map(|chunk| {
            let chunk = chunk.to_vec();
            std::thread::spawn(move || {
                chunk
                    .into_iter()
                    .map(|seed| {
                        (
                            seed,
                            fuzz_embedded(
                                &[],
                                SearchConfig {
                                    seed,
                                    cases: 120,
                                    ..SearchConfig::default()
                                },
                            ),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for handle in handles {
        for (seed, summary) in handle.join().expect("a fuzz thread") {
            assert!(
                summary.failures.is_empty(),
                "seed {seed}:\n{}",
                describe(&summary)
            );
            assert!(
                summary.notes.is_empty() && summary.discovery.is_empty(),
                "seed {seed}: notes {:?}, discovery {:?}",
                summary.notes,
                summary.discovery
            );
            assert!(
                summary.requests > 500,
                "seed {seed} sent only {} requests",
                summary.requests
            );
            assert!(
                summary.ops_skipped * 10 < summary.ops_run,
                "seed {seed}: {} drawn ops skipped, {} run: the resolver wastes too many",
                summary.ops_skipped,
                summary.ops_run
            );
            let membership = summary.op_kinds.get("patch-members").copied();
            assert!(
                membership.unwrap_or(0) >= 40,
                "seed {seed}: only {membership:?} membership changes in 120 cases"
            );
        }
    }
}

/// The profiles that send Entra's string booleans (`entra` must accept them, `rfc-strict` may
/// refuse them) and probe removes of absent values find nothing wrong with the clean server.
#[test]
fn the_clean_reference_server_has_no_findings_under_rfc_strict_and_entra() {
    let handles: Vec<_> = [
        ("rfc-strict", 31u64),
        ("entra", 32),
        ("rfc-strict", 33),
        ("entra", 34),
    ]
    .into_iter()
    .map(|(profile, seed)| {
        std::thread::spawn(move || {
            let config = SearchConfig {
                seed,
                cases: 120,
                ..SearchConfig::default()
            };
            (profile, seed, fuzz_embedded_as(profile, &[], config))
        })
    })
    .collect();
    for handle in handles {
        let (profile, seed, summary) = handle.join().expect("a fuzz thread");
        assert!(
            summary.failures.is_empty() && summary.notes.is_empty() && !summary.has_findings(),
            "{profile} seed {seed}:\n{}\nnotes {:?}\ndiscovery {:?}",
            describe(&summary),
            summary.notes,
            summary.discovery
        );
        let kinds = &summary.op_kinds;
        assert!(kinds.contains_key("remove-absent"), "{profile}: {kinds:?}");
        assert!(
            kinds.contains_key("set-active-string"),
            "{profile}: {kinds:?}"
        );
    }
}

#[test]
fn the_same_seed_draws_the_same_sequences_and_another_seed_does_not() {
    let config = |seed| SearchConfig {
        seed,
        ..SearchConfig::default()
    };
    let first = first_sequences(&config(42), 20);
    assert_eq!(first, first_sequences(&config(42), 20));
    assert_ne!(first, first_sequences(&config(43), 20));
}

#[test]
fn the_same_seed_against_the_same_server_gives_the_same_findings() {
    let run = || {
        fuzz_embedded(
            &[Fault::CaseVariantDuplicate],
            SearchConfig {
                seed: 9,
                cases: 150,
                ..SearchConfig::default()
            },
        )
    };
    let (one, two) = (run(), run());
    let ids = |s: &SearchSummary| {
        s.failures
            .iter()
            .map(|f| (f.check_id.clone(), f.minimal.ops()))
            .collect::<Vec<_>>()
    };
    assert!(!one.failures.is_empty());
    assert_eq!(ids(&one), ids(&two));
}

/// Shrinking that runs out of `max_shrink_time` reports the shortest sequence found so far and
/// says so. Every request of `slow-responses` takes over 600 ms, so one second of shrinking a
/// drawn case (the directed pass and races left out: their cases are short) runs out.
#[test]
fn shrinking_that_hits_its_time_limit_says_so_and_still_reports_the_finding() {
    let config = SearchConfig {
        seed: 1,
        cases: 3,
        race_cases: 0,
        directed: false,
        max_failures: 1,
        max_shrink_time: std::time::Duration::from_secs(1),
        time_limit: Some(std::time::Duration::from_secs(10)),
        ..SearchConfig::default()
    };
    let summary = fuzz_embedded(&[Fault::SlowResponses], config);
    let failure = summary.failures.first().expect("the latency defect");
    assert_eq!(failure.check_id, "latency.okta-600ms");
    assert!(failure.shrink_cut_short, "{}", describe(&summary));
    let shown = scimfuzz::report::fuzz_text::render_fuzz_text(&summary, "scimfuzz fuzz");
    assert!(
        shown.contains("shrinking stopped at its time limit"),
        "{shown}"
    );
    assert!(
        shown.contains("the server is slow (latency.okta-600ms)"),
        "{shown}"
    );
}
