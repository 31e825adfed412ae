//! How to start the reference server ([`ServerConfig`]) and the handle of a started one
//! ([`RunningServer`]): its base URL, its token, and how to stop it.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

use super::faults::Fault;
use super::oauth::{Issuer, OAuthServerConfig, TOKEN_PATH};

/// The default request body limit: generous for SCIM resources, small enough to refuse floods.
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;

/// Everything needed to start a reference server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The address to bind (default 127.0.0.1).
    pub host: IpAddr,
    /// The port to bind; 0 picks a free one (default 0).
    pub port: u16,
    /// The bearer token every request must carry; `None` draws a random one.
    pub token: Option<String>,
    /// The defects to show (default none: a correct server).
    pub faults: Vec<Fault>,
    /// Users created before the server answers (default 0: the store starts empty). For load tests.
    pub seed_users: usize,
    /// The largest request body accepted; larger ones get a 413 SCIM error.
    pub max_body_bytes: usize,
    /// How long every response waits before it is sent (default zero). Not a fault: each request
    /// waits on its own, concurrently, as behind a slow network or a busy backend, so a client
    /// sending N requests at once sees the delay once, not N times (`scimfuzz serve --latency`).
    pub latency: Duration,
    /// OAuth 2.0 mode: a token endpoint, and only its unexpired tokens are accepted (the static
    /// `token` is not).
    pub oauth: Option<OAuthServerConfig>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            token: None,
            faults: Vec::new(),
            seed_users: 0,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            latency: Duration::ZERO,
            oauth: None,
        }
    }
}

impl ServerConfig {
    /// The default configuration with these faults on.
    pub fn with_faults(faults: impl IntoIterator<Item = Fault>) -> Self {
        Self {
            faults: faults.into_iter().collect(),
            ..Self::default()
        }
    }
}

/// A started server. Dropping it (or calling [`RunningServer::shutdown`]) stops it.
#[derive(Debug)]
pub struct RunningServer {
    pub(super) base_url: String,
    pub(super) token: String,
    pub(super) oauth: Option<Arc<Issuer>>,
    pub(super) stop: Option<oneshot::Sender<()>>,
    pub(super) thread: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// The SCIM base URL, e.g. `http://127.0.0.1:40123/scim/v2` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bearer token the server accepts.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The full `Authorization` header value: `Bearer <token>`.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// In OAuth mode: the token endpoint's URL (`http://HOST:PORT/oauth/token`).
    pub fn oauth_token_url(&self) -> Option<String> {
        self.oauth.as_ref()?;
        let root = self
            .base_url
            .strip_suffix("/scim/v2")
            .unwrap_or(&self.base_url);
        Some(format!("{root}{TOKEN_PATH}"))
    }

    /// In OAuth mode: the client id and secret the token endpoint accepts.
    pub fn oauth_client(&self) -> Option<(&str, &str)> {
        let config = &self.oauth.as_ref()?.config;
        Some((&config.client_id, &config.client_secret))
    }

    /// In OAuth mode: how many tokens the token endpoint issued so far (0 otherwise).
    pub fn oauth_tokens_issued(&self) -> u64 {
        self.oauth.as_ref().map_or(0, |issuer| issuer.issued())
    }

    /// In OAuth mode: every token issued so far, expired and revoked ones too.
    pub fn oauth_tokens(&self) -> Vec<String> {
        self.oauth
            .as_ref()
            .map_or_else(Vec::new, |issuer| issuer.history())
    }

    /// In OAuth mode: revokes every token issued so far (as a server rotating its keys would);
    /// the next request with one gets 401.
    pub fn revoke_oauth_tokens(&self) {
        if let Some(issuer) = &self.oauth {
            issuer.revoke_all();
        }
    }

    /// Stops the server and, if it runs on its own thread, waits for that thread to end.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop_now();
    }
}
