//! Synchronous sending for the conformance runners: the suites are sequential scripts, so they
//! drive the async [`Driver`] through one private current-thread tokio runtime instead of being
//! async themselves (async stays in `driver`, `load` and `server`).
//!
//! Do not call these from inside another tokio runtime: blocking there would panic.
//!
//! With an [`Interrupt`] (Ctrl-C) the drivers refuse new requests once it fires; the wire notes
//! the users and groups its requests created (a 201 to a POST on `/Users` or `/Groups`), so an
//! interrupted run can delete them ([`Wire::clean_up_created`]).
//!
//! With OAuth ([`Wire::with_oauth`]), a request that carries a token of the source (runscope's
//! `auth` variable holds the first one) is sent with the source's fresh token instead, and once
//! more with a new token after a 401.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use crate::driver::{
    Call, Driver, Interrupt, Method, OAuthSource, RequestSpec, Target, TransportError,
    DEFAULT_MAX_RESPONSE_BYTES,
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
    interrupt: Option<Interrupt>,
    /// `(base URL, the DELETE that removes it)` of every user and group created through
    /// [`Wire::send_to`].
    created: Vec<(String, RequestSpec)>,
    oauth: Option<OAuthSource>,
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
            interrupt: None,
            created: Vec::new(),
            oauth: None,
        })
    }

    /// The drivers [`Wire::send_to`] makes refuse new requests once `interrupt` fires.
    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Self {
        self.interrupt = Some(interrupt);
        self
    }

    /// Whether the run was interrupted (Ctrl-C).
    pub fn interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(Interrupt::requested)
    }

    /// Deletes every user and group created through [`Wire::send_to`] (even after an
    /// interrupt); returns how many went and what was left (the paths, with why).
    pub fn clean_up_created(&mut self) -> (usize, Vec<String>) {
        let mut deleted = 0;
        let mut left = Vec::new();
        for (base_url, delete) in std::mem::take(&mut self.created) {
            let Some(driver) = self.drivers.get(&base_url).map(Driver::uninterruptible) else {
                continue;
            };
            let path = delete.path.clone();
            match self.block_on(driver.send(&delete)) {
                Ok(call) if matches!(call.response.status, 200..=299 | 404) => deleted += 1,
                Ok(call) => left.push(format!("{path} (DELETE answered {})", call.response.status)),
                Err(err) => left.push(format!("{path} ({err})")),
            }
        }
        (deleted, left)
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

    /// Requests that carry one of `oauth`'s tokens get its fresh token (see the module doc).
    pub fn with_oauth(mut self, oauth: OAuthSource) -> Self {
        self.oauth = Some(oauth);
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
            let mut driver = Driver::new(target)?;
            if let Some(interrupt) = &self.interrupt {
                driver = driver.with_interrupt(interrupt.clone());
            }
            self.drivers.insert(base_url.to_string(), driver);
        }
        let driver = &self.drivers[base_url];
        let call = match &self.oauth {
            Some(oauth) => self.block_on(send_with_oauth(driver, oauth, spec))?,
            None => self.block_on(driver.send(spec))?,
        };
        if let Some(delete) = created_resource(spec, &call) {
            self.created.push((base_url.to_string(), delete));
        }
        Ok(call)
    }

    /// Runs a future to completion on the wire's runtime.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Waits `duration` (Runscope pause steps).
    pub fn sleep(&self, duration: Duration) {
        // The timer must be created inside the runtime, so the sleep is built in an async block.
        let interrupt = self.interrupt.clone().unwrap_or_default();
        self.block_on(async move {
            tokio::select! {
                () = tokio::time::sleep(duration) => {}
                () = interrupt.wait() => {}
            }
        });
    }
}

/// The DELETE of the user or group a POST created (`/Users/{id}`, from a 201 with an `id`),
/// with the POST's credentials and headers.
fn created_resource(spec: &RequestSpec, call: &Call) -> Option<RequestSpec> {
    if spec.method != Method::Post || call.response.status != 201 {
        return None;
    }
    let collection = spec.path.split('?').next()?.trim_end_matches('/');
    if !(collection.ends_with("/Users") || collection.ends_with("/Groups")) {
        return None;
    }
    let body = call.response.json()?;
    let id = body.get("id")?.as_str()?;
    let path = format!("{collection}/{}", crate::driver::encode_component(id));
    let mut delete = RequestSpec::delete(path);
    delete.auth = spec.auth.clone();
    delete.headers = spec
        .headers
        .iter()
        .filter(|(name, _)| !name.to_ascii_lowercase().starts_with("content-"))
        .cloned()
        .collect();
    Some(delete)
}

/// Sends `spec`; when it carries one of `oauth`'s tokens, with the fresh token, and once more
/// with a new one after a 401.
async fn send_with_oauth(
    driver: &Driver,
    oauth: &OAuthSource,
    spec: &RequestSpec,
) -> Result<Call, TransportError> {
    let carries_ours = spec
        .headers
        .iter()
        .any(|(name, value)| name.eq_ignore_ascii_case("authorization") && oauth.issued(value));
    if !carries_ours {
        return driver.send(spec).await;
    }
    let fresh = oauth.authorization().await?;
    let call = driver.send(&with_authorization(spec, &fresh)).await?;
    if call.response.status != 401 {
        return Ok(call);
    }
    let renewed = oauth.refresh(&fresh).await?;
    driver.send(&with_authorization(spec, &renewed)).await
}

fn with_authorization(spec: &RequestSpec, value: &str) -> RequestSpec {
    let mut spec = spec.clone();
    for (name, held) in &mut spec.headers {
        if name.eq_ignore_ascii_case("authorization") {
            *held = value.to_string();
        }
    }
    spec
}
