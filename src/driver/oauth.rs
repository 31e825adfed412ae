//! OAuth 2.0 client credentials (RFC 6749 §4.4): an [`OAuthSource`] gets a bearer token from a
//! token endpoint (client_secret_basic, §2.3.1; form body `grant_type=client_credentials` and an
//! optional `scope`), keeps it, and gets a new one shortly before it expires (`expires_in`, §5.1)
//! or when the resource server answers 401 to it. Clones share one token: concurrent callers
//! that need a new one wait for a single request to the token endpoint (no thundering herd).
//!
//! Every token (and the client secret) is handed to the `on_secret` hook as soon as it is known,
//! so the CLI can register it with the run's redactor before any output could carry it.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use serde::Deserialize;

use super::body::read_bounded;
use super::client::TransportError;

/// The most of a token endpoint's answer kept for an error message.
const EXCERPT_CHARS: usize = 300;
/// The largest token response read.
const MAX_TOKEN_RESPONSE_BYTES: u64 = 64 * 1024;
/// A new token is fetched this long before the current one expires, at most.
const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// Where and how to ask for tokens.
#[derive(Clone)]
pub struct OAuthConfig {
    /// The token endpoint, e.g. `https://login.example.com/oauth2/v1/token`.
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    /// The `scope` parameter, if any (space-separated scopes).
    pub scope: Option<String>,
    /// Called with every secret as it becomes known: the client secret, then each
    /// `Bearer <token>` Authorization value.
    pub on_secret: fn(&str),
    /// How long the token request may take.
    pub timeout: Duration,
    /// PEM certificates to trust instead of the platform's roots (`--cacert`).
    pub ca_pem: Option<Vec<u8>>,
    /// Accept any certificate (`--insecure`).
    pub insecure: bool,
}

impl std::fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// A token and when to replace it.
#[derive(Debug, Clone)]
struct Token {
    /// The Authorization value, `Bearer <access_token>`.
    authorization: String,
    /// `None`: the endpoint gave no `expires_in`; replaced only after a 401.
    refresh_at: Option<Instant>,
}

impl Token {
    fn is_fresh(&self, now: Instant) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }
}

struct Inner {
    config: OAuthConfig,
    client: reqwest::Client,
    current: Mutex<Option<Token>>,
    /// Held while a token request is under way, so only one is.
    fetching: tokio::sync::Mutex<()>,
    fetched: AtomicU64,
    /// Every Authorization value fetched so far (runscope's `auth` variable holds an old one).
    issued: Mutex<HashSet<String>>,
}

/// A shared source of bearer tokens. Cheap to clone; clones share the token.
#[derive(Clone)]
pub struct OAuthSource {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for OAuthSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthSource")
            .field("config", &self.inner.config)
            .field("fetched", &self.tokens_fetched())
            .finish_non_exhaustive()
    }
}

/// Two sources are equal when they are the same shared source.
impl PartialEq for OAuthSource {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for OAuthSource {}

/// The token endpoint's success answer (RFC 6749 §5.1).
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
    expires_in: Option<f64>,
}

