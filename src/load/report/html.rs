//! `report.html`: one self-contained page (inline CSS and SVG, no script, no CDN): the run (or the
//! workers merged into it), why operations failed, the per-operation table, SLO verdicts,
//! integrity findings grouped by kind, and the charts of [`super::charts`]. Every text that came
//! from the server (failure bodies, integrity details) has its control characters escaped, then
//! HTML-escaped.

use std::fmt::Write;

use super::charts::{latency_over_time_charts, percentile_chart, status_chart, throughput_chart};
use super::model::{LoadReport, OpSummary};
use super::text::{describe_failure, describe_workers};
use crate::load::measure::Measurements;
use crate::report::terminal::one_line;

/// Integrity findings listed per kind (the rest are in report.json).
pub const HTML_SAMPLE: usize = 10;

/// The page style, shared by the fuzz and okta HTML reports.
pub const STYLE: &str = "body{font:14px system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}\
table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}\
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}td.text{text-align:left;\
font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}th.text{text-align:left}.bad{color:#b00;font-weight:bold}\
.ok{color:#070}svg{background:#fff;border:1px solid #ddd;margin:6px 6px 6px 0}.grid{display:flex;\
flex-wrap:wrap}";

/// Renders the whole page.
pub fn render_html(report: &LoadReport, measurements: &Measurements) -> String {
    let mut page = String::new();
    let title = format!("scimfuzz load: {}", escape(&report.run.profile));
    let _ = write!(
        page,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>{STYLE}</style></head><body><h1>{title}</h1>"
    );
    page.push_str(&run_paragraph(report));
    if !report.failures.is_empty() {
        page.push_str("<h2>Why operations failed</h2>");
        page.push_str(&failures_table(report));
    }
    page.push_str("<h2>Operations</h2>");
    page.push_str(&operations_table(report));
    page.push_str("<h2>SLOs</h2>");
    page.push_str(&slo_list(report));
    page.push_str("<h2>Integrity after the run</h2>");
    page.push_str(&integrity_section(report));
    page.push_str("<h2>Throughput over time</h2>");
    page.push_str(&throughput_chart(report, measurements));
    page.push_str("<h2>Latency over time (from the intended start)</h2><div class=\"grid\">");
    page.push_str(&latency_over_time_charts(report, measurements));
    page.push_str("</div><h2>Latency by percentile</h2>");
    page.push_str(&percentile_chart(measurements));
    page.push_str("<h2>Status codes</h2>");
    page.push_str(&status_chart(report));
    page.push_str("</body></html>\n");
    page
}

/// Escapes text for HTML content and attributes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Text a server sent, for the page: control characters escaped, on one line, HTML-escaped.
fn server_text(text: &str) -> String {
    escape(&one_line(text))
}

fn run_paragraph(report: &LoadReport) -> String {
    let run = &report.run;
    let mut paragraph = format!(
        "<p>Target {} · {} · run tag <code>{}</code> · plan <code>{}</code> · {:.1} s measured · \
         {} tasks completed{} · pace {} ms per worker</p>",
        escape(&run.target),
        escape(&describe_workers(run)),
        escape(&run.run_tag),
        escape(&run.test_plan),
        run.duration_s,
        run.tasks_completed,
        run.last_task_s
            .map(|at| format!(" (last at {at:.2} s)"))
            .unwrap_or_default(),
        run.pace_ms,
    );
    if !run.merged_workers.is_empty() {
        paragraph.push_str(
            "<table><tr><th>worker</th><th>seed</th><th>run tag</th><th>report directory</th></tr>",
        );
        for worker in &run.merged_workers {
            let _ = write!(
                paragraph,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"text\">{}</td></tr>",
                worker.worker_index,
                worker.seed,
                escape(&worker.run_tag),
                escape(&worker.dir)
            );
        }
        paragraph.push_str("</table>");
    }
    if let Some(interruption) = &run.interrupted {
        let _ = write!(
            paragraph,
            "<p class=\"bad\"><strong>Partial report: {}.</strong> The numbers cover the load sent \
             before Ctrl-C; the SLO verdicts are not a verdict on the planned run.</p>",
            escape(&interruption.describe())
        );
    }
    paragraph
}

fn failures_table(report: &LoadReport) -> String {
    let mut table = String::from(
        "<table><tr><th>operation</th><th>status</th><th>failed</th><th class=\"text\">first answer</th></tr>",
    );
    for failure in &report.failures {
        let _ = write!(
            table,
            "<tr><td>{}</td><td>{}</td><td class=\"bad\">{}</td><td class=\"text\">{}</td></tr>",
            escape(&failure.operation),
            if failure.status == 0 {
                "none".to_string()
            } else {
                failure.status.to_string()
            },
            failure.count,
            server_text(&describe_failure(failure.status, &failure.first_body))
        );
    }
    table.push_str("</table>");
    table
}

