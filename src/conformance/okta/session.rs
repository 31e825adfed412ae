//! What every Okta suite shares: the [`Session`] (sending through the driver with Okta's exact
//! header sets, the seeded name source, and the ledger of what the run created so it can be
//! removed at the end) and the [`Check`] builder that turns exchanges and expectations into a
//! named [`StepResult`].

use std::time::{Duration, Instant};

use serde_json::Value;

use super::names::NameSource;
use crate::conformance::outcome::{Failure, StepResult, Verdict};
use crate::conformance::runscope::assertions::{judge, Comparison, Observed, Source};
use crate::conformance::wire::Wire;
use crate::driver::{AuthMode, Call, Driver, Method, RequestSpec, TransportError};

/// The `User-Agent` of Okta's Runscope tests.
pub const RUNSCOPE_USER_AGENT: &str = "OKTA SCIM Integration";
/// The `User-Agent` Okta's provisioning sends in production.
pub const OKTA_USER_AGENT: &str = "Okta SCIM Client 1.0.0";

/// One conformance run against one target.
#[derive(Debug)]
pub struct Session<'a> {
    wire: &'a Wire,
    driver: &'a Driver,
    pub names: NameSource,
    created_users: Vec<String>,
    created_groups: Vec<String>,
}

impl<'a> Session<'a> {
    pub fn new(wire: &'a Wire, driver: &'a Driver, seed: u64) -> Self {
        Self {
            wire,
            driver,
            names: NameSource::new(seed),
            created_users: Vec::new(),
            created_groups: Vec::new(),
        }
    }

    /// Sends one request and waits for the exchange. A 429 is retried as Okta retries it
    /// (CONCEPTS: wait the integer `Retry-After`), but only briefly: at most
    /// [`MAX_RATE_LIMIT_RETRIES`] times and only when the wait is at most
    /// [`MAX_RATE_LIMIT_WAIT`]; otherwise the 429 is returned and judged.
    pub fn send(&self, spec: &RequestSpec) -> Result<Call, TransportError> {
        let mut call = self.wire.send(self.driver, spec)?;
        for _ in 0..MAX_RATE_LIMIT_RETRIES {
            let Some(wait) = rate_limit_wait(&call) else {
                break;
            };
            self.wire.sleep(wait);
            call = self.wire.send(self.driver, spec)?;
        }
        Ok(call)
    }

    /// Sends through `driver` from now on (the cleanup of an interrupted run).
    pub fn use_driver(&mut self, driver: &'a Driver) {
        self.driver = driver;
    }

    /// Remembers a user the run created, for the final cleanup.
    pub fn created_user(&mut self, id: &str) {
        if !self.created_users.iter().any(|known| known == id) {
            self.created_users.push(id.to_string());
        }
    }

    /// Remembers a group the run created, for the final cleanup.
    pub fn created_group(&mut self, id: &str) {
        if !self.created_groups.iter().any(|known| known == id) {
            self.created_groups.push(id.to_string());
        }
    }

    /// Forgets a group that a suite already deleted.
    pub fn deleted_group(&mut self, id: &str) {
        self.created_groups.retain(|known| known != id);
    }

    /// The users and groups still to remove, and clears the ledger.
    pub fn take_created(&mut self) -> (Vec<String>, Vec<String>) {
        (
            std::mem::take(&mut self.created_users),
            std::mem::take(&mut self.created_groups),
        )
    }
}

/// How often one request is retried after a 429.
pub const MAX_RATE_LIMIT_RETRIES: usize = 3;
/// The longest `Retry-After` the run waits for (Okta waits longer; a conformance run should not).
pub const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(5);

/// How long to wait before retrying `call`, when it is a 429 worth retrying: its integer
/// `Retry-After` (1 s when absent), if that is at most [`MAX_RATE_LIMIT_WAIT`].
fn rate_limit_wait(call: &Call) -> Option<Duration> {
    if call.response.status != 429 {
        return None;
    }
    let seconds = match call.response.header("retry-after") {
        None => 1,
        Some(value) => value.trim().parse::<u64>().ok()?,
    };
    let wait = Duration::from_secs(seconds);
    (wait <= MAX_RATE_LIMIT_WAIT).then_some(wait)
}

/// A GET exactly as Okta's SPEC test sends it: `Accept`, `Accept-Charset`, a `Content-Type` on a
/// bodiless request, `Authorization`, and the Runscope `User-Agent`.
pub fn spec_get(path: impl Into<String>) -> RequestSpec {
    RequestSpec::get(path)
        .header("Accept-Charset", "utf-8")
        .header("Content-Type", "application/scim+json; charset=utf-8")
        .header("Accept", "application/scim+json")
        .header("User-Agent", RUNSCOPE_USER_AGENT)
}

/// A POST exactly as Okta's SPEC test sends it: an `application/json` body (not scim+json),
/// `Accept: application/scim+json; charset=utf-8`, no `User-Agent` or `Accept-Charset`.
pub fn spec_post(path: impl Into<String>, body: Value) -> RequestSpec {
    RequestSpec::with_json(Method::Post, path, body)
        .header("Content-Type", "application/json")
        .header("Accept", "application/scim+json; charset=utf-8")
}

