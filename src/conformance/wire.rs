//! Synchronous sending for the conformance runners: the suites are sequential scripts, so they
//! drive the async [`Driver`] through one private current-thread tokio runtime instead of being
//! async themselves (async stays in `driver`, `load` and `server`).
//!
//! Do not call these from inside another tokio runtime: blocking there would panic.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use crate::driver::{
    Call, Driver, RequestSpec, Target, TransportError, DEFAULT_MAX_RESPONSE_BYTES,
};

/// The runtime every request of a run is sent on, plus one driver per base URL in use.
#[derive(Debug)]
pub struct Wire {
    runtime: tokio::runtime::Runtime,
    drivers: HashMap<String, Driver>,
    timeout: Duration,
    max_response_bytes: u64,
    ca_pem: Option<Vec<u8>>,
    insecure: bool,
}

impl Wire {
    /// A wire whose drivers give each request `timeout`.
    pub fn new(timeout: Duration) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Self {
            runtime,
            drivers: HashMap::new(),
            timeout,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            ca_pem: None,
            insecure: false,
        })
    }

    /// The body limit of the drivers [`Wire::send_to`] makes (default 16 MiB).
    pub fn with_max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The TLS settings (`--cacert`, `--insecure`) of the drivers [`Wire::send_to`] makes.
    pub fn with_tls(mut self, ca_pem: Option<Vec<u8>>, insecure: bool) -> Self {
        self.ca_pem = ca_pem;
        self.insecure = insecure;
        self
    }

    /// Sends `spec` with `driver` and waits for the exchange.
    pub fn send(&self, driver: &Driver, spec: &RequestSpec) -> Result<Call, TransportError> {
        self.block_on(driver.send(spec))
    }

    /// Sends `spec` relative to `base_url` with no target-level auth or headers (the spec carries
    /// its own), reusing one driver per base URL.
    pub fn send_to(&mut self, base_url: &str, spec: &RequestSpec) -> Result<Call, TransportError> {
        if !self.drivers.contains_key(base_url) {
            let mut target = Target::new(base_url, None);
            target.timeout = self.timeout;
            target.max_response_bytes = self.max_response_bytes;
            target.ca_pem = self.ca_pem.clone();
            target.insecure = self.insecure;
            let driver = Driver::new(target)?;
            self.drivers.insert(base_url.to_string(), driver);
        }
        let driver = &self.drivers[base_url];
        self.block_on(driver.send(spec))
    }

    /// Runs a future to completion on the wire's runtime.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Waits `duration` (Runscope pause steps).
    pub fn sleep(&self, duration: Duration) {
        // The timer must be created inside the runtime, so the sleep is built in an async block.
        self.block_on(async move { tokio::time::sleep(duration).await });
    }
}
