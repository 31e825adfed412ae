//! The fuzz JUnit XML of `--junit`: one test case per distinct defect found, with the evidence a
//! server author needs without the rest of the report (the rule, the minimal sequence, the
//! exchanges of the failing op with bodies capped, the trace and script paths); one per check
//! that found nothing, passed, or skipped with the reason when the run did not exercise it.

use std::fmt::Write;

use super::fuzz_json::RunInfo;
use super::fuzz_text::{describe_op, render_exchange};
use super::grouping::{causes, intermittent_note, Cause};
use super::headline::{counted, failure_headline};
use super::impact::impact;
use super::junit::{render_junit, JunitCase, JunitOutcome, JunitSuite};
use super::redact::redact;
use super::timeline::race_timeline;
use crate::check::catalogue;
use crate::fuzz::{Failure, SearchSummary};

/// The most characters of exchanges a failure carries.
const EXCHANGE_CAP: usize = 4000;

/// The `--junit` document.
pub fn render_fuzz_junit(summary: &SearchSummary, info: &RunInfo) -> String {
    let seconds = summary.elapsed_seconds;
    let causes = causes(&summary.failures);
    let mut cases: Vec<JunitCase> = summary
        .failures
        .iter()
        .enumerate()
        .filter_map(|(index, failure)| {
            let cause = causes.get(index).cloned().flatten();
            defect_case(summary, info, index, failure, cause)
        })
        .collect();
    for check in catalogue::ALL {
        if summary.failures.iter().any(|f| f.check_id == check.id) {
            continue;
        }
        let found = summary
            .discovery
            .iter()
            .find(|d| d.finding.check_id == check.id && d.finding.is_blocking());
        let skipped = info.unexercised.iter().find(|(id, _)| id == check.id);
        let outcome = match (found, skipped) {
            (Some(item), _) => JunitOutcome::Failed {
                message: format!(
                    "expected {}, got {}",
                    item.finding.expected, item.finding.actual
                ),
                details: format!(
                    "{}\nfound by discovery, before the search",
                    item.finding.citation
                ),
            },
            (None, Some((_, reason))) => JunitOutcome::Skipped {
                reason: reason.clone(),
            },
            (None, None) => JunitOutcome::Passed,
        };
        cases.push(JunitCase {
            name: format!("{}: {}", check.id, check.summary),
            classname: "scimfuzz.fuzz".into(),
            seconds: if found.is_some() { seconds } else { 0.0 },
            outcome,
        });
    }
    render_junit(&[JunitSuite {
        name: "scimfuzz fuzz".into(),
        cases,
    }])
}

/// The test case of one distinct defect.
fn defect_case(
    summary: &SearchSummary,
    info: &RunInfo,
    index: usize,
    failure: &Failure,
    cause: Option<Cause>,
) -> Option<JunitCase> {
    let finding = failure.finding()?;
    let headline = failure_headline(failure).unwrap_or_default();
    let mut details = format!(
        "{headline}\nrule: {} — {}; {}\nwhy: {}\nexpected: {}\nactual: {}\n",
        finding.check_id,
        catalogue::info(&finding.check_id).map_or("", |c| c.summary),
        finding.citation,
        impact(&finding.check_id).why,
        finding.expected,
        finding.actual
    );
    if let Some(cause) = cause {
        let _ = writeln!(
            details,
            "follows from finding {} ({}): its sequence diverged first at op {}; fix that first",
            cause.index + 1,
            cause.defect,
            cause.op_index
        );
    }
    let _ = writeln!(
        details,
        "minimal sequence ({}, seed {}; the finding at op {}):",
        counted(failure.minimal.steps.len(), "op", "ops"),
        summary.seed,
        finding.op_index
    );
    for (at, step) in failure.minimal.steps.iter().enumerate() {
        let _ = writeln!(details, "  {at}. {}", describe_op(step));
    }
    if let Some(note) = intermittent_note(failure) {
        let _ = writeln!(details, "{note}");
    }
    if let Some(step) = failure.minimal.steps.get(finding.op_index) {
        if let Some(timeline) = race_timeline(&step.op, &step.calls) {
            details.push_str(&timeline);
        }
        details.push_str(&capped(&render_exchange(step), EXCHANGE_CAP));
    }
    match info.repro.get(index).cloned().flatten() {
        Some(paths) => {
            let _ = writeln!(
                details,
                "repro: sh {} (exit 1 while the defect reproduces); replay: scimfuzz replay {}",
                paths.script, paths.trace
            );
        }
        None => details.push_str("repro: run with --repro-dir DIR for a trace and a curl script\n"),
    }
    let summary_line = catalogue::info(&finding.check_id).map_or("", |c| c.summary);
    Some(JunitCase {
        name: format!("{} [{}]: {summary_line}", finding.check_id, failure.defect),
        classname: "scimfuzz.fuzz".into(),
        seconds: failure.seconds_to_detect + failure.seconds_to_shrink,
        outcome: JunitOutcome::Failed {
            message: redact(&headline),
            details: redact(&details),
        },
    })
}

/// `text` cut to `limit` characters, saying how much was left out.
fn capped(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let kept: String = text.chars().take(limit).collect();
    format!(
        "{kept}\n  … ({} more characters; the trace holds every exchange)\n",
        text.chars().count() - limit
    )
}
