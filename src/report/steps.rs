//! The step table the conformance commands print: one line per step (PASS/FAIL/SKIP, id, name,
//! and for failures the failing assertions with expected vs actual), optionally the failing
//! exchange under a failed step, and the closing `N passed, M failed` line.

use std::fmt::Write as _;

use crate::conformance::outcome::{describe_exchange, RunOutcome, StepResult, Verdict};

/// What the table shows besides the one line per step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// Print the failing exchange (request line, bodies, status) under each failed step.
    pub exchanges: bool,
    /// Print each step's notes (script `log` output, seeding and cleanup remarks) under it.
    pub logs: bool,
    /// Print a heading line per suite.
    pub suite_headings: bool,
}

/// Renders the whole run; the last line is the tally (`N passed, M failed[, K skipped]`).
pub fn render_step_table(outcome: &RunOutcome, options: TableOptions) -> String {
    let mut text = String::new();
    let id_width = outcome
        .suites
        .iter()
        .flat_map(|suite| &suite.steps)
        .map(|step| step.id.chars().count())
        .max()
        .unwrap_or(1);
    for suite in &outcome.suites {
        if options.suite_headings {
            let tally = suite.tally();
            let stopped = if suite.interrupted {
                ", INTERRUPTED"
            } else {
                ""
            };
            let _ = writeln!(text, "{} ({}{stopped})", suite.name, tally.summary_line());
        }
        for step in &suite.steps {
            render_step(&mut text, step, id_width, options);
        }
    }
    text.push_str(&outcome.tally().summary_line());
    text.push('\n');
    if outcome.interrupted {
        text.push_str(
            "INTERRUPTED (Ctrl-C): partial run: the steps the interrupted suite completed are \
             listed; the steps and suites after it did not run\n",
        );
    }
    super::terminal::escape_controls(&super::redact::redact(&text))
}

fn render_step(text: &mut String, step: &StepResult, id_width: usize, options: TableOptions) {
    let indent = " ".repeat(6 + id_width + 2);
    match &step.verdict {
        Verdict::Passed => {
            let _ = writeln!(text, "PASS  {:>id_width$}  {}", step.id, step.name);
        }
        Verdict::Skipped { reason } => {
            let _ = writeln!(
                text,
                "SKIP  {:>id_width$}  {} — {reason}",
                step.id, step.name
            );
        }
        Verdict::Failed { failures } => {
            let first = failures
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            let _ = writeln!(
                text,
                "FAIL  {:>id_width$}  {} — {first}",
                step.id, step.name
            );
            for failure in failures.iter().skip(1) {
                let _ = writeln!(text, "{indent}also {failure}");
            }
            if options.exchanges {
                if let Some(call) = step.judged_call() {
                    for line in describe_exchange(call).lines() {
                        let _ = writeln!(text, "{indent}{line}");
                    }
                }
            }
        }
    }
    if options.logs {
        for note in &step.notes {
            let _ = writeln!(text, "{indent}note: {note}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::outcome::{Failure, SuiteResult};

    fn outcome() -> RunOutcome {
        let mut suite = SuiteResult::new("SPEC");
        suite
            .steps
            .push(StepResult::new("1", "Test Users endpoint", Verdict::Passed));
        suite.steps.push(StepResult::new(
            "8",
            "Expect failure when recreating user",
            Verdict::Failed {
                failures: vec![
                    Failure::new("status equal_number", "409", "201"),
                    Failure::new("detail not_empty", "a non-empty value", "no `detail`"),
                ],
            },
        ));
        suite.steps.push(StepResult::new(
            "10",
            "Okta org call",
            Verdict::Skipped {
                reason: "needs {{oktaOrgUrl}}".into(),
            },
        ));
        RunOutcome {
            suites: vec![suite],
            seconds: 0.01,
            interrupted: false,
        }
    }

    #[test]
    fn one_line_per_step_with_the_failing_assertion_and_the_tally_last() {
        let table = render_step_table(&outcome(), TableOptions::default());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "PASS   1  Test Users endpoint");
        assert_eq!(
            lines[1],
            "FAIL   8  Expect failure when recreating user — status equal_number: expected 409, got 201"
        );
        assert!(lines[2].trim_start().starts_with("also detail not_empty"));
        assert_eq!(lines[3], "SKIP  10  Okta org call — needs {{oktaOrgUrl}}");
        assert_eq!(lines.last(), Some(&"1 passed, 1 failed, 1 skipped"));
    }

    #[test]
    fn suite_headings_carry_their_own_tally() {
        let options = TableOptions {
            suite_headings: true,
            ..TableOptions::default()
        };
        let table = render_step_table(&outcome(), options);
        assert!(table.starts_with("SPEC (1 passed, 1 failed, 1 skipped)\n"));
    }
}