fn operations_table(report: &LoadReport) -> String {
    let mut table = String::from(
        "<table><tr><th>operation</th><th>requests</th><th>req/s</th><th>errors</th><th>429s</th>\
         <th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th>\
         <th>service p99 ms</th></tr>",
    );
    let row = |summary: &OpSummary| {
        let latency = &summary.latency_ms;
        format!(
            "<tr><td>{}</td><td>{}</td><td>{:.1}</td><td{}>{}</td><td>{}</td><td>{:.2}</td><td>{:.2}</td>\
             <td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td></tr>",
            escape(&summary.operation),
            summary.requests,
            summary.rps,
            if summary.errors > 0 { " class=\"bad\"" } else { "" },
            summary.errors,
            summary.throttled,
            latency.p50,
            latency.p90,
            latency.p99,
            latency.p99_9,
            latency.max,
            summary.service_ms.p99
        )
    };
    for summary in report
        .operations
        .iter()
        .chain(std::iter::once(&report.total))
    {
        table.push_str(&row(summary));
    }
    table.push_str("</table>");
    table
}

fn slo_list(report: &LoadReport) -> String {
    if report.slos.is_empty() {
        return "<p>No SLOs were set.</p>".into();
    }
    let partial = report.run.interrupted.is_some();
    let mut list = String::from(if partial {
        "<p>On the partial (interrupted) run only:</p><ul>"
    } else {
        "<ul>"
    });
    for verdict in &report.slos {
        let (class, text) = match (verdict.passed, partial) {
            (true, false) => (
                "ok",
                format!("{} held (measured {:.3})", verdict.slo, verdict.measured),
            ),
            (false, false) => ("bad", verdict.detail.clone()),
            (passed, true) => (
                "partial",
                format!(
                    "{} {} so far (measured {:.3}), not judged: interrupted",
                    verdict.slo,
                    if passed { "held" } else { "breached" },
                    verdict.measured
                ),
            ),
        };
        let _ = write!(list, "<li class=\"{class}\">{}</li>", escape(&text));
    }
    list.push_str("</ul>");
    list
}

