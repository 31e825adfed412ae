//! The inline SVG charts of `report.html` (no script, no external file): requests, errors and 429s
//! over time; latency over time per operation (p50/p95/p99 of each interval, with the operation's
//! latency SLO lines); latency by percentile per operation; operations by final status, split into
//! expected answers and answers counted as errors. Every series has its own colour (and dash where
//! colours run out) and a legend above the plot. Long runs are folded to at most [`MAX_POINTS`]
//! points per series (interval histograms add exactly); a run of one interval still shows, as bars
//! and point markers. Each series is a `<g data-series="…">`, so tests and readers can find it.

use std::collections::BTreeMap;
use std::fmt::Write;

use hdrhistogram::Histogram;

use super::html::escape;
use super::model::LoadReport;
use crate::load::measure::{add_into, growing_histogram, Measurements};
use crate::load::ops::OpKind;
use crate::load::slo::{Metric, Slo};

/// Most points (or bars) one series shows; longer runs fold neighbouring intervals together.
pub const MAX_POINTS: u64 = 200;

/// One colour per operation kind, by [`OpKind::index`]: the Okabe–Ito palette (told apart by
/// colour-blind readers too), then dashes where it runs out.
const KIND_STYLES: [(&str, &str); 10] = [
    ("#0072b2", ""),
    ("#d55e00", ""),
    ("#009e73", ""),
    ("#cc79a7", ""),
    ("#e69f00", ""),
    ("#56b4e9", ""),
    ("#000000", ""),
    ("#0072b2", "7 3"),
    ("#d55e00", "7 3"),
    ("#009e73", "7 3"),
];

/// p99, p95, p50 of the latency-over-time charts, in drawing order (lower percentiles on top;
/// p95 dashed, so an equal p99 shows through its gaps).
const QUANTILES: [(&str, f64, &str, &str); 3] = [
    ("p99", 0.99, "#d55e00", ""),
    ("p95", 0.95, "#009e73", "6 3"),
    ("p50", 0.50, "#0072b2", ""),
];
const REQUESTS: &str = "#0072b2";
const ERRORS: &str = "#c00000";
const THROTTLED: &str = "#e69f00";
const EXPECTED_2XX: &str = "#009e73";
const EXPECTED_OTHER: &str = "#56b4e9";

/// How a legend entry is drawn.
enum Mark<'a> {
    Bar(&'a str),
    Line(&'a str, &'a str),
}

/// A chart's size and plot area.
struct Frame {
    width: f64,
    height: f64,
    left: f64,
    top: f64,
    bottom: f64,
}

impl Frame {
    fn new(width: f64, height: f64, legend_rows: usize) -> Self {
        Self {
            width,
            height,
            left: 52.0,
            top: 26.0 + 16.0 * legend_rows as f64,
            bottom: 30.0,
        }
    }

    fn plot_width(&self) -> f64 {
        self.width - self.left - 12.0
    }

    fn x(&self, fraction: f64) -> f64 {
        self.left + fraction.clamp(0.0, 1.0) * self.plot_width()
    }

    fn y(&self, fraction: f64) -> f64 {
        let plot = self.height - self.top - self.bottom;
        self.height - self.bottom - fraction.clamp(0.0, 1.0) * plot
    }

