//! The plain-text summary `scimfuzz load` and `scimfuzz report merge` print on stdout.

use std::fmt::Write;

use super::model::{LoadReport, OpSummary};

/// A table of operations, then SLO verdicts, then integrity findings.
pub fn render_text(report: &LoadReport) -> String {
    let mut text = String::new();
    let run = &report.run;
    let _ = writeln!(
        text,
        "profile {} against {} · seed {} · worker {}/{} · {:.1} s · {} tasks{}",
        run.profile,
        run.target,
        run.seed,
        run.worker_index,
        run.workers,
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
        for finding in integrity.findings.iter().take(20) {
            let _ = writeln!(
                text,
                "  {} {}: {}",
                finding.check_id, finding.resource, finding.detail
            );
        }
        if integrity.findings.len() > 20 {
            let _ = writeln!(
                text,
                "  … {} more in report.json",
                integrity.findings.len() - 20
            );
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
