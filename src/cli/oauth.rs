//! The OAuth 2.0 client-credentials flags every command that sends requests takes
//! (`--oauth-token-url`, `--oauth-client-id`, `--oauth-client-secret-file`, `--oauth-scope`, and
//! their `$SCIM_OAUTH_*` variables, the lines `scimfuzz serve --oauth` prints), checked up front
//! (exit 2) and turned into the driver's shared [`OAuthSource`]. The client secret and every
//! token are registered with the run's redactor.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::CliError;
use crate::driver::{OAuthConfig, OAuthSource};
use crate::report::redact;

/// The variable holding the client secret itself when no `--oauth-client-secret-file` is given.
pub const CLIENT_SECRET_ENV: &str = "SCIM_OAUTH_CLIENT_SECRET";

/// How to get bearer tokens from an OAuth 2.0 token endpoint (RFC 6749 §4.4).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OAuthArgs {
    /// OAuth 2.0 client credentials instead of --auth: the token endpoint. Tokens are fetched
    /// before the first request, refreshed before they expire and after a 401, never printed.
    #[arg(long, env = "SCIM_OAUTH_TOKEN_URL", value_name = "URL")]
    pub oauth_token_url: Option<String>,
    /// The OAuth client id (sent with the secret as HTTP Basic auth).
    #[arg(long, env = "SCIM_OAUTH_CLIENT_ID", value_name = "ID")]
    pub oauth_client_id: Option<String>,
    /// A file holding the client secret on its first line (default: $SCIM_OAUTH_CLIENT_SECRET).
    #[arg(long, env = "SCIM_OAUTH_CLIENT_SECRET_FILE", value_name = "FILE")]
    pub oauth_client_secret_file: Option<PathBuf>,
    /// The scope to ask for (space-separated scopes), if the endpoint wants one.
    #[arg(long, env = "SCIM_OAUTH_SCOPE", value_name = "SCOPE")]
    pub oauth_scope: Option<String>,
}

/// The TLS and time limits the token requests share with the SCIM requests.
#[derive(Debug, Clone, Default)]
pub struct TokenTransport {
    pub timeout: Duration,
    pub ca_pem: Option<Vec<u8>>,
    pub insecure: bool,
}

impl OAuthArgs {
    /// Whether any OAuth flag (or variable) other than the secret is given.
    pub fn is_set(&self) -> bool {
        self.oauth_token_url.is_some()
            || self.oauth_client_id.is_some()
            || self.oauth_client_secret_file.is_some()
    }

    /// The checked configuration, or `None` without OAuth flags. `auth_flag` names a static
    /// Authorization flag given too (`--auth`, `--auth-file`, `--var auth=…`): that is an error.
    pub fn config(
        &self,
        auth_flag: Option<&str>,
        transport: TokenTransport,
    ) -> Result<Option<OAuthConfig>, CliError> {
        if !self.is_set() {
            return Ok(None);
        }
        if let Some(flag) = auth_flag {
            return Err(CliError::Usage(format!(
                "{flag} and --oauth-* both give the Authorization value: use one of them"
            )));
        }
        let token_url = self.token_url()?;
        let client_id = self
            .oauth_client_id
            .clone()
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| {
                CliError::Usage(
                    "--oauth-token-url needs --oauth-client-id ID (or $SCIM_OAUTH_CLIENT_ID)"
                        .into(),
                )
            })?;
        let client_secret = self.client_secret()?;
        let scope = self.oauth_scope.clone().filter(|s| !s.trim().is_empty());
        for (flag, value) in [
            ("--oauth-client-id", Some(client_id.as_str())),
            ("the client secret", Some(client_secret.as_str())),
            ("--oauth-scope", scope.as_deref()),
        ] {
            if value.is_some_and(|text| text.chars().any(char::is_control)) {
                return Err(CliError::Usage(format!(
                    "{flag} contains a control character (CR, LF…); it must be one line of text"
                )));
            }
        }
        Ok(Some(OAuthConfig {
            token_url,
            client_id,
            client_secret,
            scope,
            on_secret: register,
            timeout: transport.timeout,
            ca_pem: transport.ca_pem,
            insecure: transport.insecure,
        }))
    }

    /// The shared token source for a run, or `None` without OAuth flags.
    pub fn source(
        &self,
        auth_flag: Option<&str>,
        transport: TokenTransport,
    ) -> Result<Option<OAuthSource>, CliError> {
        let Some(config) = self.config(auth_flag, transport)? else {
            return Ok(None);
        };
        OAuthSource::new(config)
            .map(Some)
            .map_err(|err| CliError::CouldNotRun(err.to_string()))
    }

    fn token_url(&self) -> Result<String, CliError> {
        let url = self.oauth_token_url.as_deref().ok_or_else(|| {
            CliError::Usage(
                "--oauth-client-id and --oauth-client-secret-file need --oauth-token-url URL \
                 (or $SCIM_OAUTH_TOKEN_URL)"
                    .into(),
            )
        })?;
        super::target::register_userinfo(url);
        let parsed = reqwest::Url::parse(url).ok().filter(|parsed| {
            matches!(parsed.scheme(), "http" | "https")
                && parsed.host_str().is_some_and(|host| !host.is_empty())
        });
        let Some(parsed) = parsed else {
            return Err(CliError::Usage(format!(
                "--oauth-token-url `{}` is not an http(s) URL (e.g. \
                 https://login.example.com/oauth2/v1/token)",
                redact::redact(url)
            )));
        };
        if parsed.scheme() == "http" && !is_loopback(&parsed) {
            eprintln!(
                "warning: --oauth-token-url is plain http: the client secret and the tokens cross \
                 the network unencrypted (RFC 6749 §2.3.1 asks for TLS)"
            );
        }
        Ok(url.to_string())
    }

    fn client_secret(&self) -> Result<String, CliError> {
        if let Some(path) = &self.oauth_client_secret_file {
            return read_secret_file(path);
        }
        std::env::var(CLIENT_SECRET_ENV)
            .ok()
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "OAuth needs the client secret: --oauth-client-secret-file FILE (or \
                     ${CLIENT_SECRET_ENV})"
                ))
            })
    }
}

