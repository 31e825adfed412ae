//! The fuzz HTML report of `--report-html`: one self-contained page (inline CSS, no script, no
//! CDN) with the run summary, each distinct defect with its rule, expected against actual, the
//! minimal sequence, the failing exchanges (bodies capped) and the repro paths, then coverage (op
//! kinds run, checks exercised or not and why). Reads the same [`RunInfo`] as the JSON and JUnit
//! writers. Every text passes the run's redactor, then HTML escaping: nothing the server sent can
//! add markup to the page.

use std::fmt::Write;

use super::diff::{value_diff, DiffLine};
use super::fuzz_json::RunInfo;
use super::fuzz_text::{describe_op, render_exchange};
use super::grouping::{causes, grouped_order, intermittent_note, Cause};
use super::headline::{counted, failure_headline};
use super::impact::impact;
use super::redact::redact;
use super::timeline::race_timeline;
use crate::check::catalogue;
use crate::fuzz::{Failure, SearchSummary};
use crate::load::report::html::{escape, STYLE};
use crate::model::Op;

/// The most characters of exchanges shown per defect (the trace holds them all).
const EXCHANGE_CAP: usize = 4000;

/// Extra style for the fuzz and okta pages: preformatted evidence.
pub const EVIDENCE_STYLE: &str = "pre{background:#f7f7f7;border:1px solid #ddd;padding:6px;\
white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px}section{border-top:2px solid #ddd;\
margin-top:1.5em}td.text{word-break:normal;overflow-wrap:anywhere}td.prose{text-align:left}";

/// Redacts then HTML-escapes `text`: the one way text reaches the page.
pub fn safe(text: &str) -> String {
    escape(&redact(text))
}

/// The opening of a page titled `title` (already safe), with the shared style.
pub fn page_head(title: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>{STYLE}{EVIDENCE_STYLE}</style></head><body><h1>{title}</h1>"
    )
}

/// The `--report-html` page.
pub fn render_fuzz_html(summary: &SearchSummary, info: &RunInfo) -> String {
    let mut page = page_head(&format!("scimfuzz fuzz: {}", safe(&info.target)));
    page.push_str(&summary_table(summary, info));
    let _ = write!(
        page,
        "<h2>Defects ({})</h2>",
        summary.failures.len() + blocking_discovery(summary)
    );
    if summary.failures.is_empty() && blocking_discovery(summary) == 0 {
        page.push_str("<p class=\"ok\">No defect found.</p>");
    }
    let causes = causes(&summary.failures);
    for index in grouped_order(&causes) {
        let failure = &summary.failures[index];
        page.push_str(&defect_section(summary, info, index, failure));
        page.push_str(&grouping_paragraph(index, &causes));
    }
    page.push_str(&discovery_section(summary));
    page.push_str(&coverage_section(summary, info));
    page.push_str("</body></html>\n");
    page
}

fn blocking_discovery(summary: &SearchSummary) -> usize {
    summary
        .discovery
        .iter()
        .filter(|item| item.finding.is_blocking())
        .count()
}

fn summary_table(summary: &SearchSummary, info: &RunInfo) -> String {
    let verdict = if summary.has_findings() {
        "<span class=\"bad\">findings (exit 1)</span>"
    } else {
        "<span class=\"ok\">clean (exit 0)</span>"
    };
    let faults = if info.embedded_faults.is_empty() {
        "none".to_string()
    } else {
        info.embedded_faults.join(", ")
    };
    let rows = [
        ("target", safe(&info.target)),
        ("profile", safe(&info.profile)),
        ("embedded faults", safe(&faults)),
        ("seed", summary.seed.to_string()),
        ("cases", summary.cases_run.to_string()),
        (
            "ops",
            format!("{} run, {} skipped", summary.ops_run, summary.ops_skipped),
        ),
        ("requests", summary.requests.to_string()),
        ("duration", format!("{:.1} s", summary.elapsed_seconds)),
        ("time limit reached", summary.time_limit_reached.to_string()),
        ("interrupted", summary.interrupted.to_string()),
        ("verdict", verdict.to_string()),
    ];
    let mut table = String::from("<h2>Summary</h2><table>");
    for (name, value) in rows {
        let _ = write!(
            table,
            "<tr><th>{name}</th><td class=\"text\">{value}</td></tr>"
        );
    }
    table.push_str("</table>");
    table
}

