//! `scimfuzz runscope`: Okta's own Runscope files (read from ../shared/okta/) run as they are
//! against the embedded reference server, correct and with faults, through the library and the
//! binary.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use scimfuzz::conformance::okta::{spec::ensure_listed_user, Session};
use scimfuzz::conformance::outcome::{SuiteResult, Verdict};
use scimfuzz::conformance::runscope::{parse_export, run_export, RunOptions, Variables};
use scimfuzz::conformance::wire::Wire;
use scimfuzz::driver::{Driver, Target};
use scimfuzz::server::{spawn_on_thread, Fault, RunningServer, ServerConfig};

/// A file of Okta's test material.
pub fn okta_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/okta")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(okta_file(name))
        .unwrap_or_else(|err| panic!("{name}: {err} (shared/okta must sit beside the repo)"))
}

/// The one assertion about time in Okta's files (SPEC step 10: under 600 ms).
const TIME_CHECK: &str = "response time (ms) is_less_than";

/// The suite with steps that failed only Okta's 600 ms budget counted as passed. These tests judge
/// the server's behaviour; on a loaded 2-core CI machine a GET can take longer than 600 ms while
/// the fuzz and load tests run beside them, which says nothing about the behaviour under test.
pub fn forgive_timing(mut suite: SuiteResult) -> SuiteResult {
    for step in &mut suite.steps {
        if let Verdict::Failed { failures } = &step.verdict {
            if failures.iter().all(|failure| failure.check == TIME_CHECK) {
                step.notes
                    .push(format!("forgiven under test load: {failures:?}"));
                step.verdict = Verdict::Passed;
            }
        }
    }
    suite
}

/// How many FAIL lines of a step table failed only on time (see [`forgive_timing`]).
pub fn timing_only_failures(stdout: &str) -> usize {
    let lines: Vec<&str> = stdout.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter(|(index, line)| {
            line.starts_with("FAIL")
                && line.contains(&format!("— {TIME_CHECK}:"))
                && !lines
                    .get(index + 1)
                    .is_some_and(|next| next.trim_start().starts_with("also "))
        })
        .count()
}

/// The closing line expected when `passed`/`failed` would hold without timing-only failures.
pub fn expected_last_line(stdout: &str, passed: usize, failed: usize) -> String {
    let slow = timing_only_failures(stdout);
    format!("{} passed, {} failed", passed - slow, failed + slow)
}

/// Starts a server with `faults`, seeds the one user SPEC needs, and runs `file` with Okta's
/// initial script for it and `extra` variables.
fn run_file(file: &str, faults: &[&str], extra: &[(&str, &str)]) -> SuiteResult {
    let faults: Vec<Fault> = faults
        .iter()
        .map(|name| name.parse().expect("a known fault"))
        .collect();
    let server = spawn_on_thread(ServerConfig::with_faults(faults)).expect("server starts");
    let mut wire = Wire::new(Duration::from_secs(10)).expect("runtime");
    seed(&wire, &server);
    let mut vars = Variables::new();
    // The CRUD files call the base SCIMUrl and the auth SCIMAuth (the CLI aliases them too).
    for name in ["SCIMBaseURL", "SCIMUrl"] {
        vars.set(name, server.base_url());
    }
    for name in ["auth", "SCIMAuth"] {
        vars.set(name, server.authorization());
    }
    for (name, value) in extra {
        vars.set(*name, *value);
    }
    let export = parse_export(&read(file)).expect("Okta's file parses");
    let options = RunOptions {
        pauses: false,
        initial_script: Some(read(if file.contains("CRUD") {
            "Initial_Script_CRUD.txt"
        } else if file.starts_with("pr-3871/") {
            "pr-3871/Initial_Script_Spec.txt"
        } else {
            "Initial_Script_Spec.txt"
        })),
    };
    forgive_timing(run_export(&export, &mut vars, &options, &mut wire).expect("the run completes"))
}

fn seed(wire: &Wire, server: &RunningServer) {
    let target = Target::new(server.base_url(), Some(server.authorization()));
    let driver = Driver::new(target).expect("driver");
    let mut session = Session::new(wire, &driver, 1);
    let seeded = ensure_listed_user(&mut session).expect("seeding reaches the server");
    assert!(
        seeded.is_some(),
        "a fresh server is empty, so a user is seeded"
    );
}

