//! Okta's own Runscope files (the SCIM 2.0 SPEC, CRUD and Entitlements tests from Okta's developer
//! documentation, and the initial scripts beside them) run as they are against the embedded
//! reference server, correct and with faults, through the library and the binary.
//!
//! Those files are Okta's: the project does not ship them, and `cargo test` passes on a fresh clone
//! without them (the runner itself is tested on our own exports, `tests/data/runscope/`, in
//! `runscope.rs`). Each test here reads the files from the directory in `$SCIMFUZZ_OKTA_FILES`;
//! every such test is `#[ignore]`d, so a plain `cargo test` counts it as ignored (skipped), not
//! passed. Every test that needs the files has `okta_files` in its path (this module, and
//! `okta_files_…` elsewhere), so CI runs just them with the variable set:
//! `SCIMFUZZ_OKTA_FILES=/path/to/okta-files cargo test okta_files -- --include-ignored`. Run so
//! without the variable, a test prints one line saying so (to stderr, past the harness's capture)
//! and returns early.

use std::io::Write;
use std::path::PathBuf;

use scimfuzz::conformance::outcome::{SuiteResult, Verdict};
use scimfuzz::server::{spawn_on_thread, ServerConfig};

use super::runscope::{expected_last_line, failed_ids, run_export_text, timing_only_failures};
use crate::bin;

/// The environment variable naming the directory of Okta's files.
pub const OKTA_FILES_VAR: &str = "SCIMFUZZ_OKTA_FILES";

/// The directory of Okta's files, or `None` after a one-line notice when `$SCIMFUZZ_OKTA_FILES` is
/// unset (the caller then returns: the test is skipped). A relative path is taken from the
/// package root, where cargo runs the tests.
pub fn okta_files() -> Option<PathBuf> {
    match std::env::var_os(OKTA_FILES_VAR) {
        Some(dir) if !dir.is_empty() => {
            Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(PathBuf::from(dir)))
        }
        _ => {
            // Straight to the process's stderr: the harness captures `eprintln!` of passing tests.
            let test = std::thread::current()
                .name()
                .unwrap_or("a test")
                .to_string();
            let _ = writeln!(
                std::io::stderr(),
                "skipped {test}: {OKTA_FILES_VAR} is unset (point it at Okta's Runscope files to run it)"
            );
            None
        }
    }
}

/// One of Okta's files, by name inside the `$SCIMFUZZ_OKTA_FILES` directory.
pub fn okta_file(dir: &std::path::Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// The text of one of Okta's files; a missing file is a test failure that names the variable.
pub fn read_okta_file(dir: &std::path::Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|err| panic!("{name}: {err} (is {OKTA_FILES_VAR} the right directory?)"))
}

/// Runs one of Okta's files with its initial script against a server with `faults` (a user seeded),
/// or `None` when the files are not available.
fn run_file(file: &str, faults: &[&str], extra: &[(&str, &str)]) -> Option<SuiteResult> {
    let dir = okta_files()?;
    let script = if file.contains("CRUD") {
        "Initial_Script_CRUD.txt"
    } else if file.starts_with("pr-3871/") {
        "pr-3871/Initial_Script_Spec.txt"
    } else {
        "Initial_Script_Spec.txt"
    };
    Some(run_export_text(
        &read_okta_file(&dir, file),
        Some(read_okta_file(&dir, script)),
        faults,
        extra,
    ))
}

#[test]
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn every_okta_file_parses() {
    let Some(dir) = okta_files() else { return };
    for name in [
        "Okta-SCIM-20-SPEC-Test.json",
        "Okta-SCIM-20-SPEC-Test-old.json",
        "Okta-SCIM-20-CRUD-Test.json",
        "Okta-SCIM-20-Entitlements-Test.json",
        "Okta-SCIM-20-With-Entitlements-CRUD-Test.json",
        "Okta-SCIM-11-SPEC-Test.json",
        "Okta-SCIM-11-CRUD-Test.json",
        "pr-3871/Okta-SCIM-20-SPEC-Test.json",
    ] {
        let export = scimfuzz::conformance::runscope::parse_export(&read_okta_file(&dir, name))
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        assert!(!export.steps.is_empty(), "{name}");
    }
}

#[test]
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn the_current_spec_file_passes_all_twelve_steps_on_a_correct_server() {
    let Some(suite) = run_file("Okta-SCIM-20-SPEC-Test.json", &[], &[]) else {
        return;
    };
    assert_eq!(suite.tally().summary_line(), "12 passed, 0 failed");
}

#[test]
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn the_old_spec_file_passes_its_ten_steps_including_the_vacuous_lowercase_script() {
    // The 2020 file has no 401/404 steps (10 requests). Its step-6 script asserts
    // userName.toLowerCase() != randomUsername, which always holds because randomUsername has
    // capitals: the script runs in the JS engine and passes.
    let Some(suite) = run_file("Okta-SCIM-20-SPEC-Test-old.json", &[], &[]) else {
        return;
    };
    assert_eq!(suite.tally().summary_line(), "10 passed, 0 failed");
}

#[test]
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn the_old_spec_scripts_assertion_fails_against_a_server_that_lowercases_user_names() {
    // With lowercased storage the echoed userName differs from the mixed-case one sent, so the
    // equal assertions of steps 6 and 7 fail; the script's notEqual still holds (lower != mixed).
    let Some(suite) = run_file(
        "Okta-SCIM-20-SPEC-Test-old.json",
        &["lowercased-storage"],
        &[],
    ) else {
        return;
    };
    assert_eq!(failed_ids(&suite), vec!["6", "7"]);
}