/// One distinct defect: its rule, expected against actual, minimal sequence, exchanges, repro.
fn defect_section(
    summary: &SearchSummary,
    info: &RunInfo,
    index: usize,
    failure: &Failure,
) -> String {
    let Some(finding) = failure.finding() else {
        return String::new();
    };
    let rule_summary = catalogue::info(&finding.check_id).map_or("", |c| c.summary);
    let headline = failure_headline(failure).unwrap_or_default();
    let mut out = format!(
        "<section id=\"defect-{n}\"><h3>{n}. {headline}</h3><p><code>{id}</code> \
         <span class=\"bad\">{severity}</span> {summary}</p><table>",
        n = index + 1,
        headline = safe(&headline),
        id = safe(&finding.check_id),
        severity = finding.severity.name(),
        summary = safe(rule_summary),
    );
    for (name, value) in [
        ("rule", finding.citation.as_str()),
        ("why it matters", impact(&finding.check_id).why),
        ("defect", failure.defect.as_str()),
        ("expected", finding.expected.as_str()),
        ("actual", finding.actual.as_str()),
    ] {
        let _ = write!(
            out,
            "<tr><th>{name}</th><td class=\"text\">{}</td></tr>",
            safe(value)
        );
    }
    out.push_str("</table>");
    out.push_str(&diff_block(&finding.expected, &finding.actual));
    let _ = write!(
        out,
        "<p>Minimal sequence: {} (first drawn with {}, seed {}); the finding at op {}{}.</p><ol start=\"0\">",
        counted(failure.minimal.steps.len(), "op", "ops"),
        failure.original_len,
        summary.seed,
        finding.op_index,
        if failure.shrink_cut_short { "; shrinking was cut short" } else { "" }
    );
    for step in &failure.minimal.steps {
        let _ = write!(out, "<li><code>{}</code></li>", safe(&describe_op(step)));
    }
    out.push_str("</ol>");
    if let Some(note) = intermittent_note(failure) {
        let _ = write!(out, "<p>{}</p>", safe(&note));
    }
    if let Some(step) = failure.minimal.steps.get(finding.op_index) {
        if let Some(timeline) = race_timeline(&step.op, &step.calls) {
            let _ = write!(out, "<pre>{}</pre>", safe(&timeline));
        }
        let _ = write!(
            out,
            "<p>The exchanges of op {}:</p><pre>{}</pre>",
            finding.op_index,
            safe(&capped(&render_exchange(step), EXCHANGE_CAP))
        );
    }
    out.push_str(&repro_paragraph(info, index));
    out.push_str("</section>");
    out
}

/// The defect this one follows from, or the ones that follow from it, linked.
fn grouping_paragraph(index: usize, causes: &[Option<Cause>]) -> String {
    if let Some(Some(cause)) = causes.get(index) {
        return format!(
            "<p class=\"follows\">Defect {n} follows from <a href=\"#defect-{c}\">defect {c}</a>: \
             its sequence diverged first at op {op} (<code>{defect}</code>); fix that first.</p>",
            n = index + 1,
            c = cause.index + 1,
            op = cause.op_index,
            defect = safe(&cause.defect),
        );
    }
    let followers: Vec<String> = causes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.as_ref().is_some_and(|c| c.index == index))
        .map(|(f, _)| format!("<a href=\"#defect-{n}\">{n}</a>", n = f + 1))
        .collect();
    if followers.is_empty() {
        return String::new();
    }
    format!(
        "<p class=\"follows\">Defect {} is the cause: defects {} follow from it.</p>",
        index + 1,
        followers.join(", ")
    )
}

/// Expected against actual as a line diff (`-` expected only, red; `+` actual only, green), when
/// both are structured.
fn diff_block(expected: &str, actual: &str) -> String {
    let Some(lines) = value_diff(expected, actual) else {
        return String::new();
    };
    let mut out = String::from("<p>Expected (-) against actual (+):</p><pre>");
    for line in lines {
        let _ = match line {
            DiffLine::Same(text) => writeln!(out, "  {}", safe(&text)),
            DiffLine::Expected(text) => {
                writeln!(out, "<span class=\"bad\">- {}</span>", safe(&text))
            }
            DiffLine::Actual(text) => writeln!(out, "<span class=\"ok\">+ {}</span>", safe(&text)),
        };
    }
    out.push_str("</pre>");
    out
}

fn repro_paragraph(info: &RunInfo, index: usize) -> String {
    match info.repro.get(index).cloned().flatten() {
        Some(paths) => format!(
            "<p>Repro: <code>sh {}</code> (exits 1 while the defect reproduces); replay: \
             <code>scimfuzz replay {}</code></p>",
            safe(&paths.script),
            safe(&paths.trace)
        ),
        None => {
            "<p>Repro: run with <code>--repro-dir DIR</code> for a trace and a curl script.</p>"
                .to_string()
        }
    }
}

