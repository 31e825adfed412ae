//! Findings a server author reads without the README (issue 12 item 1): the headline says what
//! the server did against what it should have done, the same in the terminal text, the JSON
//! report and JUnit; expected and actual in one shape with a diff.

use crate::bin;

/// A server that hides deactivated users: the headline is the GET that answered 404 and the
/// rule it broke, then the check id, the citation and why an IdP cares.
#[test]
fn a_deactivated_user_answered_404_is_told_as_what_the_server_did() {
    let dir = bin::fresh_dir("headline");
    let report = dir.join("report.json");
    let junit = dir.join("junit.xml");
    let (code, shown, report_text) = bin::run_then_read(
        &[
            "fuzz",
            "--fault",
            "deactivated-404",
            "--seed",
            "3",
            "--cases",
            "1",
            "--report-json",
            report.to_str().expect("utf-8"),
            "--junit",
            junit.to_str().expect("utf-8"),
        ],
        &report,
    );
    assert_eq!(code, 1, "{shown}");
    let headline =
        "GET of a deactivated user answered 404; Okta reads deactivated users (expected 200)";
    assert!(
        shown.contains(&format!("finding 1: {headline}\n")),
        "{shown}"
    );
    assert!(
        shown.contains("  rule:     [error] lifecycle.deactivated-readable — ")
            && shown.contains("Okta CRUD test step 8")
            && shown.contains("  why:      Okta deactivates instead of deleting"),
        "{shown}"
    );
    let json: serde_json::Value = serde_json::from_str(&report_text).expect("json");
    assert_eq!(json["failures"][0]["headline"], headline);
    assert!(json["failures"][0]["why"]
        .as_str()
        .is_some_and(|why| why.contains("re-created")));
    let junit_text = std::fs::read_to_string(&junit).expect("junit");
    assert!(
        junit_text.contains(&format!("<failure message=\"{headline}\"")),
        "{junit_text}"
    );
}

/// A duplicated email: expected and actual are both the list of values, with the extra one
/// marked; stdout is a pipe here, so no colour even without `NO_COLOR`.
#[test]
fn expected_and_actual_are_one_shape_with_a_plain_diff_on_a_pipe() {
    let output = bin::output(&[
        "fuzz",
        "--fault",
        "add-duplicates-values",
        "--seed",
        "3",
        "--cases",
        "1",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let actual = stdout
        .lines()
        .find(|line| line.starts_with("  actual:   emails[].value = "))
        .expect("an emails finding");
    assert!(!actual.contains("primary"), "values only: {actual}");
    assert!(
        stdout.contains("  diff (- expected, + actual):\n      emails[].value = [\n"),
        "{stdout}"
    );
    let added: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with("    + "))
        .collect();
    assert_eq!(added.len(), 1, "one value added: {stdout}");
    assert!(
        !stdout.contains('\u{1b}'),
        "no colour on a pipe: {stdout:?}"
    );
}
