//! The human-readable fuzz report: a summary line, then for every failure its headline (what the
//! server did against what it should have done), the rule and why it matters, the minimal op sequence, and the exact HTTP exchanges of the failing op (secrets redacted), plus the
//! command that reproduces it.

use std::fmt::Write;

use super::diff::{diff_text, value_diff};
use super::grouping::{causes, grouped_order, intermittent_note, Cause};
use super::headline::{counted, discovery_headline, failure_headline};
use super::impact::impact;
use super::redact::{redact, redact_headers};
use super::terminal::{escape_controls, one_line};
use super::timeline::race_timeline;
use crate::check::{catalogue, Finding};
use crate::driver::Call;
use crate::fuzz::{DiscoveryFinding, Failure, SearchSummary, Step};
use crate::model::Op;

/// The whole report.
pub fn render_fuzz_text(summary: &SearchSummary, rerun_hint: &str) -> String {
    let mut out = String::new();
    let verdict = if summary.has_findings() {
        "FINDINGS"
    } else {
        "no findings"
    };
    let _ = writeln!(
        out,
        "scimfuzz fuzz: {verdict} — {} cases, {} ops ({} skipped by preconditions), {} requests in {:.1}s (seed {}){}",
        summary.cases_run,
        summary.ops_run,
        summary.ops_skipped,
        summary.requests,
        summary.elapsed_seconds,
        summary.seed,
        if summary.interrupted {
            ", INTERRUPTED (Ctrl-C): partial run"
        } else if summary.time_limit_reached {
            ", time limit reached"
        } else {
            ""
        }
    );
    for item in &summary.discovery {
        out.push('\n');
        render_discovery(&mut out, item);
    }
    let causes = causes(&summary.failures);
    for index in grouped_order(&causes) {
        out.push('\n');
        render_failure(&mut out, index, &summary.failures[index], &causes);
    }
    for note in &summary.notes {
        let _ = writeln!(
            out,
            "\nnote [{}] {}: expected {}, got {}",
            note.check_id, note.citation, note.expected, note.actual
        );
    }
    if let Some(leftover) = &summary.leftover {
        let _ = writeln!(
            out,
            "\n{} [{}]: {} (expected {})",
            leftover.severity.name(),
            leftover.check_id,
            leftover.actual,
            leftover.expected
        );
    }
    if summary.cleanup_refused > 0 {
        let _ = writeln!(
            out,
            "\nwarning: the server refused {} cleanup requests; resources of this run may be left",
            summary.cleanup_refused
        );
    }
    if let Some(line) = slow_server_line(summary) {
        let _ = writeln!(out, "\n{line}");
    }
    if summary.has_findings() {
        let _ = writeln!(
            out,
            "\nreproduce the search: {rerun_hint} --seed {}",
            summary.seed
        );
    }
    escape_controls(&redact(&out))
}

/// When a latency check fired (the server is slow), how long the whole plan takes at the pace
/// this run saw, and how to shorten it.
fn slow_server_line(summary: &SearchSummary) -> Option<String> {
    let slow = summary
        .failures
        .iter()
        .map(|f| f.check_id.as_str())
        .chain(summary.notes.iter().map(|n| n.check_id.as_str()))
        .find(|id| id.starts_with("latency."))?;
    if summary.planned_done == 0 || summary.planned_cases == 0 {
        return None;
    }
    let per_case = summary.elapsed_seconds / summary.planned_done as f64;
    let full = per_case * summary.planned_cases as f64;
    Some(format!(
        "the server is slow ({slow}): at this run's pace ({:.1} cases/s with --jobs {}) the full \
         budget of {} cases takes about {}; shorten it with --time-limit (e.g. --time-limit 60s), \
         fewer --cases, or more --jobs (cases run at once, each in its own namespace)",
        1.0 / per_case.max(f64::EPSILON),
        summary.jobs,
        summary.planned_cases,
        human_seconds(full)
    ))
}

/// `45s`, `3m 20s`, `1h 05m`.
fn human_seconds(seconds: f64) -> String {
    let whole = seconds.round() as u64;
    match whole {
        0..=59 => format!("{whole}s"),
        60..=3599 => format!("{}m {:02}s", whole / 60, whole % 60),
        _ => format!("{}h {:02}m", whole / 3600, (whole % 3600) / 60),
    }
}

