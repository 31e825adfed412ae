//! How every command that sends requests treats the connection and what comes back:
//! `--max-response-size` (the bound on every response body, decoded). Shared by `fuzz`, `replay`,
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
}

impl Default for TransportArgs {
    fn default() -> Self {
        Self {
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_retry_wait: DEFAULT_MAX_RETRY_WAIT,
        }
    }
}

impl TransportArgs {
    /// Applies the limits to `target`.
    pub fn apply(&self, target: &mut Target) {
        target.max_response_bytes = self.max_response_bytes;
        target.max_retry_wait = Some(self.max_retry_wait);
    }
}
