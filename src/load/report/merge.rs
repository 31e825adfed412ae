//! `report merge`: several workers' report directories → one report. Latency and service
//! histograms come from the workers' `.hlog` files and add exactly (HDR histograms merge without
//! loss); error, 429 and status counts and the timeline come from their `report.json`. Intervals
//! are re-aligned on wall-clock time, so workers need not start together.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::hlog::{read_hlog, LATENCY_TAG, SERVICE_TAG};
use super::model::{
    build_report, IntegritySummary, Interruption, LoadReport, MergedWorker, RunFacts,
    REPORT_VERSION,
};
use super::write::JSON_FILE;
use crate::load::measure::{add_into, Measurements, TimelineCounts};
use crate::load::ops::OpKind;
use crate::load::slo::Slo;

/// One worker's report directory, read.
struct WorkerReport {
    dir: PathBuf,
    report: LoadReport,
}

fn read_worker(dir: &Path) -> Result<WorkerReport, String> {
    let path = dir.join(JSON_FILE);
    let text = std::fs::read_to_string(&path).map_err(|err| {
        format!(
            "could not read {}: {err} (is {} a load report directory?)",
            path.display(),
            dir.display()
        )
    })?;
    let report: LoadReport = serde_json::from_str(&text)
        .map_err(|err| format!("{} is not a scimfuzz load report: {err}", path.display()))?;
    if report.report_version != REPORT_VERSION {
        return Err(format!(
            "{} has report_version {}; this build merges version {REPORT_VERSION}",
            path.display(),
            report.report_version
        ));
    }
    Ok(WorkerReport {
        dir: dir.to_path_buf(),
        report,
    })
}

/// Merges worker reports; `extra_slos` are judged along with every SLO the workers judged.
pub fn merge_reports(
    dirs: &[PathBuf],
    extra_slos: &[Slo],
) -> Result<(LoadReport, Measurements), String> {
    if dirs.is_empty() {
        return Err("report merge needs at least one report directory".into());
    }
    let workers: Vec<WorkerReport> = dirs
        .iter()
        .map(|dir| read_worker(dir))
        .collect::<Result<_, _>>()?;
    refuse_repeated_workers(&workers)?;
    let start = workers
        .iter()
        .map(|worker| worker.report.run.started_unix_s)
        .fold(f64::INFINITY, f64::min);
    let end = workers
        .iter()
        .map(|worker| worker.report.run.started_unix_s + worker.report.run.duration_s)
        .fold(f64::NEG_INFINITY, f64::max);
    let interval_s = workers
        .iter()
        .map(|worker| worker.report.run.interval_s)
        .fold(0.0, f64::max)
        .max(0.001);
    let mut measurements = Measurements::new(start, Duration::from_secs_f64(interval_s));
    measurements.elapsed = Duration::from_secs_f64((end - start).max(0.0));
    let index_of =
        |absolute_s: f64| ((absolute_s - start) / interval_s + 1e-6).floor().max(0.0) as u64;
    for worker in &workers {
        let logged = merge_histograms(worker, &mut measurements, index_of)?;
        merge_counts(worker, &logged, &mut measurements, index_of)?;
    }
    let slos = collect_slos(&workers, extra_slos)?;
    let verdicts = slos.iter().map(|slo| slo.judge(&measurements)).collect();
    let facts = merged_facts(&workers, start, &measurements);
    let integrity = merged_integrity(&workers);
    Ok((
        build_report(facts, &measurements, verdicts, integrity),
        measurements,
    ))
}

/// The same worker run given twice would count its numbers twice.
fn refuse_repeated_workers(workers: &[WorkerReport]) -> Result<(), String> {
    let mut identities = BTreeSet::new();
    for worker in workers {
        let run = &worker.report.run;
        let identity = (
            run.run_tag.clone(),
            run.worker_index,
            run.started_unix_s.to_bits(),
        );
        if !identities.insert(identity) {
            return Err(format!(
                "{} is the same worker run as an earlier directory (run tag {}, worker {}): \
                 merging it twice would double its numbers",
                worker.dir.display(),
                run.run_tag,
                run.worker_index
            ));
        }
    }
    Ok(())
}

fn merge_histograms(
    worker: &WorkerReport,
    measurements: &mut Measurements,
    index_of: impl Fn(f64) -> u64,
) -> Result<BTreeMap<OpKind, u64>, String> {
    let mut logged = BTreeMap::new();
    let entries = std::fs::read_dir(&worker.dir)
        .map_err(|err| format!("could not list {}: {err}", worker.dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|err| err.to_string())?.path();
        let Some(stem) = path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_suffix(".hlog"))
        else {
            continue;
        };
        let kind: OpKind = stem
            .parse()
            .map_err(|err| format!("{}: {err}", path.display()))?;
        let log = read_hlog(&path)?;
        for interval in log.intervals {
            let index = index_of(log.base_time_s + interval.start.as_secs_f64());
            let totals = measurements.totals.entry(kind).or_default();
            let slot = measurements
                .intervals
                .entry(kind)
                .or_default()
                .entry(index)
                .or_default();
            match interval.tag.as_deref() {
                Some(LATENCY_TAG) => {
                    *logged.entry(kind).or_default() += interval.histogram.len();
                    add_into(&mut totals.latency, &interval.histogram);
                    add_into(&mut slot.open().latency, &interval.histogram);
                }
                Some(SERVICE_TAG) => {
                    add_into(&mut totals.service, &interval.histogram);
                    add_into(&mut slot.open().service, &interval.histogram);
                }
                other => {
                    return Err(format!(
                        "{}: unexpected histogram tag {other:?} (expected latency or service)",
                        path.display()
                    ))
                }
            }
        }
    }
    Ok(logged)
}