/// A discovery finding: found before the search, not part of any case.
fn render_discovery(out: &mut String, item: &DiscoveryFinding) {
    let finding = &item.finding;
    let _ = writeln!(
        out,
        "discovery: {}",
        one_line(&discovery_headline(item.exchange.as_ref(), finding))
    );
    render_rule(out, finding);
    if let Some(call) = &item.exchange {
        out.push_str("  exchange:\n");
        render_call(out, call);
    }
}

fn render_failure(out: &mut String, index: usize, failure: &Failure, causes: &[Option<Cause>]) {
    let Some(finding) = failure.finding() else {
        return;
    };
    let headline = failure_headline(failure).unwrap_or_else(|| finding.actual.clone());
    let _ = writeln!(out, "finding {}: {}", index + 1, one_line(&headline));
    render_grouping(out, index, causes);
    render_rule(out, finding);
    let _ = writeln!(
        out,
        "  minimal sequence ({}, shrunk from {} in {:.2}s; namespace {}, found after {:.2}s):",
        counted(failure.minimal.steps.len(), "op", "ops"),
        failure.original_len,
        failure.seconds_to_shrink,
        failure.minimal.tag,
        failure.seconds_to_detect
    );
    if let Some(note) = intermittent_note(failure) {
        let _ = writeln!(out, "  {}", one_line(&note));
    }
    if failure.shrink_cut_short {
        let _ = writeln!(
            out,
            "  (shrinking stopped at its time limit: a shorter sequence may exist; raise --shrink-time)"
        );
    }
    for (index, step) in failure.minimal.steps.iter().enumerate() {
        let marker = if index == finding.op_index {
            "→"
        } else {
            " "
        };
        let _ = writeln!(out, "   {marker} {index}. {}", describe_op(step));
    }
    if let Some(step) = failure.minimal.steps.get(finding.op_index) {
        if let Some(timeline) = race_timeline(&step.op, &step.calls) {
            out.push_str(&timeline);
        }
        out.push_str(&render_exchange(step));
        if let Some(localized) = &step.localized {
            let _ = writeln!(
                out,
                "  localized: {localized} ({} sent alone)",
                counted(step.diagnosis.len(), "filter", "filters")
            );
        }
    }
    for other in failure
        .minimal
        .findings()
        .filter(|f| !std::ptr::eq(*f, finding))
    {
        render_other(out, other);
    }
}

/// Where a finding stands in its group: it follows from an earlier one, or others follow from it.
fn render_grouping(out: &mut String, index: usize, causes: &[Option<Cause>]) {
    if let Some(Some(cause)) = causes.get(index) {
        let _ = writeln!(
            out,
            "  follows from finding {}: its sequence diverged first at op {} ({}); fix that first",
            cause.index + 1,
            cause.op_index,
            cause.defect
        );
    }
    let followers: Vec<String> = causes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.as_ref().is_some_and(|c| c.index == index))
        .map(|(follower, _)| (follower + 1).to_string())
        .collect();
    if !followers.is_empty() {
        let _ = writeln!(
            out,
            "  cause of {} {} (below): they follow from it",
            if followers.len() == 1 {
                "finding"
            } else {
                "findings"
            },
            followers.join(", ")
        );
    }
}

/// The rule under a headline: severity, check id (and subject), summary and citation; why it
/// matters to an IdP; then expected and actual in full, and their diff when both are structured.
fn render_rule(out: &mut String, finding: &Finding) {
    let summary = catalogue::info(&finding.check_id).map_or("", |c| c.summary);
    let about = finding
        .subject
        .as_deref()
        .map_or(String::new(), |subject| format!(" ({subject})"));
    let _ = writeln!(
        out,
        "  rule:     [{}] {}{about} — {summary}; {}",
        finding.severity.name(),
        finding.check_id,
        finding.citation
    );
    let _ = writeln!(out, "  why:      {}", impact(&finding.check_id).why);
    let _ = writeln!(out, "  expected: {}", one_line(&finding.expected));
    let _ = writeln!(out, "  actual:   {}", one_line(&finding.actual));
    if let Some(diff) = value_diff(&finding.expected, &finding.actual) {
        out.push_str(&diff_text(&diff, one_line));
    }
}

