//! `scimfuzz fuzz` and `scimfuzz replay` as a user runs them: exit codes, the report files, the
//! repro directory, and replaying a trace.

use std::process::Command;

use crate::bin;

#[test]
fn fuzzing_the_embedded_server_with_no_flags_is_clean_and_exits_0() {
    let output = bin::output(&["fuzz", "--seed", "11", "--cases", "60"]);
    assert_eq!(output.status.code(), Some(0), "{}", bin::text(&output));
    assert!(bin::text(&output).contains("no findings"));
}

#[test]
fn a_fault_is_reported_with_its_check_and_sequence_and_exits_1() {
    let dir = bin::fresh_dir("fault");
    let report = dir.join("report.json");
    let junit = dir.join("junit.xml");
    let repro = dir.join("repro");
    let (code, shown, report_text) = bin::run_then_read(
        &[
            "fuzz",
            "--fault",
            "bogus-id-400",
            "--seed",
            "3",
            "--cases",
            "100",
            "--report-json",
            report.to_str().expect("utf-8"),
            "--junit",
            junit.to_str().expect("utf-8"),
            "--repro-dir",
            repro.to_str().expect("utf-8"),
        ],
        &report,
    );
    assert_eq!(code, 1, "{shown}");
    assert!(
        shown.contains("error.not-found-404") && shown.contains("minimal sequence"),
        "{shown}"
    );
    assert!(
        shown.contains("Authorization: Bearer ***"),
        "the token is redacted: {shown}"
    );
    let json: serde_json::Value = serde_json::from_str(&report_text).expect("JSON");
    assert_eq!(json["version"], 1);
    assert_eq!(json["failures"][0]["check_id"], "error.not-found-404");
    assert!(
        json["op_kinds"]["create-user"].as_u64().unwrap_or(0) > 0,
        "the report counts ops per kind: {}",
        json["op_kinds"]
    );
    let junit_text = std::fs::read_to_string(&junit).expect("junit");
    assert!(junit_text.contains("<failure"), "{junit_text}");
    // Issue 12 item 3: the failure carries its evidence and repro paths; the report too.
    assert!(
        junit_text.contains("minimal sequence")
            && junit_text.contains("exchange:")
            && junit_text.contains("finding-1-error-not-found-404.sh"),
        "{junit_text}"
    );
    assert!(
        junit_text.contains("<skipped message=\"no string booleans sent"),
        "checks the run never exercised are skipped with why: {junit_text}"
    );
    assert!(
        json["failures"][0]["repro"]["script"]
            .as_str()
            .is_some_and(|path| path.ends_with("finding-1-error-not-found-404.sh")),
        "{}",
        json["failures"][0]
    );
    let trace = repro.join("finding-1-error-not-found-404.json");
    let script = std::fs::read_to_string(repro.join("finding-1-error-not-found-404.sh"))
        .expect("curl script");
    assert!(
        script.contains("$SCIM_AUTH") && !script.contains("Bearer ***"),
        "{script}"
    );

    let replayed = bin::output(&["replay", trace.to_str().expect("utf-8")]);
    assert_eq!(replayed.status.code(), Some(1), "{}", bin::text(&replayed));
    assert!(
        bin::text(&replayed).contains("reproduced"),
        "{}",
        bin::text(&replayed)
    );
}

