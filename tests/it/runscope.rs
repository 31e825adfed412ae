//! `scimfuzz runscope`: the Runscope-export runner on our own exports (`tests/data/runscope/`:
//! every step type, assertion source and comparison, extraction and script form that Okta's files
//! use, plus an initial script) against the embedded reference server, correct and with faults,
//! through the library and the binary. Okta's own files are run in `okta_files.rs` when
//! `$SCIMFUZZ_OKTA_FILES` points at them.

use std::path::PathBuf;
use std::time::Duration;

use crate::bin;

use scimfuzz::conformance::okta::{spec::ensure_listed_user, Session};
use scimfuzz::conformance::outcome::{SuiteResult, Verdict};
use scimfuzz::conformance::runscope::{parse_export, run_export, RunOptions, Variables};
use scimfuzz::conformance::wire::Wire;
use scimfuzz::driver::{Driver, Target};
use scimfuzz::server::{spawn_on_thread, Fault, RunningServer, ServerConfig};

/// A file of our own Runscope-format test data.
pub fn data_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/runscope")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(data_file(name)).unwrap_or_else(|err| panic!("{name}: {err}"))
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

/// Starts a server with `faults`, seeds the one user a listing step needs, and runs the export
/// `text` with `initial_script` and `extra` variables (timing-only failures forgiven).
pub fn run_export_text(
    text: &str,
    initial_script: Option<String>,
    faults: &[&str],
    extra: &[(&str, &str)],
) -> SuiteResult {
    let faults: Vec<Fault> = faults
        .iter()
        .map(|name| name.parse().expect("a known fault"))
        .collect();
    let server = spawn_on_thread(ServerConfig::with_faults(faults)).expect("server starts");
    let mut wire = Wire::new(Duration::from_secs(10)).expect("runtime");
    seed(&wire, &server);
    let mut vars = Variables::new();
    // Okta's CRUD files call the base SCIMUrl and the auth SCIMAuth (the CLI aliases them too).
    for name in ["SCIMBaseURL", "SCIMUrl"] {
        vars.set(name, server.base_url());
    }
    for name in ["auth", "SCIMAuth"] {
        vars.set(name, server.authorization());
    }
    for (name, value) in extra {
        vars.set(*name, *value);
    }
    let export = parse_export(text).expect("the export parses");
    let options = RunOptions {
        pauses: false,
        initial_script,
    };
    forgive_timing(run_export(&export, &mut vars, &options, &mut wire).expect("the run completes"))
}

