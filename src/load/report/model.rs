//! `report.json`: the versioned summary of a load run (schema checked in as
//! `load-profiles/report.schema.json`), built from [`Measurements`] plus run facts, SLO verdicts
//! and the integrity findings. `report merge` reads these back, so it derives `Deserialize`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::load::measure::{Measurements, OpTotals, Percentiles};
use crate::load::slo::SloVerdict;

/// The `report.json` format version; bump on any incompatible change (and update the schema).
pub const REPORT_VERSION: u32 = 1;

/// Everything `report.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadReport {
    pub report_version: u32,
    /// `scimfuzz <version>`.
    pub tool: String,
    pub run: RunFacts,
    /// All operations together.
    pub total: OpSummary,
    /// One entry per operation kind that ran, in report order.
    pub operations: Vec<OpSummary>,
    /// Final status code → operations, all kinds together ("0" = no response).
    pub status_codes: BTreeMap<String, u64>,
    /// Requests, errors and 429s per interval.
    pub timeline: Vec<TimelinePoint>,
    pub slos: Vec<SloVerdict>,
    /// `null` when the integrity check was skipped.
    pub integrity: Option<IntegritySummary>,
    /// Why operations failed: per operation and final status counted as an error, how many and
    /// the first response body (cut to 512 bytes; "no response: …" when none came). Absent in
    /// reports written before it existed.
    #[serde(default)]
    pub failures: Vec<FailureSample>,
}

/// Operations of one kind that failed with one status, and the first answer's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureSample {
    pub operation: String,
    /// The final status (0: no response).
    pub status: u16,
    pub count: u64,
    /// The first such response's body, raw (shown escaped), cut to 512 bytes.
    pub first_body: String,
}

/// One worker run a merged report was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedWorker {
    /// The report directory, as given to `report merge`.
    pub dir: String,
    pub worker_index: u32,
    pub seed: u64,
    pub run_tag: String,
}

/// What was run, where, and for how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFacts {
    pub profile: String,
    /// The SCIM base URL (never the credentials).
    pub target: String,
    pub seed: u64,
    /// The lowercase tag in every userName of the run.
    pub run_tag: String,
    /// This worker's index and the worker count (`0` of `1` for a single process).
    pub worker_index: u32,
    pub workers: u32,
    /// Directories merged into this report (empty for a single run).
    pub merged_from: Vec<String>,
    /// The worker runs merged into this report, in the order given (empty for a single run;
    /// absent in reports written before it existed).
    #[serde(default)]
    pub merged_workers: Vec<MergedWorker>,
    pub test_plan: String,
    pub peak_users: usize,
    /// Wall-clock start, seconds since the Unix epoch.
    pub started_unix_s: f64,
    pub duration_s: f64,
    pub interval_s: f64,
    /// Okta tasks finished (an assignment, an import walk, a push…).
    pub tasks_completed: u64,
    /// When the last task finished, seconds after the start: "time to provision all N".
    pub last_task_s: Option<f64>,
    /// Each worker intends to start a request every `pace_ms` (0: closed loop, no correction).
    pub pace_ms: f64,
    /// `null` for a run that ended on its own; set when Ctrl-C stopped it (the report is partial,
    /// SLO verdicts describe the partial run only). Absent in reports written before it existed.
    #[serde(default)]
    pub interrupted: Option<Interruption>,
}

/// How an interrupted run (Ctrl-C) ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interruption {
    /// What was running: `setup` (preflight, seeding), `load`, or `integrity-check`.
    pub during: String,
    /// Seconds of load measured before the stop.
    pub after_s: f64,
    /// Seconds the plan would have run.
    pub planned_s: f64,
}

impl Interruption {
    /// "interrupted after 12.3 s of 60 s (during load)".
    pub fn describe(&self) -> String {
        format!(
            "interrupted after {:.1} s of {:.0} s (during {})",
            self.after_s, self.planned_s, self.during
        )
    }
}

/// One operation kind's (or all operations') numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpSummary {
    pub operation: String,
    pub requests: u64,
    pub errors: u64,
    pub error_rate: f64,
    pub throttled: u64,
    pub rps: f64,
    /// From the intended start, coordinated-omission corrected, ms.
    pub latency_ms: Percentiles,
    /// Raw service time of the last attempt, ms.
    pub service_ms: Percentiles,
    pub status_codes: BTreeMap<String, u64>,
    /// The part of `status_codes` that counted as errors (a 409 to a deliberately raced duplicate
    /// create is expected, so it is not here). Absent in reports written before it existed.
    #[serde(default)]
    pub failed_status_codes: BTreeMap<String, u64>,
}

