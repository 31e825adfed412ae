//! The `--report-json` documents of `fuzz`, `okta` and `runscope` match their checked-in JSON
//! Schemas (`docs/schemas/`), on a run with findings (every optional part filled in).

use std::path::Path;

use serde_json::Value;

use crate::bin;

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("the file exists")).expect("JSON")
}

fn assert_matches(report: &str, schema: &str) {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schemas")
        .join(schema);
    let validator =
        jsonschema::validator_for(&read_json(&schema_path)).expect("the schema is valid");
    let document: Value = serde_json::from_str(report).expect("JSON");
    let problems: Vec<String> = validator
        .iter_errors(&document)
        .map(|err| format!("{err} at {}", err.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{schema}: {problems:#?}");
}

#[test]
fn fuzz_report_json_matches_its_schema_with_repro_paths() {
    let dir = bin::fresh_dir("schema-fuzz");
    let report = dir.join("report.json");
    let repro = dir.join("repro");
    let (code, output, written) = bin::run_then_read(
        &[
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
        ],
        &report,
    );
    assert_eq!(code, 1, "{output}");
    assert_matches(&written, "fuzz-report.schema.json");
    let json: Value = serde_json::from_str(&written).expect("JSON");
    assert!(json["failures"][0]["repro"]["trace"].is_string());
    assert!(json["unexercised"]
        .as_array()
        .is_some_and(|list| list.iter().any(|c| c["check_id"] == "patch.string-boolean")));
}

#[test]
fn okta_and_runscope_reports_match_the_conformance_schema() {
    let dir = bin::fresh_dir("schema-conformance");
    let okta = dir.join("okta.json");
    let (code, output, written) = bin::run_then_read(
        &[
            "okta",
            "--suites",
            "spec,crud",
            "--fault",
            "reactivation-new-id",
            "--report-json",
            okta.to_str().expect("utf-8"),
        ],
        &okta,
    );
    assert_eq!(code, 1, "{output}");
    assert_matches(&written, "conformance-report.schema.json");
    let runscope = dir.join("runscope.json");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/runscope");
    let (code, output, written) = bin::run_then_read(
        &[
            "runscope",
            data.join("provisioning.json").to_str().expect("utf-8"),
            "--initial-script",
            data.join("initial-script.js").to_str().expect("utf-8"),
            "--fault",
            "duplicate-upsert",
            "--report-json",
            runscope.to_str().expect("utf-8"),
        ],
        &runscope,
    );
    assert_eq!(code, 1, "{output}");
    assert_matches(&written, "conformance-report.schema.json");
    let skipped = dir.join("skipped.json");
    let (code, output, written) = bin::run_then_read(
        &[
            "runscope",
            data.join("idp-steps.json").to_str().expect("utf-8"),
            "--allow-skipped",
            "--report-json",
            skipped.to_str().expect("utf-8"),
        ],
        &skipped,
    );
    assert_eq!(code, 0, "{output}");
    assert_matches(&written, "conformance-report.schema.json");
}
