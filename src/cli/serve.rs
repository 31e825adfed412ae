//! `scimfuzz serve`: runs the embedded reference SCIM server until Ctrl-C, optionally with named
//! faults. Prints `SCIM_BASE_URL='…'` and `SCIM_AUTH='Bearer …'` as its first two stdout lines,
//! quoted for the shell, so `set -a; . ./serve.env; set +a` (or `eval`, a systemd or compose
//! env file) takes them as they are. With `--oauth` the second to fourth lines are
//! `SCIM_OAUTH_TOKEN_URL`, `SCIM_OAUTH_CLIENT_ID` and `SCIM_OAUTH_CLIENT_SECRET` instead.

use std::io::Write;
use std::net::IpAddr;
use std::time::Duration;

use super::exit;
use super::fuzz::parse_duration;
use super::{runtime, CliError, CliResult};
use crate::server::{self, Fault, OAuthServerConfig, RunningServer, ServerConfig};

/// Run the embedded reference SCIM server (correct, or with named faults).
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The bearer token clients must send (default: a random one, printed at start).
    #[arg(long, env = "SCIMFUZZ_SERVE_TOKEN")]
    pub token: Option<String>,
    /// Switch on a named defect (repeatable); see --list-faults.
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<Fault>,
    /// Create this many users before serving (the store starts empty by default).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed_users: usize,
    /// The largest request body accepted, in bytes; larger ones get a 413 SCIM error.
    #[arg(long, default_value_t = server::DEFAULT_MAX_BODY_BYTES, value_name = "BYTES")]
    pub max_body_bytes: usize,
    /// Delay every response by this long, e.g. 20ms (not a fault: requests wait concurrently,
    /// like a server across a network; for measuring `fuzz --jobs` and `load` here).
    #[arg(long, value_name = "DURATION", value_parser = super::fuzz::parse_duration, default_value = "0ms")]
    pub latency: std::time::Duration,
    /// OAuth 2.0 client credentials: serve a token endpoint (POST /oauth/token) and accept only
    /// the unexpired tokens it issues; prints the token URL, client id and secret to use.
    #[arg(long, help_heading = "OAuth")]
    pub oauth: bool,
    /// With --oauth: how long each token lives, whole seconds (e.g. 2s, 10m).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = whole_seconds, help_heading = "OAuth", requires = "oauth")]
    pub oauth_token_ttl: Duration,
    /// With --oauth: the client id the token endpoint accepts (its secret is random).
    #[arg(
        long,
        value_name = "ID",
        default_value = "scimfuzz",
        help_heading = "OAuth",
        requires = "oauth"
    )]
    pub oauth_client_id: String,
    /// Print every fault as `NAME  <what breaks>  <rule violated>` and exit.
    #[arg(long)]
    pub list_faults: bool,
}

/// Runs the subcommand.
pub fn run(args: ServeArgs) -> CliResult {
    if args.list_faults {
        print!("{}", Fault::catalogue_table());
        return Ok(exit::CLEAN);
    }
    if args
        .token
        .as_deref()
        .is_some_and(|t| t.trim().is_empty() || t.contains(char::is_whitespace))
    {
        return Err(CliError::Usage(
            "--token must be a non-empty value without spaces".into(),
        ));
    }
    if args.max_body_bytes < 1024 {
        return Err(CliError::Usage(
            "--max-body-bytes must be at least 1024: smaller limits refuse ordinary SCIM requests"
                .into(),
        ));
    }
    let config = ServerConfig {
        host: args.host,
        port: args.port,
        token: args.token,
        faults: args.faults,
        seed_users: args.seed_users,
        max_body_bytes: args.max_body_bytes,
        latency: args.latency,
        oauth: args.oauth.then(|| OAuthServerConfig {
            client_id: args.oauth_client_id.clone(),
            ..OAuthServerConfig::random(args.oauth_token_ttl)
        }),
    };
    let runtime = runtime()?;
    runtime.block_on(async move {
        let running = server::spawn(config).await.map_err(|err| {
            CliError::CouldNotRun(format!(
                "could not listen on {}:{}: {err}; pick another --port (0 picks a free one)",
                args.host, args.port
            ))
        })?;
        print_env_lines(&running);
        tokio::signal::ctrl_c()
            .await
            .map_err(|err| CliError::CouldNotRun(format!("could not wait for Ctrl-C: {err}")))?;
        running.shutdown();
        Ok(exit::CLEAN)
    })
}

/// The lines a shell or env file takes: the base URL, then the token or the OAuth client.
fn print_env_lines(running: &RunningServer) {
    let mut lines = vec![env_line("SCIM_BASE_URL", running.base_url())];
    match (running.oauth_token_url(), running.oauth_client()) {
        (Some(url), Some((id, secret))) => {
            lines.push(env_line("SCIM_OAUTH_TOKEN_URL", &url));
            lines.push(env_line("SCIM_OAUTH_CLIENT_ID", id));
            lines.push(env_line("SCIM_OAUTH_CLIENT_SECRET", secret));
        }
        _ => lines.push(env_line("SCIM_AUTH", &running.authorization())),
    }
    let mut stdout = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(stdout, "{line}");
    }
    let _ = stdout.flush();
}

/// A token lifetime: whole seconds, at least one (`expires_in` is whole seconds).
fn whole_seconds(text: &str) -> Result<Duration, String> {
    let duration = parse_duration(text)?;
    if duration < Duration::from_secs(1) || duration.subsec_nanos() != 0 {
        return Err("must be whole seconds, at least 1s (expires_in counts seconds)".into());
    }
    Ok(duration)
}

/// `NAME='value'`, single-quoted for POSIX shells (a `'` inside becomes `'\''`).
pub fn env_line(name: &str, value: &str) -> String {
    format!("{name}='{}'", value.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::env_line;

    #[test]
    fn env_lines_are_single_quoted_for_the_shell() {
        assert_eq!(
            env_line("SCIM_AUTH", "Bearer abc"),
            "SCIM_AUTH='Bearer abc'"
        );
        assert_eq!(env_line("X", "it's"), "X='it'\\''s'");
    }
}
