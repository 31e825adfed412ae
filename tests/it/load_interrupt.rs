//! Ctrl-C during `scimfuzz load`: the load stops gracefully and writes a partial report marked
//! interrupted that still matches the schema (SLOs not judged), exit 130; a second Ctrl-C exits at
//! once without the report.

use std::path::Path;
use std::process::Stdio;

use crate::bin::{self, sigint, wait_bounded};
use crate::load::{assert_matches_schema, fresh_dir, read_json, write_profile};

/// Waits (at most 60 s) until the run's ledger journal holds `bytes` bytes: the attack is running.
fn wait_for_ledger(dir: &Path, bytes: u64) {
    let ledger = dir.join("ledger.jsonl");
    let started = std::time::Instant::now();
    while std::fs::metadata(&ledger).map_or(true, |meta| meta.len() < bytes) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the run never started writing {}",
            ledger.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn interrupt_profile(dir: &Path) -> String {
    write_profile(
        dir,
        "long",
        "[run]\nusers = 4\nduration = \"10m\"\npace = \"20ms\"\n\
         [[scenario]]\nname = \"assign\"\nkind = \"onboarding\"\n",
    )
}

/// `scimfuzz load --profile PROFILE EXTRA… --report DIR`, running, with its output captured.
fn spawn_load(profile: &str, extra: &[&str], report_dir: &Path) -> std::process::Child {
    let report = report_dir.display().to_string();
    let mut args = vec!["load", "--profile", profile];
    args.extend_from_slice(extra);
    args.extend(["--report", report.as_str()]);
    bin::command(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn ctrl_c_writes_a_partial_report_marked_interrupted_that_matches_the_schema_and_exits_130() {
    let dir = fresh_dir("interrupt");
    let profile = interrupt_profile(&dir);
    let report_dir = dir.join("report");
    let mut child = spawn_load(&profile, &["--slo", "create.p99_ms<1"], &report_dir);
    wait_for_ledger(&report_dir, 1);
    sigint(&child);
    let status = wait_bounded(&mut child, std::time::Duration::from_secs(30));
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        status.and_then(|status| status.code()),
        Some(130),
        "{stdout}{stderr}"
    );
    let report = read_json(&report_dir.join("report.json"));
    assert_matches_schema(&report);
    let interrupted = &report["run"]["interrupted"];
    assert_eq!(interrupted["during"], "load", "{report}");
    assert_eq!(interrupted["planned_s"], 600.0);
    assert!(interrupted["after_s"].as_f64().unwrap() < 300.0);
    assert!(report["total"]["requests"].as_u64().unwrap() > 0);
    assert!(
        stdout.contains("PARTIAL REPORT: interrupted after"),
        "{stdout}"
    );
    assert!(
        stdout.contains("SLOs not judged (interrupted run)"),
        "the breached SLO is not a verdict: {stdout}"
    );
    let html = std::fs::read_to_string(report_dir.join("report.html")).unwrap();
    assert!(html.contains("Partial report: interrupted after"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_ctrl_c_exits_130_at_once_without_waiting_for_the_report() {
    let dir = fresh_dir("interrupt-twice");
    let profile = interrupt_profile(&dir);
    let report_dir = dir.join("report");
    // Every response takes a second, so the graceful stop after the first Ctrl-C is still
    // waiting for requests in flight when the second arrives.
    let mut child = spawn_load(&profile, &["--fault", "slow-responses"], &report_dir);
    wait_for_ledger(&report_dir, 0);
    std::thread::sleep(std::time::Duration::from_millis(300));
    sigint(&child);
    std::thread::sleep(std::time::Duration::from_millis(100));
    sigint(&child);
    let status = wait_bounded(&mut child, std::time::Duration::from_secs(10));
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        status.and_then(|status| status.code()),
        Some(130),
        "{stderr}"
    );
    assert!(stderr.contains("exiting at once"), "{stderr}");
    assert!(
        !report_dir.join("report.json").exists(),
        "no report after a second Ctrl-C"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
