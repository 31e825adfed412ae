//! Repro scripts are tests (issue 12 item 2): for every fault of the reference server that is a
//! defect, the curl script of the first finding exits 1 against a server with that fault and 0
//! against a clean one. Faults that show only on some requests get up to three tries.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use scimfuzz::cli::reference::clean_run;
use scimfuzz::driver::{Driver, Namespaces, Target};
use scimfuzz::fuzz::{
    discover, load_behaviour, search, RunSetup, SearchConfig, Trace, TraceOrigin,
};
use scimfuzz::report::curl::render_curl_script;
use scimfuzz::server::{spawn_on_thread, Fault, RunningServer, ServerConfig};

use super::fuzz_faults::EXPECTED;

/// Faults that show only on some requests (counters, timing).
const FLAKY: &[&str] = &[
    "sporadic-500",
    "lost-write",
    "duplicate-race",
    "group-lost-update",
    "unstable-order",
];

/// Faults whose scripts cannot judge yet, and why (each goes by the recorded status alone).
const NOT_JUDGED: &[(&str, &str)] = &[
    (
        "patch-stale-response",
        "the reference server answers the PATCH 204 where the fault answers 200 with a stale body",
    ),
    (
        "create-stored-500",
        "its minimal case is one create, and only one create in every three of a server fails: \
         the script's one create on a fresh server may well succeed",
    ),
];

/// Faults found only before the search (discovery and the capability probes): their findings
/// carry the exchange that shows them, but no case fails, so there is no sequence to script.
const DISCOVERY_ONLY: &[&str] = &[
    "extra-required-attribute",
    "sort-ignored",
    "bulk-id-unresolved",
];

/// Faults that only a profile other than okta exercises.
const PROFILE_FOR: &[(&str, &str)] = &[
    ("string-boolean-truthy", "entra"),
    ("error-status-number", "rfc-strict"),
];

/// The script of the first finding of a default search against `fault`, or `None` when the
/// fault shows only in discovery (no case fails).
fn script_for(fault: Fault) -> Option<String> {
    let profile = PROFILE_FOR
        .iter()
        .find(|(name, _)| *name == fault.name())
        .map_or("okta", |(_, profile)| profile);
    let server = spawn_on_thread(ServerConfig::with_faults([fault])).expect("a server");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let driver = Driver::new(Target::new(server.base_url(), Some(server.authorization())))
        .expect("a driver");
    let mut setup = RunSetup::new(
        load_behaviour(profile).expect("a profile"),
        SearchConfig::default().gen.max_ops,
        true,
        true,
    );
    let namespaces = Namespaces::new();
    let discovery = discover(&driver, &runtime, namespaces.run_prefix(), &setup.grading)
        .expect("discovery answers");
    setup.adopt(&discovery);
    if fault != Fault::SlowResponses {
        // A busy test machine is not what these scripts are about.
        setup.check_rules.latency_budget_ms = None;
    }
    let config = SearchConfig {
        seed: 7,
        max_failures: 1,
        gen: setup.gen.clone(),
        time_limit: Some(Duration::from_secs(90)),
        ..SearchConfig::default()
    };
    let summary = search(
        &setup.executor(&driver, &runtime),
        &namespaces,
        &config,
        &|_| {},
    )
    .expect("the server answers");
    let origin = TraceOrigin {
        seed: 7,
        profile: profile.to_string(),
        target: server.base_url().to_string(),
        embedded_faults: vec![fault.name().to_string()],
    };
    let authorization = server.authorization();
    server.shutdown();
    let trace = Trace::from_failure(summary.failures.first()?, &origin)?;
    let clean = clean_run(&setup, &runtime, &trace);
    let token = authorization.trim_start_matches("Bearer ");
    let script = render_curl_script(&trace, clean.as_ref());
    assert!(
        !script.contains(token),
        "{}: the script holds no credential",
        fault.name()
    );
    Some(script)
}

