//! The HTML report of a conformance run (`scimfuzz okta --report-html`, `scimfuzz runscope
//! --report-html`): one self-contained page (the style of [`super::fuzz_html`], no script) with
//! the run summary, then every suite's steps with their verdicts; a failed step shows what did not
//! hold (the first [`FAILURES_SHOWN`], then how many more) and the exchange it was judged on
//! (bodies capped). Every text passes the run's redactor, then HTML escaping.

use std::fmt::Write;

use super::fuzz_html::{page_head, safe};
use crate::conformance::outcome::{
    describe_exchange, RunOutcome, StepResult, SuiteResult, Verdict,
};

/// The most assertions listed under one failed step (a cleanup step can fail once per user left
/// behind; the JSON report has them all).
pub const FAILURES_SHOWN: usize = 10;

/// Renders the run; `facts` are extra summary rows (modes, seed) shown as given, escaped.
pub fn render_conformance_html(
    outcome: &RunOutcome,
    command: &str,
    target: &str,
    facts: &[(&str, String)],
) -> String {
    let mut page = page_head(&format!("scimfuzz {}: {}", safe(command), safe(target)));
    let tally = outcome.tally();
    let verdict = if outcome.interrupted {
        "<span class=\"bad\">interrupted</span>"
    } else if tally.failed > 0 {
        "<span class=\"bad\">failed (exit 1)</span>"
    } else if tally.passed == 0 {
        "<span class=\"bad\">nothing checked: every step was skipped</span>"
    } else {
        "<span class=\"ok\">passed (exit 0)</span>"
    };
    let mut rows = vec![("target", safe(target))];
    rows.extend(facts.iter().map(|(name, value)| (*name, safe(value))));
    rows.extend([
        ("duration", format!("{:.2} s", outcome.seconds)),
        ("steps", safe(&tally.summary_line())),
        ("interrupted", outcome.interrupted.to_string()),
        ("verdict", verdict.to_string()),
    ]);
    page.push_str("<h2>Summary</h2><table>");
    for (name, value) in rows {
        let _ = write!(
            page,
            "<tr><th>{}</th><td class=\"text\">{value}</td></tr>",
            safe(name)
        );
    }
    page.push_str("</table>");
    for suite in &outcome.suites {
        page.push_str(&suite_section(suite));
    }
    page.push_str("</body></html>\n");
    page
}

/// One suite: a table of its steps, then the evidence of each failed step.
fn suite_section(suite: &SuiteResult) -> String {
    let tally = suite.tally();
    let stopped = if suite.interrupted {
        " <span class=\"bad\">interrupted</span>"
    } else {
        ""
    };
    let mut out = format!(
        "<section><h2>{} <small>({})</small>{stopped}</h2><table><tr><th>step</th>\
         <th class=\"text\">name</th><th class=\"text\">verdict</th></tr>",
        safe(&suite.name),
        safe(&tally.summary_line())
    );
    for step in &suite.steps {
        let verdict = match &step.verdict {
            Verdict::Passed => "<span class=\"ok\">passed</span>".to_string(),
            Verdict::Failed { .. } => {
                format!(
                    "<a class=\"bad\" href=\"#{}\">failed</a>",
                    anchor(suite, step)
                )
            }
            Verdict::Skipped { reason } => format!("skipped: {}", safe(reason)),
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{verdict}</td></tr>",
            safe(&step.id),
            safe(&step.name)
        );
    }
    out.push_str("</table>");
    for step in suite.steps.iter().filter(|step| step.verdict.is_failed()) {
        out.push_str(&failed_step(suite, step));
    }
    out.push_str("</section>");
    out
}

/// A failed step: each assertion that did not hold, and the exchange it was judged on.
fn failed_step(suite: &SuiteResult, step: &StepResult) -> String {
    let mut out = format!(
        "<h3 id=\"{}\">{} {} <span class=\"bad\">failed</span></h3><ul>",
        anchor(suite, step),
        safe(&step.id),
        safe(&step.name)
    );
    if let Verdict::Failed { failures } = &step.verdict {
        // A cleanup step fails once per resource left behind: list a few, count the rest.
        for failure in failures.iter().take(FAILURES_SHOWN) {
            let _ = write!(
                out,
                "<li><code>{}</code>: expected {}, got {}</li>",
                safe(&failure.check),
                safe(&failure.expected),
                safe(&failure.actual)
            );
        }
        if failures.len() > FAILURES_SHOWN {
            let _ = write!(
                out,
                "<li>… and {} more like these (the JSON report lists every one)</li>",
                failures.len() - FAILURES_SHOWN
            );
        }
    }
    out.push_str("</ul>");
    for note in &step.notes {
        let _ = write!(out, "<p>{}</p>", safe(note));
    }
    if let Some(call) = step.judged_call() {
        let _ = write!(
            out,
            "<p>The exchange it was judged on:</p><pre>{}</pre>",
            safe(&describe_exchange(call))
        );
    }
    out
}

/// The id of a failed step's evidence on the page: letters and digits only.
fn anchor(suite: &SuiteResult, step: &StepResult) -> String {
    let raw = format!("{}-{}", suite.name, step.id);
    let id: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("step-{id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::outcome::Failure;

    #[test]
    fn a_failed_step_shows_what_did_not_hold_escaped() {
        let failed = Verdict::from_failures(vec![Failure::new(
            "status equal_number",
            "404",
            "<script>x</script>",
        )]);
        let mut suite = SuiteResult::new("SPEC <1>");
        suite.steps.push(StepResult::new("4", "by id", failed));
        let outcome = RunOutcome {
            suites: vec![suite],
            seconds: 0.5,
            interrupted: false,
        };
        let page = render_conformance_html(&outcome, "okta", "http://127.0.0.1/scim/v2", &[]);
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains("&lt;script&gt;x&lt;/script&gt;"), "{page}");
        assert!(page.contains("href=\"#step-SPEC--1--4\""), "{page}");
        assert!(page.contains("failed (exit 1)"), "{page}");
    }

    #[test]
    fn a_step_that_failed_many_times_lists_a_few_and_counts_the_rest() {
        let failures = (0..25)
            .map(|n| {
                Failure::new(
                    "GET after DELETE",
                    "404",
                    format!("400 (user u{n} is still there)"),
                )
            })
            .collect();
        let mut suite = SuiteResult::new("Cleanup");
        suite.steps.push(StepResult::new(
            "c1",
            "leave the server as found",
            Verdict::from_failures(failures),
        ));
        let outcome = RunOutcome {
            suites: vec![suite],
            seconds: 0.1,
            interrupted: false,
        };
        let page = render_conformance_html(&outcome, "okta", "http://127.0.0.1/scim/v2", &[]);
        assert!(page.contains("user u9 is"), "{page}");
        assert!(!page.contains("user u10 is"), "{page}");
        assert!(page.contains("… and 15 more like these"), "{page}");
    }

    #[test]
    fn a_run_whose_steps_were_all_skipped_does_not_say_passed() {
        let mut suite = SuiteResult::new("SPEC");
        let skipped = Verdict::Skipped {
            reason: "needs an Okta org".into(),
        };
        suite.steps.push(StepResult::new("1", "org API", skipped));
        let outcome = RunOutcome {
            suites: vec![suite],
            seconds: 0.1,
            interrupted: false,
        };
        let page = render_conformance_html(&outcome, "runscope", "http://127.0.0.1/scim/v2", &[]);
        assert!(page.contains("nothing checked"), "{page}");
        assert!(!page.contains("passed (exit 0)"), "{page}");
    }
}
