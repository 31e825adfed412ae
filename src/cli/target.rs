//! How every command that talks to a SCIM server is told where it is: `--target` (or
//! `$SCIM_BASE_URL`), the Authorization value (`--auth`, `--auth-file`, `$SCIMFUZZ_AUTH` or
//! `$SCIM_AUTH`, in that order, or OAuth 2.0 client credentials, see [`OAuthArgs`]), extra
//! `--header`s, and `--fault`s for the embedded server when there is no target. Shared by `fuzz`, `replay`, `okta` and `load`, so they accept the same flags
//! and the same environment (the lines `scimfuzz serve` prints).

use std::path::{Path, PathBuf};

use super::oauth::{OAuthArgs, TokenTransport};
use super::transport::TransportArgs;
use super::CliError;
use crate::driver::{OAuthSource, Target};
use crate::report::redact;
use crate::server::{spawn_on_thread, Fault, RunningServer, ServerConfig};

/// The environment variables read for the Authorization value when no flag gives it, in order.
pub const AUTH_ENV_VARS: [&str; 2] = ["SCIMFUZZ_AUTH", "SCIM_AUTH"];

/// How to reach the server under test.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Target and auth")]
pub struct TargetArgs {
    /// The SCIM base URL, e.g. `https://example.com/scim/v2`. Default: the embedded reference server.
    #[arg(long, env = "SCIM_BASE_URL", value_name = "URL")]
    pub target: Option<String>,
    /// The full Authorization header value, e.g. "Bearer abc" (default: $SCIMFUZZ_AUTH, else $SCIM_AUTH).
    #[arg(long, value_name = "VALUE")]
    pub auth: Option<String>,
    /// Read the Authorization value from a file (first line).
    #[arg(long, value_name = "PATH", conflicts_with = "auth")]
    pub auth_file: Option<PathBuf>,
    /// An extra header sent on every request, "Name: value" (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Switch on a fault of the embedded server (repeatable; only without --target).
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<Fault>,
    #[command(flatten)]
    pub transport: TransportArgs,
    #[command(flatten)]
    pub oauth: OAuthArgs,
}

/// A resolved target: where to send, and the embedded server if we started one.
pub struct ResolvedTarget {
    pub target: Target,
    pub server: Option<RunningServer>,
}

impl TargetArgs {
    /// Starts the embedded server (on its own thread) or resolves the remote target.
    pub fn resolve(&self) -> Result<ResolvedTarget, CliError> {
        self.register_secrets()?;
        let headers = self.extra_headers()?;
        let Some(url) = self.remote_url()? else {
            self.refuse_oauth_without_target()?;
            let server =
                spawn_on_thread(ServerConfig::with_faults(self.faults.clone())).map_err(|err| {
                    CliError::CouldNotRun(format!("could not start the embedded server: {err}"))
                })?;
            let mut target = Target::new(server.base_url(), Some(server.authorization()));
            target.headers = headers;
            self.transport.apply(&mut target)?;
            return Ok(ResolvedTarget {
                target,
                server: Some(server),
            });
        };
        let mut target = Target::new(url.to_string(), self.authorization()?);
        target.headers = headers;
        self.transport.apply(&mut target)?;
        target.oauth = self.oauth_source(TokenTransport {
            timeout: target.timeout,
            ca_pem: target.ca_pem.clone(),
            insecure: target.insecure,
        })?;
        Ok(ResolvedTarget {
            target,
            server: None,
        })
    }

    /// Tells the run's redactor every secret these flags carry: the Authorization value, each
    /// `--header` value, the URL's userinfo.
    pub fn register_secrets(&self) -> Result<(), CliError> {
        if let Some(value) = self.authorization()? {
            redact::register_authorization(&value);
        }
        for (name, value) in self.extra_headers()? {
            redact::register_header(&name, &value);
        }
        if let Some(url) = &self.target {
            register_userinfo(url);
        }
        Ok(())
    }