fn render_other(out: &mut String, finding: &Finding) {
    let _ = writeln!(
        out,
        "  also [{}] {}: expected {}, got {}",
        finding.severity.name(),
        finding.check_id,
        finding.expected,
        finding.actual
    );
}

/// The exchanges of one step, credentials redacted.
pub fn render_exchange(step: &Step) -> String {
    let mut out = String::from("  exchange:\n");
    for call in &step.calls {
        render_call(&mut out, call);
    }
    out
}

/// One op as a short line, e.g. `create-user user#0 spelled upper`.
pub fn describe_op(step: &Step) -> String {
    describe(&step.op)
}

/// `kind key=value …`; a race lists its concurrent branches the same way, separated by `‖`.
fn describe(op: &Op) -> String {
    if let Op::Race { branches } = op {
        let shown: Vec<String> = branches.iter().map(describe).collect();
        return format!("race of {}: {}", branches.len(), shown.join(" ‖ "));
    }
    let json = serde_json::to_value(op).unwrap_or_default();
    let mut parts = vec![op.kind().to_string()];
    if let Some(object) = json.as_object() {
        for (key, value) in object.iter().filter(|(key, _)| key.as_str() != "op") {
            parts.push(format!("{key}={value}"));
        }
    }
    parts.join(" ")
}

fn render_call(out: &mut String, call: &Call) {
    let request = &call.request;
    let _ = writeln!(out, "    > {} {}", request.method, redact(&request.url));
    for (name, value) in redact_headers(&request.headers) {
        let _ = writeln!(out, "    > {name}: {value}");
    }
    if let Some(body) = &request.body {
        let _ = writeln!(out, "    > {}", one_line(&redact(&clip(body, 600))));
    }
    let _ = writeln!(out, "    < HTTP {}", call.response.status);
    if let Some(content_type) = call.response.header("content-type") {
        let _ = writeln!(out, "    < content-type: {content_type}");
    }
    if !call.response.body.is_empty() {
        let shown = one_line(&redact(&clip(&call.response.body, 600)));
        let _ = writeln!(out, "    < {shown}");
    }
}

fn clip(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let cut = (0..=limit)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    format!("{}… ({} bytes)", &text[..cut], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::UserHandle;

    #[test]
    fn a_race_is_described_branch_by_branch_not_as_raw_json() {
        let set = |active| Op::SetActive {
            user: UserHandle(0),
            active,
            capitalised: false,
        };
        let race = Op::Race {
            branches: vec![
                set(true),
                Op::GetUser {
                    user: UserHandle(0),
                },
                set(false),
            ],
        };
        assert_eq!(
            describe(&race),
            "race of 3: set-active user=0 active=true capitalised=false ‖ get-user user=0 ‖ \
             set-active user=0 active=false capitalised=false"
        );
    }

    /// A run that met a latency finding says how long its whole plan takes and how to shorten it.
    #[test]
    fn a_slow_server_gets_the_full_budget_and_how_to_shorten_it() {
        let slow = Finding::new("latency.okta-600ms", "under 600 ms", "612 ms");
        let summary = SearchSummary {
            seed: 1,
            cases_run: 10,
            ops_run: 0,
            ops_skipped: 0,
            requests: 0,
            elapsed_seconds: 20.0,
            time_limit_reached: true,
            interrupted: false,
            failures: Vec::new(),
            notes: vec![slow],
            cleanup_refused: 0,
            op_kinds: Default::default(),
            leftover: None,
            discovery: Vec::new(),
            jobs: 2,
            planned_cases: 400,
            planned_done: 10,
        };
        let line = slow_server_line(&summary).expect("a latency note makes the line");
        assert!(
            line.contains("the full budget of 400 cases takes about 13m 20s"),
            "{line}"
        );
        assert!(line.contains("0.5 cases/s with --jobs 2"), "{line}");
        assert!(line.contains("--time-limit"), "{line}");
        let quick = SearchSummary {
            notes: Vec::new(),
            ..summary
        };
        assert_eq!(slow_server_line(&quick), None);
        assert_eq!(human_seconds(3725.0), "1h 02m");
    }
}