    /// The opening tag, a title, the axes and the legend.
    fn open(&self, title: &str, legend: &[(String, Mark<'_>)]) -> String {
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\" role=\"img\"><title>{t}</title>\
             <text x=\"6\" y=\"15\" font-size=\"12\" font-weight=\"bold\">{t}</text>\
             <line x1=\"{l}\" y1=\"{b:.1}\" x2=\"{r:.1}\" y2=\"{b:.1}\" stroke=\"#888\"/>\
             <line x1=\"{l}\" y1=\"{top:.1}\" x2=\"{l}\" y2=\"{b:.1}\" stroke=\"#888\"/>",
            w = self.width,
            h = self.height,
            t = escape(title),
            l = self.left,
            b = self.y(0.0),
            r = self.x(1.0),
            top = self.y(1.0),
        );
        for (index, (name, mark)) in legend.iter().enumerate() {
            let x = self.left + 150.0 * (index % 5) as f64;
            let y = 30.0 + 16.0 * (index / 5) as f64;
            let swatch = match mark {
                Mark::Bar(colour) => format!(
                    "<rect x=\"{x}\" y=\"{:.1}\" width=\"18\" height=\"9\" fill=\"{colour}\"/>",
                    y - 8.0
                ),
                Mark::Line(colour, dash) => format!(
                    "<line x1=\"{x}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" \
                     stroke-width=\"2.5\" stroke-dasharray=\"{dash}\"/>",
                    y - 4.0,
                    x + 18.0,
                    y - 4.0
                ),
            };
            let _ = write!(
                svg,
                "{swatch}<text x=\"{:.1}\" y=\"{y:.1}\" font-size=\"11\">{}</text>",
                x + 23.0,
                escape(name)
            );
        }
        svg
    }

    fn y_label(&self, fraction: f64, text: &str) -> String {
        let y = self.y(fraction);
        format!(
            "<line x1=\"{l}\" y1=\"{y:.1}\" x2=\"{r:.1}\" y2=\"{y:.1}\" stroke=\"#eee\"/>\
             <text x=\"{tx:.1}\" y=\"{ty:.1}\" font-size=\"10\" text-anchor=\"end\">{text}</text>",
            l = self.left,
            r = self.x(1.0),
            tx = self.left - 4.0,
            ty = y + 3.0,
        )
    }

    fn x_label(&self, fraction: f64, text: &str) -> String {
        let anchor = match fraction {
            f if f <= 0.0 => "start",
            f if f >= 1.0 => "end",
            _ => "middle",
        };
        format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"{anchor}\">{text}</text>",
            self.x(fraction),
            self.height - self.bottom + 14.0
        )
    }
}

/// A polyline (with point markers when there are few points) inside a named group.
fn series(name: &str, points: &[(f64, f64)], colour: &str, dash: &str) -> String {
    let path: Vec<String> = points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect();
    let mut group = format!(
        "<g data-series=\"{}\"><polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" \
         stroke-dasharray=\"{dash}\" points=\"{}\"/>",
        escape(name),
        path.join(" ")
    );
    if points.len() <= 60 {
        for (x, y) in points {
            let _ = write!(
                group,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\" fill=\"{colour}\"/>"
            );
        }
    }
    group.push_str("</g>");
    group
}

/// A logarithmic millisecond axis over whole decades.
struct LogScale {
    min_log: f64,
    max_log: f64,
}

impl LogScale {
    fn new(min_ms: f64, max_ms: f64) -> Self {
        let min_log = min_ms.max(0.001).log10().floor();
        let max_log = max_ms.max(0.001).log10().ceil().max(min_log + 1.0);
        Self { min_log, max_log }
    }

    fn fraction(&self, ms: f64) -> f64 {
        (ms.max(0.001).log10() - self.min_log) / (self.max_log - self.min_log)
    }

    fn labels(&self, frame: &Frame) -> String {
        let mut labels = String::new();
        let mut decade = self.min_log as i32;
        while f64::from(decade) <= self.max_log {
            let ms = 10f64.powi(decade);
            labels.push_str(&frame.y_label(self.fraction(ms), &ms_text(ms)));
            decade += 1;
        }
        labels
    }
}

fn ms_text(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{} s", ms / 1000.0)
    } else {
        format!("{ms} ms")
    }
}

/// The shared time axis: measurement intervals folded into at most [`MAX_POINTS`] buckets.
struct TimeAxis {
    /// Intervals per bucket.
    fold: u64,
    buckets: u64,
    bucket_s: f64,
}

impl TimeAxis {
    fn of(measurements: &Measurements) -> Self {
        let last = measurements
            .intervals
            .values()
            .filter_map(|per_kind| per_kind.keys().next_back())
            .chain(measurements.timeline.keys().next_back())
            .copied()
            .max()
            .unwrap_or(0);
        let interval_s = measurements.interval.as_secs_f64().max(0.001);
        let elapsed_last = (measurements.elapsed.as_secs_f64() / interval_s).ceil() as u64;
        let intervals = (last + 1).max(elapsed_last).max(1);
        let fold = intervals.div_ceil(MAX_POINTS).max(1);
        Self {
            fold,
            buckets: intervals.div_ceil(fold),
            bucket_s: interval_s * fold as f64,
        }
    }

    fn bucket(&self, interval: u64) -> u64 {
        interval / self.fold
    }

