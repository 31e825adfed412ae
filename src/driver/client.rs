//! The [`Driver`]: sends a [`RequestSpec`] to a [`Target`] with reqwest and records the [`Call`].

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::body::{read_bounded, DEFAULT_MAX_RESPONSE_BYTES};
use super::call::{Call, RecordedRequest, RecordedResponse, Timings};
use super::interrupt::Interrupt;
use super::oauth::OAuthSource;
use super::request::{AuthMode, Body, Method, RequestSpec};
use super::throttle::{retry_wait, Throttling, MAX_THROTTLED_IN_A_ROW};
use std::sync::Arc;

/// Where requests go and how they authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The SCIM base URL without a trailing slash, e.g. `http://127.0.0.1:8080/scim/v2`.
    pub base_url: String,
    /// The full `Authorization` header value (`Bearer abc`, `Basic …`), if any.
    pub authorization: Option<String>,
    /// Headers sent on every request (custom-header auth, tenant selectors).
    pub headers: Vec<(String, String)>,
    /// How long one request may take, headers and body together.
    pub timeout: Duration,
    /// The largest response body read (decoded bytes); larger ones are cut and marked oversized.
    pub max_response_bytes: u64,
    /// With `Some(cap)`, a 429 is waited out (its Retry-After, at most `cap`) and sent again;
    /// `None` returns the 429 as the answer.
    pub max_retry_wait: Option<Duration>,
    /// `--cacert`: PEM certificates to trust instead of the platform's roots.
    pub ca_pem: Option<Vec<u8>>,
    /// `--insecure`: accept any certificate.
    pub insecure: bool,
    /// OAuth 2.0 client credentials: the Authorization value comes from this token source
    /// (fetched before the first request, refreshed before expiry and once after a 401).
    pub oauth: Option<OAuthSource>,
}

impl Target {
    /// A target with a bearer-style `Authorization` value and the default 60 s timeout (Okta's).
    pub fn new(base_url: impl Into<String>, authorization: Option<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            authorization,
            headers: Vec::new(),
            timeout: Duration::from_secs(60),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_retry_wait: None,
            ca_pem: None,
            insecure: false,
            oauth: None,
        }
    }

    /// The absolute URL of a path relative to the base.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

/// A request that produced no HTTP response: the harness could not run it.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("could not connect to {url}: {reason} (is the server running and the URL right?)")]
    Connect { url: String, reason: String },
    #[error("{method} {url} timed out after {timeout:?}")]
    Timeout {
        method: String,
        url: String,
        timeout: Duration,
    },
    #[error("{method} {url} failed: {reason}")]
    Other {
        method: String,
        url: String,
        reason: String,
    },
    #[error("could not build the HTTP client: {0}")]
    Client(String),
    #[error(
        "TLS failed for {url}: {reason} (the server's certificate is not trusted or TLS could not \
         be negotiated: give its CA with --cacert FILE, or skip verification with --insecure)"
    )]
    Tls { url: String, reason: String },
    #[error(
        "could not get an OAuth token from {token_url}: {detail} (check --oauth-token-url, \
         --oauth-client-id and the client secret)"
    )]
    OAuth { token_url: String, detail: String },
    #[error(
        "{method} {url}: throttled: the server answered 429 Too Many Requests {times} time(s) in a \
         row and asks to wait {wait:?} (we wait at most {cap:?}); try again later or raise \
         --max-retry-wait"
    )]
    Throttled {
        method: String,
        url: String,
        times: u32,
        wait: Duration,
        cap: Duration,
    },
    /// Ctrl-C: the run was asked to stop before this request was sent.
    #[error("interrupted (Ctrl-C)")]
    Interrupted,
    /// The run's time limit passed: a case stops before its next request (`fuzz --time-limit`).
    #[error("the time limit was reached (--time-limit)")]
    TimeLimit,
}

