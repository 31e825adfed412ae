//! Command-line arguments → resolved configuration → the library, and the exit codes.
//!
//! Each subcommand lives in its own file with its clap `Args` struct and a `run(args) -> CliResult`.
//! To add one: declare the file below, add a variant to [`Command`], and a match arm in `dispatch`.

pub mod error;
pub mod exit;
pub mod fuzz;
pub mod help;
pub mod listing;
pub mod load;
pub mod oauth;
pub mod okta;
pub mod progress;
pub mod reference;
pub mod replay;
pub mod report;
pub mod runscope;
pub mod serve;
pub mod suggest;
pub mod target;
pub mod transport;

use clap::{Parser, Subcommand};

pub use error::{CliError, CliResult};

/// scimfuzz finds the bugs in SCIM 2.0 servers before an identity provider does.
#[derive(Debug, Parser)]
#[command(name = "scimfuzz", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fuzz a SCIM server with stateful op sequences; report minimal failing cases (exit 1 on findings).
    #[command(after_help = help::FUZZ)]
    Fuzz(fuzz::FuzzArgs),
    /// Re-run a minimal failing case from a trace written by `fuzz --repro-dir` (exit 1 if it still fails).
    #[command(after_help = help::REPLAY)]
    Replay(replay::ReplayArgs),
    /// Replay Okta-like provisioning load from a profile; per-operation HDR latency, SLOs, integrity.
    #[command(after_help = help::LOAD)]
    Load(load::LoadArgs),
    /// Merge load workers' report directories exactly into one report.
    #[command(after_help = help::REPORT)]
    Report(report::ReportArgs),
    /// Run the embedded reference SCIM server, optionally with named faults.
    #[command(after_help = help::SERVE)]
    Serve(serve::ServeArgs),
    /// Run a Runscope API-test export (Okta's SPEC/CRUD/Entitlements tests) against a SCIM server.
    #[command(after_help = help::RUNSCOPE)]
    Runscope(runscope::RunscopeArgs),
    /// Run Okta's SCIM conformance suites natively (SPEC, CRUD, group push, import, entitlements).
    #[command(after_help = help::OKTA)]
    Okta(okta::OktaArgs),
}

/// Parses the process arguments, runs the subcommand and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                exit::USAGE
            } else {
                exit::CLEAN
            };
        }
    };
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(err) => {
            let message = crate::report::redact::redact(&err.to_string());
            eprintln!(
                "error: {}",
                crate::report::terminal::escape_controls(&message)
            );
            err.exit_code()
        }
    }
}

fn dispatch(command: Command) -> CliResult {
    match command {
        Command::Fuzz(args) => fuzz::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Load(args) => load::run(args),
        Command::Report(args) => report::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Runscope(args) => runscope::run(args),
        Command::Okta(args) => okta::run(args),
    }
}

/// Checks before a run that an output file (`flag`'s value) can be written: it is opened for
/// appending (created if missing, then removed again), so a bad path fails at once with exit 2
/// instead of after the whole run.
pub fn check_writable(flag: &str, path: Option<&std::path::Path>) -> Result<(), CliError> {
    let Some(path) = path else {
        return Ok(());
    };
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|err| {
            CliError::Usage(format!(
                "{flag} {}: cannot write there: {err}",
                path.display()
            ))
        })?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// A multi-threaded tokio runtime for a subcommand's async work.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| CliError::CouldNotRun(format!("could not start the async runtime: {err}")))
}