    /// The OAuth token source for a remote target (`None` without `--oauth-*`); exit 2 when
    /// the flags are wrong, given with `--auth`/`--auth-file`, or given without `--target`.
    pub fn oauth_source(&self, transport: TokenTransport) -> Result<Option<OAuthSource>, CliError> {
        self.refuse_oauth_without_target()?;
        let auth_flag = if self.auth.is_some() {
            Some("--auth")
        } else if self.auth_file.is_some() {
            Some("--auth-file")
        } else {
            None
        };
        self.oauth.source(auth_flag, transport)
    }

    fn refuse_oauth_without_target(&self) -> Result<(), CliError> {
        if self.oauth.is_set() && self.target.is_none() {
            return Err(CliError::Usage(
                "--oauth-* needs --target URL (or $SCIM_BASE_URL): the embedded server takes its                  own token (`scimfuzz serve --oauth` runs one with a token endpoint)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The `--target` URL, checked; `None` means "use the embedded server".
    pub fn remote_url(&self) -> Result<Option<&str>, CliError> {
        let Some(url) = self.target.as_deref() else {
            return Ok(None);
        };
        if !self.faults.is_empty() {
            return Err(CliError::Usage(
                "--fault applies to the embedded server; drop it or drop --target".into(),
            ));
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(CliError::Usage(format!(
                "--target `{url}` must start with http:// or https:// (e.g. https://example.com/scim/v2)"
            )));
        }
        check_url(url).map_err(|reason| {
            CliError::Usage(format!(
                "--target `{}` is not a valid URL: {reason} (e.g. https://example.com/scim/v2)",
                redact::redact(url)
            ))
        })?;
        Ok(Some(url))
    }

    /// The Authorization value for a remote target: `--auth`, `--auth-file`, then the environment
    /// (not with OAuth: then the environment's value is ignored).
    pub fn authorization(&self) -> Result<Option<String>, CliError> {
        let value = if let Some(value) = &self.auth {
            Some(value.clone())
        } else if let Some(path) = &self.auth_file {
            Some(read_auth_file(path)?)
        } else if self.oauth.is_set() {
            None
        } else {
            auth_from_env(|name| std::env::var(name).ok())
        };
        if value.as_deref().is_some_and(has_control) {
            return Err(CliError::Usage(
                "--auth (or --auth-file, $SCIMFUZZ_AUTH, $SCIM_AUTH) contains a control character \
                 (CR, LF…); a header value must be one line of text"
                    .into(),
            ));
        }
        Ok(value)
    }

    /// The `--header`s as (name, value) pairs.
    pub fn extra_headers(&self) -> Result<Vec<(String, String)>, CliError> {
        self.headers.iter().map(|h| parse_header(h)).collect()
    }
}

/// Whether `text` holds a control character (a header value cannot).
fn has_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\t')
}

/// Why `url` is not a URL a request can go to: unparsable, no host, bad port.
fn check_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|err| err.to_string())?;
    match parsed.host_str() {
        Some(host) if !host.is_empty() => Ok(()),
        _ => Err("it has no host".into()),
    }
}

/// Registers the `user:password` of a URL (`https://user:pass@host/…`) and its password as
/// secrets (reqwest sends them as Basic auth).
pub fn register_userinfo(url: &str) {
    let Some((_, rest)) = url.split_once("://") else {
        return;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if let Some((userinfo, _)) = authority.rsplit_once('@') {
        redact::register_secret(userinfo);
        if let Some((_, password)) = userinfo.split_once(':') {
            redact::register_secret(password);
        }
    }
}

/// The first non-empty value among [`AUTH_ENV_VARS`], looked up with `lookup`.
fn auth_from_env(lookup: impl Fn(&str) -> Option<String>) -> Option<String> {
    AUTH_ENV_VARS
        .iter()
        .filter_map(|name| lookup(name))
        .map(|value| value.trim().to_string())
        .find(|value| !value.is_empty())
}

fn read_auth_file(path: &Path) -> Result<String, CliError> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        CliError::Usage(format!("cannot read --auth-file {}: {err}", path.display()))
    })?;
    let line = text.lines().next().unwrap_or("").trim().to_string();
    if line.is_empty() {
        return Err(CliError::Usage(format!(
            "--auth-file {} is empty; put the Authorization value (e.g. Bearer abc) on its first line",
            path.display()
        )));
    }
    Ok(line)
}