/// The findings' check ids, in order, as the text report lists them.
fn finding_lines(shown: &str) -> Vec<String> {
    shown
        .lines()
        .filter(|line| line.starts_with("finding "))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_printed_reproduce_command_repeats_the_search_with_every_shaping_flag() {
    let args = [
        "fuzz",
        "--fault",
        "case-variant-duplicate",
        "--model",
        "rfc-strict",
        "--cases",
        "60",
        "--max-ops",
        "12",
        "--seed",
        "5",
    ];
    let first = bin::text(&bin::output(&args));
    let hint = first
        .lines()
        .find_map(|line| line.strip_prefix("reproduce the search: "))
        .unwrap_or_else(|| panic!("no reproduce line:\n{first}"));
    assert_eq!(
        hint,
        "scimfuzz fuzz --fault case-variant-duplicate --model rfc-strict --cases 60 --max-ops 12 \
         --seed 5"
    );
    let again: Vec<&str> = hint.split_whitespace().skip(1).collect();
    let second = bin::text(&bin::output(&again));
    assert!(!finding_lines(&first).is_empty(), "{first}");
    assert_eq!(finding_lines(&first), finding_lines(&second));
}

#[test]
fn an_unreachable_target_exits_3_and_bad_flags_exit_2() {
    let unreachable = bin::output(&[
        "fuzz",
        "--target",
        "http://127.0.0.1:1/scim/v2",
        "--auth",
        "Bearer x",
    ]);
    assert_eq!(
        unreachable.status.code(),
        Some(3),
        "{}",
        bin::text(&unreachable)
    );
    let profile = bin::output(&["fuzz", "--model", "no-such-profile"]);
    assert_eq!(profile.status.code(), Some(2), "{}", bin::text(&profile));
    let both = bin::output(&[
        "fuzz",
        "--target",
        "http://127.0.0.1:1",
        "--fault",
        "lost-write",
    ]);
    assert_eq!(both.status.code(), Some(2), "{}", bin::text(&both));
}

#[test]
fn a_profile_with_an_unknown_key_names_file_and_line_and_exits_2() {
    let dir = bin::fresh_dir("profile");
    let path = dir.join("mine.toml");
    std::fs::write(
        &path,
        "version = 1\nextends = \"okta\"\n[capabilities]\npatchh = true\n",
    )
    .expect("write");
    let output = bin::output(&["fuzz", "--model", path.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        bin::text(&output).contains("mine.toml:4:") && bin::text(&output).contains("patchh"),
        "{}",
        bin::text(&output)
    );
}

/// `scimfuzz serve` prints `SCIM_BASE_URL=…` and `SCIM_AUTH=…`; with those two in the environment
/// every command finds the server without flags.
#[test]
fn the_environment_serve_prints_is_enough_to_reach_a_target() {
    let server = scimfuzz::server::spawn_on_thread(scimfuzz::server::ServerConfig::default())
        .expect("the reference server starts");
    let run = |auth: &str| {
        Command::new(env!("CARGO_BIN_EXE_scimfuzz"))
            .args(["fuzz", "--seed", "5", "--cases", "5", "--exclusive"])
            .env_remove("SCIMFUZZ_AUTH")
            .env("SCIM_BASE_URL", server.base_url())
            .env("SCIM_AUTH", auth)
            .output()
            .expect("scimfuzz runs")
    };
    let accepted = run(&server.authorization());
    assert_eq!(accepted.status.code(), Some(0), "{}", bin::text(&accepted));
    assert!(
        bin::text(&accepted).contains(server.base_url()),
        "{}",
        bin::text(&accepted)
    );
    let rejected = run("Bearer wrong-token");
    assert_eq!(rejected.status.code(), Some(3), "{}", bin::text(&rejected));
}

/// Issue 12 item 3: `--fail-fast` stops at the first finding, shrunk.
#[test]
fn fail_fast_stops_at_the_first_finding() {
    let dir = bin::fresh_dir("fail-fast");
    let report = dir.join("report.json");
    let (code, shown, report_text) = bin::run_then_read(
        &[
            "fuzz",
            "--fault",
            "deactivated-404",
            "--seed",
            "3",
            "--fail-fast",
            "--report-json",
            report.to_str().expect("utf-8"),
        ],
        &report,
    );
    assert_eq!(code, 1, "{shown}");
    let json: serde_json::Value = serde_json::from_str(&report_text).expect("JSON");
    let failures = json["failures"].as_array().expect("failures");
    assert_eq!(failures.len(), 1, "{}", json["failures"]);
    assert!(failures[0]["minimal_len"].as_u64().unwrap_or(99) <= 8);
}

/// Issue 12 item 3: `--list-checks --format json` lists every check with its level.
#[test]
fn list_checks_as_json_gives_every_check_with_its_level_under_the_profile() {
    let output = bin::output(&[
        "fuzz",
        "--list-checks",
        "--format",
        "json",
        "--model",
        "entra",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", bin::text(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["profile"], "entra");
    let checks = json["checks"].as_array().expect("checks");
    assert_eq!(checks.len(), scimfuzz::check::catalogue::ALL.len());
    assert!(checks
        .iter()
        .all(|c| c["id"].is_string() && c["level"].is_string() && c["citation"].is_string()));
}
