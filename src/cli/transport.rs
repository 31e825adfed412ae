//! How every command that sends requests treats the connection and what comes back:
//! `--timeout`, `--max-response-size` (the bound on every response body, decoded) and
//! `--max-retry-wait` (how long a 429 may make us wait). Shared by `fuzz`, `replay`,
//! `okta`, `load` (through [`TargetArgs`](super::target::TargetArgs)) and `runscope`.

use std::path::PathBuf;
use std::time::Duration;

use super::fuzz::parse_duration;
use super::CliError;
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
    /// Trust only the CA certificate(s) in this PEM file (a private CA or a self-signed server).
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Skip certificate verification (prints a warning; anyone on the path can read the secrets).
    #[arg(long)]
    pub insecure: bool,
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
            cacert: None,
            insecure: false,
        }
    }
}

impl TransportArgs {
    /// `--timeout`, or 60 s.
    pub fn timeout_or_default(&self) -> Duration {
        self.timeout.unwrap_or(DEFAULT_TIMEOUT)
    }

    /// The `--cacert` file's bytes, checked to hold PEM certificates.
    pub fn ca_pem(&self) -> Result<Option<Vec<u8>>, CliError> {
        let Some(path) = &self.cacert else {
            return Ok(None);
        };
        let pem = std::fs::read(path).map_err(|err| {
            CliError::Usage(format!(
                "--cacert {}: cannot read it: {err}",
                path.display()
            ))
        })?;
        match reqwest::Certificate::from_pem_bundle(&pem) {
            Ok(certs) if !certs.is_empty() => Ok(Some(pem)),
            _ => Err(CliError::Usage(format!(
                "--cacert {}: no PEM certificate in it (-----BEGIN CERTIFICATE-----)",
                path.display()
            ))),
        }
    }

    /// Prints the `--insecure` warning when it is given.
    pub fn warn_if_insecure(&self) {
        if self.insecure {
            eprintln!(
                "warning: --insecure: TLS certificates are not verified; anyone on the path can \
                 read the credentials and change the answers"
            );
        }
    }

    /// Applies the limits and TLS settings to `target` (warning once about `--insecure`).
    pub fn apply(&self, target: &mut Target) -> Result<(), CliError> {
        target.ca_pem = self.ca_pem()?;
        if !target.insecure {
            self.warn_if_insecure();
        }
        target.insecure = self.insecure;
        target.timeout = self.timeout_or_default();
        target.max_response_bytes = self.max_response_bytes;
        target.max_retry_wait = Some(self.max_retry_wait);
        Ok(())
    }
}