/// A request as Okta's provisioning sends it (REF2019's header set): scim+json both ways.
pub fn okta_request(method: Method, path: impl Into<String>, body: Option<Value>) -> RequestSpec {
    let mut spec = RequestSpec::new(method, path)
        .header("Accept", "application/scim+json")
        .header("Accept-Charset", "utf-8")
        .header("User-Agent", OKTA_USER_AGENT);
    if let Some(body) = body {
        spec = spec
            .json(body)
            .header("Content-Type", "application/scim+json; charset=utf-8");
    }
    spec
}

/// The same request with another `Authorization` value.
pub fn with_authorization(spec: RequestSpec, value: &str) -> RequestSpec {
    spec.auth(AuthMode::Custom(value.to_string()))
}

/// One Runscope-style assertion: source, JSON path, comparison, expected value.
pub type Expectation<'e> = (Source, &'e str, Comparison, Option<&'e str>);

/// Collects the exchanges and failed expectations of one named check.
#[derive(Debug)]
pub struct Check {
    id: String,
    name: String,
    failures: Vec<Failure>,
    calls: Vec<Call>,
    notes: Vec<String>,
    started: Instant,
}

impl Check {
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            failures: Vec::new(),
            calls: Vec::new(),
            notes: Vec::new(),
            started: Instant::now(),
        }
    }

    /// A check that could not run, and why.
    pub fn skipped(
        id: impl Into<String>,
        name: impl Into<String>,
        reason: impl Into<String>,
    ) -> StepResult {
        StepResult::new(
            id,
            name,
            Verdict::Skipped {
                reason: reason.into(),
            },
        )
    }

    /// Keeps an exchange as evidence (the last one kept is shown when the check fails).
    /// Records `call`; a body past `--max-response-size` fails the step there and then.
    pub fn record(&mut self, call: &Call) {
        if let Some(oversized) = call.response.oversized {
            self.fail(
                "response size",
                format!("a body of at most {} bytes", oversized.limit),
                oversized.describe(),
            );
        }
        self.calls.push(call.clone());
    }

    /// Adds a failure.
    pub fn fail(
        &mut self,
        check: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) {
        self.failures.push(Failure::new(check, expected, actual));
    }

    /// Adds a failure unless `holds`; returns `holds`.
    pub fn require(
        &mut self,
        holds: bool,
        check: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> bool {
        if !holds {
            self.fail(check, expected, actual);
        }
        holds
    }

    /// Records `call` and requires its status to be one of `allowed`; returns whether it was.
    pub fn status(&mut self, call: &Call, allowed: &[u16]) -> bool {
        self.record(call);
        let status = call.response.status;
        let wanted = allowed
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" or ");
        self.require(
            allowed.contains(&status),
            format!("{} status", call.request.method),
            wanted,
            status.to_string(),
        )
    }

    /// Judges Runscope-style assertions on `call` with exactly the `runscope` runner's semantics,
    /// so native SPEC verdicts agree with running Okta's file.
    pub fn judge(&mut self, call: &Call, expectations: &[Expectation<'_>]) {
        let json = call.response.json();
        let observed = Observed {
            status: call.response.status,
            headers: &call.response.headers,
            body: &call.response.body,
            json: json.as_ref(),
            elapsed_ms: call.timings.total_us as f64 / 1000.0,
        };
        for (source, property, comparison, expected) in expectations {
            if let Err(failure) = judge(*source, property, *comparison, *expected, &observed) {
                self.failures.push(failure);
            }
        }
    }

    /// Adds a remark shown with the step.
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Whether nothing has failed so far.
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }

    pub fn finish(self) -> StepResult {
        StepResult {
            id: self.id,
            name: self.name,
            verdict: Verdict::from_failures(self.failures),
            calls: self.calls,
            notes: self.notes,
            seconds: self.started.elapsed().as_secs_f64(),
        }
    }
}

/// The `id` of a response body, when it is a non-empty string.
pub fn body_id(call: &Call) -> Option<String> {
    call.response
        .json()
        .and_then(|body| body.get("id").and_then(Value::as_str).map(str::to_string))
        .filter(|id| !id.is_empty())
}

/// The ids of a list response's `Resources`, in order.
pub fn listed_ids(body: &Value) -> Vec<String> {
    body.get("Resources")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.get("id").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::{RecordedRequest, RecordedResponse, Timings};

    fn reply(status: u16, retry_after: Option<&str>) -> Call {
        Call {
            request: RecordedRequest {
                method: "GET".into(),
                url: "http://127.0.0.1/scim/v2/Users".into(),
                headers: vec![],
                body: None,
            },
            response: RecordedResponse {
                status,
                headers: retry_after
                    .map(|value| vec![("retry-after".to_string(), value.to_string())])
                    .unwrap_or_default(),
                body: String::new(),
                oversized: None,
            },
            timings: Timings {
                started_at_us: 0,
                headers_us: 0,
                total_us: 0,
            },
        }
    }

    #[test]
    fn a_429_is_retried_after_a_short_integer_retry_after_only() {
        assert_eq!(
            rate_limit_wait(&reply(429, Some("2"))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            rate_limit_wait(&reply(429, None)),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            rate_limit_wait(&reply(429, Some("60"))),
            None,
            "too long for a test run"
        );
        assert_eq!(
            rate_limit_wait(&reply(429, Some("Wed, 21 Oct 2026 07:28:00 GMT"))),
            None,
            "Okta ignores HTTP-date values"
        );
        assert_eq!(rate_limit_wait(&reply(200, Some("1"))), None);
    }
}