fn merge_counts(
    worker: &WorkerReport,
    logged: &BTreeMap<OpKind, u64>,
    measurements: &mut Measurements,
    index_of: impl Fn(f64) -> u64,
) -> Result<(), String> {
    let report = &worker.report;
    for summary in &report.operations {
        let kind: OpKind = summary.operation.parse()?;
        let totals = measurements.totals.entry(kind).or_default();
        totals.errors += summary.errors;
        totals.throttled += summary.throttled;
        for (status, count) in &summary.status_codes {
            let status = parse_status(worker, status)?;
            *totals.statuses.entry(status).or_default() += count;
        }
        for (status, count) in &summary.failed_status_codes {
            let status = parse_status(worker, status)?;
            *totals.failed_statuses.entry(status).or_default() += count;
        }
        let in_logs = logged.get(&kind).copied().unwrap_or(0);
        if in_logs != summary.requests {
            return Err(format!(
                "{}: report.json counts {} {kind} requests but {kind}.hlog holds {in_logs}; \
                 was the directory written by one run?",
                worker.dir.display(),
                summary.requests,
            ));
        }
    }
    for failure in &report.failures {
        let kind: OpKind = failure.operation.parse()?;
        measurements
            .first_failures
            .entry((kind, failure.status))
            .or_insert_with(|| failure.first_body.clone());
    }
    for point in &report.timeline {
        let index = index_of(report.run.started_unix_s + point.t_s);
        measurements
            .timeline
            .entry(index)
            .or_default()
            .absorb(TimelineCounts {
                requests: point.requests,
                errors: point.errors,
                throttled: point.throttled,
            });
    }
    Ok(())
}

fn parse_status(worker: &WorkerReport, status: &str) -> Result<u16, String> {
    status.parse().map_err(|_| {
        format!(
            "{}: status `{status}` is not a number",
            worker.dir.display()
        )
    })
}

fn collect_slos(workers: &[WorkerReport], extra: &[Slo]) -> Result<Vec<Slo>, String> {
    let mut texts: BTreeSet<String> = BTreeSet::new();
    let mut slos = Vec::new();
    for verdict in workers.iter().flat_map(|worker| &worker.report.slos) {
        if texts.insert(verdict.slo.clone()) {
            slos.push(verdict.slo.parse::<Slo>()?);
        }
    }
    for slo in extra {
        if texts.insert(slo.text.clone()) {
            slos.push(slo.clone());
        }
    }
    Ok(slos)
}

fn merged_facts(workers: &[WorkerReport], start: f64, measurements: &Measurements) -> RunFacts {
    let first = &workers[0].report.run;
    let unique = |pick: fn(&RunFacts) -> String| {
        let values: BTreeSet<String> = workers
            .iter()
            .map(|worker| pick(&worker.report.run))
            .collect();
        values.into_iter().collect::<Vec<_>>().join(", ")
    };
    let last_task_s = workers
        .iter()
        .filter_map(|worker| {
            let run = &worker.report.run;
            run.last_task_s.map(|at| run.started_unix_s + at - start)
        })
        .fold(None, |latest: Option<f64>, at| {
            Some(latest.map_or(at, |latest| latest.max(at)))
        });
    RunFacts {
        profile: unique(|run| run.profile.clone()),
        target: unique(|run| run.target.clone()),
        seed: first.seed,
        run_tag: unique(|run| run.run_tag.clone()),
        worker_index: 0,
        workers: workers.len() as u32,
        merged_from: workers
            .iter()
            .map(|worker| worker.dir.display().to_string())
            .collect(),
        merged_workers: workers
            .iter()
            .map(|worker| MergedWorker {
                dir: worker.dir.display().to_string(),
                worker_index: worker.report.run.worker_index,
                seed: worker.report.run.seed,
                run_tag: worker.report.run.run_tag.clone(),
            })
            .collect(),
        test_plan: unique(|run| run.test_plan.clone()),
        peak_users: workers
            .iter()
            .map(|worker| worker.report.run.peak_users)
            .sum(),
        started_unix_s: start,
        duration_s: measurements.elapsed.as_secs_f64(),
        interval_s: measurements.interval.as_secs_f64(),
        tasks_completed: workers
            .iter()
            .map(|worker| worker.report.run.tasks_completed)
            .sum(),
        last_task_s,
        pace_ms: first.pace_ms,
        interrupted: merged_interruption(workers),
    }
}