fn integrity_section(report: &LoadReport) -> String {
    let Some(integrity) = &report.integrity else {
        return if report.run.interrupted.is_some() {
            "<p>Not run: the run was interrupted.</p>".into()
        } else {
            "<p>Skipped.</p>".into()
        };
    };
    let mut section = format!(
        "<p>{} users, {} userNames and {} groups checked: <span class=\"{}\">{} findings</span>.</p>",
        integrity.users_checked,
        integrity.user_names_checked,
        integrity.groups_checked,
        if integrity.findings.is_empty() { "ok" } else { "bad" },
        integrity.findings.len()
    );
    for group in integrity.groups(HTML_SAMPLE) {
        let _ = write!(
            section,
            "<h3 data-finding-kind=\"{id}\">{id} × {count}</h3><table><tr><th class=\"text\">resource</th>\
             <th class=\"text\">detail</th></tr>",
            id = escape(group.check_id),
            count = group.count
        );
        for finding in &group.sample {
            let _ = write!(
                section,
                "<tr><td class=\"text\">{}</td><td class=\"text\">{}</td></tr>",
                server_text(&finding.resource),
                server_text(&finding.detail)
            );
        }
        section.push_str("</table>");
        if group.count > group.sample.len() {
            let _ = write!(
                section,
                "<p>… and {} more {} in report.json.</p>",
                group.count - group.sample.len(),
                escape(group.check_id)
            );
        }
    }
    section
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::measure::{record_clamped, IntervalSlot};
    use crate::load::ops::OpKind;
    use crate::load::report::{build_report, IntegrityFinding, IntegritySummary, RunFacts};
    use crate::load::slo::Slo;
    use std::time::Duration;

    fn facts(profile: &str) -> RunFacts {
        RunFacts {
            profile: profile.into(),
            target: "http://t".into(),
            seed: 1,
            run_tag: "00000001".into(),
            worker_index: 0,
            workers: 1,
            merged_from: Vec::new(),
            merged_workers: Vec::new(),
            test_plan: "1,1;0,0".into(),
            peak_users: 1,
            started_unix_s: 0.0,
            duration_s: 1.0,
            interval_s: 0.1,
            tasks_completed: 1,
            last_task_s: None,
            pace_ms: 0.0,
            interrupted: None,
        }
    }

    /// One interval of creates: 3 answered 201, 2 answered 409 as expected, 1 a 500 error.
    fn one_interval_burst() -> Measurements {
        let mut measurements = Measurements::new(0.0, Duration::from_millis(100));
        measurements.elapsed = Duration::from_millis(90);
        let totals = measurements.totals.entry(OpKind::Create).or_default();
        let mut slot = IntervalSlot::samples();
        for (millis, status) in [(3, 201), (4, 201), (5, 201), (6, 409), (7, 409), (8, 500)] {
            record_clamped(&mut totals.latency, Duration::from_millis(millis));
            *totals.statuses.entry(status).or_default() += 1;
            slot.record_samples(&[((millis * 1000) as u32, 1000)]);
        }
        totals.errors = 1;
        totals.failed_statuses.insert(500, 1);
        measurements
            .intervals
            .entry(OpKind::Create)
            .or_default()
            .insert(0, slot);
        let timeline = measurements.timeline.entry(0).or_default();
        timeline.requests = 6;
        timeline.errors = 1;
        measurements.first_failures.insert(
            (OpKind::Create, 500),
            "{\"detail\":\"<boom>\u{1b}[2J\"}".into(),
        );
        measurements
    }

    #[test]
    fn the_page_is_self_contained_and_escapes_what_it_shows() {
        let measurements = one_interval_burst();
        let page = render_html(
            &build_report(facts("<b>odd</b>"), &measurements, Vec::new(), None),
            &measurements,
        );
        assert!(page.contains("&lt;b&gt;odd&lt;/b&gt;") && !page.contains("<b>odd"));
        assert!(!page.contains("<script") && !page.contains("<link"));
        assert!(
            page.contains("&lt;boom&gt;\\x1b[2J") && !page.contains('\u{1b}'),
            "the failure body is shown with its markup and control characters escaped"
        );
    }

    #[test]
    fn a_one_interval_burst_draws_throughput_bars_latency_over_time_and_expected_409s() {
        let measurements = one_interval_burst();
        let slos = vec!["create.p99_ms<300"
            .parse::<Slo>()
            .unwrap()
            .judge(&measurements)];
        let page = render_html(
            &build_report(facts("burst"), &measurements, slos, None),
            &measurements,
        );
        let requests = page
            .split("<g data-series=\"requests\">")
            .nth(1)
            .expect("the requests series");
        assert!(
            requests.starts_with("<rect"),
            "one interval is one visible bar"
        );
        for series in [
            "create p50",
            "create p95",
            "create p99",
            "SLO create.p99_ms<300",
        ] {
            assert!(
                page.contains(&format!("data-series=\"{}\"", escape(series))),
                "{series} missing"
            );
        }
        let status_409 = page
            .split("data-series=\"status 409\"")
            .nth(1)
            .expect("a 409 bar");
        let status_409 = &status_409[..status_409.find("</g>").unwrap()];
        assert!(
            status_409.contains("409: 2</text>")
                && status_409.contains("height=\"0.0\" fill=\"#c00000\""),
            "the 409s are expected, not errors: {status_409}"
        );
        assert!(page.contains("500: 1 (all errors)"));
        assert!(page.contains("Why operations failed"));
    }

    #[test]
    fn integrity_findings_are_grouped_by_kind_with_counts_and_a_capped_sample() {
        let measurements = one_interval_burst();
        let mut findings: Vec<IntegrityFinding> = (0..200)
            .map(|n| IntegrityFinding {
                check_id: "load.lost-user".into(),
                resource: format!("user-{n}"),
                detail: "answered 201, then 404".into(),
            })
            .collect();
        findings.push(IntegrityFinding {
            check_id: "load.deactivation-lost".into(),
            resource: "user-x".into(),
            detail: "still active".into(),
        });
        let integrity = IntegritySummary {
            users_checked: 300,
            user_names_checked: 300,
            groups_checked: 0,
            findings,
        };
        let report = build_report(facts("p"), &measurements, Vec::new(), Some(integrity));
        let page = render_html(&report, &measurements);
        assert!(page.contains(">load.lost-user × 200</h3>"));
        assert!(page.contains(">load.deactivation-lost × 1</h3>"));
        assert_eq!(page.matches("user-").count(), HTML_SAMPLE + 1);
        assert!(page.contains("… and 190 more load.lost-user in report.json."));
    }
}
