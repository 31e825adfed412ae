//! Interop with `scim2-server` from PyPI (the version pinned in `.ci/install-scim2-server`, which
//! `.ci/run` calls and whose path it exports as `SCIMFUZZ_SCIM2_SERVER`). Each test starts its own
//! server on a free 127.0.0.1 port with a random bearer token, runs `scimfuzz` against it as a user
//! would (a process, with a fixed seed), and asserts the exact set of findings. Every finding in
//! these sets is explained, with its evidence, in the README's "Known deviations found in the wild".

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::collections::BTreeSet;
use std::process::Command;

use super::support::{
    expected_set, installed, interop_profile, read_report, run_okta_expecting, run_scimfuzz,
    scratch_dir, Server, ServerSpec,
};

/// The environment variable `.ci/run` sets to the installed `scim2-server` executable.
const BINARY_VAR: &str = "SCIMFUZZ_SCIM2_SERVER";
/// How long `scim2-server` may take to answer its first request (a cold Python start on a busy CI).
const STARTUP_LIMIT: Duration = Duration::from_secs(20);

/// One fuzz run against a fresh scim2-server and the exact set of check ids it must report.
struct FuzzRun {
    /// The built-in profile the run's profile extends (latency is never judged; see below).
    profile: &'static str,
    /// Known deviations allowed in this run, so that cases they would stop reach further.
    allowed: &'static [&'static str],
    seed: &'static str,
    expected: &'static [&'static str],
}

/// The budget of every fuzz run: the default (300 cases, plus the race cases).
const FUZZ_CASES: &str = "300";

/// The fuzz runs and what each finds in scim2-server 0.8.3 (README, "Known deviations found in
/// the wild"). The sets depend on the generators: a change there may move them, and then every new
/// finding is to be explained (a real deviation of scim2-server, documented in the README, or a
/// scimfuzz false positive, fixed) and the seeds re-chosen so each known deviation is still
/// reached by fuzzing, not only by its recorded trace.
/// - `group.deleted-member-removed` (a warning): a deleted user stays listed in the `members` of
///   its groups, a reference to a resource that now answers 404 (RFC 7644 §3.6, RFC 7643 §4.2).
/// - `filter.missing-match`: `emails.value ne "x"` does not match a user whose other email differs
///   from x; RFC 7644 §3.4.2.2 matches a multi-valued attribute when any value matches.
/// - The entra run also sends `"True"`/`"False"` strings and capitalised ops: scim2-server stores
///   the booleans they name, so they add nothing.
///
/// One default run reports both distinct defects: once the deleted member is recorded, cases that
/// meet it go on (the model adopts the server's state), so nothing needs allowing any more.
///
/// The race cases (judged by the linearizability checker) find nothing: the server handles one
/// request at a time.
const FUZZ_RUNS: [FuzzRun; 2] = [
    FuzzRun {
        profile: "okta",
        allowed: &[],
        seed: "3",
        expected: &["filter.missing-match", "group.deleted-member-removed"],
    },
    FuzzRun {
        profile: "entra",
        allowed: &[],
        seed: "3",
        expected: &["filter.missing-match", "group.deleted-member-removed"],
    },
];

/// The Okta steps (`suite/step`) that fail against scim2-server: none.
const EXPECTED_OKTA_FAILURES: [&str; 0] = [];

/// Starts `scim2-server` (see [`Server::start`]).
fn start_scim2_server(binary: &Path, dir: &Path) -> Server {
    let command = |port: u16, token: &str| {
        let mut command = Command::new(binary);
        command
            .args(["--hostname", "127.0.0.1", "--port", &port.to_string()])
            .args(["--bearer-token", token]);
        command
    };
    let spec = ServerSpec {
        name: "scim2-server",
        base_path: "/v2",
        startup_limit: STARTUP_LIMIT,
        command: &command,
    };
    Server::start(&spec, dir)
}

/// The `scim2-server` executable, from [`BINARY_VAR`] or `PATH`; `None` (with a notice) when it
/// is absent outside CI.
fn scim2_server_binary() -> Option<PathBuf> {
    installed(BINARY_VAR, Some("scim2-server"), ".ci/install-scim2-server")
}

#[test]
fn fuzzing_scim2_server_finds_exactly_its_known_deviations_and_leaves_it_empty() {
    let Some(binary) = scim2_server_binary() else {
        return;
    };
    for run in &FUZZ_RUNS {
        fuzz_and_compare(&binary, run);
    }
}

