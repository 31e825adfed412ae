//! The results both conformance runners produce: one [`StepResult`] per step or check (passed,
//! failed with the failing assertions, or skipped with a reason, plus the HTTP exchanges it made),
//! grouped into [`SuiteResult`]s and a [`RunOutcome`]. Rendering lives in `report::steps` (text)
//! and here only as far as the JUnit mapping onto `report::junit`'s plain types.

use serde::Serialize;

use crate::driver::Call;
use crate::report::junit::{JunitCase, JunitOutcome, JunitSuite};

/// One assertion that did not hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// What was checked, e.g. `status equal_number` or `name.givenName equal`.
    pub check: String,
    /// What the rule wants.
    pub expected: String,
    /// What the server gave.
    pub actual: String,
}

impl Failure {
    /// A failure of `check`: expected `expected`, got `actual`.
    pub fn new(
        check: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Self {
            check: check.into(),
            expected: expected.into(),
            actual: actual.into(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.check, self.expected, self.actual
        )
    }
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Passed,
    Failed { failures: Vec<Failure> },
    Skipped { reason: String },
}

impl Verdict {
    /// Passed when there are no failures, failed otherwise.
    pub fn from_failures(failures: Vec<Failure>) -> Self {
        if failures.is_empty() {
            Verdict::Passed
        } else {
            Verdict::Failed { failures }
        }
    }

    pub fn is_failed(&self) -> bool {
        matches!(self, Verdict::Failed { .. })
    }

    pub fn is_passed(&self) -> bool {
        matches!(self, Verdict::Passed)
    }

    /// `pass`, `fail` or `skip`.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Passed => "pass",
            Verdict::Failed { .. } => "fail",
            Verdict::Skipped { .. } => "skip",
        }
    }
}

/// One step of a Runscope file or one named Okta check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepResult {
    /// The step's id within its suite (`8`, `deactivate`), shown in the table.
    pub id: String,
    /// The step's name (the Runscope note, or the Okta step/rule it mirrors).
    pub name: String,
    /// Serialized flat: `"verdict": "failed", "failures": [...]` or `"reason": "..."`.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The exchanges the step made, in order (the last one is usually the one judged).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<Call>,
    /// Script output and other remarks that are not verdicts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Wall time of the step in seconds.
    pub seconds: f64,
}

impl StepResult {
    /// A step with no exchanges yet.
    pub fn new(id: impl Into<String>, name: impl Into<String>, verdict: Verdict) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            verdict,
            calls: Vec::new(),
            notes: Vec::new(),
            seconds: 0.0,
        }
    }

    /// The exchange the verdict was made on: the last one.
    pub fn judged_call(&self) -> Option<&Call> {
        self.calls.last()
    }
}

/// The steps of one suite, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuiteResult {
    pub name: String,
    pub steps: Vec<StepResult>,
    /// Ctrl-C stopped this suite: `steps` are the ones it completed, then the
    /// [`INTERRUPTED_STEP`] marker (serialized only when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

/// The id of the step [`SuiteResult::mark_interrupted`] adds where Ctrl-C stopped a suite.
pub const INTERRUPTED_STEP: &str = "stop";

/// How many steps passed, failed and were skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Tally {
    fn add(&mut self, verdict: &Verdict) {
        match verdict {
            Verdict::Passed => self.passed += 1,
            Verdict::Failed { .. } => self.failed += 1,
            Verdict::Skipped { .. } => self.skipped += 1,
        }
    }

    /// The closing line: `N passed, M failed` and `, K skipped` when any were.
    pub fn summary_line(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            line.push_str(&format!(", {} skipped", self.skipped));
        }
        line
    }
}

impl SuiteResult {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            steps: Vec::new(),
            interrupted: false,
        }
    }

    /// Marks the suite as stopped by Ctrl-C: the steps it completed stay, and a skipped step
    /// ([`INTERRUPTED_STEP`]) says where it stopped, so every report (text, JSON, JUnit, HTML)
    /// shows it.
    pub fn mark_interrupted(&mut self) {
        self.interrupted = true;
        self.steps.push(StepResult::new(
            INTERRUPTED_STEP,
            "interrupted (Ctrl-C)",
            Verdict::Skipped {
                reason: format!(
                    "the suite stopped here after {} completed step(s); the steps after this \
                     point did not run",
                    self.steps.len()
                ),
            },
        ));
    }

    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for step in &self.steps {
            tally.add(&step.verdict);
        }
        tally
    }

    /// The step with this id, if any.
    pub fn step(&self, id: &str) -> Option<&StepResult> {
        self.steps.iter().find(|step| step.id == id)
    }
}

/// A whole run: every suite, and how long it took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunOutcome {
    pub suites: Vec<SuiteResult>,
    pub seconds: f64,
    /// Ctrl-C stopped the run at a request boundary: the suites finished so far, the completed
    /// steps of the one that was running (marked [`SuiteResult::interrupted`]), then the cleanup.
    pub interrupted: bool,
}

