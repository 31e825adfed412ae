//! The `--report-json` documents of `fuzz`, `okta` and `runscope` match their checked-in JSON
//! Schemas (`docs/schemas/`), on a run with findings (every optional part filled in).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scimfuzz-schema-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("the file exists")).expect("JSON")
}

fn run(args: &[&str]) -> i32 {
    let output = Command::new(env!("CARGO_BIN_EXE_scimfuzz"))
        .args(args)
        .env_remove("SCIMFUZZ_AUTH")
        .env_remove("SCIM_AUTH")
        .env_remove("SCIM_BASE_URL")
        .output()
        .expect("scimfuzz runs");
    output.status.code().unwrap_or(-1)
}

fn assert_matches(report: &Path, schema: &str) {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schemas")
        .join(schema);
    let validator =
        jsonschema::validator_for(&read_json(&schema_path)).expect("the schema is valid");
    let document = read_json(report);
    let problems: Vec<String> = validator
        .iter_errors(&document)
        .map(|err| format!("{err} at {}", err.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{schema}: {problems:#?}");
}

#[test]
fn fuzz_report_json_matches_its_schema_with_repro_paths() {
    let dir = temp_dir("fuzz");
    let report = dir.join("report.json");
    let repro = dir.join("repro");
    let code = run(&[
        "fuzz",
        "--fault",
        "deactivated-404",
        "--seed",
        "3",
        "--cases",
        "60",
        "--report-json",
        report.to_str().expect("utf-8"),
        "--repro-dir",
        repro.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1);
    assert_matches(&report, "fuzz-report.schema.json");
    let json = read_json(&report);
    assert!(json["failures"][0]["repro"]["trace"].is_string());
    assert!(json["unexercised"]
        .as_array()
        .is_some_and(|list| list.iter().any(|c| c["check_id"] == "patch.string-boolean")));
}

#[test]
fn okta_and_runscope_reports_match_the_conformance_schema() {
    let dir = temp_dir("conformance");
    let okta = dir.join("okta.json");
    let code = run(&[
        "okta",
        "--suites",
        "spec,crud",
        "--fault",
        "reactivation-new-id",
        "--report-json",
        okta.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1);
    assert_matches(&okta, "conformance-report.schema.json");
    let runscope = dir.join("runscope.json");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/runscope");
    let code = run(&[
        "runscope",
        data.join("provisioning.json").to_str().expect("utf-8"),
        "--initial-script",
        data.join("initial-script.js").to_str().expect("utf-8"),
        "--fault",
        "duplicate-upsert",
        "--report-json",
        runscope.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1);
    assert_matches(&runscope, "conformance-report.schema.json");
    let skipped = dir.join("skipped.json");
    let code = run(&[
        "runscope",
        data.join("idp-steps.json").to_str().expect("utf-8"),
        "--allow-skipped",
        "--report-json",
        skipped.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0);
    assert_matches(&skipped, "conformance-report.schema.json");
}
