//! The JSON report of a conformance run (`scimfuzz okta --report-json`): a versioned document with
//! the target, the tally, and every suite's steps with their verdicts and exchanges. Every string
//! goes through the run's redactor (`report::redact`).

use serde_json::{json, Value};

use super::redact::{redact, redact_json};
use crate::conformance::outcome::RunOutcome;

/// The format version; bumped on incompatible changes.
pub const VERSION: u64 = 1;

/// Renders the run as pretty JSON.
pub fn render_conformance_json(outcome: &RunOutcome, command: &str, target: &str) -> String {
    let mut suites = serde_json::to_value(&outcome.suites).unwrap_or(Value::Null);
    redact_json(&mut suites);
    let tally = outcome.tally();
    let document = json!({
        "version": VERSION,
        "command": command,
        "target": redact(target),
        "seconds": outcome.seconds,
        "interrupted": outcome.interrupted,
        "tally": tally,
        "summary": tally.summary_line(),
        "suites": suites,
    });
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::outcome::{StepResult, SuiteResult, Verdict};
    use crate::driver::{Call, RecordedRequest, RecordedResponse, Timings};

    #[test]
    fn authorization_values_are_redacted_and_the_tally_is_included() {
        let mut step = StepResult::new("1", "list", Verdict::Passed);
        step.calls.push(Call {
            request: RecordedRequest {
                method: "GET".into(),
                url: "http://127.0.0.1/scim/v2/Users".into(),
                headers: vec![
                    ("Authorization".into(), "Bearer s3cret".into()),
                    ("X-Api-Token".into(), "t0k".into()),
                    ("Accept".into(), "application/scim+json".into()),
                ],
                body: None,
            },
            response: RecordedResponse {
                status: 200,
                headers: vec![],
                body: "{}".into(),
                oversized: None,
            },
            timings: Timings {
                started_at_us: 0,
                headers_us: 1,
                total_us: 2,
            },
        });
        let mut suite = SuiteResult::new("SPEC");
        suite.steps.push(step);
        let outcome = RunOutcome {
            suites: vec![suite],
            seconds: 0.1,
            interrupted: false,
        };
        let text = render_conformance_json(&outcome, "okta", "http://127.0.0.1/scim/v2");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(!text.contains("t0k"), "{text}");
        assert!(text.contains("application/scim+json"));
        let document: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(document["version"], 1);
        assert_eq!(document["summary"], "1 passed, 0 failed");
        assert_eq!(document["suites"][0]["steps"][0]["verdict"], "passed");
    }
}
