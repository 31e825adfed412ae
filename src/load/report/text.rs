//! The plain-text summary `scimfuzz load` and `scimfuzz report merge` print on stdout: the run,
//! the operation table, why operations failed (status and first body), SLO verdicts, and the
//! integrity findings grouped by kind. Server text in it is kept on one line; the caller escapes
//! control characters and redacts the whole text.

use std::fmt::Write;

use super::model::{LoadReport, OpSummary, RunFacts};
use crate::load::measure::cut_body;
use crate::report::terminal::one_line;

/// Integrity findings shown per kind in the text summary (the rest are in report.json).
pub const TEXT_SAMPLE: usize = 3;

/// "400: {body}" or "no response: …", the body cut and kept on one line (control characters
/// escaped): why an operation failed.
pub fn describe_failure(status: u16, body: &str) -> String {
    let body = one_line(&cut_body(body.trim()));
    match (status, body.is_empty()) {
        (0, _) => body,
        (status, true) => format!("{status} with an empty body"),
        (status, false) => format!("{status}: {body}"),
    }
}

/// Who ran: "seed S · worker I/N", or for a merged report "merged from N workers (…)".
pub fn describe_workers(run: &RunFacts) -> String {
    if run.merged_workers.is_empty() {
        return format!(
            "seed {} · worker {}/{}",
            run.seed, run.worker_index, run.workers
        );
    }
    let each: Vec<String> = run
        .merged_workers
        .iter()
        .map(|worker| format!("worker {} seed {}", worker.worker_index, worker.seed))
        .collect();
    format!(
        "merged from {} workers ({})",
        run.merged_workers.len(),
        each.join(", ")
    )
}

/// A table of operations, then failures, SLO verdicts and integrity findings.
pub fn render_text(report: &LoadReport) -> String {
    let mut text = String::new();
    let run = &report.run;
    let _ = writeln!(
        text,
        "profile {} against {} · {} · {:.1} s · {} tasks{}",
        run.profile,
        run.target,
        describe_workers(run),
        run.duration_s,
        run.tasks_completed,
        run.last_task_s
            .map(|at| format!(" (last done at {at:.2} s)"))
            .unwrap_or_default()
    );
    if let Some(interruption) = &run.interrupted {
        let _ = writeln!(
            text,
            "PARTIAL REPORT: {}; the numbers cover the load sent before Ctrl-C",
            interruption.describe()
        );
    }
    if run.pace_ms > 0.0 {
        let offered = run.peak_users as f64 * 1000.0 / run.pace_ms;
        let _ = writeln!(
            text,
            "offered at peak {offered:.0} req/s ({} workers, one request each per {} ms); delivered {:.0} req/s on average; latency counts from each intended start",
            run.peak_users, run.pace_ms, report.total.rps
        );
    }
    let _ = writeln!(
        text,
        "{:<13} {:>9} {:>9} {:>7} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "operation",
        "requests",
        "req/s",
        "errors",
        "429s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms"
    );
    for summary in report
        .operations
        .iter()
        .chain(std::iter::once(&report.total))
    {
        text.push_str(&row(summary));
    }
    for failure in &report.failures {
        let _ = writeln!(
            text,
            "{} {} failed: {}",
            failure.count,
            failure.operation,
            describe_failure(failure.status, &failure.first_body)
        );
    }
    let partial = run.interrupted.is_some();
    if partial && !report.slos.is_empty() {
        let _ = writeln!(
            text,
            "SLOs not judged (interrupted run); on the partial run:"
        );
    }
    for verdict in &report.slos {
        if partial {
            let _ = writeln!(
                text,
                "  {} {} so far (measured {:.3})",
                verdict.slo,
                if verdict.passed { "held" } else { "breached" },
                verdict.measured
            );
        } else if verdict.passed {
            let _ = writeln!(
                text,
                "SLO held: {} (measured {:.3})",
                verdict.slo, verdict.measured
            );
        } else {
            let _ = writeln!(text, "SLO BREACHED: {}", verdict.detail);
        }
    }
    if report.integrity.is_none() && partial {
        let _ = writeln!(text, "integrity: not checked (interrupted)");
    }
    if let Some(integrity) = &report.integrity {
        let _ = writeln!(
            text,
            "integrity: {} users, {} userNames, {} groups checked, {} findings",
            integrity.users_checked,
            integrity.user_names_checked,
            integrity.groups_checked,
            integrity.findings.len()
        );
        for group in integrity.groups(TEXT_SAMPLE) {
            let _ = writeln!(text, "  {} × {}", group.check_id, group.count);
            for finding in &group.sample {
                let _ = writeln!(
                    text,
                    "    {}: {}",
                    one_line(&finding.resource),
                    one_line(&finding.detail)
                );
            }
            if group.count > group.sample.len() {
                let _ = writeln!(
                    text,
                    "    … {} more in report.json",
                    group.count - group.sample.len()
                );
            }
        }
    }
    text
}

