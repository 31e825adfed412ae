//! `scimfuzz okta`: Okta's suites run natively against the embedded reference server. A correct
//! server passes everything in both modes and is left as found; each fault Okta's rules catch
//! fails the checks named after those rules; and the native SPEC verdicts agree with running
//! Okta's own SPEC file through `runscope` on the same server.

use std::time::Duration;

use scimfuzz::conformance::okta::{run_okta, spec, Mode, OktaOptions, Session, SuiteKind};
use scimfuzz::conformance::outcome::{RunOutcome, SuiteResult};
use scimfuzz::conformance::runscope::{parse_export, run_export, RunOptions, Variables};
use scimfuzz::conformance::wire::Wire;
use scimfuzz::driver::{Driver, RequestSpec, Target};
use scimfuzz::server::{spawn_on_thread, Fault, RunningServer, ServerConfig};
use serde_json::Value;

use super::okta_files::{okta_file, okta_files};
use super::runscope::{forgive_timing, timing_only_failures};
use crate::bin;

fn server_with(faults: &[&str]) -> RunningServer {
    let faults: Vec<Fault> = faults
        .iter()
        .map(|name| name.parse().expect("a known fault"))
        .collect();
    spawn_on_thread(ServerConfig::with_faults(faults)).expect("server starts")
}

fn driver_for(server: &RunningServer) -> Driver {
    Driver::new(Target::new(server.base_url(), Some(server.authorization()))).expect("driver")
}

fn okta_on(server: &RunningServer, modes: &[Mode]) -> RunOutcome {
    let wire = Wire::new(Duration::from_secs(10)).expect("runtime");
    let options = OktaOptions {
        modes: modes.to_vec(),
        seed: 11,
        ..OktaOptions::default()
    };
    forgiving(run_okta(&wire, &driver_for(server), &options).expect("the run completes"))
}

/// The outcome with timing-only failures forgiven (see `runscope::forgive_timing`).
fn forgiving(mut outcome: RunOutcome) -> RunOutcome {
    outcome.suites = outcome.suites.into_iter().map(forgive_timing).collect();
    outcome
}

fn okta_with(faults: &[&str]) -> RunOutcome {
    okta_on(&server_with(faults), &[Mode::Oin, Mode::Aiw])
}

/// `(suite, step id)` of every failed check.
fn failures(outcome: &RunOutcome) -> Vec<(String, String)> {
    outcome
        .suites
        .iter()
        .flat_map(|suite| {
            suite
                .steps
                .iter()
                .filter(|step| step.verdict.is_failed())
                .map(|step| (suite.name.clone(), step.id.clone()))
        })
        .collect()
}

fn failed(outcome: &RunOutcome, suite: &str, id: &str) -> bool {
    failures(outcome)
        .iter()
        .any(|(name, step)| name == suite && step == id)
}

fn suite<'a>(outcome: &'a RunOutcome, name: &str) -> &'a SuiteResult {
    outcome
        .suite(name)
        .unwrap_or_else(|| panic!("no suite {name}"))
}

#[test]
fn a_correct_server_passes_every_suite_in_both_modes() {
    let outcome = okta_with(&[]);
    assert_eq!(failures(&outcome), Vec::<(String, String)>::new());
    let names: Vec<&str> = outcome.suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "SPEC",
            "CRUD (OIN: PATCH)",
            "CRUD (AIW: PUT)",
            "Group push (OIN: PATCH)",
            "Group push (AIW: PUT)",
            "Import",
            "Cleanup"
        ]
    );
    assert_eq!(
        suite(&outcome, "SPEC").tally().summary_line(),
        "13 passed, 0 failed"
    );
    assert_eq!(outcome.tally().skipped, 0);
}

#[test]
fn the_run_leaves_the_server_as_it_found_it() {
    let server = server_with(&[]);
    let outcome = okta_on(&server, &[Mode::Oin]);
    assert_eq!(outcome.tally().failed, 0);
    let wire = Wire::new(Duration::from_secs(10)).expect("runtime");
    let driver = driver_for(&server);
    for path in ["/Users", "/Groups"] {
        let call = wire.send(&driver, &RequestSpec::get(path)).expect("list");
        let body: Value = call.response.json().expect("JSON list");
        assert_eq!(body["totalResults"], 0, "{path} after the run: {body}");
    }
}

#[test]
fn one_mode_runs_only_that_modes_suites() {
    let outcome = okta_on(&server_with(&[]), &[Mode::Aiw]);
    assert!(outcome.suite("CRUD (AIW: PUT)").is_some());
    assert!(outcome.suite("CRUD (OIN: PATCH)").is_none());
    assert!(outcome.suite("Group push (OIN: PATCH)").is_none());
}