/// Whether the URL's host is this machine (`localhost`, 127.0.0.0/8, `::1`).
fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn read_secret_file(path: &Path) -> Result<String, CliError> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        CliError::Usage(format!(
            "cannot read --oauth-client-secret-file {}: {err}",
            path.display()
        ))
    })?;
    let line = text.lines().next().unwrap_or("").trim().to_string();
    if line.is_empty() {
        return Err(CliError::Usage(format!(
            "--oauth-client-secret-file {} is empty; put the client secret on its first line",
            path.display()
        )));
    }
    Ok(line)
}

/// Registers the client secret or a `Bearer …` value with the run's redactor.
fn register(secret: &str) {
    if secret.starts_with("Bearer ") {
        redact::register_authorization(secret);
    } else {
        redact::register_secret(secret);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(url: &str, id: &str, file: &Path) -> OAuthArgs {
        OAuthArgs {
            oauth_token_url: Some(url.into()),
            oauth_client_id: Some(id.into()),
            oauth_client_secret_file: Some(file.to_path_buf()),
            oauth_scope: None,
        }
    }

    fn usage(result: Result<Option<OAuthConfig>, CliError>) -> String {
        match result {
            Err(CliError::Usage(message)) => message,
            other => panic!("expected a usage error, got {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn bad_oauth_flags_are_usage_errors_naming_the_flag() {
        let dir = std::env::temp_dir().join(format!("scimfuzz-oauth-args-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let secret = dir.join("secret");
        std::fs::write(&secret, "s3cr3t-value\n").expect("written");
        let none = TokenTransport::default;
        let good = args("http://127.0.0.1:1/oauth/token", "id", &secret);
        let config = good.config(None, none()).expect("valid").expect("some");
        assert_eq!(config.client_secret, "s3cr3t-value");
        let message = usage(good.config(Some("--auth"), none()));
        assert!(
            message.contains("--auth") && message.contains("--oauth"),
            "{message}"
        );
        let url = |text: &str| reqwest::Url::parse(text).expect("a URL");
        assert!(is_loopback(&url("http://127.0.0.1:9/t")) && is_loopback(&url("http://[::1]/t")));
        assert!(is_loopback(&url("http://LOCALHOST/t")) && !is_loopback(&url("http://10.0.0.1/t")));
        let message = usage(args("ftp://x/token", "id", &secret).config(None, none()));
        assert!(message.contains("--oauth-token-url"), "{message}");
        let message = usage(args("http://x/t", "id", &dir.join("nope")).config(None, none()));
        assert!(message.contains("--oauth-client-secret-file"), "{message}");
        let message = usage(args("http://x/t", "a\nb", &secret).config(None, none()));
        assert!(message.contains("--oauth-client-id"), "{message}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
