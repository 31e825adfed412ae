//! How every command that sends requests treats the connection and what comes back:
//! `--timeout`, `--max-response-size` (the bound on every response body, decoded) and
//! `--max-retry-wait` (how long a 429 may make us wait). Shared by `fuzz`, `replay`,
//! `okta`, `load` (through [`TargetArgs`](super::target::TargetArgs)) and `runscope`.

use std::time::Duration;

use super::fuzz::parse_duration;
use crate::driver::{parse_size, Target, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRY_WAIT};

/// Limits on the exchanges with the server.
#[derive(Debug, Clone, clap::Args)]
pub struct TransportArgs {
    /// The largest response body read, decoded (gzip counts inflated), e.g. 16MiB, 512KiB; a
    /// larger body is cut there and reported (a finding; `load` stops with exit 3).
    #[arg(long = "max-response-size", value_name = "SIZE", default_value = "16MiB", value_parser = parse_size)]
    pub max_response_bytes: u64,
    /// The longest Retry-After a 429 may ask for: shorter waits are honoured and the request
    /// sent again; a longer one (or 6 throttled answers in a row) ends the run with exit 3.
    #[arg(long = "max-retry-wait", value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub max_retry_wait: Duration,
    /// How long one request may take, headers and body, e.g. 60 (seconds), 30s, 500ms (default
    /// 60s, Okta's own limit; for `load`, the profile's request_timeout).
    #[arg(long, value_name = "DURATION", value_parser = positive_timeout)]
    pub timeout: Option<Duration>,
}

/// The default request timeout: Okta's 60 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

fn positive_timeout(text: &str) -> Result<Duration, String> {
    let duration = parse_duration(text)?;
    if duration.is_zero() {
        return Err("must be longer than 0s".into());
    }
    Ok(duration)
}

impl Default for TransportArgs {
    fn default() -> Self {
        Self {
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_retry_wait: DEFAULT_MAX_RETRY_WAIT,
            timeout: None,
        }
    }
}

impl TransportArgs {
    /// `--timeout`, or 60 s.
    pub fn timeout_or_default(&self) -> Duration {
        self.timeout.unwrap_or(DEFAULT_TIMEOUT)
    }

    /// Applies the limits to `target`.
    pub fn apply(&self, target: &mut Target) {
        target.timeout = self.timeout_or_default();
        target.max_response_bytes = self.max_response_bytes;
        target.max_retry_wait = Some(self.max_retry_wait);
    }
}
