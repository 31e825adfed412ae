//! The reference server's OAuth 2.0 mode (`serve --oauth`): a token endpoint
//! (`POST /oauth/token`, RFC 6749 §4.4 client credentials, the client authenticated with HTTP
//! Basic as §2.3.1 says, or with `client_id`/`client_secret` in the form body) issuing
//! short-lived bearer tokens; the SCIM endpoints then accept only a token it issued that has not
//! expired or been revoked ([`Issuer::accepts`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use super::app::Shared;

/// The path of the token endpoint.
pub const TOKEN_PATH: &str = "/oauth/token";

/// The one client the token endpoint knows, and how long its tokens live.
#[derive(Clone)]
pub struct OAuthServerConfig {
    pub client_id: String,
    pub client_secret: String,
    /// The lifetime of every token issued (`expires_in`, whole seconds, at least 1).
    pub token_ttl: Duration,
}

impl std::fmt::Debug for OAuthServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthServerConfig")
            .field("client_id", &self.client_id)
            .field("token_ttl", &self.token_ttl)
            .finish_non_exhaustive()
    }
}

impl OAuthServerConfig {
    /// Client `scimfuzz` with a random secret and tokens living `token_ttl`.
    pub fn random(token_ttl: Duration) -> Self {
        Self {
            client_id: "scimfuzz".into(),
            client_secret: uuid::Uuid::new_v4().simple().to_string(),
            token_ttl,
        }
    }
}

/// Issues tokens and knows which are valid.
#[derive(Debug)]
pub struct Issuer {
    pub config: OAuthServerConfig,
    /// Every live token with its expiry.
    tokens: Mutex<HashMap<String, Instant>>,
    issued: AtomicU64,
    /// Every token issued, in order (for tests that check no output holds one).
    history: Mutex<Vec<String>>,
}

impl Issuer {
    pub fn new(config: OAuthServerConfig) -> Self {
        Self {
            config,
            tokens: Mutex::new(HashMap::new()),
            issued: AtomicU64::new(0),
            history: Mutex::new(Vec::new()),
        }
    }

    /// Every token issued so far, expired and revoked ones too.
    pub fn history(&self) -> Vec<String> {
        self.history
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// How many tokens were issued.
    pub fn issued(&self) -> u64 {
        self.issued.load(Ordering::Relaxed)
    }

    /// Forgets every token issued so far: the next request with one gets 401.
    pub fn revoke_all(&self) {
        self.lock().clear();
    }

    /// Whether `token` was issued here and is still valid.
    pub fn accepts(&self, token: &str) -> bool {
        self.lock()
            .get(token)
            .is_some_and(|expires| Instant::now() < *expires)
    }

    fn issue(&self) -> (String, u64) {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let seconds = self.config.token_ttl.as_secs().max(1);
        let now = Instant::now();
        let mut tokens = self.lock();
        tokens.retain(|_, expires| now < *expires);
        tokens.insert(token.clone(), now + Duration::from_secs(seconds));
        drop(tokens);
        self.issued.fetch_add(1, Ordering::Relaxed);
        self.history
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(token.clone());
        (token, seconds)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        self.tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether the request authenticates the configured client.
    fn authenticates(&self, headers: &HeaderMap, form: &[(String, String)]) -> bool {
        let (id, secret) = match basic_client(headers) {
            Some(pair) => pair,
            None => (
                form_value(form, "client_id").unwrap_or_default(),
                form_value(form, "client_secret").unwrap_or_default(),
            ),
        };
        id == self.config.client_id && secret == self.config.client_secret
    }
}

/// `POST /oauth/token`: a token for the configured client (RFC 6749 §4.4.2, §5.1), else the
/// §5.2 error (`invalid_client` 401, `unsupported_grant_type` 400).
pub async fn token(State(shared): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let Some(issuer) = &shared.oauth else {
        return oauth_error(StatusCode::NOT_FOUND, "invalid_request", "OAuth is off");
    };
    let form = parse_form(&body);
    if !issuer.authenticates(&headers, &form) {
        let mut response = oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong client secret",
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"scimfuzz\""),
        );
        return response;
    }
    match form_value(&form, "grant_type").as_deref() {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials is supported",
            )
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is missing",
            )
        }
    }
    let (access_token, expires_in) = issuer.issue();
    let answer = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
    });
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        answer.to_string(),
    )
        .into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// The client id and secret of a `Basic` Authorization header, each form-decoded (§2.3.1).
fn basic_client(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, credential) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(credential.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((form_decode(id), form_decode(secret)))
}

fn parse_form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(name), form_decode(value))
        })
        .collect()
}

fn form_value(form: &[(String, String)], name: &str) -> Option<String> {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
}

/// Decodes application/x-www-form-urlencoded text (`+` is a space, `%XX` a byte).
fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                match (hex(bytes[index + 1]), hex(bytes[index + 2])) {
                    (Some(high), Some(low)) => {
                        out.push(high * 16 + low);
                        index += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|digit| digit as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_decoded() {
        assert_eq!(form_decode("a+b%26c%3Dd%2F%C3%A9"), "a b&c=d/é");
        assert_eq!(form_decode("100%"), "100%");
        assert_eq!(form_decode("%zz"), "%zz");
        assert_eq!(form_decode("%é"), "%é");
        let form = parse_form("grant_type=client_credentials&scope=a+b");
        assert_eq!(
            form_value(&form, "grant_type").as_deref(),
            Some("client_credentials")
        );
        assert_eq!(form_value(&form, "scope").as_deref(), Some("a b"));
    }

    #[test]
    fn an_issued_token_is_accepted_until_revoked() {
        let issuer = Issuer::new(OAuthServerConfig::random(Duration::from_secs(60)));
        let (token, seconds) = issuer.issue();
        assert_eq!(seconds, 60);
        assert!(issuer.accepts(&token));
        assert!(!issuer.accepts("other"));
        issuer.revoke_all();
        assert!(!issuer.accepts(&token));
        assert_eq!(issuer.issued(), 1);
    }
}