impl RunOutcome {
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for step in self.suites.iter().flat_map(|suite| &suite.steps) {
            tally.add(&step.verdict);
        }
        tally
    }

    /// The suite with this name, if any.
    pub fn suite(&self, name: &str) -> Option<&SuiteResult> {
        self.suites.iter().find(|suite| suite.name == name)
    }

    /// The JUnit form: one suite per suite, one case per step; failures carry the failing exchange.
    pub fn to_junit(&self) -> Vec<JunitSuite> {
        self.suites
            .iter()
            .map(|suite| JunitSuite {
                name: suite.name.clone(),
                cases: suite
                    .steps
                    .iter()
                    .map(|step| junit_case(&suite.name, step))
                    .collect(),
            })
            .collect()
    }
}

fn junit_case(suite: &str, step: &StepResult) -> JunitCase {
    let outcome = match &step.verdict {
        Verdict::Passed => JunitOutcome::Passed,
        Verdict::Skipped { reason } => JunitOutcome::Skipped {
            reason: reason.clone(),
        },
        Verdict::Failed { failures } => {
            let message = failures
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            let details = step
                .judged_call()
                .map(describe_exchange)
                .unwrap_or_default();
            JunitOutcome::Failed { message, details }
        }
    };
    JunitCase {
        name: format!("{} {}", step.id, step.name),
        classname: suite.to_string(),
        seconds: step.seconds,
        outcome,
    }
}

/// A plain-text rendering of one exchange: request line, request body, status, response body
/// (each body cut at 600 characters). `Authorization` values are not shown.
pub fn describe_exchange(call: &Call) -> String {
    let mut text = format!("> {} {}\n", call.request.method, call.request.url);
    if let Some(body) = &call.request.body {
        text.push_str(&format!("> {}\n", clip(body, 600)));
    }
    text.push_str(&format!(
        "< {} ({} ms)\n",
        call.response.status,
        call.timings.total_us / 1000
    ));
    if !call.response.body.is_empty() {
        text.push_str(&format!("< {}\n", clip(&call.response.body, 600)));
    }
    text
}

/// `text` cut to at most `limit` characters, with a marker when cut.
pub fn clip(text: &str, limit: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(limit).collect();
    if chars.next().is_some() {
        format!("{head}… ({} chars)", text.chars().count())
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(id: &str, verdict: Verdict) -> StepResult {
        StepResult::new(id, format!("step {id}"), verdict)
    }

    #[test]
    fn the_summary_line_counts_passes_failures_and_only_then_skips() {
        let mut suite = SuiteResult::new("SPEC");
        suite.steps.push(step("1", Verdict::Passed));
        suite.steps.push(step(
            "2",
            Verdict::Failed {
                failures: vec![Failure::new("status", "409", "201")],
            },
        ));
        assert_eq!(suite.tally().summary_line(), "1 passed, 1 failed");
        suite.steps.push(step(
            "3",
            Verdict::Skipped {
                reason: "needs an Okta org".into(),
            },
        ));
        assert_eq!(
            suite.tally().summary_line(),
            "1 passed, 1 failed, 1 skipped"
        );
    }

    #[test]
    fn junit_cases_carry_the_failing_assertion() {
        let mut suite = SuiteResult::new("SPEC");
        suite.steps.push(step(
            "8",
            Verdict::Failed {
                failures: vec![Failure::new("status equal_number", "409", "201")],
            },
        ));
        let run = RunOutcome {
            suites: vec![suite],
            seconds: 0.1,
            interrupted: false,
        };
        let junit = run.to_junit();
        let JunitOutcome::Failed { message, .. } = &junit[0].cases[0].outcome else {
            panic!("expected a failure, got {:?}", junit[0].cases[0].outcome);
        };
        assert_eq!(message, "status equal_number: expected 409, got 201");
        assert_eq!(junit[0].cases[0].name, "8 step 8");
    }

    #[test]
    fn an_interrupted_suite_keeps_its_steps_and_says_where_it_stopped() {
        let mut suite = SuiteResult::new("CRUD (OIN: PATCH)");
        suite.steps.push(step("3", Verdict::Passed));
        suite.steps.push(step("3b", Verdict::Passed));
        suite.mark_interrupted();
        assert!(suite.interrupted);
        assert_eq!(
            suite.tally().summary_line(),
            "2 passed, 0 failed, 1 skipped"
        );
        let marker = suite.step(INTERRUPTED_STEP).expect("the marker step");
        let Verdict::Skipped { reason } = &marker.verdict else {
            panic!("the marker is a skip: {marker:?}");
        };
        assert!(reason.contains("after 2 completed step(s)"), "{reason}");
        let json = serde_json::to_value(&suite).unwrap();
        assert_eq!(json["interrupted"], true);
        assert!(serde_json::to_value(SuiteResult::new("SPEC")).unwrap()["interrupted"].is_null());
        let run = RunOutcome {
            suites: vec![suite],
            seconds: 0.1,
            interrupted: true,
        };
        let junit = run.to_junit();
        assert_eq!(junit[0].cases.len(), 3);
        assert!(matches!(
            junit[0].cases[2].outcome,
            JunitOutcome::Skipped { .. }
        ));
    }

    #[test]
    fn clip_marks_cut_text() {
        assert_eq!(clip("abc", 5), "abc");
        assert_eq!(clip("abcdef", 3), "abc… (6 chars)");
    }
}
