//! `scimfuzz load`: flags → [`LoadSettings`] (profile, target or the embedded server, overrides,
//! SLOs, worker partition) → [`run_load_until`] (stopped by Ctrl-C) → summary on stdout and the
//! exit code (0 clean, 1 lost/duplicated data, 2 usage, 3 could not run, 4 SLO breached,
//! 130 interrupted: partial report written).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::exit;
use super::oauth::TokenTransport;
use super::suggest::with_suggestion;
use super::target::TargetArgs;
use super::{runtime, CliError, CliResult};
use crate::load::profile::parse_duration;
use crate::load::report::text::render_text;
use crate::load::{
    find_profile, profiles_table, run_load_until, LoadError, LoadSettings, LoadTarget, Slo,
};
use crate::report::redact::redact;
use crate::report::terminal::escape_controls;
use crate::server::{self, Fault, ServerConfig};

/// Replay Okta-like provisioning load from a profile and measure per-operation latency.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Load")]
pub struct LoadArgs {
    /// A built-in profile (e.g. `smoke`; see --list-profiles) or a path to a .toml profile.
    #[arg(
        long,
        value_name = "NAME|PATH.toml",
        required_unless_present = "list_profiles"
    )]
    pub profile: Option<String>,
    /// Print the built-in profiles with what each models, and exit.
    #[arg(long, help_heading = "Output")]
    pub list_profiles: bool,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Peak concurrent workers (rescales the profile's stages).
    #[arg(long, value_name = "N", help_heading = "Load")]
    pub users: Option<usize>,
    /// Total run length, e.g. 30s or 5m (rescales the profile's stages).
    #[arg(long, value_name = "DURATION", help_heading = "Load")]
    pub duration: Option<String>,
    /// An SLO such as `create.p99_ms<300` or `errors.rate<0.01` (repeatable; adds to the profile's).
    #[arg(long = "slo", value_name = "EXPR", help_heading = "Load")]
    pub slos: Vec<String>,
    /// Write report.json, report.html and one .hlog per operation into this directory.
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub report: Option<PathBuf>,
    /// Seed for the run tag and random choices (default: the profile's, else random).
    #[arg(long, help_heading = "Load")]
    pub seed: Option<u64>,
    /// This worker's index when several processes share a load (Kubernetes Indexed Jobs set it).
    #[arg(
        long,
        env = "JOB_COMPLETION_INDEX",
        default_value_t = 0,
        value_name = "I",
        help_heading = "Load"
    )]
    pub worker_index: u32,
    /// How many workers share the load.
    #[arg(long, default_value_t = 1, value_name = "N", help_heading = "Load")]
    pub workers: u32,
    /// Skip the post-run integrity check.
    #[arg(long, help_heading = "Load")]
    pub no_integrity: bool,
    /// Leave the users and groups the run created on the server (by default they are deleted
    /// after the integrity check, within 5 minutes, and the summary says what was left).
    #[arg(long, help_heading = "Load")]
    pub keep_data: bool,
    /// Never print the live progress line (it only appears on a terminal anyway).
    #[arg(long, help_heading = "Output")]
    pub no_progress: bool,
}

