//! `--report-html`: the page a person opens after a run. It names each defect with its evidence,
//! shows what the server sent escaped (a hostile body adds no markup) and holds no secret.

use std::path::PathBuf;

use crate::bin::{run, run_then_read};
use crate::hostile_server::{start, Behaviour, Hostile};
use scimfuzz::server::{spawn_on_thread, Fault, ServerConfig};

/// The page is one self-contained document: no script, nothing fetched from elsewhere.
fn assert_self_contained(page: &str) {
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("<style>"), "inline CSS");
    for outside in ["<script", "src=\"http", "href=\"http", "<link"] {
        assert!(!page.contains(outside), "the page holds {outside}: {page}");
    }
}

/// A server that answers every request 400 with a `<script>` in the error's detail.
fn script_in_errors() -> Hostile {
    start(Behaviour::Fixed {
        status: 400,
        headers: vec![("Content-Type".into(), "application/scim+json".into())],
        body: "{\"detail\":\"<script>alert(1)</script>\",\"status\":\"400\"}".into(),
    })
}

#[test]
fn fuzz_writes_a_page_with_the_defect_its_evidence_and_coverage_and_no_secret() {
    let server = spawn_on_thread(ServerConfig::with_faults([Fault::BogusId400])).expect("server");
    let token = server.token().to_string();
    let auth = server.authorization();
    let dir = crate::bin::fresh_dir("html-fuzz");
    let page_path = dir.join("fuzz.html");
    let repro = dir.join("repro");
    let (code, shown, page) = run_then_read(
        &[
            "fuzz",
            "--target",
            server.base_url(),
            "--auth",
            &auth,
            "--seed",
            "3",
            "--cases",
            "100",
            "--report-html",
            page_path.to_str().expect("utf-8"),
            "--repro-dir",
            repro.to_str().expect("utf-8"),
        ],
        &page_path,
    );
    assert_eq!(code, 1, "{shown}");
    assert_self_contained(&page);
    assert!(!page.contains(&token), "the page holds the token: {page}");
    assert!(page.contains("error.not-found-404"), "{page}");
    assert!(page.contains("RFC 7644"), "the rule is cited: {page}");
    assert!(
        page.contains("&gt; GET ") && page.contains("&lt; HTTP 400"),
        "the failing exchange is shown, escaped: {page}"
    );
    assert!(page.contains("Bearer ***"), "the header is masked: {page}");
    assert!(
        page.contains("finding-1-error-not-found-404.sh"),
        "the repro script is named: {page}"
    );
    assert!(
        page.contains("create-user") && page.contains("not exercised: "),
        "coverage lists op kinds and checks not exercised: {page}"
    );
    assert!(page.contains("findings (exit 1)"), "{page}");
}

#[test]
fn a_hostile_body_is_shown_escaped_and_adds_no_markup_to_the_fuzz_page() {
    let server = script_in_errors();
    let dir = crate::bin::fresh_dir("html-hostile");
    let page_path = dir.join("fuzz.html");
    let (code, shown, page) = run_then_read(
        &[
            "fuzz",
            "--target",
            &server.base_url,
            "--auth",
            "Bearer hostile",
            "--cases",
            "2",
            "--seed",
            "1",
            "--shrink-time",
            "1s",
            "--report-html",
            page_path.to_str().expect("utf-8"),
        ],
        &page_path,
    );
    assert_eq!(code, 1, "{shown}");
    assert_self_contained(&page);
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the body is shown escaped: {page}"
    );
}

#[test]
fn an_unwritable_html_path_exits_2_before_any_request() {
    let (code, shown) = run(&[
        "fuzz",
        "--target",
        "http://127.0.0.1:9",
        "--auth",
        "Bearer x",
        "--report-html",
        "/nonexistent-dir-scimfuzz/page.html",
    ]);
    assert_eq!(code, 2, "{shown}");
    assert!(shown.contains("--report-html"), "{shown}");
}

#[test]
fn okta_writes_a_page_with_suites_steps_and_the_failing_exchange_and_no_secret() {
    let server = spawn_on_thread(ServerConfig::with_faults([Fault::BogusId400])).expect("server");
    let token = server.token().to_string();
    let auth = server.authorization();
    let dir = crate::bin::fresh_dir("html-okta");
    let page_path = dir.join("okta.html");
    let (code, shown, page) = run_then_read(
        &[
            "okta",
            "--target",
            server.base_url(),
            "--auth",
            &auth,
            "--mode",
            "oin",
            "--seed",
            "5",
            "--report-html",
            page_path.to_str().expect("utf-8"),
        ],
        &page_path,
    );
    assert_eq!(code, 1, "{shown}");
    assert_self_contained(&page);
    assert!(!page.contains(&token), "the page holds the token: {page}");
    assert!(page.contains("<h2>SPEC"), "suites are headed: {page}");
    assert!(
        page.contains("Test invalid User by ID")
            && page.contains("status equal_number</code>: expected 404, got 400"),
        "the failing step says what did not hold: {page}"
    );
    assert!(
        page.contains("&gt; GET http://127.0.0.1:") && page.contains("&lt; 400"),
        "the failing exchange is shown, escaped: {page}"
    );
    assert!(
        page.contains("passed</span>"),
        "passed steps are listed: {page}"
    );
    assert!(page.contains("failed (exit 1)"), "{page}");
}

#[test]
fn a_hostile_body_adds_no_markup_to_the_okta_page() {
    let server = script_in_errors();
    let dir = crate::bin::fresh_dir("html-okta-hostile");
    let page_path = dir.join("okta.html");
    let (code, shown, page) = run_then_read(
        &[
            "okta",
            "--target",
            &server.base_url,
            "--auth",
            "Bearer hostile",
            "--report-html",
            page_path.to_str().expect("utf-8"),
        ],
        &page_path,
    );
    assert_eq!(code, 1, "{shown}");
    assert_self_contained(&page);
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the body is shown escaped: {page}"
    );
}

#[test]
fn runscope_writes_the_conformance_page_for_an_export() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/runscope");
    let dir = crate::bin::fresh_dir("html-runscope");
    let page_path = dir.join("runscope.html");
    let (code, shown, page) = run_then_read(
        &[
            "runscope",
            data.join("provisioning.json").to_str().expect("utf-8"),
            "--initial-script",
            data.join("initial-script.js").to_str().expect("utf-8"),
            "--fault",
            "duplicate-upsert",
            "--report-html",
            page_path.to_str().expect("utf-8"),
        ],
        &page_path,
    );
    assert_eq!(code, 1, "{shown}");
    assert_self_contained(&page);
    assert!(
        page.contains("scimfuzz runscope: http://127.0.0.1:"),
        "{page}"
    );
    assert!(
        page.contains("<th>export</th><td class=\"text\">scimfuzz provisioning check</td>"),
        "the export is named: {page}"
    );
    assert!(
        page.contains("Creating the same userName again is a conflict")
            && page.contains("status equal_number</code>: expected 409, got 201"),
        "the failing step says what did not hold: {page}"
    );
    assert!(page.contains("&gt; POST http://127.0.0.1:"), "{page}");
    assert!(page.contains("failed (exit 1)"), "{page}");
}