/// The ids of the steps that failed.
fn failed_ids(suite: &SuiteResult) -> Vec<&str> {
    suite
        .steps
        .iter()
        .filter(|step| step.verdict.is_failed())
        .map(|step| step.id.as_str())
        .collect()
}

#[test]
fn the_current_spec_file_passes_all_twelve_steps_on_a_correct_server() {
    let suite = run_file("Okta-SCIM-20-SPEC-Test.json", &[], &[]);
    assert_eq!(suite.tally().summary_line(), "12 passed, 0 failed");
}

#[test]
fn the_old_spec_file_passes_its_ten_steps_including_the_vacuous_lowercase_script() {
    // The 2020 file has no 401/404 steps (10 requests). Its step-6 script asserts
    // userName.toLowerCase() != randomUsername, which always holds because randomUsername has
    // capitals: the script runs in the JS engine and passes.
    let suite = run_file("Okta-SCIM-20-SPEC-Test-old.json", &[], &[]);
    assert_eq!(suite.tally().summary_line(), "10 passed, 0 failed");
}

#[test]
fn the_old_spec_scripts_assertion_fails_against_a_server_that_lowercases_user_names() {
    // With lowercased storage the echoed userName differs from the mixed-case one sent, so the
    // equal assertions of steps 6 and 7 fail; the script's notEqual still holds (lower != mixed).
    let suite = run_file(
        "Okta-SCIM-20-SPEC-Test-old.json",
        &["lowercased-storage"],
        &[],
    );
    assert_eq!(failed_ids(&suite), vec!["6", "7"]);
}

#[test]
fn the_entitlements_file_is_skipped_without_an_endpoint_and_fails_on_one_the_server_lacks() {
    let suite = run_file("Okta-SCIM-20-Entitlements-Test.json", &[], &[]);
    assert_eq!(
        suite.tally().summary_line(),
        "0 passed, 0 failed, 1 skipped"
    );
    let Verdict::Skipped { reason } = &suite.steps[0].verdict else {
        panic!("expected a skip, got {:?}", suite.steps[0].verdict);
    };
    assert!(reason.contains("--var EntitlementEndpoint="), "{reason}");
    // The reference server serves no entitlement endpoints, so /Roles is a 404 SCIM error.
    let suite = run_file(
        "Okta-SCIM-20-Entitlements-Test.json",
        &[],
        &[("EntitlementEndpoint", "/Roles")],
    );
    assert_eq!(suite.tally().summary_line(), "0 passed, 1 failed");
    let Verdict::Failed { failures } = &suite.steps[0].verdict else {
        panic!("expected a failure");
    };
    assert_eq!(
        failures[0].to_string(),
        "status equal_number: expected 200, got 404"
    );
}

#[test]
fn duplicate_upsert_fails_exactly_step_8() {
    let suite = run_file("Okta-SCIM-20-SPEC-Test.json", &["duplicate-upsert"], &[]);
    assert_eq!(failed_ids(&suite), vec!["8"]);
    assert_eq!(suite.tally().summary_line(), "11 passed, 1 failed");
}

#[test]
fn bogus_id_400_fails_steps_4_and_12() {
    let suite = run_file("Okta-SCIM-20-SPEC-Test.json", &["bogus-id-400"], &[]);
    assert_eq!(failed_ids(&suite), vec!["4", "12"]);
}

#[test]
fn an_empty_401_fails_step_11_on_its_error_body() {
    let suite = run_file("Okta-SCIM-20-SPEC-Test.json", &["unauthorized-empty"], &[]);
    assert_eq!(failed_ids(&suite), vec!["11"]);
}

#[test]
fn the_crud_file_skips_every_step_without_an_okta_org() {
    let suite = run_file("Okta-SCIM-20-CRUD-Test.json", &[], &[]);
    assert_eq!(
        suite.tally().summary_line(),
        "0 passed, 0 failed, 13 skipped"
    );
    let Verdict::Skipped { reason } = &suite.steps[3].verdict else {
        panic!("step 4 (a SCIM step) is skipped too");
    };
    assert!(reason.contains("may depend on it"), "{reason}");
}