/// Runs our provisioning export with its initial script against a server with `faults`.
fn run_provisioning(faults: &[&str]) -> SuiteResult {
    run_export_text(
        &read("provisioning.json"),
        Some(read("initial-script.js")),
        faults,
        &[],
    )
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
pub fn failed_ids(suite: &SuiteResult) -> Vec<&str> {
    suite
        .steps
        .iter()
        .filter(|step| step.verdict.is_failed())
        .map(|step| step.id.as_str())
        .collect()
}

/// Every (source, comparison) pair of assertion that Okta's published SCIM test files use.
const OKTA_ASSERTION_KINDS: [(&str, &str); 8] = [
    ("response_status", "equal_number"),
    ("response_json", "not_empty"),
    ("response_json", "equal"),
    ("response_json", "has_value"),
    ("response_json", "is_a_number"),
    ("response_json", "equal_number"),
    ("response_json", "contains"),
    ("response_time", "is_less_than"),
];

#[test]
fn our_export_covers_every_step_type_assertion_and_script_form_okta_uses() {
    let json: serde_json::Value =
        serde_json::from_str(&read("provisioning.json")).expect("valid JSON");
    let steps = json["steps"].as_array().expect("steps");
    let kinds: Vec<(String, String)> = steps
        .iter()
        .flat_map(|step| step["assertions"].as_array().cloned().unwrap_or_default())
        .map(|a| (a["source"].to_string(), a["comparison"].to_string()))
        .collect();
    for (source, comparison) in OKTA_ASSERTION_KINDS {
        let kind = (format!("\"{source}\""), format!("\"{comparison}\""));
        assert!(
            kinds.contains(&kind),
            "{source} {comparison} is not covered"
        );
    }
    for step_type in ["request", "pause"] {
        assert!(
            steps.iter().any(|s| s["step_type"] == step_type),
            "{step_type}"
        );
    }
    let scripts: String = steps
        .iter()
        .flat_map(|step| step["scripts"].as_array().cloned().unwrap_or_default())
        .map(|script| script.as_str().unwrap_or_default().to_string())
        .collect();
    for form in [
        "assert.ok(",
        "assert.notEqual(",
        "expect(",
        "log(",
        "variables.get(",
    ] {
        assert!(scripts.contains(form), "no script uses {form}");
    }
    assert!(steps
        .iter()
        .any(|s| s["variables"].as_array().is_some_and(|v| !v.is_empty())));
}

#[test]
fn our_provisioning_export_passes_every_step_on_a_correct_server() {
    let suite = run_provisioning(&[]);
    assert_eq!(suite.tally().summary_line(), "16 passed, 0 failed");
    let notes: Vec<&String> = suite.steps.iter().flat_map(|step| &step.notes).collect();
    assert!(
        notes.iter().any(|note| note.starts_with("stored as Ada")),
        "the script's log line is kept: {notes:?}"
    );
}

#[test]
fn each_fault_fails_exactly_the_step_that_checks_its_rule() {
    for (fault, steps) in [
        ("bogus-id-400", &["4"][..]),
        ("lowercased-storage", &["5", "6"]),
        ("duplicate-upsert", &["7"]),
        ("case-sensitive-filter", &["8"]),
        ("member-removal-ignored", &["12"]),
        ("unauthorized-empty", &["14"]),
    ] {
        let suite = run_provisioning(&[fault]);
        assert_eq!(failed_ids(&suite), steps, "{fault}");
    }
}

#[test]
fn steps_against_an_identity_providers_api_are_skipped_with_the_ones_after_them() {
    let suite = run_export_text(&read("idp-steps.json"), None, &[], &[]);
    assert_eq!(
        suite.tally().summary_line(),
        "0 passed, 0 failed, 3 skipped"
    );
    let reasons: Vec<String> = suite
        .steps
        .iter()
        .map(|step| match &step.verdict {
            Verdict::Skipped { reason } => reason.clone(),
            other => panic!("expected a skip, got {other:?}"),
        })
        .collect();
    assert!(reasons[0].contains("--var oktaOrgUrl="), "{}", reasons[0]);
    assert!(reasons[0].contains("an Okta org's API"), "{}", reasons[0]);
    assert!(reasons[1].contains("may depend on it"), "{}", reasons[1]);
}

#[test]
fn the_binary_runs_our_export_and_exits_0_then_1_with_junit_on_a_fault() {
    let spec = data_file("provisioning.json");
    let script = data_file("initial-script.js");
    let args = [
        "runscope",
        spec.to_str().unwrap(),
        "--initial-script",
        script.to_str().unwrap(),
    ];
    let (code, stdout, stderr) = bin::run_split(&args);
    let last = expected_last_line(&stdout, 16, 0);
    assert_eq!(
        code,
        if last.ends_with(" 0 failed") { 0 } else { 1 },
        "{stdout}{stderr}"
    );
    assert_eq!(stdout.lines().last(), Some(last.as_str()));
    let junit = std::env::temp_dir().join(format!("scimfuzz-ours-{}.xml", std::process::id()));
    let faulty: Vec<&str> = args
        .iter()
        .copied()
        .chain([
            "--fault",
            "duplicate-upsert",
            "--junit",
            junit.to_str().unwrap(),
        ])
        .collect();
    let (code, stdout, _) = bin::run_split(&faulty);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains(
        "FAIL   7  Creating the same userName again is a conflict — status equal_number: expected 409, got 201"
    ), "{stdout}");
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let _ = std::fs::remove_file(&junit);
    let failures = 1 + timing_only_failures(&stdout);
    assert!(
        xml.contains(&format!("tests=\"16\" failures=\"{failures}\"")),
        "{xml}"
    );
}

#[test]
fn an_external_empty_server_fails_the_listing_step_unless_seed_user_is_given() {
    let server = spawn_on_thread(ServerConfig::default()).expect("server starts");
    let spec = data_file("provisioning.json");
    let script = data_file("initial-script.js");
    let base = format!("SCIMBaseURL={}", server.base_url());
    let auth = format!("auth={}", server.authorization());
    let args = [
        "runscope",
        spec.to_str().unwrap(),
        "--initial-script",
        script.to_str().unwrap(),
        "--var",
        &base,
        "--var",
        &auth,
    ];
    let (code, stdout, _) = bin::run_split(&args);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("FAIL   1  List one user — Resources not_empty"),
        "{stdout}"
    );
    let seeded: Vec<&str> = args.iter().copied().chain(["--seed-user"]).collect();
    let (code, stdout, stderr) = bin::run_split(&seeded);
    let last = expected_last_line(&stdout, 16, 0);
    assert_eq!(
        code,
        if last.ends_with(" 0 failed") { 0 } else { 1 },
        "{stdout}{stderr}"
    );
    assert_eq!(stdout.lines().last(), Some(last.as_str()));
}

#[test]
fn the_binary_exits_2_on_an_invalid_file_and_3_on_an_unreachable_target() {
    let bogus = std::env::temp_dir().join(format!("scimfuzz-bogus-{}.json", std::process::id()));
    std::fs::write(&bogus, "{\"name\": \"no steps\"}").expect("temp file");
    let (code, _, stderr) = bin::run_split(&["runscope", bogus.to_str().unwrap()]);
    let _ = std::fs::remove_file(&bogus);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no `steps` array"), "{stderr}");
    let spec = data_file("provisioning.json");
    let (code, _, stderr) = bin::run_split(&[
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

/// Issue 12 item 3: a run where every step was skipped checked nothing: exit 1 unless
/// `--allow-skipped`.
#[test]
fn a_run_where_nothing_ran_exits_1_unless_allow_skipped() {
    let idp = data_file("idp-steps.json");
    let (code, stdout, stderr) = bin::run_split(&["runscope", idp.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stderr.contains("no step ran (3 skipped)"), "{stderr}");
    assert!(stderr.contains("--allow-skipped"), "{stderr}");
    let (code, stdout, stderr) =
        bin::run_split(&["runscope", idp.to_str().unwrap(), "--allow-skipped"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
}