/// Findings of discovery, before the search (no sequence to shrink).
fn discovery_section(summary: &SearchSummary) -> String {
    if summary.discovery.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<h2 id=\"discovery\">Found by discovery</h2><table><tr><th>check</th><th>severity</th>\
         <th class=\"text\">expected</th><th class=\"text\">actual</th><th class=\"text\">rule</th></tr>",
    );
    for item in &summary.discovery {
        let finding = &item.finding;
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"text\">{}</td>\
             <td class=\"text\">{}</td><td class=\"text\">{}</td></tr>",
            safe(&finding.check_id),
            finding.severity.name(),
            safe(&finding.expected),
            safe(&finding.actual),
            safe(&finding.citation)
        );
    }
    out.push_str("</table>");
    out
}

/// Every op kind with how often it ran ("not run" for none); checks exercised, and those not
/// exercised with why.
fn coverage_section(summary: &SearchSummary, info: &RunInfo) -> String {
    let mut out = String::from(
        "<h2>Coverage</h2><h3>Op kinds run</h3><table><tr><th>op</th><th>count</th></tr>",
    );
    // Every kind the fuzzer knows, so one the run never sent shows as such.
    let known = Op::KINDS.iter().map(|kind| kind.to_string());
    let extra = summary
        .op_kinds
        .keys()
        .filter(|kind| !Op::KINDS.contains(&kind.as_str()));
    for kind in known.chain(extra.cloned()) {
        match summary.op_kinds.get(&kind).copied().unwrap_or(0) {
            0 => {
                let _ = write!(out, "<tr><td>{}</td><td>not run</td></tr>", safe(&kind));
            }
            count => {
                let _ = write!(out, "<tr><td>{}</td><td>{count}</td></tr>", safe(&kind));
            }
        }
    }
    out.push_str(
        "</table><h3>Checks</h3><table><tr><th>check</th><th class=\"text\">status</th>\
         <th class=\"text\">what it checks</th></tr>",
    );
    for check in catalogue::ALL {
        let status = match (
            failed_at(summary, check.id),
            info.unexercised.iter().find(|(id, _)| id == check.id),
        ) {
            (Some(anchor), _) => format!("<a class=\"bad\" href=\"#{anchor}\">failed</a>"),
            (None, Some((_, why))) => format!("not exercised: {}", safe(why)),
            (None, None) => "<span class=\"ok\">exercised, passed</span>".to_string(),
        };
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td class=\"text\">{status}</td><td class=\"prose\">{}</td></tr>",
            check.id,
            safe(check.summary)
        );
    }
    out.push_str("</table>");
    out
}

/// Where the page shows check `id` failing: its first defect's section, or discovery's table.
fn failed_at(summary: &SearchSummary, id: &str) -> Option<String> {
    if let Some(index) = summary.failures.iter().position(|f| f.check_id == id) {
        return Some(format!("defect-{}", index + 1));
    }
    summary
        .discovery
        .iter()
        .any(|d| d.finding.check_id == id && d.finding.is_blocking())
        .then(|| "discovery".to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_markup_is_escaped_and_registered_secrets_are_masked() {
        crate::report::redact::register_secret("s3cr3t-html-token-value");
        let shown = safe("<script>alert('x')</script> Bearer s3cr3t-html-token-value");
        assert!(!shown.contains("<script"), "{shown}");
        assert!(shown.contains("&lt;script&gt;"), "{shown}");
        assert!(!shown.contains("s3cr3t-html-token-value"), "{shown}");
    }

    #[test]
    fn a_structured_mismatch_is_shown_as_a_marked_diff_with_server_text_escaped() {
        let shown = diff_block("x = [\"a\"]", "x = [\"a\",\"<b>\"]");
        assert!(
            shown.contains("<span class=\"ok\">+   &quot;&lt;b&gt;&quot;</span>"),
            "{shown}"
        );
        assert_eq!(diff_block("HTTP 200", "HTTP 404"), "");
    }

    #[test]
    fn long_exchanges_are_capped_with_a_pointer_to_the_trace() {
        let long = "x".repeat(EXCHANGE_CAP + 10);
        let shown = capped(&long, EXCHANGE_CAP);
        assert!(shown.contains("10 more characters"), "{shown}");
    }
}