    /// The x fraction of a bucket's middle.
    fn middle(&self, bucket: u64) -> f64 {
        (bucket as f64 + 0.5) / self.buckets as f64
    }

    fn labels(&self, frame: &Frame) -> String {
        let span = self.bucket_s * self.buckets as f64;
        (0..=4)
            .map(|step| {
                let fraction = f64::from(step) / 4.0;
                frame.x_label(fraction, &format!("{:.1} s", span * fraction))
            })
            .collect()
    }
}

/// Requests, errors and 429s per second over the run, as bars (a one-interval burst shows).
pub fn throughput_chart(report: &LoadReport, measurements: &Measurements) -> String {
    let axis = TimeAxis::of(measurements);
    let mut folded: BTreeMap<u64, [u64; 3]> = BTreeMap::new();
    for (interval, counts) in &measurements.timeline {
        let entry = folded.entry(axis.bucket(*interval)).or_default();
        entry[0] += counts.requests;
        entry[1] += counts.errors;
        entry[2] += counts.throttled;
    }
    let legend = [
        ("requests/s".to_string(), Mark::Bar(REQUESTS)),
        ("errors/s".to_string(), Mark::Bar(ERRORS)),
        ("429s/s".to_string(), Mark::Line(THROTTLED, "")),
    ];
    let frame = Frame::new(1000.0, 300.0, 1);
    let mut svg = frame.open(
        &format!(
            "Requests, errors and 429s per second ({} ms per bar; {} requests in all)",
            (axis.bucket_s * 1000.0).round(),
            report.total.requests
        ),
        &legend,
    );
    let rate = |count: u64| count as f64 / axis.bucket_s;
    let peak = folded
        .values()
        .map(|counts| rate(counts[0].max(counts[2])))
        .fold(1.0, f64::max);
    for step in 0..=2 {
        let fraction = f64::from(step) / 2.0;
        svg.push_str(&frame.y_label(fraction, &format!("{:.0}", peak * fraction)));
    }
    svg.push_str(&axis.labels(&frame));
    let slot = frame.plot_width() / axis.buckets as f64;
    let bar = (slot * 0.85).max(1.0);
    for (index, colour) in [(0usize, REQUESTS), (1, ERRORS)] {
        let _ = write!(svg, "<g data-series=\"{}\">", ["requests", "errors"][index]);
        for (bucket, counts) in &folded {
            let height = frame.y(0.0) - frame.y(rate(counts[index]) / peak);
            let _ = write!(
                svg,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{height:.1}\" fill=\"{colour}\"/>",
                frame.x(*bucket as f64 / axis.buckets as f64) + (slot - bar) / 2.0,
                frame.y(0.0) - height
            );
        }
        svg.push_str("</g>");
    }
    if folded.values().any(|counts| counts[2] > 0) {
        let points: Vec<(f64, f64)> = folded
            .iter()
            .map(|(bucket, counts)| {
                (
                    frame.x(axis.middle(*bucket)),
                    frame.y(rate(counts[2]) / peak),
                )
            })
            .collect();
        svg.push_str(&series("429s", &points, THROTTLED, ""));
    }
    svg.push_str("</svg>");
    svg
}

/// The latency SLOs (from the intended start) that apply to `kind`: text and limit in ms.
fn latency_slos(report: &LoadReport, kind: OpKind) -> Vec<(String, f64)> {
    report
        .slos
        .iter()
        .filter_map(|verdict| verdict.slo.parse::<Slo>().ok())
        .filter(|slo| {
            slo.selector.includes(kind)
                && matches!(slo.metric, Metric::LatencyMs { service: false, .. })
        })
        .map(|slo| (slo.text, slo.limit))
        .collect()
}

/// One chart per operation: p50, p95 and p99 of each (folded) interval, and its SLO lines.
pub fn latency_over_time_charts(report: &LoadReport, measurements: &Measurements) -> String {
    let axis = TimeAxis::of(measurements);
    let mut charts = String::new();
    for (kind, per_interval) in &measurements.intervals {
        let mut folded: BTreeMap<u64, Histogram<u64>> = BTreeMap::new();
        for (interval, slot) in per_interval {
            let histograms = slot.histograms();
            let into = folded
                .entry(axis.bucket(*interval))
                .or_insert_with(growing_histogram);
            add_into(into, &histograms.latency);
        }
        folded.retain(|_, histogram| !histogram.is_empty());
        if folded.is_empty() {
            continue;
        }
        charts.push_str(&latency_chart(
            *kind,
            &folded,
            &axis,
            &latency_slos(report, *kind),
        ));
    }
    charts
}

