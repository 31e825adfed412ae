//! Every parser of untrusted input returns an error on any input and never panics (issue 10
//! item 8): filters, PATCH paths and bodies, SCIM JSON shapes, Runscope exports, model and load
//! profiles, traces, .hlog files and load report directories, each fed random text (arbitrary
//! Unicode, and text from the grammar's own alphabet so the parsers get deep) and random JSON.
//! Bounded: 256 cases per parser (a fresh random seed each run; a failure prints its input).

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;

use scimfuzz::scim::filter;
use scimfuzz::scim::patch::{parse_path, PatchRequest};

const CASES: u32 = 256;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text from a filter's and a PATCH path's alphabet, with its keywords.
fn grammar_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just(" eq ".to_string()),
        Just(" and ".to_string()),
        Just(" or ".to_string()),
        Just("not ".to_string()),
        Just(" pr".to_string()),
        Just(" sw ".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("\"".to_string()),
        Just(".".to_string()),
        Just(":".to_string()),
        Just("urn:ietf:params:scim:schemas:core:2.0:User:".to_string()),
        "[a-zA-Z0-9_$\\-\\\\ ]{1,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(token, 0..40).prop_map(|parts| parts.concat())
}

/// Random JSON, a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("schemas".to_string()),
                    Just("steps".to_string()),
                    Just("Operations".to_string()),
                    Just("op".to_string()),
                    Just("path".to_string()),
                    Just("value".to_string()),
                    Just("status".to_string()),
                    Just("Resources".to_string()),
                    Just("version".to_string()),
                    "[a-z]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A fresh file holding `bytes`, in a directory of its own.
fn file_with(name: &str, bytes: &[u8]) -> (PathBuf, PathBuf) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "scimfuzz-it-parsers-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("a temp file");
    (dir, path)
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![".{0,200}", grammar_text()]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_filter_parser_never_panics(text in any_text()) {
        if let Ok(parsed) = filter::parse(&text) {
            // What parses prints back to something that parses again.
            let printed = parsed.to_string();
            prop_assert!(filter::parse(&printed).is_ok(), "{text:?} printed as {printed:?}");
        }
    }

    #[test]
    fn the_patch_path_parser_never_panics(text in any_text()) {
        let _ = parse_path(&text);
    }

    #[test]
    fn patch_bodies_and_scim_shapes_never_panic(value in json()) {
        if let Ok(request) = serde_json::from_value::<PatchRequest>(value.clone()) {
            for operation in &request.operations {
                let _ = operation.kind();
                let _ = operation.parsed_path();
            }
        }
        let _ = scimfuzz::scim::resource::ErrorResponse::from_json(&value);
        let _ = serde_json::from_value::<scimfuzz::scim::resource::ListResponse<scimfuzz::scim::resource::User>>(value);
    }

    #[test]
    fn runscope_exports_never_panic(text in ".{0,200}", value in json()) {
        let _ = scimfuzz::conformance::runscope::parse_export(&text);
        let _ = scimfuzz::conformance::runscope::parse_export(&value.to_string());
    }

    #[test]
    fn load_profiles_never_panic(text in ".{0,300}") {
        let _ = scimfuzz::load::Profile::parse(&text, Path::new("random.toml"));
        let _ = scimfuzz::load::Profile::parse(&format!("version = 1\n{text}"), Path::new("random.toml"));
    }

    #[test]
    fn model_profiles_traces_and_hlogs_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let (dir, profile) = file_with("model.toml", &bytes);
        let _ = scimfuzz::model::load_profile(profile.to_str().unwrap(), &|_| true);
        let (_, trace) = file_with("trace.json", &bytes);
        let _ = scimfuzz::fuzz::read_trace(&trace);
        let (_, hlog) = file_with("create.hlog", &bytes);
        let _ = scimfuzz::load::report::hlog::read_hlog(&hlog);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn load_report_directories_never_panic(value in json(), text in ".{0,200}") {
        for content in [value.to_string(), text] {
            let (dir, _) = file_with("report.json", content.as_bytes());
            let _ = scimfuzz::load::report::merge_reports(std::slice::from_ref(&dir), &[]);
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