/// One [`FuzzRun`] against a fresh scim2-server: exactly the expected findings, the matching exit
/// code, no token in the output, and the server left empty.
fn fuzz_and_compare(binary: &Path, expected: &FuzzRun) {
    let dir = scratch_dir(&format!("fuzz-{}-{}", expected.profile, expected.seed));
    let server = start_scim2_server(binary, &dir);
    let profile = dir.join("interop.toml");
    std::fs::write(
        &profile,
        interop_profile(expected.profile, expected.allowed),
    )
    .expect("the profile file");
    let report_path = dir.join("fuzz.json");
    let (target, auth) = (server.base_url(), server.authorization());
    let run = run_scimfuzz(
        &[
            "fuzz",
            "--target",
            &target,
            "--auth",
            &auth,
            "--model",
            profile.to_str().expect("utf-8 path"),
            "--exclusive",
            "--seed",
            expected.seed,
            "--cases",
            FUZZ_CASES,
            "--report-json",
            report_path.to_str().expect("utf-8 path"),
        ],
        &dir,
    );
    let report = read_report(&report_path, &run);
    let found: BTreeSet<String> = report["failures"]
        .as_array()
        .expect("failures is an array")
        .iter()
        .map(|failure| {
            failure["check_id"]
                .as_str()
                .expect("a check id")
                .to_string()
        })
        .collect();
    assert_eq!(
        found,
        expected_set(expected.expected),
        "the findings of {} seed {} against scim2-server changed: explain each new one (real \
         deviation or a scimfuzz false positive) before updating the set\n{}",
        expected.profile,
        expected.seed,
        run.output
    );
    let expected_exit = if expected.expected.is_empty() { 0 } else { 1 };
    assert_eq!(run.status.code(), Some(expected_exit), "{}", run.output);
    assert!(
        !run.output.contains(&server.token),
        "the token never appears in the output"
    );
    let users = server.json("GET", "/Users", None, 200);
    let groups = server.json("GET", "/Groups", None, 200);
    assert_eq!(
        users["totalResults"], 0,
        "the fuzz run removed its users: {users}"
    );
    assert_eq!(
        groups["totalResults"], 0,
        "the fuzz run removed its groups: {groups}"
    );
}

#[test]
fn okta_conformance_against_scim2_server_has_exactly_the_known_failures() {
    let Some(binary) = scim2_server_binary() else {
        return;
    };
    let dir = scratch_dir("okta");
    let server = start_scim2_server(&binary, &dir);
    let (_, report) = run_okta_expecting(&server, &dir, &EXPECTED_OKTA_FAILURES, "scim2-server");
    assert_eq!(report["tally"]["failed"], EXPECTED_OKTA_FAILURES.len());

    let users = server.json("GET", "/Users", None, 200);
    assert_eq!(
        users["totalResults"], 0,
        "the Okta suites removed their users: {users}"
    );
}

#[test]
fn okta_files_spec_runscope_file_gives_the_same_verdicts_as_the_native_okta_run() {
    let Some(binary) = scim2_server_binary() else {
        return;
    };
    let Some(okta_dir) = crate::okta_files::okta_files() else {
        return;
    };
    let dir = scratch_dir("runscope");
    let server = start_scim2_server(&binary, &dir);
    let report_path = dir.join("runscope.json");
    let spec = crate::okta_files::okta_file(&okta_dir, "Okta-SCIM-20-SPEC-Test.json");
    let script = crate::okta_files::okta_file(&okta_dir, "Initial_Script_Spec.txt");
    let base_url = format!("SCIMBaseURL={}", server.base_url());
    let auth = format!("auth={}", server.authorization());
    let run = run_scimfuzz(
        &[
            "runscope",
            spec.to_str().expect("utf-8 path"),
            "--var",
            &base_url,
            "--var",
            &auth,
            "--initial-script",
            script.to_str().expect("utf-8 path"),
            "--seed-user",
            "--report-json",
            report_path.to_str().expect("utf-8 path"),
        ],
        &dir,
    );
    let report = read_report(&report_path, &run);
    assert_eq!(
        report["summary"], "12 passed, 0 failed",
        "Okta's own SPEC file agrees with `scimfuzz okta` (no SPEC failure):\n{}",
        run.output
    );
    assert_eq!(run.status.code(), Some(0), "{}", run.output);
}

/// The recorded minimal sequence of scim2-server's `ne` deviation (found by `scimfuzz fuzz
/// --repro-dir`): create a user with a work and a home email, then filter
/// `emails.value ne "<the work email>"`. RFC 7644 §3.4.2.2 matches the user through the home email;
/// scim2-server answers no match. Unlike the seeded search, this replay does not move when the
/// generators change.
fn ne_multivalued_trace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/interop/scim2-server-filter-ne-multivalued.json")
}

#[test]
fn replaying_the_recorded_ne_deviation_still_reproduces_it_on_scim2_server() {
    let Some(binary) = scim2_server_binary() else {
        return;
    };
    let dir = scratch_dir("replay");
    let server = start_scim2_server(&binary, &dir);
    let trace = ne_multivalued_trace();
    let (target, auth) = (server.base_url(), server.authorization());
    let run = run_scimfuzz(
        &[
            "replay",
            trace.to_str().expect("utf-8 path"),
            "--target",
            &target,
            "--auth",
            &auth,
            "--model",
            "okta",
            "--exclusive",
        ],
        &dir,
    );
    assert_eq!(run.status.code(), Some(1), "{}", run.output);
    assert!(
        run.output
            .contains("reproduced: [error] filter.missing-match at op 1"),
        "{}",
        run.output
    );
    assert!(
        run.output.contains("\"totalResults\": 0"),
        "scim2-server lists nobody: {}",
        run.output
    );
}