fn row(summary: &OpSummary) -> String {
    let latency = &summary.latency_ms;
    format!(
        "{:<13} {:>9} {:>9.1} {:>7} {:>6} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2}\n",
        summary.operation,
        summary.requests,
        summary.rps,
        summary.errors,
        summary.throttled,
        latency.p50,
        latency.p90,
        latency.p99,
        latency.p99_9,
        latency.max
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::measure::Measurements;
    use crate::load::report::{build_report, IntegrityFinding, IntegritySummary, MergedWorker};
    use std::time::Duration;

    fn report() -> LoadReport {
        let measurements = Measurements::new(0.0, Duration::from_millis(100));
        let facts = RunFacts {
            profile: "p".into(),
            target: "http://t".into(),
            seed: 7,
            run_tag: "00000007".into(),
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
        };
        build_report(facts, &measurements, Vec::new(), None)
    }

    #[test]
    fn integrity_findings_are_grouped_by_kind_with_a_count_and_three_examples() {
        let mut report = report();
        let mut findings: Vec<IntegrityFinding> = (0..200)
            .map(|n| IntegrityFinding {
                check_id: "load.lost-user".into(),
                resource: format!("u{n}"),
                detail: "answered 201\r\nthen 404".into(),
            })
            .collect();
        findings.insert(
            5,
            IntegrityFinding {
                check_id: "load.duplicate-username".into(),
                resource: "dup".into(),
                detail: "2 users".into(),
            },
        );
        report.integrity = Some(IntegritySummary {
            users_checked: 201,
            user_names_checked: 201,
            groups_checked: 0,
            findings,
        });
        let text = render_text(&report);
        assert!(text.contains(
            "201 findings\n  load.lost-user × 200\n    u0: answered 201\\r\\nthen 404\n    u1: "
        ));
        assert!(text.contains(
            "    … 197 more in report.json\n  load.duplicate-username × 1\n    dup: 2 users\n"
        ));
        assert_eq!(text.matches("load.lost-user").count(), 1, "{text}");
    }

    #[test]
    fn a_merged_report_names_its_workers_and_their_seeds() {
        let mut report = report();
        report.run.merged_workers = (0..3)
            .map(|index| MergedWorker {
                dir: format!("w{index}"),
                worker_index: index,
                seed: 40 + u64::from(index),
                run_tag: "0000002a".into(),
            })
            .collect();
        let text = render_text(&report);
        assert!(
            text.contains(
                "merged from 3 workers (worker 0 seed 40, worker 1 seed 41, worker 2 seed 42)"
            ),
            "{text}"
        );
        assert!(!text.contains("worker 0/"), "{text}");
    }

    #[test]
    fn a_failure_is_its_status_and_first_body_on_one_line_cut_to_512_bytes() {
        assert_eq!(
            describe_failure(400, "{\"detail\":\"`title` is required\"}\n"),
            "400: {\"detail\":\"`title` is required\"}"
        );
        assert_eq!(describe_failure(503, ""), "503 with an empty body");
        assert_eq!(
            describe_failure(0, "no response: connection refused"),
            "no response: connection refused"
        );
        let long = describe_failure(500, &format!("\u{1b}[2J{}", "x".repeat(5000)));
        assert!(long.starts_with("500: \\x1b[2J") && long.ends_with("(5004 bytes in all)"));
        assert!(long.len() < 600, "{}", long.len());
    }
}