fn scimfuzz(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_scimfuzz"))
        .args(args)
        .env_remove("SCIM_BASE_URL")
        .env_remove("SCIM_AUTH")
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_binary_runs_the_spec_file_against_the_embedded_server_and_exits_0() {
    let spec = okta_file("Okta-SCIM-20-SPEC-Test.json");
    let script = okta_file("Initial_Script_Spec.txt");
    let (code, stdout, stderr) = scimfuzz(&[
        "runscope",
        spec.to_str().unwrap(),
        "--initial-script",
        script.to_str().unwrap(),
    ]);
    let last = expected_last_line(&stdout, 12, 0);
    assert_eq!(
        code,
        if last.ends_with(" 0 failed") { 0 } else { 1 },
        "{stdout}{stderr}"
    );
    assert_eq!(stdout.lines().last(), Some(last.as_str()));
}

#[test]
fn the_binary_exits_1_on_a_failed_step_and_writes_junit() {
    let spec = okta_file("Okta-SCIM-20-SPEC-Test.json");
    let script = okta_file("Initial_Script_Spec.txt");
    let junit = std::env::temp_dir().join(format!("scimfuzz-runscope-{}.xml", std::process::id()));
    let (code, stdout, _) = scimfuzz(&[
        "runscope",
        spec.to_str().unwrap(),
        "--initial-script",
        script.to_str().unwrap(),
        "--fault",
        "duplicate-upsert",
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains(
        "FAIL   8  Required Test: Expect failure when recreating user with same values — status equal_number: expected 409, got 201"
    ), "{stdout}");
    let last = expected_last_line(&stdout, 11, 1);
    assert_eq!(stdout.lines().last(), Some(last.as_str()));
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let _ = std::fs::remove_file(&junit);
    let failures = 1 + timing_only_failures(&stdout);
    assert!(
        xml.contains(&format!("tests=\"12\" failures=\"{failures}\"")),
        "{xml}"
    );
    let report = junit.with_extension("json");
    let (code, stdout, _) = scimfuzz(&[
        "runscope",
        spec.to_str().unwrap(),
        "--fault",
        "duplicate-upsert",
        "--exchanges",
        "--report-json",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(stdout.contains("> POST http://127.0.0.1:"), "{stdout}");
    let json = std::fs::read_to_string(&report).expect("report written");
    let _ = std::fs::remove_file(&report);
    let document: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(document["summary"], expected_last_line(&stdout, 11, 1));
    assert_eq!(document["suites"][0]["steps"][7]["verdict"], "failed");
}

#[test]
fn the_binary_exits_2_on_an_invalid_file_and_3_on_an_unreachable_target() {
    let bogus = std::env::temp_dir().join(format!("scimfuzz-bogus-{}.json", std::process::id()));
    std::fs::write(&bogus, "{\"name\": \"no steps\"}").expect("temp file");
    let (code, _, stderr) = scimfuzz(&["runscope", bogus.to_str().unwrap()]);
    let _ = std::fs::remove_file(&bogus);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no `steps` array"), "{stderr}");
    let spec = okta_file("Okta-SCIM-20-SPEC-Test.json");
    let (code, _, stderr) = scimfuzz(&[
        "runscope",
        spec.to_str().unwrap(),
        "--var",
        "SCIMBaseURL=http://127.0.0.1:1/scim/v2",
        "--var",
        "auth=Bearer x",
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("could not connect"), "{stderr}");
}

/// A user's own Runscope suite using what Okta's files do not: before-scripts, header assertions
/// and extractions, a pause, a second base URL given by variable, a failing chai assertion, a step
/// marked skipped, a host nobody configured, and a step type the runner does not execute.
const CUSTOM_EXPORT: &str = r#"{"name": "Custom", "steps": [
  {"step_type": "request", "note": "create with a before-script name", "method": "POST",
   "url": "{{SCIMBaseURL}}/Users",
   "headers": {"Authorization": ["{{auth}}"], "Content-Type": ["application/scim+json"]},
   "body": "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"{{name}}\"}",
   "before_scripts": ["variables.set('name', 'Custom.' + 'User@example.com')"],
   "assertions": [
     {"source": "response_status", "comparison": "equal_number", "value": 201},
     {"source": "response_headers", "property": "Location", "comparison": "contains", "value": "/Users/"},
     {"source": "response_json", "property": "userName", "comparison": "equal", "value": "{{name}}"}],
   "variables": [{"source": "response_json", "name": "id", "property": "id"},
                 {"source": "response_headers", "name": "location", "property": "Location"}],
   "scripts": ["var u = JSON.parse(response.body); expect(u.userName).to.equal(variables.get('name')); variables.set('upper', u.userName.toUpperCase());"]},
  {"step_type": "request", "note": "an assertion on a variable the step's own script sets", "method": "GET",
   "url": "{{SCIMBaseURL}}/Users/{{id}}", "headers": {"Authorization": ["{{auth}}"]},
   "scripts": ["variables.set('seen', JSON.parse(response.body).userName.toUpperCase())"],
   "assertions": [{"source": "response_json", "property": "userName", "comparison": "not_equal", "value": "{{seen}}"}]},
  {"step_type": "pause", "duration": 0.3},
  {"step_type": "request", "note": "read back through the second base", "method": "GET",
   "url": "{{otherBase}}/Users/{{id}}", "headers": {"Authorization": ["{{auth}}"]},
   "assertions": [{"source": "response_status", "comparison": "equal_number", "value": "200"},
                  {"source": "response_json", "property": "id", "comparison": "equal", "value": "{{id}}"}]},
  {"step_type": "request", "note": "a chai assertion that fails", "method": "GET",
   "url": "{{SCIMBaseURL}}/Users?filter=userName eq \"{{upper}}\"", "headers": {"Authorization": ["{{auth}}"]},
   "assertions": [{"source": "response_json", "property": "totalResults", "comparison": "is_greater_than", "value": "0"}],
   "scripts": ["assert.equal(JSON.parse(response.body).totalResults, 5, 'five users expected')"]},
  {"step_type": "request", "skipped": true, "method": "DELETE", "url": "{{SCIMBaseURL}}/Users/{{id}}"},
  {"step_type": "request", "method": "GET", "url": "{{oktaOrgUrl}}/api/v1/apps"},
  {"step_type": "condition"}
]}"#;

fn run_custom(pauses: bool) -> (SuiteResult, Duration) {
    let server = spawn_on_thread(ServerConfig::default()).expect("server starts");
    let mut wire = Wire::new(Duration::from_secs(10)).expect("runtime");
    let mut vars = Variables::new();
    vars.set("SCIMBaseURL", server.base_url());
    vars.set("otherBase", server.base_url());
    vars.set("auth", server.authorization());
    let export = parse_export(CUSTOM_EXPORT).expect("the export parses");
    let options = RunOptions {
        pauses,
        initial_script: None,
    };
    let started = std::time::Instant::now();
    let suite = run_export(&export, &mut vars, &options, &mut wire).expect("the run completes");
    assert!(vars.get("location").is_some_and(|l| l.contains("/Users/")));
    (suite, started.elapsed())
}

#[test]
fn a_users_own_suite_runs_scripts_headers_pauses_and_skips() {
    let (suite, elapsed) = run_custom(true);
    let verdicts: Vec<&str> = suite.steps.iter().map(|s| s.verdict.word()).collect();
    assert_eq!(
        verdicts,
        vec!["pass", "pass", "pass", "fail", "skip", "skip", "skip"]
    );
    assert_eq!(
        suite.tally().summary_line(),
        "3 passed, 1 failed, 3 skipped"
    );
    let Verdict::Failed { failures } = &suite.steps[3].verdict else {
        panic!("step 4 fails");
    };
    assert_eq!(
        failures.len(),
        1,
        "the case-insensitive filter found the user"
    );
    assert_eq!(failures[0].actual, "five users expected");
    assert!(
        elapsed >= Duration::from_millis(300),
        "--pauses waits: {elapsed:?}"
    );
    let reasons: Vec<String> = suite.steps[4..]
        .iter()
        .map(|step| match &step.verdict {
            Verdict::Skipped { reason } => reason.clone(),
            other => panic!("expected a skip, got {other:?}"),
        })
        .collect();
    assert_eq!(reasons[0], "marked skipped in the export");
    assert!(
        reasons[1].starts_with("needs {{oktaOrgUrl}}"),
        "{}",
        reasons[1]
    );
    assert!(reasons[2].contains("`condition`"), "{}", reasons[2]);
}

#[test]
fn without_the_initial_script_the_binary_generates_its_variables_and_still_passes() {
    let spec = okta_file("Okta-SCIM-20-SPEC-Test.json");
    let (code, stdout, stderr) = scimfuzz(&["runscope", spec.to_str().unwrap()]);
    let last = expected_last_line(&stdout, 12, 0);
    assert_eq!(
        code,
        if last.ends_with(" 0 failed") { 0 } else { 1 },
        "{stdout}{stderr}"
    );
    assert_eq!(stdout.lines().last(), Some(last.as_str()));
    assert!(
        stderr.contains("note: generated randomGivenName"),
        "{stderr}"
    );
}

#[test]
fn the_unmerged_extended_spec_file_runs_its_group_steps_and_chai_expectations() {
    // pr-3871 adds PUT user, group create/get/PATCH remove/PATCH add/PUT/DELETE and a PATCH
    // deactivation; its PATCH-remove and PUT steps check `expect(data.members).to.be.empty`.
    let suite = run_file("pr-3871/Okta-SCIM-20-SPEC-Test.json", &[], &[]);
    assert_eq!(suite.tally().summary_line(), "18 passed, 0 failed");
    let ignored = run_file(
        "pr-3871/Okta-SCIM-20-SPEC-Test.json",
        &["member-removal-ignored"],
        &[],
    );
    assert_eq!(failed_ids(&ignored), vec!["14"]);
    let Verdict::Failed { failures } = &ignored.steps[13].verdict else {
        panic!("step 14 fails");
    };
    assert_eq!(failures[0].check, "script");
    assert!(
        failures[0].actual.ends_with("to be empty"),
        "{}",
        failures[0].actual
    );
}

#[test]
fn an_external_empty_server_fails_steps_1_and_2_unless_seed_user_is_given() {
    let server = spawn_on_thread(ServerConfig::default()).expect("server starts");
    let spec = okta_file("Okta-SCIM-20-SPEC-Test.json");
    let base = format!("SCIMBaseURL={}", server.base_url());
    let auth = format!("auth={}", server.authorization());
    let args = [
        "runscope",
        spec.to_str().unwrap(),
        "--var",
        &base,
        "--var",
        &auth,
    ];
    let (code, stdout, stderr) = scimfuzz(&args);
    assert_eq!(code, 1, "{stdout}");
    let last = expected_last_line(&stdout, 10, 2);
    assert_eq!(stdout.lines().last(), Some(last.as_str()));
    assert!(stdout.contains("FAIL   1  Required Test: Test Users endpoint — Resources not_empty"));
    assert!(stderr.contains("--seed-user creates one first"), "{stderr}");
    let seeded: Vec<&str> = args.iter().copied().chain(["--seed-user"]).collect();
    let (code, stdout, stderr) = scimfuzz(&seeded);
    let last = expected_last_line(&stdout, 12, 0);
    assert_eq!(
        code,
        if last.ends_with(" 0 failed") { 0 } else { 1 },
        "{stdout}{stderr}"
    );
    assert_eq!(stdout.lines().last(), Some(last.as_str()));
}

#[test]
fn only_failures_of_the_600_ms_budget_alone_are_forgiven() {
    let table = "PASS   9  a\n\
        FAIL  10  Optional Test: Verify Groups endpoint — response time (ms) is_less_than: expected < 600, got 812\n\
        FAIL  11  b — response time (ms) is_less_than: expected < 600, got 700\n          also status equal_number: expected 401, got 200\n\
        10 passed, 2 failed\n";
    assert_eq!(timing_only_failures(table), 1);
    assert_eq!(expected_last_line(table, 12, 0), "11 passed, 1 failed");
    let mut suite = SuiteResult::new("SPEC");
    let slow = scimfuzz::conformance::outcome::Failure::new(TIME_CHECK, "< 600", "812");
    let wrong = scimfuzz::conformance::outcome::Failure::new("status equal_number", "200", "500");
    for (id, failures) in [("10", vec![slow.clone()]), ("11", vec![slow, wrong])] {
        suite
            .steps
            .push(scimfuzz::conformance::outcome::StepResult::new(
                id,
                "step",
                Verdict::Failed { failures },
            ));
    }
    assert_eq!(failed_ids(&forgive_timing(suite)), vec!["11"]);
}
