//! Machine-readable fuzz output: the versioned JSON report (`--report-json`, schema in
//! `docs/schemas/fuzz-report.schema.json`) and the JSON traces of `--repro-dir` that `scimfuzz
//! replay` reads. Credentials in recorded requests are redacted before anything is written.

use serde_json::{json, Value};

use super::grouping::causes;
use super::headline::{discovery_headline, failure_headline};
use super::impact::impact;
use super::redact::{redact_headers, redact_json};
use crate::check::catalogue;
use crate::fuzz::{CaseOutcome, SearchSummary, Trace};

/// The JSON report format version.
pub const REPORT_VERSION: u32 = 1;

/// What the report says about the run besides the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    pub profile: String,
    pub target: String,
    pub embedded_faults: Vec<String>,
    /// Per failure (same order), the trace and curl script written for it (`--repro-dir`).
    pub repro: Vec<Option<ReproPaths>>,
    /// Checks the run did not exercise, each with why (the profile allows the deviation, or
    /// never sends what the check judges).
    pub unexercised: Vec<(String, String)>,
}

/// Where a failure's repro files were written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReproPaths {
    pub trace: String,
    pub script: String,
}

impl RunInfo {
    /// The repro paths of failure `index`, as JSON (`null` without `--repro-dir`).
    pub fn repro_json(&self, index: usize) -> Value {
        match self.repro.get(index).cloned().flatten() {
            Some(paths) => json!({"trace": paths.trace, "script": paths.script}),
            None => Value::Null,
        }
    }
}

/// A copy of an outcome with credential headers redacted.
pub fn redact_outcome(outcome: &CaseOutcome) -> CaseOutcome {
    let mut copy = outcome.clone();
    for step in &mut copy.steps {
        let calls = step.calls.iter_mut();
        for call in calls.chain(&mut step.read_back).chain(&mut step.diagnosis) {
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
    let causes = causes(&summary.failures);
    let failures: Vec<Value> = summary
        .failures
        .iter()
        .enumerate()
        .filter_map(|(index, failure)| {
            let finding = failure.finding()?;
            let minimal = redact_outcome(&failure.minimal);
            let exchanges = minimal
                .steps
                .get(finding.op_index)
                .map(|s| s.calls.clone())
                .unwrap_or_default();
            Some(json!({
                "headline": failure_headline(failure),
                "why": impact(&finding.check_id).why,
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
                "intermittent": failure.intermittent.as_ref().map(|i| json!({
                    "shown": i.shown,
                    "runs": i.runs,
                    "also": i.also,
                })),
                "namespace": minimal.tag,
                "exchanges": exchanges,
                "findings": minimal.findings().collect::<Vec<_>>(),
                "repro": info.repro_json(index),
                "follows_from": causes.get(index).cloned().flatten().map(|cause| json!({
                    "index": cause.index,
                    "defect": cause.defect,
                    "op_index": cause.op_index,
                })),
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
                "headline": discovery_headline(item.exchange.as_ref(), finding),
                "why": impact(&finding.check_id).why,
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
        "unexercised": info.unexercised.iter().map(|(check, why)| json!({"check_id": check, "reason": why})).collect::<Vec<_>>(),
    });
    let mut report = report;
    redact_json(&mut report);
    serde_json::to_string_pretty(&report).unwrap_or_default()
}
