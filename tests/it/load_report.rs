//! What `load` says when the server refuses its writes (issue 9): the status and the first error
//! body, bounded and escaped, on the terminal, in report.json and in report.html, for creates
//! that fail during the run and for a directory that cannot be seeded. The reference server's
//! `extra-required-attribute` fault refuses every create (Okta's create body has no `title`).

use serde_json::Value;

use crate::bin;
use crate::load::{fresh_dir, operation, read_json, write_profile};

#[test]
fn creates_refused_during_the_run_are_explained_with_status_and_first_body() {
    let dir = fresh_dir("refused-creates");
    let profile = write_profile(
        &dir,
        "refused",
        "[run]\nusers = 2\nduration = \"20s\"\n[[scenario]]\nname = \"s\"\nkind = \"onboarding\"\ntasks = 12\n",
    );
    let report_dir = dir.join("out");
    let report_text = report_dir.display().to_string();
    let (code, stdout, stderr) = bin::run_split(&[
        "load",
        "--profile",
        &profile,
        "--fault",
        "extra-required-attribute",
        "--slo",
        "errors.rate<0.01",
        "--report",
        &report_text,
    ]);
    assert_eq!(code, 4, "an error-rate SLO breach\n{stdout}\n{stderr}");
    let line = stdout
        .lines()
        .find(|line| line.starts_with("12 create failed: 400: "))
        .unwrap_or_else(|| panic!("no failure line:\n{stdout}"));
    assert!(
        line.contains("`title` is required by this server"),
        "{line}"
    );
    let report = read_json(&report_dir.join("report.json"));
    let failures = report["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0]["operation"], "create");
    assert_eq!(failures[0]["status"], 400);
    assert_eq!(failures[0]["count"], 12);
    let body = failures[0]["first_body"].as_str().unwrap();
    assert!(body.contains("invalidValue") && body.len() <= 600, "{body}");
    let create = operation(&report, "create");
    assert_eq!(create["failed_status_codes"]["400"], Value::from(12));
    let html = std::fs::read_to_string(report_dir.join("report.html")).unwrap();
    assert!(html.contains("Why operations failed"));
    assert!(
        html.contains("`title` is required by this server")
            && html.contains("&quot;invalidValue&quot;"),
        "the body is shown HTML-escaped"
    );
    assert!(html.contains("400: 12 (all errors)"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_that_cannot_be_seeded_exits_3_with_the_status_and_first_body() {
    let dir = fresh_dir("refused-seed");
    let profile = write_profile(
        &dir,
        "refused",
        "[run]\nusers = 1\nduration = \"5s\"\n[seed_data]\nusers = 10\n[[scenario]]\nname = \"s\"\nkind = \"import\"\n",
    );
    let (code, stdout, stderr) = bin::run_split(&[
        "load",
        "--profile",
        &profile,
        "--fault",
        "extra-required-attribute",
    ]);
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert!(
        stderr.contains(
            "could not seed the directory: 10 of 10 creates (POST /Users) failed; the first answered 400: "
        ) && stderr.contains("`title` is required by this server"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