fn latency_chart(
    kind: OpKind,
    folded: &BTreeMap<u64, Histogram<u64>>,
    axis: &TimeAxis,
    slos: &[(String, f64)],
) -> String {
    let ms = |histogram: &Histogram<u64>, quantile: f64| {
        histogram.value_at_quantile(quantile) as f64 / 1000.0
    };
    let lowest = folded
        .values()
        .map(|histogram| ms(histogram, 0.5))
        .fold(f64::INFINITY, f64::min);
    let highest = folded
        .values()
        .map(|histogram| ms(histogram, 0.99))
        .chain(slos.iter().map(|(_, limit)| *limit))
        .fold(0.0, f64::max);
    let scale = LogScale::new(lowest, highest);
    let mut legend: Vec<(String, Mark<'_>)> = QUANTILES
        .iter()
        .rev()
        .map(|(name, _, colour, dash)| (name.to_string(), Mark::Line(colour, dash)))
        .collect();
    legend.extend(
        slos.iter()
            .map(|(text, _)| (format!("SLO {text}"), Mark::Line("#000000", "5 4"))),
    );
    // p50, p95 and p99 share the first legend row; each SLO (a longer label) has its own.
    let frame = Frame::new(490.0, 230.0, 1 + slos.len());
    let mut svg = frame.open(&format!("{kind}: latency over time (ms, log)"), &[]);
    for (index, (name, mark)) in legend.iter().enumerate() {
        let slot = if index < 3 { index } else { 3 * (index - 2) };
        svg.push_str(&legend_entry(&frame, slot, name, mark));
    }
    svg.push_str(&scale.labels(&frame));
    svg.push_str(&axis.labels(&frame));
    for (name, quantile, colour, dash) in QUANTILES {
        let points: Vec<(f64, f64)> = folded
            .iter()
            .map(|(bucket, histogram)| {
                (
                    frame.x(axis.middle(*bucket)),
                    frame.y(scale.fraction(ms(histogram, quantile))),
                )
            })
            .collect();
        svg.push_str(&series(&format!("{kind} {name}"), &points, colour, dash));
    }
    for (text, limit) in slos {
        let y = frame.y(scale.fraction(*limit));
        let _ = write!(
            svg,
            "<g data-series=\"SLO {t}\"><line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" \
             stroke=\"#000\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/><text x=\"{:.1}\" \
             y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{t}</text></g>",
            frame.x(0.0),
            frame.x(1.0),
            frame.x(1.0) - 2.0,
            y - 3.0,
            t = escape(text)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A legend entry of a narrow chart: three per row.
fn legend_entry(frame: &Frame, index: usize, name: &str, mark: &Mark<'_>) -> String {
    let x = frame.left + 140.0 * (index % 3) as f64;
    let y = 30.0 + 16.0 * (index / 3) as f64;
    let (colour, dash) = match mark {
        Mark::Bar(colour) => (*colour, ""),
        Mark::Line(colour, dash) => (*colour, *dash),
    };
    format!(
        "<line x1=\"{x}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"2.5\" \
         stroke-dasharray=\"{dash}\"/><text x=\"{:.1}\" y=\"{y:.1}\" font-size=\"11\">{}</text>",
        y - 4.0,
        x + 18.0,
        y - 4.0,
        x + 23.0,
        escape(name)
    )
}

/// Latency (log ms) against percentile on the "nines" axis (x = log10(1/(1-q))), per operation.
pub fn percentile_chart(measurements: &Measurements) -> String {
    let kinds: Vec<(&OpKind, &Histogram<u64>)> = measurements
        .totals
        .iter()
        .filter(|(_, totals)| !totals.latency.is_empty())
        .map(|(kind, totals)| (kind, &totals.latency))
        .collect();
    let max_ms = kinds
        .iter()
        .map(|(_, latency)| latency.max() as f64 / 1000.0)
        .fold(1.0, f64::max);
    let min_ms = kinds
        .iter()
        .map(|(_, latency)| latency.min() as f64 / 1000.0)
        .fold(max_ms, f64::min);
    let scale = LogScale::new(min_ms, max_ms);
    let legend: Vec<(String, Mark<'_>)> = kinds
        .iter()
        .map(|(kind, _)| {
            let (colour, dash) = KIND_STYLES[kind.index() % KIND_STYLES.len()];
            (kind.name().to_string(), Mark::Line(colour, dash))
        })
        .collect();
    let frame = Frame::new(1000.0, 340.0, legend.len().div_ceil(5));
    let mut svg = frame.open(
        "Latency by percentile, per operation (ms, log; from the intended start)",
        &legend,
    );
    svg.push_str(&scale.labels(&frame));
    let max_nines = 5.0;
    for (nines, label) in [
        (0.0, "0%"),
        (1.0, "90%"),
        (2.0, "99%"),
        (3.0, "99.9%"),
        (4.0, "99.99%"),
        (5.0, "99.999%"),
    ] {
        svg.push_str(&frame.x_label(nines / max_nines, label));
    }
    for (kind, latency) in kinds {
        let (colour, dash) = KIND_STYLES[kind.index() % KIND_STYLES.len()];
        let points: Vec<(f64, f64)> = latency
            .iter_quantiles(5)
            .map(|step| {
                let quantile = step.quantile_iterated_to().min(0.999_999);
                (
                    frame.x(-(1.0 - quantile).log10() / max_nines),
                    frame.y(scale.fraction(step.value_iterated_to() as f64 / 1000.0)),
                )
            })
            .collect();
        svg.push_str(&series(kind.name(), &points, colour, dash));
    }
    svg.push_str("</svg>");
    svg
}

/// Operations by final status: the expected part (green for 2xx, blue otherwise, e.g. the 409 of
/// a deliberately raced duplicate create) and the part counted as errors (red), stacked.
pub fn status_chart(report: &LoadReport) -> String {
    let mut failed: BTreeMap<&str, u64> = BTreeMap::new();
    for operation in &report.operations {
        for (status, count) in &operation.failed_status_codes {
            *failed.entry(status.as_str()).or_default() += count;
        }
    }
    let legend = [
        ("2xx, expected".to_string(), Mark::Bar(EXPECTED_2XX)),
        ("other, expected".to_string(), Mark::Bar(EXPECTED_OTHER)),
        ("counted as an error".to_string(), Mark::Bar(ERRORS)),
    ];
    let frame = Frame::new(1000.0, 260.0, 1);
    let mut svg = frame.open("Operations by final status (0 = no response)", &legend);
    let peak = report
        .status_codes
        .values()
        .copied()
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    svg.push_str(&frame.y_label(1.0, &format!("{peak:.0}")));
    let slot = frame.plot_width() / report.status_codes.len().max(1) as f64;
    let bar = (slot * 0.6).min(120.0);
    for (index, (status, count)) in report.status_codes.iter().enumerate() {
        let errors = failed
            .get(status.as_str())
            .copied()
            .unwrap_or(0)
            .min(*count);
        let expected = count - errors;
        let x = frame.left + slot * index as f64 + (slot - bar) / 2.0;
        let expected_colour = if status.starts_with('2') {
            EXPECTED_2XX
        } else {
            EXPECTED_OTHER
        };
        let expected_top = frame.y(expected as f64 / peak);
        let total_top = frame.y(*count as f64 / peak);
        let _ = write!(
            svg,
            "<g data-series=\"status {s}\"><rect x=\"{x:.1}\" y=\"{expected_top:.1}\" width=\"{bar:.1}\" \
             height=\"{:.1}\" fill=\"{expected_colour}\"/><rect x=\"{x:.1}\" y=\"{total_top:.1}\" \
             width=\"{bar:.1}\" height=\"{:.1}\" fill=\"{ERRORS}\"/><text x=\"{:.1}\" y=\"{:.1}\" \
             font-size=\"11\" text-anchor=\"middle\">{s}: {count}{}</text></g>",
            frame.y(0.0) - expected_top,
            expected_top - total_top,
            x + bar / 2.0,
            frame.height - frame.bottom + 14.0,
            match (expected, errors) {
                (_, 0) => String::new(),
                (0, _) => " (all errors)".into(),
                (_, errors) => format!(" ({errors} errors)"),
            },
            s = escape(status),
        );
    }
    svg.push_str("</svg>");
    svg
}