/// Runs the subcommand.
pub fn run(args: LoadArgs) -> CliResult {
    if args.list_profiles {
        print!("{}", profiles_table());
        return Ok(exit::CLEAN);
    }
    let given = args.profile.as_deref().unwrap_or_default();
    let profile =
        find_profile(given).map_err(|err| CliError::Usage(with_suggestion(err.to_string())))?;
    let mut slos = Vec::new();
    for text in profile.slo_texts().iter().chain(args.slos.iter()) {
        slos.push(text.parse::<Slo>().map_err(CliError::Usage)?);
    }
    let duration = args
        .duration
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(|err| CliError::Usage(format!("--duration: {err}")))?;
    if args.workers == 0 || args.worker_index >= args.workers {
        return Err(CliError::Usage(format!(
            "--worker-index {} must be below --workers {}",
            args.worker_index, args.workers
        )));
    }
    if let Some(dir) = &args.report {
        check_report_dir(dir)?;
    }
    args.target.register_secrets()?;
    args.target.transport.warn_if_insecure();
    let remote = args.target.remote_url()?.map(str::to_string);
    let headers = args.target.extra_headers()?;
    let seed = args.seed.or(profile.seed).unwrap_or_else(random_seed);
    let settings = LoadSettings {
        profile,
        target: LoadTarget {
            base_url: String::new(),
            authorization: args.target.authorization()?,
            oauth: args.target.oauth_source(TokenTransport {
                timeout: args.target.transport.timeout_or_default(),
                ca_pem: args.target.transport.ca_pem()?,
                insecure: args.target.transport.insecure,
            })?,
            headers,
            max_response_bytes: args.target.transport.max_response_bytes,
            timeout: args.target.transport.timeout,
            ca_pem: args.target.transport.ca_pem()?,
            insecure: args.target.transport.insecure,
        },
        users: args.users,
        duration,
        slos,
        seed,
        worker_index: args.worker_index,
        workers: args.workers,
        report_dir: args.report.clone(),
        progress: !args.no_progress && std::io::stderr().is_terminal(),
        check_integrity: !args.no_integrity,
        keep_data: args.keep_data,
    };
    let runtime = runtime()?;
    runtime.block_on(run_against_target(settings, remote, args.target.faults))
}

async fn run_against_target(
    mut settings: LoadSettings,
    target: Option<String>,
    faults: Vec<Fault>,
) -> CliResult {
    // Handle Ctrl-C before goose does (it would exit 1 on a second one, see load::interrupt).
    let interrupt =
        crate::load::interrupt::on_ctrl_c(exit::INTERRUPTED).map_err(CliError::CouldNotRun)?;
    let _embedded = match target {
        Some(url) => {
            settings.target.base_url = url;
            None
        }
        None => {
            let config = ServerConfig {
                faults,
                ..ServerConfig::default()
            };
            let running = server::spawn(config).await.map_err(|err| {
                CliError::CouldNotRun(format!("could not start the embedded server: {err}"))
            })?;
            settings.target.base_url = running.base_url().to_string();
            settings.target.authorization = Some(running.authorization());
            Some(running)
        }
    };
    // goose prints `N users launched.` on stdout whatever its options: filter it out.
    #[cfg(unix)]
    let filtered = crate::load::goose_stdout::FilteredStdout::install().ok();
    let outcome = run_load_until(settings, interrupt).await;
    #[cfg(unix)]
    drop(filtered);
    let outcome = outcome.map_err(|err| match err {
        LoadError::Settings(message) => CliError::Usage(message),
        LoadError::CouldNotRun(message) => CliError::CouldNotRun(message),
    })?;
    print!(
        "{}",
        escape_controls(&redact(&render_text(&outcome.report)))
    );
    if let Some(cleanup) = &outcome.cleanup {
        println!("{}", escape_controls(&redact(&cleanup.describe())));
    }
    for path in &outcome.written {
        println!("wrote {}", path.display());
    }
    Ok(if outcome.interrupted() {
        exit::INTERRUPTED
    } else if outcome.has_findings() {
        exit::FINDINGS
    } else if !outcome.breaches().is_empty() {
        exit::SLO_BREACHED
    } else {
        exit::CLEAN
    })
}

/// Checks before the run that the `--report` directory can be made and written to, so a bad
/// path fails at once with exit 2 instead of after the whole load.
fn check_report_dir(dir: &std::path::Path) -> Result<(), CliError> {
    let cannot = |err: std::io::Error| {
        CliError::Usage(format!(
            "--report {}: cannot write there: {err}",
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(cannot)?;
    let probe = dir.join(format!(".scimfuzz-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(cannot)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

fn random_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_nanos() as u64;
    nanos ^ (u64::from(std::process::id()) << 32)
}