/// A merge of partial runs is partial: the first interrupted worker's facts, naming how many were.
fn merged_interruption(workers: &[WorkerReport]) -> Option<Interruption> {
    let interrupted: Vec<&Interruption> = workers
        .iter()
        .filter_map(|worker| worker.report.run.interrupted.as_ref())
        .collect();
    let first = interrupted.first()?;
    Some(Interruption {
        during: format!(
            "{} ({} of {} workers interrupted)",
            first.during,
            interrupted.len(),
            workers.len()
        ),
        after_s: interrupted
            .iter()
            .map(|interruption| interruption.after_s)
            .fold(f64::INFINITY, f64::min),
        planned_s: first.planned_s,
    })
}

fn merged_integrity(workers: &[WorkerReport]) -> Option<IntegritySummary> {
    let summaries: Vec<&IntegritySummary> = workers
        .iter()
        .filter_map(|worker| worker.report.integrity.as_ref())
        .collect();
    if summaries.is_empty() {
        return None;
    }
    let mut merged = IntegritySummary {
        users_checked: 0,
        user_names_checked: 0,
        groups_checked: 0,
        findings: Vec::new(),
    };
    let mut seen = BTreeMap::new();
    for summary in summaries {
        merged.users_checked += summary.users_checked;
        merged.user_names_checked += summary.user_names_checked;
        merged.groups_checked += summary.groups_checked;
        for finding in &summary.findings {
            seen.entry((finding.check_id.clone(), finding.resource.clone()))
                .or_insert_with(|| finding.clone());
        }
    }
    merged.findings = seen.into_values().collect();
    Some(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::measure::{record_clamped, TimelineCounts};
    use crate::load::report::{build_report, write_report};

    fn worker_dir(name: &str, started_unix_s: f64, millis: &[u64]) -> PathBuf {
        let mut measurements = Measurements::new(started_unix_s, Duration::from_secs(1));
        measurements.elapsed = Duration::from_secs(2);
        for (second, value) in millis.iter().enumerate() {
            let totals = measurements.totals.entry(OpKind::Create).or_default();
            record_clamped(&mut totals.latency, Duration::from_millis(*value));
            record_clamped(&mut totals.service, Duration::from_millis(*value));
            totals.statuses.insert(201, (second + 1) as u64);
            let slot = measurements
                .intervals
                .entry(OpKind::Create)
                .or_default()
                .entry(second as u64)
                .or_default()
                .open();
            record_clamped(&mut slot.latency, Duration::from_millis(*value));
            record_clamped(&mut slot.service, Duration::from_millis(*value));
            measurements.timeline.insert(
                second as u64,
                TimelineCounts {
                    requests: 1,
                    errors: 0,
                    throttled: 0,
                },
            );
        }
        let facts = RunFacts {
            profile: "p".into(),
            target: "http://t".into(),
            seed: 1,
            run_tag: "0000abcd".into(),
            worker_index: (started_unix_s as u32) % 7,
            workers: 2,
            merged_from: Vec::new(),
            merged_workers: Vec::new(),
            test_plan: "1,2;0,0".into(),
            peak_users: 1,
            started_unix_s,
            duration_s: 2.0,
            interval_s: 1.0,
            tasks_completed: millis.len() as u64,
            last_task_s: Some(1.5),
            pace_ms: 0.0,
            interrupted: None,
        };
        let mut report = build_report(facts, &measurements, Vec::new(), None);
        report.operations[0].status_codes = [("201".to_string(), millis.len() as u64)].into();
        let dir =
            std::env::temp_dir().join(format!("scimfuzz-merge-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write_report(&dir, &report, &measurements).unwrap();
        dir
    }

    #[test]
    fn workers_that_started_a_second_apart_merge_exactly_on_wall_clock_intervals() {
        let early = worker_dir("early", 1_000.0, &[10, 20]);
        let late = worker_dir("late", 1_001.0, &[30, 40]);
        let slo: Slo = "create.max_ms<35".parse().unwrap();
        let (report, measurements) = merge_reports(&[early.clone(), late.clone()], &[slo]).unwrap();
        assert_eq!(report.total.requests, 4);
        assert_eq!(report.run.workers, 2);
        assert_eq!(
            report.run.duration_s, 3.0,
            "from the first start to the last end"
        );
        let per_second: Vec<u64> = measurements
            .timeline
            .values()
            .map(|counts| counts.requests)
            .collect();
        assert_eq!(
            per_second,
            [1, 2, 1],
            "the late worker's first second is the merged second one"
        );
        let second = measurements.intervals[&OpKind::Create][&1].histograms();
        assert_eq!(second.latency.len(), 2);
        assert_eq!(report.status_codes.get("201"), Some(&4));
        assert!(
            !report.slos[0].passed,
            "re-judged on the merged max (40 ms)"
        );
        assert_eq!(report.run.last_task_s, Some(2.5));
        for dir in [early, late] {
            std::fs::remove_dir_all(dir).unwrap();
        }
    }
}