/// `"Name: value"` → `("Name", "value")`, split at the first colon.
pub fn parse_header(text: &str) -> Result<(String, String), CliError> {
    if has_control(text) {
        return Err(CliError::Usage(
            "--header contains a control character (CR, LF…); a header must be one line \"Name: value\""
                .into(),
        ));
    }
    match text.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() && !name.trim().contains(' ') => {
            Ok((name.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(CliError::Usage(format!(
            "--header `{text}` must look like \"Name: value\" (e.g. --header \"X-Tenant: acme\")"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn scimfuzz_auth_wins_over_scim_auth() {
        let lookup = env(&[("SCIMFUZZ_AUTH", "Bearer a"), ("SCIM_AUTH", "Bearer b")]);
        assert_eq!(auth_from_env(lookup), Some("Bearer a".into()));
    }

    #[test]
    fn scim_auth_as_printed_by_serve_is_accepted() {
        let lookup = env(&[("SCIM_AUTH", "Bearer from-serve")]);
        assert_eq!(auth_from_env(lookup), Some("Bearer from-serve".into()));
    }

    #[test]
    fn an_empty_variable_is_skipped() {
        let lookup = env(&[("SCIMFUZZ_AUTH", "  "), ("SCIM_AUTH", "Bearer b")]);
        assert_eq!(auth_from_env(lookup), Some("Bearer b".into()));
        assert_eq!(auth_from_env(env(&[])), None);
    }

    #[test]
    fn the_auth_flag_wins_over_the_environment() {
        let args = TargetArgs {
            auth: Some("Bearer flag".into()),
            ..TargetArgs::default()
        };
        assert_eq!(args.authorization().unwrap(), Some("Bearer flag".into()));
    }

    #[test]
    fn headers_split_at_the_first_colon() {
        assert_eq!(
            parse_header("X-Url: http://a:1").unwrap(),
            ("X-Url".into(), "http://a:1".into())
        );
        assert!(parse_header("novalue").is_err());
        assert!(parse_header(": v").is_err());
        assert!(parse_header("Two words: v").is_err());
    }

    #[test]
    fn a_fault_with_a_target_is_a_usage_error() {
        let args = TargetArgs {
            target: Some("http://127.0.0.1:1/scim/v2".into()),
            faults: vec![Fault::LostWrite],
            ..TargetArgs::default()
        };
        assert!(matches!(args.remote_url(), Err(CliError::Usage(_))));
    }

    #[test]
    fn malformed_targets_and_header_values_are_usage_errors() {
        for url in ["http://", "http://[::1", "http://127.0.0.1:99999/scim/v2"] {
            let args = TargetArgs {
                target: Some(url.into()),
                ..TargetArgs::default()
            };
            match args.remote_url() {
                Err(CliError::Usage(message)) => assert!(message.contains("--target"), "{message}"),
                other => panic!("{url}: {:?}", other.map(|_| ())),
            }
        }
        let args = TargetArgs {
            auth: Some("Bearer a\r\nX-Injected: 1".into()),
            ..TargetArgs::default()
        };
        assert!(matches!(args.authorization(), Err(CliError::Usage(_))));
        assert!(parse_header("X-Key: a\r\nX-Injected: 1").is_err());
    }

    #[test]
    fn a_target_without_a_scheme_is_a_usage_error() {
        let args = TargetArgs {
            target: Some("example.com/scim".into()),
            ..TargetArgs::default()
        };
        assert!(matches!(args.remote_url(), Err(CliError::Usage(_))));
    }
}
