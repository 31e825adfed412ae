//! `report.html`: one self-contained page (inline CSS and SVG, no script, no CDN) with the
//! latency percentile curves per operation, throughput/errors/429s over time, status codes,
//! the per-operation table, SLO verdicts and integrity findings.

use std::fmt::Write;

use super::model::{LoadReport, OpSummary};
use crate::load::measure::Measurements;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 280.0;
const MARGIN: f64 = 48.0;
const COLOURS: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#7f7f7f", "#bcbd22",
];

/// Renders the whole page.
pub fn render_html(report: &LoadReport, measurements: &Measurements) -> String {
    let mut page = String::new();
    let title = format!("scimfuzz load: {}", escape(&report.run.profile));
    let _ = write!(
        page,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font:14px system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}th{{background:#f4f4f4}}\
         td:first-child,th:first-child{{text-align:left}}.bad{{color:#b00;font-weight:bold}}.ok{{color:#070}}\
         svg{{background:#fff;border:1px solid #ddd;margin:6px 0}}</style></head><body><h1>{title}</h1>"
    );
    let run = &report.run;
    let _ = write!(
        page,
        "<p>Target {} · seed {} · run tag <code>{}</code> · worker {} of {} · plan <code>{}</code> · \
         {:.1} s measured · {} tasks completed{} · pace {} ms per worker{}</p>",
        escape(&run.target),
        run.seed,
        escape(&run.run_tag),
        run.worker_index,
        run.workers,
        escape(&run.test_plan),
        run.duration_s,
        run.tasks_completed,
        run.last_task_s
            .map(|at| format!(" (last at {at:.2} s)"))
            .unwrap_or_default(),
        run.pace_ms,
        if run.merged_from.is_empty() {
            String::new()
        } else {
            format!(" · merged from {}", escape(&run.merged_from.join(", ")))
        }
    );
    if let Some(interruption) = &run.interrupted {
        let _ = write!(
            page,
            "<p class=\"bad\"><strong>Partial report: {}.</strong> The numbers cover the load sent \
             before Ctrl-C; the SLO verdicts are not a verdict on the planned run.</p>",
            escape(&interruption.describe())
        );
    }
    page.push_str("<h2>Operations</h2>");
    page.push_str(&operations_table(report));
    page.push_str("<h2>SLOs</h2>");
    page.push_str(&slo_list(report));
    page.push_str("<h2>Integrity after the run</h2>");
    page.push_str(&integrity_section(report));
    page.push_str("<h2>Latency by percentile (from intended start)</h2>");
    page.push_str(&percentile_chart(measurements));
    page.push_str("<h2>Throughput, errors and 429s over time</h2>");
    page.push_str(&timeline_chart(report));
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
            "<tr><td>{}</td><td>{}</td><td>{:.1}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{:.2}</td>\
             <td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td></tr>",
            escape(&summary.operation),
            summary.requests,
            summary.rps,
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
    if !integrity.findings.is_empty() {
        section.push_str("<table><tr><th>check</th><th>resource</th><th>detail</th></tr>");
        for finding in integrity.findings.iter().take(200) {
            let _ = write!(
                section,
                "<tr><td>{}</td><td>{}</td><td style=\"text-align:left\">{}</td></tr>",
                escape(&finding.check_id),
                escape(&finding.resource),
                escape(&finding.detail)
            );
        }
        section.push_str("</table>");
    }
    section
}

fn svg_open(label_y: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\"><text x=\"4\" y=\"14\" font-size=\"11\">{}</text>\
         <line x1=\"{MARGIN}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\"/>\
         <line x1=\"{MARGIN}\" y1=\"{MARGIN}\" x2=\"{MARGIN}\" y2=\"{}\" stroke=\"#999\"/>",
        escape(label_y),
        HEIGHT - MARGIN,
        WIDTH - 10.0,
        HEIGHT - MARGIN,
        HEIGHT - MARGIN
    )
}

fn polyline(points: &[(f64, f64)], colour: &str) -> String {
    let path: Vec<String> = points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect();
    format!(
        "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.8\" points=\"{}\"/>",
        path.join(" ")
    )
}

fn legend(entries: &[(String, &str)]) -> String {
    let mut legend = String::new();
    for (index, (name, colour)) in entries.iter().enumerate() {
        let x = MARGIN + 10.0 + 120.0 * (index % 5) as f64;
        let y = 26.0 + 14.0 * (index / 5) as f64;
        let _ = write!(
            legend,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            y - 9.0,
            x + 14.0,
            y,
            escape(name)
        );
    }
    legend
}

/// Latency (log ms) against percentile on the usual "nines" axis (x = log10(1/(1-q))).
fn percentile_chart(measurements: &Measurements) -> String {
    let mut svg = svg_open("latency ms (log scale) by percentile");
    let max_ms = measurements
        .totals
        .values()
        .map(|totals| totals.latency.max() as f64 / 1000.0)
        .fold(1.0, f64::max);
    let min_ms = measurements
        .totals
        .values()
        .filter(|totals| !totals.latency.is_empty())
        .map(|totals| totals.latency.min() as f64 / 1000.0)
        .fold(max_ms, f64::min);
    let min_log = min_ms.max(0.001).log10().floor();
    let max_log = max_ms.log10().ceil().max(min_log + 1.0);
    let max_nines = 5.0;
    let x_of = |nines: f64| MARGIN + (nines.min(max_nines) / max_nines) * (WIDTH - MARGIN - 10.0);
    let y_of = |ms: f64| {
        let fraction = (ms.max(0.001).log10() - min_log) / (max_log - min_log);
        HEIGHT - MARGIN - fraction * (HEIGHT - 2.0 * MARGIN)
    };
    for (nines, label) in [
        (0.0, "0%"),
        (1.0, "90%"),
        (2.0, "99%"),
        (3.0, "99.9%"),
        (4.0, "99.99%"),
        (5.0, "99.999%"),
    ] {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\">{label}</text>",
            (x_of(nines) - 8.0).min(WIDTH - 48.0),
            HEIGHT - MARGIN + 14.0
        );
    }
    let mut decade = min_log as i32;
    while f64::from(decade) <= max_log {
        let ms = 10f64.powi(decade);
        let _ = write!(
            svg,
            "<text x=\"2\" y=\"{:.1}\" font-size=\"10\">{ms}</text>",
            y_of(ms) + 3.0
        );
        decade += 1;
    }
    let mut entries = Vec::new();
    for (index, (kind, totals)) in measurements.totals.iter().enumerate() {
        if totals.latency.is_empty() {
            continue;
        }
        let colour = COLOURS[index % COLOURS.len()];
        let points: Vec<(f64, f64)> = totals
            .latency
            .iter_quantiles(5)
            .map(|step| {
                let quantile = step.quantile_iterated_to().min(0.999_999);
                (
                    x_of(-(1.0 - quantile).log10()),
                    y_of(step.value_iterated_to() as f64 / 1000.0),
                )
            })
            .collect();
        svg.push_str(&polyline(&points, colour));
        entries.push((kind.name().to_string(), colour));
    }
    svg.push_str(&legend(&entries));
    svg.push_str("</svg>");
    svg
}

fn timeline_chart(report: &LoadReport) -> String {
    let mut svg = svg_open("per second: requests (blue), errors (red), 429s (orange)");
    let interval = report.run.interval_s.max(0.001);
    let last_t = report
        .timeline
        .last()
        .map_or(1.0, |point| point.t_s + interval);
    let peak = report
        .timeline
        .iter()
        .map(|point| point.requests as f64 / interval)
        .fold(1.0, f64::max);
    let x_of = |t: f64| MARGIN + t / last_t * (WIDTH - MARGIN - 10.0);
    let y_of = |rate: f64| HEIGHT - MARGIN - rate / peak * (HEIGHT - 2.0 * MARGIN);
    let _ = write!(
        svg,
        "<text x=\"2\" y=\"{:.1}\" font-size=\"10\">{peak:.0}</text>",
        y_of(peak) + 3.0
    );
    let _ = write!(
        svg,
        "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\">{last_t:.0} s</text>",
        WIDTH - 40.0,
        HEIGHT - MARGIN + 14.0
    );
    for (series, colour) in [(0usize, COLOURS[0]), (1, COLOURS[1]), (2, COLOURS[3])] {
        let points: Vec<(f64, f64)> = report
            .timeline
            .iter()
            .map(|point| {
                let count = [point.requests, point.errors, point.throttled][series];
                (
                    x_of(point.t_s + interval / 2.0),
                    y_of(count as f64 / interval),
                )
            })
            .collect();
        svg.push_str(&polyline(&points, colour));
    }
    svg.push_str("</svg>");
    svg
}

fn status_chart(report: &LoadReport) -> String {
    let mut svg = svg_open("operations by final status (0 = no response)");
    let peak = report
        .status_codes
        .values()
        .copied()
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let slot = (WIDTH - MARGIN - 10.0) / report.status_codes.len().max(1) as f64;
    for (index, (status, count)) in report.status_codes.iter().enumerate() {
        let height = *count as f64 / peak * (HEIGHT - 2.0 * MARGIN);
        let x = MARGIN + slot * index as f64 + slot * 0.15;
        let colour = if status.starts_with('2') {
            COLOURS[2]
        } else {
            COLOURS[1]
        };
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{height:.1}\" fill=\"{colour}\"/>\
             <text x=\"{x:.1}\" y=\"{}\" font-size=\"11\">{} ({count})</text>",
            HEIGHT - MARGIN - height,
            slot * 0.7,
            HEIGHT - MARGIN + 14.0,
            escape(status)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::measure::record_clamped;
    use crate::load::ops::OpKind;
    use crate::load::report::{build_report, RunFacts};
    use std::time::Duration;

    #[test]
    fn the_page_is_self_contained_and_escapes_what_it_shows() {
        let mut measurements = Measurements::new(0.0, Duration::from_secs(1));
        measurements.elapsed = Duration::from_secs(1);
        let totals = measurements.totals.entry(OpKind::Lookup).or_default();
        record_clamped(&mut totals.latency, Duration::from_millis(3));
        totals.statuses.insert(200, 1);
        let facts = RunFacts {
            profile: "<b>odd</b>".into(),
            target: "http://t".into(),
            seed: 1,
            run_tag: "00000001".into(),
            worker_index: 0,
            workers: 1,
            merged_from: Vec::new(),
            test_plan: "1,1;0,0".into(),
            peak_users: 1,
            started_unix_s: 0.0,
            duration_s: 1.0,
            interval_s: 1.0,
            tasks_completed: 1,
            last_task_s: None,
            pace_ms: 0.0,
            interrupted: None,
        };
        let page = render_html(
            &build_report(facts, &measurements, Vec::new(), None),
            &measurements,
        );
        assert!(page.contains("&lt;b&gt;odd&lt;/b&gt;") && !page.contains("<b>odd"));
        assert!(!page.contains("<script") && !page.contains("<link"));
        assert_eq!(page.matches("<svg").count(), 3);
        assert!(
            page.contains("<polyline"),
            "the lookup percentile curve is drawn"
        );
    }
}
