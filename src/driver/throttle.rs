//! Throttling (HTTP 429) is not a verdict on the server's SCIM: the [`Driver`](super::Driver)
//! waits as the response's `Retry-After` asks (integer seconds; 1 s when missing or a date), up
//! to `--max-retry-wait`, and sends again; the run counts every 429 and the time waited. A server
//! that asks for a longer wait, or throttles [`MAX_THROTTLED_IN_A_ROW`] times in a row, ends
//! the run as could-not-run ([`TransportError::Throttled`](super::TransportError)).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::call::Call;

/// The default `--max-retry-wait`.
pub const DEFAULT_MAX_RETRY_WAIT: Duration = Duration::from_secs(10);

/// Consecutive 429s to one request before the run gives up.
pub const MAX_THROTTLED_IN_A_ROW: u32 = 6;

/// How long a 429 asks us to wait; `None` for any other status.
pub fn retry_wait(call: &Call) -> Option<Duration> {
    if call.response.status != 429 {
        return None;
    }
    let seconds = call
        .response
        .header("retry-after")
        .and_then(|value| value.trim().parse::<u64>().ok())
        .unwrap_or(1);
    Some(Duration::from_secs(seconds))
}

/// The throttling a run met, shared by a driver's clones.
#[derive(Debug, Default)]
pub struct Throttling {
    responses: AtomicU64,
    waited_ms: AtomicU64,
}

impl Throttling {
    pub(super) fn count(&self) {
        self.responses.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn waited(&self, wait: Duration) {
        self.waited_ms
            .fetch_add(wait.as_millis() as u64, Ordering::Relaxed);
    }

    /// 429 responses received so far.
    pub fn responses(&self) -> u64 {
        self.responses.load(Ordering::Relaxed)
    }

    /// One line for the end of a run, when there was throttling.
    pub fn summary(&self) -> Option<String> {
        let responses = self.responses();
        (responses > 0).then(|| {
            let waited = self.waited_ms.load(Ordering::Relaxed) as f64 / 1000.0;
            format!(
                "throttled: the server answered 429 Too Many Requests {responses} time(s); \
                 waited {waited:.1} s in all as its Retry-After asked, then sent again"
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::{RecordedRequest, RecordedResponse, Timings};

    fn reply(status: u16, retry_after: Option<&str>) -> Call {
        let headers = retry_after
            .map(|value| vec![("retry-after".to_string(), value.to_string())])
            .unwrap_or_default();
        Call {
            request: RecordedRequest {
                method: "GET".into(),
                url: "http://127.0.0.1/scim/v2/Users".into(),
                headers: vec![],
                body: None,
            },
            response: RecordedResponse::new(status, headers, ""),
            timings: Timings {
                started_at_us: 0,
                headers_us: 0,
                total_us: 0,
            },
        }
    }

    #[test]
    fn a_429_asks_for_its_retry_after_or_one_second() {
        assert_eq!(
            retry_wait(&reply(429, Some("3"))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(retry_wait(&reply(429, None)), Some(Duration::from_secs(1)));
        assert_eq!(
            retry_wait(&reply(429, Some("Wed, 21 Oct 2026 07:28:00 GMT"))),
            Some(Duration::from_secs(1))
        );
        assert_eq!(retry_wait(&reply(200, Some("3"))), None);
    }

    #[test]
    fn the_summary_counts_and_sums() {
        let throttling = Throttling::default();
        assert_eq!(throttling.summary(), None);
        throttling.count();
        throttling.waited(Duration::from_millis(1500));
        let line = throttling.summary().expect("a line");
        assert!(
            line.contains("1 time(s)") && line.contains("1.5 s"),
            "{line}"
        );
    }
}