#[test]
fn a_rejected_pathless_patch_fails_oin_deactivation_but_not_aiw() {
    let outcome = okta_with(&["pathless-patch-rejected"]);
    assert!(failed(&outcome, "CRUD (OIN: PATCH)", "7"));
    assert!(failed(&outcome, "Group push (OIN: PATCH)", "g5"));
    assert_eq!(suite(&outcome, "CRUD (AIW: PUT)").tally().failed, 0);
}

#[test]
fn a_deactivated_user_that_404s_fails_crud_8_and_the_filter_check_in_both_modes() {
    let outcome = okta_with(&["deactivated-404"]);
    for crud in ["CRUD (OIN: PATCH)", "CRUD (AIW: PUT)"] {
        assert!(failed(&outcome, crud, "8"), "{crud}");
        assert!(failed(&outcome, crud, "8b"), "{crud}");
    }
    assert_eq!(suite(&outcome, "SPEC").tally().failed, 0);
}

#[test]
fn duplicate_upsert_fails_only_spec_step_8() {
    let outcome = okta_with(&["duplicate-upsert"]);
    assert_eq!(
        failures(&outcome),
        vec![("SPEC".to_string(), "8".to_string())]
    );
}

#[test]
fn bogus_id_400_fails_spec_steps_4_and_12() {
    let outcome = okta_with(&["bogus-id-400"]);
    assert!(failed(&outcome, "SPEC", "4"));
    assert!(failed(&outcome, "SPEC", "12"));
    let spec_failures = suite(&outcome, "SPEC").tally().failed;
    assert_eq!(spec_failures, 2);
}

#[test]
fn a_case_sensitive_filter_passes_okta_step_9_but_fails_the_stricter_rfc_check() {
    let outcome = okta_with(&["case-sensitive-filter"]);
    let spec = suite(&outcome, "SPEC");
    assert!(spec.step("9").expect("step 9").verdict.is_passed());
    assert!(failed(&outcome, "SPEC", spec::RFC_CASE_CHECK));
    assert_eq!(spec.tally().failed, 1);
}

#[test]
fn paging_faults_fail_the_import_checks_named_after_them() {
    let ignored = okta_with(&["count-ignored"]);
    assert!(failed(&ignored, "Import", "i1"), "count=2 probe");
    let unstable = okta_with(&["unstable-order"]);
    assert!(failed(&unstable, "Import", "i7"), "second walk");
    let wrong_total = okta_with(&["wrong-total"]);
    assert!(failed(&wrong_total, "Import", "i6"), "gaps");
}

#[test]
fn group_faults_fail_the_membership_and_rename_checks() {
    let removal = okta_with(&["remove-filter-removes-all"]);
    assert!(failed(&removal, "Group push (OIN: PATCH)", "g4"));
    assert_eq!(suite(&removal, "Group push (AIW: PUT)").tally().failed, 0);
    let rename = okta_with(&["group-rename-ignored"]);
    assert!(failed(&rename, "Group push (OIN: PATCH)", "g5"));
}

#[test]
fn lifecycle_faults_fail_the_crud_steps_they_break() {
    let new_id = okta_with(&["reactivation-new-id"]);
    assert!(failed(&new_id, "CRUD (OIN: PATCH)", "11"));
    let strict_put = okta_with(&["put-rejects-readonly"]);
    for crud in ["CRUD (OIN: PATCH)", "CRUD (AIW: PUT)"] {
        assert!(failed(&strict_put, crud, "5"), "{crud}");
    }
}

/// The verdict word of SPEC steps 1–12 from a runscope run and a native run on one server.
fn spec_verdicts_both_ways(dir: &std::path::Path, faults: &[&str]) -> (Vec<String>, Vec<String>) {
    let server = server_with(faults);
    let mut wire = Wire::new(Duration::from_secs(10)).expect("runtime");
    let driver = driver_for(&server);
    spec::ensure_listed_user(&mut Session::new(&wire, &driver, 3)).expect("seed");
    let mut vars = Variables::new();
    vars.set("SCIMBaseURL", server.base_url());
    vars.set("auth", server.authorization());
    let text =
        std::fs::read_to_string(okta_file(dir, "Okta-SCIM-20-SPEC-Test.json")).expect("file");
    let script =
        std::fs::read_to_string(okta_file(dir, "Initial_Script_Spec.txt")).expect("script");
    let options = RunOptions {
        pauses: false,
        initial_script: Some(script),
    };
    let export = parse_export(&text).expect("parses");
    let runscope =
        forgive_timing(run_export(&export, &mut vars, &options, &mut wire).expect("runs"));
    let native = okta_on(&server, &[Mode::Oin]);
    let words = |suite: &SuiteResult| -> Vec<String> {
        (1..=12)
            .map(|n| {
                let step = suite.step(&n.to_string()).expect("step present");
                format!("{n}:{}", step.verdict.word())
            })
            .collect()
    };
    (words(&runscope), words(suite(&native, "SPEC")))
}

