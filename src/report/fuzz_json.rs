//! Machine-readable fuzz output: the versioned JSON report (`--report-json`), the JSON traces of
//! `--repro-dir` that `scimfuzz replay` reads, and the JUnit XML of `--junit`. Credentials in
//! recorded requests are redacted before anything is written.

use serde_json::{json, Value};

use super::junit::{render_junit, JunitCase, JunitOutcome, JunitSuite};
use super::redact::{redact_headers, redact_json};
use crate::check::catalogue;
use crate::fuzz::{CaseOutcome, Failure, SearchSummary, Trace};

/// The JSON report format version.
pub const REPORT_VERSION: u32 = 1;

/// What the report says about the run besides the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    pub profile: String,
    pub target: String,
    pub embedded_faults: Vec<String>,
}

/// A copy of an outcome with credential headers redacted.
pub fn redact_outcome(outcome: &CaseOutcome) -> CaseOutcome {
    let mut copy = outcome.clone();
    for step in &mut copy.steps {
        for call in &mut step.calls {
            call.request.headers = redact_headers(&call.request.headers);
        }
    }
    copy
}

/// A trace as pretty JSON, credentials redacted.
pub fn render_trace(trace: &Trace) -> String {
    let mut copy = serde_json::to_value(trace).unwrap_or_default();
    redact_json(&mut copy);
    serde_json::to_string_pretty(&copy).unwrap_or_default()
}

/// The `--report-json` document.
pub fn render_report_json(summary: &SearchSummary, info: &RunInfo) -> String {
    let failures: Vec<Value> = summary
        .failures
        .iter()
        .filter_map(|failure| {
            let finding = failure.finding()?;
            let minimal = redact_outcome(&failure.minimal);
            let exchanges = minimal
                .steps
                .get(finding.op_index)
                .map(|s| s.calls.clone())
                .unwrap_or_default();
            Some(json!({
                "check_id": finding.check_id,
                "defect": failure.defect,
                "subject": finding.subject,
                "severity": finding.severity,
                "citation": finding.citation,
                "summary": catalogue::info(&finding.check_id).map(|c| c.summary),
                "expected": finding.expected,
                "actual": finding.actual,
                "op_index": finding.op_index,
                "ops": minimal.ops(),
                "original_len": failure.original_len,
                "minimal_len": minimal.steps.len(),
                "seconds_to_detect": failure.seconds_to_detect,
                "seconds_to_shrink": failure.seconds_to_shrink,
                "shrink_cut_short": failure.shrink_cut_short,
                "namespace": minimal.tag,
                "exchanges": exchanges,
                "findings": minimal.findings().collect::<Vec<_>>(),
            }))
        })
        .collect();
    let discovery: Vec<Value> = summary
        .discovery
        .iter()
        .map(|item| {
            let finding = &item.finding;
            let exchange = item.exchange.clone().map(|mut call| {
                call.request.headers = redact_headers(&call.request.headers);
                call
            });
            json!({
                "check_id": finding.check_id,
                "severity": finding.severity,
                "citation": finding.citation,
                "summary": catalogue::info(&finding.check_id).map(|c| c.summary),
                "expected": finding.expected,
                "actual": finding.actual,
                "exchange": exchange,
            })
        })
        .collect();
    let report = json!({
        "version": REPORT_VERSION,
        "tool": format!("scimfuzz {}", env!("CARGO_PKG_VERSION")),
        "command": "fuzz",
        "profile": info.profile,
        "target": info.target,
        "embedded_faults": info.embedded_faults,
        "seed": summary.seed,
        "verdict": if summary.has_findings() { "findings" } else { "clean" },
        "cases_run": summary.cases_run,
        "ops_run": summary.ops_run,
        "ops_skipped": summary.ops_skipped,
        "requests": summary.requests,
        "elapsed_seconds": summary.elapsed_seconds,
        "time_limit_reached": summary.time_limit_reached,
        "interrupted": summary.interrupted,
        "cleanup_refused": summary.cleanup_refused,
        "op_kinds": summary.op_kinds,
        "failures": failures,
        "notes": summary.notes,
        "leftover": summary.leftover,
        "discovery": discovery,
    });
    let mut report = report;
    redact_json(&mut report);
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

/// The `--junit` document: one test case per check of the catalogue, failed where the run found
/// a failure with that id.
pub fn render_fuzz_junit(summary: &SearchSummary) -> String {
    let seconds = summary.elapsed_seconds;
    let cases = catalogue::ALL
        .iter()
        .map(|check| {
            let failure = summary.failures.iter().find(|f| f.check_id == check.id);
            let found = summary
                .discovery
                .iter()
                .find(|d| d.finding.check_id == check.id && d.finding.is_blocking());
            let outcome = match (failure.and_then(Failure::finding), found) {
                (None, Some(item)) => JunitOutcome::Failed {
                    message: format!(
                        "expected {}, got {}",
                        item.finding.expected, item.finding.actual
                    ),
                    details: format!(
                        "{}\nfound by discovery, before the search",
                        item.finding.citation
                    ),
                },
                (Some(finding), _) => JunitOutcome::Failed {
                    message: format!("expected {}, got {}", finding.expected, finding.actual),
                    details: format!(
                        "{}\nminimal sequence: {} ops (seed {})",
                        finding.citation,
                        failure.map_or(0, |f| f.minimal.steps.len()),
                        summary.seed
                    ),
                },
                (None, None) => JunitOutcome::Passed,
            };
            JunitCase {
                name: format!("{}: {}", check.id, check.summary),
                classname: "scimfuzz.fuzz".into(),
                seconds: if failure.is_some() || found.is_some() {
                    seconds
                } else {
                    0.0
                },
                outcome,
            }
        })
        .collect();
    render_junit(&[JunitSuite {
        name: "scimfuzz fuzz".into(),
        cases,
    }])
}