/// Runs `script` against `server`; its exit code and output.
fn run_script(script: &Path, server: &RunningServer) -> (i32, String) {
    let output = Command::new("sh")
        .arg(script)
        .env("SCIM_BASE_URL", server.base_url())
        .env("SCIM_AUTH", server.authorization())
        .output()
        .expect("sh runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

fn verdict_lines(output: &str) -> String {
    output
        .lines()
        .skip_while(|line| !line.starts_with("== verdict"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_fault(fault: Fault, dir: &Path) -> Result<&'static str, String> {
    let name = fault.name();
    if let Some((_, why)) = NOT_JUDGED.iter().find(|(known, _)| *known == name) {
        eprintln!("repro script of {name} not judged: {why}");
        return Ok("not judged");
    }
    let Some(script) = script_for(fault) else {
        return Ok("no failing case");
    };
    let path = dir.join(format!("{name}.sh"));
    std::fs::write(&path, &script).expect("the script is written");
    // A flaky fault gets a fresh server per try, with 0, 1, 2, 3 requests before the script, so a
    // counter-driven fault meets the script's requests at every offset.
    let tries = if FLAKY.contains(&name) { 4 } else { 1 };
    let mut last = String::new();
    let reproduced = (0..tries).any(|attempt| {
        let faulty = spawn_on_thread(ServerConfig::with_faults([fault])).expect("a server");
        for _ in 0..attempt {
            let _ = Command::new("curl")
                .args(["-s", "-o", "/dev/null"])
                .arg(format!("{}/ServiceProviderConfig", faulty.base_url()))
                .status();
        }
        let (code, output) = run_script(&path, &faulty);
        faulty.shutdown();
        last = format!("exit {code}\n{}", verdict_lines(&output));
        code == 1
    });
    if !reproduced {
        return Err(format!("{name}: against the fault: {last}"));
    }
    let clean = spawn_on_thread(ServerConfig::default()).expect("a server");
    let (code, output) = run_script(&path, &clean);
    clean.shutdown();
    if code != 0 {
        return Err(format!(
            "{name}: against a clean server: exit {code}\n{}",
            verdict_lines(&output)
        ));
    }
    Ok("ok")
}

#[test]
fn every_fault_script_fails_against_the_fault_and_passes_against_a_clean_server() {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("skipped repro script table: curl is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("scimfuzz-repro-table-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let faults: Vec<Fault> = EXPECTED
        .iter()
        .map(|(name, _)| name.parse().expect("a fault name"))
        .collect();
    let threads = 3;
    let handles: Vec<_> = (0..threads)
        .map(|worker| {
            let mine: Vec<Fault> = faults
                .iter()
                .copied()
                .skip(worker)
                .step_by(threads)
                .collect();
            let dir = dir.clone();
            std::thread::spawn(move || {
                mine.into_iter()
                    .map(|fault| (fault, check_fault(fault, &dir)))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .flat_map(|handle| handle.join().expect("a worker"))
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    let checked = results
        .iter()
        .filter(|(_, r)| matches!(r, Ok("ok")))
        .count();
    let problems: Vec<&String> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    eprintln!(
        "repro scripts: {checked} of {} faults checked both ways, {} problem(s)",
        results.len(),
        problems.len()
    );
    assert!(
        problems.is_empty(),
        "{} scripts do not judge right:\n{}",
        problems.len(),
        problems
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    let without: Vec<&str> = results
        .iter()
        .filter(|(_, r)| matches!(r, Ok("no failing case")))
        .map(|(fault, _)| fault.name())
        .collect();
    eprintln!("repro scripts: no failing case (discovery findings only) for {without:?}");
    assert!(
        without.iter().all(|fault| DISCOVERY_ONLY.contains(fault)),
        "only the discovery-only faults may lack a failing case: {without:?}"
    );
    assert!(
        checked + NOT_JUDGED.len() + without.len() == faults.len(),
        "every fault but those named has a script that judges ({checked} of {})",
        faults.len()
    );
}