#[test]
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn okta_files_spec_steps_agree_with_okta_with_and_without_faults() {
    let Some(dir) = okta_files() else {
        return;
    };
    for faults in [
        &[][..],
        &["duplicate-upsert"],
        &["bogus-id-400"],
        &["unauthorized-empty"],
        &["error-no-schemas"],
        &["no-match-404"],
        &["create-200", "lowercased-storage"],
        &["case-sensitive-filter"],
    ] {
        let (runscope, native) = spec_verdicts_both_ways(&dir, faults);
        assert_eq!(runscope, native, "faults {faults:?}");
    }
    let (runscope, _) = spec_verdicts_both_ways(&dir, &["error-no-schemas"]);
    assert!(runscope.contains(&"4:fail".to_string()), "{runscope:?}");
}

#[test]
fn the_binary_passes_a_correct_server_and_writes_a_redacted_json_report() {
    let server = server_with(&[]);
    let report = std::env::temp_dir().join(format!("scimfuzz-okta-{}.json", std::process::id()));
    let auth = server.authorization();
    let (code, stdout, stderr) = bin::run_split(&[
        "okta",
        "--target",
        server.base_url(),
        "--auth",
        &auth,
        "--report-json",
        report.to_str().unwrap(),
    ]);
    let slow = timing_only_failures(&stdout);
    assert_eq!(code, if slow == 0 { 0 } else { 1 }, "{stdout}{stderr}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.ends_with(&format!(" passed, {slow} failed")), "{last}");
    let json = std::fs::read_to_string(&report).expect("report written");
    let _ = std::fs::remove_file(&report);
    assert!(
        !json.contains(server.token()),
        "the token leaked into the report"
    );
    assert!(
        json.contains("Bearer ***"),
        "the Authorization header is shown masked"
    );
    let document: Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(document["summary"], last);
}

#[test]
fn the_binary_exits_1_with_the_failing_exchange_shown() {
    let junit = std::env::temp_dir().join(format!("scimfuzz-okta-{}.xml", std::process::id()));
    let (code, stdout, _) = bin::run_split(&[
        "okta",
        "--mode",
        "oin",
        "--fault",
        "bogus-id-400",
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stdout}");
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let _ = std::fs::remove_file(&junit);
    let failures = 2 + timing_only_failures(&stdout);
    let wanted = format!("<testsuite name=\"SPEC\" tests=\"13\" failures=\"{failures}\"");
    assert!(xml.contains(&wanted), "{xml}");
    assert!(stdout.contains("FAIL      4  Required Test: Test invalid User by ID — status equal_number: expected 404, got 400"), "{stdout}");
    assert!(
        stdout.contains("> GET http://127.0.0.1:"),
        "the exchange is shown: {stdout}"
    );
}

#[test]
fn the_binary_exits_3_when_the_target_is_unreachable_or_rejects_the_credentials() {
    let (code, _, stderr) = bin::run_split(&[
        "okta",
        "--target",
        "http://127.0.0.1:1/scim/v2",
        "--auth",
        "Bearer x",
    ]);
    assert_eq!(code, 3, "{stderr}");
    let server = server_with(&[]);
    let (code, _, stderr) = bin::run_split(&[
        "okta",
        "--target",
        server.base_url(),
        "--auth",
        "Bearer wrong",
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("check --auth"), "{stderr}");
    let (code, _, stderr) = bin::run_split(&["okta", "--target", "ftp://x"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn okta_files_the_entitlements_check_agrees_with_oktas_entitlements_file() {
    let server = server_with(&[]);
    let wire = Wire::new(Duration::from_secs(10)).expect("runtime");
    let options = OktaOptions {
        suites: vec![SuiteKind::Spec],
        modes: vec![Mode::Oin],
        entitlements: vec!["/Roles".into(), "Licenses".into()],
        seed: 5,
        rfc_strict: false,
    };
    let outcome = forgiving(run_okta(&wire, &driver_for(&server), &options).expect("runs"));
    let names: Vec<&str> = outcome.suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["SPEC", "Entitlements", "Cleanup"],
        "only the chosen suites run"
    );
    let entitlements = suite(&outcome, "Entitlements");
    let names: Vec<&str> = entitlements.steps.iter().map(|s| s.name.as_str()).collect();
    assert!(
        names[0].contains("GET /Roles?count=1&startIndex=1"),
        "{names:?}"
    );
    assert!(
        names[1].contains("GET /Licenses?count=1&startIndex=1"),
        "{names:?}"
    );
    let Some(dir) = okta_files() else {
        return;
    };
    let text = std::fs::read_to_string(okta_file(&dir, "Okta-SCIM-20-Entitlements-Test.json"))
        .expect("file");
    let export = parse_export(&text).expect("parses");
    let mut wire = wire;
    for (index, endpoint) in ["/Roles", "/Licenses"].iter().enumerate() {
        let mut vars = Variables::new();
        vars.set("SCIMBaseURL", server.base_url());
        vars.set("auth", server.authorization());
        vars.set("EntitlementEndpoint", *endpoint);
        let file = run_export(&export, &mut vars, &RunOptions::default(), &mut wire).expect("runs");
        assert_eq!(
            file.steps[0].verdict.word(),
            entitlements.steps[index].verdict.word(),
            "{endpoint}"
        );
    }
}

#[test]
fn entitlement_discovery_follows_the_servers_resource_types() {
    let server = server_with(&[]);
    let wire = Wire::new(Duration::from_secs(10)).expect("runtime");
    let driver = driver_for(&server);
    let listed = wire
        .send(&driver, &RequestSpec::get("/ResourceTypes"))
        .expect("resource types");
    let body: Value = listed.response.json().expect("JSON");
    let okta_types = body["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .filter(|t| {
            let schema = t["schema"].as_str().unwrap_or_default();
            schema.starts_with("urn:okta:scim:schemas:core:1.0:")
        })
        .count();
    let options = OktaOptions {
        suites: vec![],
        entitlements: vec!["auto".into()],
        ..OktaOptions::default()
    };
    let outcome = forgiving(run_okta(&wire, &driver, &options).expect("runs"));
    let entitlements = suite(&outcome, "Entitlements");
    let discovery = entitlements.step("e0").expect("the discovery check");
    assert_eq!(discovery.verdict.is_passed(), okta_types > 0);
    assert_eq!(
        entitlements.steps.len(),
        1 + okta_types,
        "one ENT check per discovered endpoint"
    );
}

fn strict_with(faults: &[&str]) -> SuiteResult {
    let server = server_with(faults);
    let wire = Wire::new(Duration::from_secs(10)).expect("runtime");
    let options = OktaOptions {
        suites: vec![],
        rfc_strict: true,
        ..OktaOptions::default()
    };
    let outcome = forgiving(run_okta(&wire, &driver_for(&server), &options).expect("runs"));
    assert_eq!(suite(&outcome, "Cleanup").tally().failed, 0);
    suite(&outcome, "RFC strict").clone()
}

#[test]
fn the_rfc_strict_suite_passes_a_correct_server_and_catches_what_okta_tolerates() {
    assert_eq!(
        strict_with(&[]).tally().summary_line(),
        "4 passed, 0 failed"
    );
    let failed_ids = |suite: &SuiteResult| -> Vec<String> {
        suite
            .steps
            .iter()
            .filter(|s| s.verdict.is_failed())
            .map(|s| s.id.clone())
            .collect()
    };
    assert_eq!(failed_ids(&strict_with(&["missing-location"])), vec!["r1"]);
    assert_eq!(
        failed_ids(&strict_with(&["case-variant-duplicate"])),
        vec!["r2"]
    );
    assert_eq!(
        failed_ids(&strict_with(&["error-status-number"])),
        vec!["r4"]
    );
    // Okta's SPEC passes the numeric status: only the strict suite notices.
    let outcome = okta_with(&["error-status-number"]);
    assert_eq!(suite(&outcome, "SPEC").tally().failed, 0);
}

/// A server that answers `429 Retry-After: 0` to its first `limited` requests, then 200.
fn rate_limited_server(limited: usize) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}/scim/v2", listener.local_addr().expect("addr"));
    let seen = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 1024];
            while let Ok(read) = stream.read(&mut chunk) {
                if read == 0 {
                    break;
                }
                buffer.extend_from_slice(&chunk[..read]);
                while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                    buffer.drain(..end + 4);
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    let reply = if n < limited {
                        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n".to_string()
                    } else {
                        let body = r#"{"totalResults":0}"#;
                        format!("HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n{body}", body.len())
                    };
                    if stream.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            }
        }
    });
    (base, seen)
}

#[test]
fn a_429_with_a_short_retry_after_is_retried_as_okta_retries_it() {
    use std::sync::atomic::Ordering;
    let (base, seen) = rate_limited_server(2);
    let wire = Wire::new(Duration::from_secs(10)).expect("runtime");
    let driver = Driver::new(Target::new(base, None)).expect("driver");
    let session = Session::new(&wire, &driver, 1);
    let call = session.send(&RequestSpec::get("/Users")).expect("answered");
    assert_eq!(call.response.status, 200);
    assert_eq!(seen.load(Ordering::SeqCst), 3, "two 429s, then the 200");
}