/// Sends requests to one target. Cheap to clone: clones share the connection pool.
#[derive(Debug, Clone)]
pub struct Driver {
    client: reqwest::Client,
    target: Target,
    throttling: Arc<Throttling>,
    /// Once it fires, [`Driver::send`] refuses new requests ([`TransportError::Interrupted`]).
    interrupt: Option<Interrupt>,
}

impl Driver {
    /// A driver with its own connection pool.
    pub fn new(target: Target) -> Result<Self, TransportError> {
        let mut builder = reqwest::Client::builder()
            .timeout(target.timeout)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = &target.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|err| TransportError::Client(format!("--cacert: {err}")))?;
            builder = builder.tls_certs_only(certs);
        }
        if target.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let client = builder
            .build()
            .map_err(|err| TransportError::Client(error_chain(&err)))?;
        Ok(Self {
            client,
            target,
            throttling: Arc::default(),
            interrupt: None,
        })
    }

    /// This driver, refusing new requests once `interrupt` fires (Ctrl-C).
    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Self {
        self.interrupt = Some(interrupt);
        self
    }

    /// A clone that sends even after an interrupt (same pool): for the cleanup of an
    /// interrupted run.
    pub fn uninterruptible(&self) -> Self {
        Self {
            interrupt: None,
            ..self.clone()
        }
    }

    /// Whether this driver's interrupt fired: it sends nothing more.
    pub fn interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(Interrupt::requested)
    }

    /// The target this driver talks to.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The throttling this driver (and its clones) met.
    pub fn throttling(&self) -> &Throttling {
        &self.throttling
    }

    /// Sends one request and records the exchange; a 429 is waited out and sent again when the
    /// target says so (see the `throttle` module). With OAuth, a 401 to the target's token gets
    /// a new token and the request is sent once more.
    pub async fn send(&self, spec: &RequestSpec) -> Result<Call, TransportError> {
        let call = self.send_throttled(spec).await?;
        let Some(oauth) = &self.target.oauth else {
            return Ok(call);
        };
        if call.response.status != 401 || !matches!(spec.auth, AuthMode::Target) {
            return Ok(call);
        }
        let refused = call
            .request
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
            .map(|(_, value)| value.clone())
            .unwrap_or_default();
        oauth.refresh(&refused).await?;
        self.send_throttled(spec).await
    }

    async fn send_throttled(&self, spec: &RequestSpec) -> Result<Call, TransportError> {
        let Some(cap) = self.target.max_retry_wait else {
            return self.send_once(spec).await;
        };
        let mut in_a_row = 0;
        loop {
            let call = self.send_once(spec).await?;
            let Some(wait) = retry_wait(&call) else {
                return Ok(call);
            };
            in_a_row += 1;
            self.throttling.count();
            if wait > cap || in_a_row >= MAX_THROTTLED_IN_A_ROW {
                return Err(TransportError::Throttled {
                    method: call.request.method,
                    url: call.request.url,
                    times: in_a_row,
                    wait,
                    cap,
                });
            }
            if wait >= Duration::from_secs(1) {
                eprintln!(
                    "throttled (429): waiting {} s as the server asks, then sending again",
                    wait.as_secs()
                );
            }
            self.sleep(wait).await;
            self.throttling.waited(wait);
        }
    }

    /// Sleeps `wait`, or less when the run is interrupted meanwhile.
    async fn sleep(&self, wait: Duration) {
        match &self.interrupt {
            Some(interrupt) => {
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = interrupt.wait() => {}
                }
            }
            None => tokio::time::sleep(wait).await,
        }
    }

    async fn send_once(&self, spec: &RequestSpec) -> Result<Call, TransportError> {
        if self.interrupted() {
            return Err(TransportError::Interrupted);
        }
        let request = match &self.target.oauth {
            Some(oauth) if matches!(spec.auth, AuthMode::Target) => {
                let authorization = oauth.authorization().await?;
                self.request_with(spec, Some(&authorization))
            }
            _ => self.record_request(spec),
        };
        let started_at_us = now_us();
        let clock = Instant::now();
        let mut builder = self
            .client
            .request(to_reqwest_method(spec.method), &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let response = builder
            .send()
            .await
            .map_err(|err| self.classify(&request, err))?;
        let headers_us = clock.elapsed().as_micros() as u64;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_ascii_lowercase(), text)
            })
            .collect();
        let body = read_bounded(response, self.target.max_response_bytes)
            .await
            .map_err(|err| self.classify(&request, err))?;
        let total_us = clock.elapsed().as_micros() as u64;
        let oversized = body.oversized;
        Ok(Call {
            request,
            response: RecordedResponse {
                status,
                headers,
                body: body.into_text(),
                oversized,
            },
            timings: Timings {
                started_at_us,
                headers_us,
                total_us,
            },
        })
    }

    /// The exact request a spec turns into: URL, headers in sending order, body text (with
    /// OAuth, the token held now).
    pub fn record_request(&self, spec: &RequestSpec) -> RecordedRequest {
        let held = self.target.oauth.as_ref().and_then(OAuthSource::cached);
        let authorization = held.as_deref().or(self.target.authorization.as_deref());
        self.request_with(spec, authorization)
    }

    fn request_with(&self, spec: &RequestSpec, authorization: Option<&str>) -> RecordedRequest {
        let mut headers: Vec<(String, String)> = Vec::new();
        match &spec.auth {
            AuthMode::Target => {
                if let Some(value) = authorization {
                    headers.push(("Authorization".into(), value.to_string()));
                }
            }
            AuthMode::Omit => {}
            AuthMode::Custom(value) => headers.push(("Authorization".into(), value.clone())),
        }
        headers.extend(self.target.headers.iter().cloned());
        let has_header = |headers: &[(String, String)], name: &str| {
            headers
                .iter()
                .any(|(key, _)| key.eq_ignore_ascii_case(name))
        };
        let mut extra = spec.headers.clone();
        if !has_header(&extra, "accept") {
            extra.push(("Accept".into(), "application/scim+json".into()));
        }
        let body = match &spec.body {
            None => None,
            Some(Body::Json { value }) => {
                if !has_header(&extra, "content-type") {
                    extra.push(("Content-Type".into(), "application/scim+json".into()));
                }
                Some(value.to_string())
            }
            Some(Body::Raw { content_type, text }) => {
                if !has_header(&extra, "content-type") {
                    extra.push(("Content-Type".into(), content_type.clone()));
                }
                Some(text.clone())
            }
        };
        headers.extend(extra);
        RecordedRequest {
            method: spec.method.as_str().to_string(),
            url: self.target.url(&spec.path),
            headers,
            body,
        }
    }

    fn classify(&self, request: &RecordedRequest, err: reqwest::Error) -> TransportError {
        let url = request.url.clone();
        let method = request.method.clone();
        if err.is_timeout() {
            TransportError::Timeout {
                method,
                url,
                timeout: self.target.timeout,
            }
        } else if is_tls(&err) {
            TransportError::Tls {
                url,
                reason: error_chain(&err),
            }
        } else if err.is_connect() {
            TransportError::Connect {
                url,
                reason: error_chain(&err),
            }
        } else {
            TransportError::Other {
                method,
                url,
                reason: error_chain(&err),
            }
        }
    }
}

fn to_reqwest_method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    }
}

/// Whether a request failed in the TLS handshake (certificate, protocol), by its source chain.
fn is_tls(err: &reqwest::Error) -> bool {
    let chain = error_chain(err).to_ascii_lowercase();
    ["certificate", "tls", "handshake", "unknownissuer", "ssl"]
        .iter()
        .any(|word| chain.contains(word))
}

/// An error with its sources, joined by ": " (reqwest hides the useful part in the source chain).
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_micros() as u64)
        .unwrap_or(0)
}