impl OAuthSource {
    /// A source for `config`; no request is sent until a token is asked for.
    pub fn new(config: OAuthConfig) -> Result<Self, TransportError> {
        (config.on_secret)(&config.client_secret);
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = &config.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|err| TransportError::Client(format!("--cacert: {err}")))?;
            builder = builder.tls_certs_only(certs);
        }
        if config.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let client = builder
            .build()
            .map_err(|err| TransportError::Client(err.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                client,
                current: Mutex::new(None),
                fetching: tokio::sync::Mutex::new(()),
                fetched: AtomicU64::new(0),
                issued: Mutex::new(HashSet::new()),
            }),
        })
    }

    /// How many tokens were fetched so far.
    pub fn tokens_fetched(&self) -> u64 {
        self.inner.fetched.load(Ordering::Relaxed)
    }

    /// Whether `authorization` is a value this source fetched (now or earlier).
    pub fn issued(&self, authorization: &str) -> bool {
        self.inner
            .issued
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains(authorization)
    }

    /// The Authorization value of the token held now, fresh or not (`None` before the first).
    pub fn cached(&self) -> Option<String> {
        self.lock_current()
            .as_ref()
            .map(|token| token.authorization.clone())
    }

    /// A fresh Authorization value (`Bearer …`): the one held, or a new one when it is about to
    /// expire.
    pub async fn authorization(&self) -> Result<String, TransportError> {
        if let Some(value) = self.fresh() {
            return Ok(value);
        }
        let _only_one = self.inner.fetching.lock().await;
        if let Some(value) = self.fresh() {
            return Ok(value);
        }
        self.fetch().await
    }

    /// A new Authorization value after the server refused `refused` (401), unless another task
    /// already replaced that token.
    pub async fn refresh(&self, refused: &str) -> Result<String, TransportError> {
        let _only_one = self.inner.fetching.lock().await;
        if let Some(value) = self.cached().filter(|held| held != refused) {
            return Ok(value);
        }
        self.fetch().await
    }

    fn fresh(&self) -> Option<String> {
        let now = Instant::now();
        self.lock_current()
            .as_ref()
            .filter(|token| token.is_fresh(now))
            .map(|token| token.authorization.clone())
    }

    fn lock_current(&self) -> std::sync::MutexGuard<'_, Option<Token>> {
        self.inner
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Asks the token endpoint for a token and keeps it.
    async fn fetch(&self) -> Result<String, TransportError> {
        let config = &self.inner.config;
        let asked_at = Instant::now();
        let response = self
            .inner
            .client
            .post(&config.token_url)
            .header(reqwest::header::AUTHORIZATION, basic_credentials(config))
            .header(reqwest::header::ACCEPT, "application/json")
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form_body(config.scope.as_deref()))
            .send()
            .await
            .map_err(|err| self.failed(format!("the request failed: {}", chain(&err))))?;
        let status = response.status().as_u16();
        let body = read_bounded(response, MAX_TOKEN_RESPONSE_BYTES)
            .await
            .map_err(|err| self.failed(format!("reading its answer failed: {}", chain(&err))))?
            .into_text();
        if !(200..300).contains(&status) {
            return Err(self.failed(format!("it answered {status}: {}", self.excerpt(&body))));
        }
        let parsed: TokenResponse = serde_json::from_str(&body).map_err(|err| {
            self.failed(format!(
                "it answered {status} without a token (expected JSON with access_token and \
                 token_type, RFC 6749 §5.1: {err}): {}",
                self.excerpt(&body)
            ))
        })?;
        let token = self.accept(parsed, asked_at)?;
        let value = token.authorization.clone();
        self.inner
            .issued
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(value.clone());
        *self.lock_current() = Some(token);
        self.inner.fetched.fetch_add(1, Ordering::Relaxed);
        Ok(value)
    }

    /// Checks a token response and registers the token as a secret.
    fn accept(&self, parsed: TokenResponse, asked_at: Instant) -> Result<Token, TransportError> {
        let access = parsed.access_token.trim();
        if access.is_empty() || access.chars().any(|c| c.is_control() || c == ' ') {
            return Err(self
                .failed("its access_token is empty or not a single header-safe word".to_string()));
        }
        let authorization = format!("Bearer {access}");
        (self.inner.config.on_secret)(&authorization);
        if !parsed.token_type.eq_ignore_ascii_case("bearer") {
            return Err(self.failed(format!(
                "its token_type is `{}`; only Bearer tokens are supported (RFC 6750)",
                self.excerpt(&parsed.token_type)
            )));
        }
        let refresh_at = parsed
            .expires_in
            .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
            .map(|seconds| asked_at + refresh_after(Duration::from_secs_f64(seconds.min(1e9))));
        Ok(Token {
            authorization,
            refresh_at,
        })
    }

    fn failed(&self, detail: String) -> TransportError {
        TransportError::OAuth {
            token_url: self.inner.config.token_url.clone(),
            detail,
        }
    }

    /// At most [`EXCERPT_CHARS`] of `text`, control characters escaped, the secret masked.
    fn excerpt(&self, text: &str) -> String {
        let secret = &self.inner.config.client_secret;
        let text = if secret.is_empty() {
            text.to_string()
        } else {
            text.replace(secret.as_str(), "***")
        };
        let mut out: String = text
            .chars()
            .take(EXCERPT_CHARS)
            .flat_map(|c| {
                if c.is_control() {
                    c.escape_default().collect::<Vec<_>>()
                } else {
                    vec![c]
                }
            })
            .collect();
        if text.chars().count() > EXCERPT_CHARS {
            out.push('…');
        }
        if out.trim().is_empty() {
            out = "(an empty body)".into();
        }
        out
    }
}

/// How long after asking a token with this lifetime is used: the lifetime less a margin of a
/// tenth of it, at most 30 s.
pub fn refresh_after(lifetime: Duration) -> Duration {
    lifetime.saturating_sub((lifetime / 10).min(MAX_REFRESH_MARGIN))
}

/// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
fn basic_credentials(config: &OAuthConfig) -> String {
    let pair = format!(
        "{}:{}",
        form_encode(&config.client_id),
        form_encode(&config.client_secret)
    );
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// `grant_type=client_credentials[&scope=…]`.
fn form_body(scope: Option<&str>) -> String {
    let mut body = "grant_type=client_credentials".to_string();
    if let Some(scope) = scope {
        body.push_str("&scope=");
        body.push_str(&form_encode(scope));
    }
    body
}

/// application/x-www-form-urlencoded encoding of one value (space as `+`).
pub fn form_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_replaced_a_tenth_of_its_life_early_and_at_most_30_s_early() {
        assert_eq!(
            refresh_after(Duration::from_secs(2)),
            Duration::from_millis(1800)
        );
        assert_eq!(
            refresh_after(Duration::from_secs(3600)),
            Duration::from_secs(3570)
        );
    }

    #[test]
    fn credentials_and_scope_are_form_encoded() {
        assert_eq!(form_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
        assert_eq!(
            form_body(Some("scim:read scim:write")),
            "grant_type=client_credentials&scope=scim%3Aread+scim%3Awrite"
        );
        assert_eq!(form_body(None), "grant_type=client_credentials");
    }

    #[test]
    fn an_excerpt_is_bounded_escaped_and_never_shows_the_secret() {
        let source = OAuthSource::new(OAuthConfig {
            token_url: "http://127.0.0.1:1/token".into(),
            client_id: "id".into(),
            client_secret: "sekret-123".into(),
            scope: None,
            on_secret: |_| {},
            timeout: Duration::from_secs(1),
            ca_pem: None,
            insecure: false,
        })
        .expect("a client");
        let excerpt = source.excerpt(&format!("bad sekret-123\u{1b}[2J{}", "x".repeat(400)));
        assert!(excerpt.starts_with("bad ***\\u{1b}[2J"), "{excerpt}");
        assert!(excerpt.ends_with('…'));
        assert!(excerpt.chars().count() < 320);
    }
}