#[test]
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn the_entitlements_file_is_skipped_without_an_endpoint_and_fails_on_one_the_server_lacks() {
    let Some(suite) = run_file("Okta-SCIM-20-Entitlements-Test.json", &[], &[]) else {
        return;
    };
    assert_eq!(
        suite.tally().summary_line(),
        "0 passed, 0 failed, 1 skipped"
    );
    let Verdict::Skipped { reason } = &suite.steps[0].verdict else {
        panic!("expected a skip, got {:?}", suite.steps[0].verdict);
    };
    assert!(reason.contains("--var EntitlementEndpoint="), "{reason}");
    // The reference server serves no entitlement endpoints, so /Roles is a 404 SCIM error.
    let Some(suite) = run_file(
        "Okta-SCIM-20-Entitlements-Test.json",
        &[],
        &[("EntitlementEndpoint", "/Roles")],
    ) else {
        return;
    };
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
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn duplicate_upsert_fails_exactly_step_8() {
    let Some(suite) = run_file("Okta-SCIM-20-SPEC-Test.json", &["duplicate-upsert"], &[]) else {
        return;
    };
    assert_eq!(failed_ids(&suite), vec!["8"]);
    assert_eq!(suite.tally().summary_line(), "11 passed, 1 failed");
}

#[test]
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn bogus_id_400_fails_steps_4_and_12() {
    let Some(suite) = run_file("Okta-SCIM-20-SPEC-Test.json", &["bogus-id-400"], &[]) else {
        return;
    };
    assert_eq!(failed_ids(&suite), vec!["4", "12"]);
}

#[test]
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn an_empty_401_fails_step_11_on_its_error_body() {
    let Some(suite) = run_file("Okta-SCIM-20-SPEC-Test.json", &["unauthorized-empty"], &[]) else {
        return;
    };
    assert_eq!(failed_ids(&suite), vec!["11"]);
}

#[test]
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn the_crud_file_skips_every_step_without_an_okta_org() {
    let Some(suite) = run_file("Okta-SCIM-20-CRUD-Test.json", &[], &[]) else {
        return;
    };
    assert_eq!(
        suite.tally().summary_line(),
        "0 passed, 0 failed, 13 skipped"
    );
    let Verdict::Skipped { reason } = &suite.steps[3].verdict else {
        panic!("step 4 (a SCIM step) is skipped too");
    };
    assert!(reason.contains("may depend on it"), "{reason}");
}

#[test]
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn the_binary_runs_the_spec_file_against_the_embedded_server_and_exits_0() {
    let Some(dir) = okta_files() else {
        return;
    };
    let spec = okta_file(&dir, "Okta-SCIM-20-SPEC-Test.json");
    let script = okta_file(&dir, "Initial_Script_Spec.txt");
    let (code, stdout, stderr) = bin::run_split(&[
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
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn the_binary_exits_1_on_a_failed_step_and_writes_junit() {
    let Some(dir) = okta_files() else {
        return;
    };
    let spec = okta_file(&dir, "Okta-SCIM-20-SPEC-Test.json");
    let script = okta_file(&dir, "Initial_Script_Spec.txt");
    let junit = std::env::temp_dir().join(format!("scimfuzz-runscope-{}.xml", std::process::id()));
    let (code, stdout, _) = bin::run_split(&[
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
    let (code, stdout, _) = bin::run_split(&[
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
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn without_the_initial_script_the_binary_generates_its_variables_and_still_passes() {
    let Some(dir) = okta_files() else {
        return;
    };
    let spec = okta_file(&dir, "Okta-SCIM-20-SPEC-Test.json");
    let (code, stdout, stderr) = bin::run_split(&["runscope", spec.to_str().unwrap()]);
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
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn the_unmerged_extended_spec_file_runs_its_group_steps_and_chai_expectations() {
    // pr-3871 adds PUT user, group create/get/PATCH remove/PATCH add/PUT/DELETE and a PATCH
    // deactivation; its PATCH-remove and PUT steps check `expect(data.members).to.be.empty`.
    let Some(suite) = run_file("pr-3871/Okta-SCIM-20-SPEC-Test.json", &[], &[]) else {
        return;
    };
    assert_eq!(suite.tally().summary_line(), "18 passed, 0 failed");
    let Some(ignored) = run_file(
        "pr-3871/Okta-SCIM-20-SPEC-Test.json",
        &["member-removal-ignored"],
        &[],
    ) else {
        return;
    };
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
#[ignore = "needs Okta's Runscope files: SCIMFUZZ_OKTA_FILES=DIR cargo test okta_files -- --include-ignored"]
fn an_external_empty_server_fails_steps_1_and_2_unless_seed_user_is_given() {
    let Some(dir) = okta_files() else {
        return;
    };
    let server = spawn_on_thread(ServerConfig::default()).expect("server starts");
    let spec = okta_file(&dir, "Okta-SCIM-20-SPEC-Test.json");
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
    let (code, stdout, stderr) = bin::run_split(&args);
    assert_eq!(code, 1, "{stdout}");
    let last = expected_last_line(&stdout, 10, 2);
    assert_eq!(stdout.lines().last(), Some(last.as_str()));
    assert!(stdout.contains("FAIL   1  Required Test: Test Users endpoint — Resources not_empty"));
    assert!(stderr.contains("--seed-user creates one first"), "{stderr}");
    let seeded: Vec<&str> = args.iter().copied().chain(["--seed-user"]).collect();
    let (code, stdout, stderr) = bin::run_split(&seeded);
    let last = expected_last_line(&stdout, 12, 0);
    assert_eq!(
        code,
        if last.ends_with(" 0 failed") { 0 } else { 1 },
        "{stdout}{stderr}"
    );
    assert_eq!(stdout.lines().last(), Some(last.as_str()));
}