/// One interval of the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimelinePoint {
    /// Interval start, seconds after the run start.
    pub t_s: f64,
    pub requests: u64,
    pub errors: u64,
    pub throttled: u64,
}

/// The post-run integrity check's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegritySummary {
    pub users_checked: u64,
    pub user_names_checked: u64,
    pub groups_checked: u64,
    pub findings: Vec<IntegrityFinding>,
}

impl IntegritySummary {
    /// The findings grouped by check id (most frequent first): count and the first few.
    pub fn groups(&self, sample: usize) -> Vec<FindingGroup<'_>> {
        let mut groups: Vec<FindingGroup<'_>> = Vec::new();
        for finding in &self.findings {
            match groups
                .iter_mut()
                .find(|group| group.check_id == finding.check_id)
            {
                Some(group) => {
                    group.count += 1;
                    if group.sample.len() < sample {
                        group.sample.push(finding);
                    }
                }
                None => groups.push(FindingGroup {
                    check_id: &finding.check_id,
                    count: 1,
                    sample: vec![finding].into_iter().take(sample).collect(),
                }),
            }
        }
        groups.sort_by(|a, b| b.count.cmp(&a.count).then(a.check_id.cmp(b.check_id)));
        groups
    }
}

/// Integrity findings of one kind: how many, and a capped sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingGroup<'a> {
    pub check_id: &'a str,
    pub count: usize,
    pub sample: Vec<&'a IntegrityFinding>,
}

/// Lost or duplicated data found after the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityFinding {
    /// Stable id: `load.lost-user`, `load.duplicate-username`, `load.deactivation-lost`,
    /// `load.deactivated-unreadable`, `load.membership-mismatch`, `load.group-member-lost`,
    /// `load.unverifiable`.
    pub check_id: String,
    /// The resource concerned (id or userName).
    pub resource: String,
    pub detail: String,
}

/// A summary of one set of totals.
pub fn summarize(name: &str, totals: &OpTotals, measurements: &Measurements) -> OpSummary {
    let requests = totals.requests();
    OpSummary {
        operation: name.to_string(),
        requests,
        errors: totals.errors,
        error_rate: if requests == 0 {
            0.0
        } else {
            totals.errors as f64 / requests as f64
        },
        throttled: totals.throttled,
        rps: measurements.rate(requests),
        latency_ms: Percentiles::of(&totals.latency),
        service_ms: Percentiles::of(&totals.service),
        status_codes: status_map(&totals.statuses),
        failed_status_codes: status_map(&totals.failed_statuses),
    }
}

/// The failure samples, in operation order then status.
fn failure_samples(measurements: &Measurements) -> Vec<FailureSample> {
    measurements
        .first_failures
        .iter()
        .map(|((kind, status), body)| FailureSample {
            operation: kind.name().to_string(),
            status: *status,
            count: measurements
                .totals
                .get(kind)
                .and_then(|totals| totals.failed_statuses.get(status))
                .copied()
                .unwrap_or(0),
            first_body: body.clone(),
        })
        .collect()
}

fn status_map(statuses: &BTreeMap<u16, u64>) -> BTreeMap<String, u64> {
    statuses
        .iter()
        .map(|(status, count)| (status.to_string(), *count))
        .collect()
}

/// Builds the report from measurements and the run's facts.
pub fn build_report(
    run: RunFacts,
    measurements: &Measurements,
    slos: Vec<SloVerdict>,
    integrity: Option<IntegritySummary>,
) -> LoadReport {
    let overall = measurements.overall();
    let operations = measurements
        .totals
        .iter()
        .map(|(kind, totals)| summarize(kind.name(), totals, measurements))
        .collect();
    let interval_s = measurements.interval.as_secs_f64();
    let timeline = measurements
        .timeline
        .iter()
        .map(|(index, counts)| TimelinePoint {
            t_s: *index as f64 * interval_s,
            requests: counts.requests,
            errors: counts.errors,
            throttled: counts.throttled,
        })
        .collect();
    LoadReport {
        report_version: REPORT_VERSION,
        tool: format!("scimfuzz {}", env!("CARGO_PKG_VERSION")),
        run,
        total: summarize("total", &overall, measurements),
        operations,
        status_codes: status_map(&overall.statuses),
        timeline,
        slos,
        integrity,
        failures: failure_samples(measurements),
    }
}
