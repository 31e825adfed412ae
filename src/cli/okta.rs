//! `scimfuzz okta`: Okta's conformance suites run natively (SPEC, CRUD lifecycle in OIN/AIW mode,
//! group push, import paging, optional entitlements) against `--target`, or against the embedded
//! reference server when there is none. Prints a step table with the failing exchanges and
//! `N passed, M failed` last; exit 0 clean, 1 failed checks, 2 usage, 3 could not run.

use std::path::PathBuf;

use super::runscope::{seed_from_clock, write_file};
use super::target::{ResolvedTarget, TargetArgs};
use super::{exit, CliError, CliResult};
use crate::conformance::okta::{run_okta, Mode, OktaError, OktaOptions, SuiteKind};
use crate::conformance::wire::Wire;
use crate::driver::Driver;
use crate::report::conformance_html::render_conformance_html;
use crate::report::conformance_json::render_conformance_json;
use crate::report::junit::render_junit;
use crate::report::steps::{render_step_table, TableOptions};

/// Which integration type's traffic to replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    /// OIN integrations: path-less PATCH for (de)activation and group changes.
    Oin,
    /// App Integration Wizard apps: PUT for everything.
    Aiw,
    /// Both, one after the other.
    Both,
}

/// A suite to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SuiteArg {
    /// Okta's 12 SPEC steps (+ the RFC case check).
    Spec,
    /// The CRUD lifecycle (per mode).
    Crud,
    /// Group push (per mode).
    Groups,
    /// Import paging (creates users until more than 100 exist).
    Import,
}

/// Run Okta's SCIM conformance suites natively against a SCIM server.
#[derive(Debug, clap::Args)]
pub struct OktaArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// The suites to run, comma-separated (default: all).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "SUITES",
        help_heading = "Suites"
    )]
    pub suites: Vec<SuiteArg>,
    /// OIN (PATCH), AIW (PUT) or both.
    #[arg(long, value_enum, default_value_t = ModeArg::Both, help_heading = "Suites")]
    pub mode: ModeArg,
    /// Entitlement endpoints to check, comma-separated (e.g. /Roles,/Licenses); `auto` discovers
    /// them from /ResourceTypes as Okta does.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ENDPOINTS",
        help_heading = "Suites"
    )]
    pub entitlements: Vec<String>,
    /// Also run the RFC-strict checks Okta's tests do not enforce (status as a string, scimType,
    /// case-insensitive uniqueness, Location).
    #[arg(long, help_heading = "Suites")]
    pub rfc_strict: bool,
    /// Also write the results as JUnit XML to this file.
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    pub junit: Option<PathBuf>,
    /// Also write the results (with exchanges, secrets redacted) as JSON to this file.
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    pub report_json: Option<PathBuf>,
    /// Also write a self-contained HTML report (suites, steps, failing exchanges) to this file.
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    pub report_html: Option<PathBuf>,
    /// Seed of the generated names (default: from the clock).
    #[arg(long, help_heading = "Suites")]
    pub seed: Option<u64>,
}

/// Runs the subcommand.
pub fn run(args: OktaArgs) -> CliResult {
    super::check_writable("--report-json", args.report_json.as_deref())?;
    super::check_writable("--junit", args.junit.as_deref())?;
    super::check_writable("--report-html", args.report_html.as_deref())?;
    let timeout = args.target.transport.timeout_or_default();
    let ResolvedTarget { server, mut target } = args.target.resolve()?;
    target.timeout = timeout;
    let base_url = target.base_url.clone();
    let interrupt = super::fuzz::interrupt_on_ctrl_c("scimfuzz okta")?;
    let driver = Driver::new(target)
        .map_err(|err| CliError::CouldNotRun(err.to_string()))?
        .with_interrupt(interrupt);
    let wire = Wire::new(timeout).map_err(|err| {
        CliError::CouldNotRun(format!("could not start the async runtime: {err}"))
    })?;
    let options = OktaOptions {
        suites: suites(&args.suites),
        modes: modes(args.mode),
        entitlements: args.entitlements.clone(),
        seed: args.seed.unwrap_or_else(seed_from_clock),
        rfc_strict: args.rfc_strict,
    };
    let outcome = run_okta(&wire, &driver, &options).map_err(|err| match err {
        OktaError::Transport(err) => CliError::from_transport("scimfuzz okta", err),
        OktaError::AuthRejected { .. } => CliError::CouldNotRun(err.to_string()),
    })?;
    if let Some(line) = driver.throttling().summary() {
        eprintln!("scimfuzz okta: {line}");
    }
    drop(server);
    let modes: Vec<String> = options
        .modes
        .iter()
        .map(|m| m.tag().to_uppercase())
        .collect();
    println!(
        "Okta SCIM conformance against {base_url} ({} mode{}, seed {}, {:.2} s)",
        modes.join(" and "),
        if modes.len() == 1 { "" } else { "s" },
        options.seed,
        outcome.seconds
    );
    let table = TableOptions {
        exchanges: true,
        logs: true,
        suite_headings: true,
    };
    print!("{}", render_step_table(&outcome, table));
    if let Some(path) = &args.junit {
        write_file(path, &render_junit(&outcome.to_junit()))?;
    }
    if let Some(path) = &args.report_json {
        write_file(path, &render_conformance_json(&outcome, "okta", &base_url))?;
    }
    if let Some(path) = &args.report_html {
        let facts = [
            ("modes", modes.join(", ")),
            ("seed", options.seed.to_string()),
        ];
        let page = render_conformance_html(&outcome, "okta", &base_url, &facts);
        write_file(path, &page)?;
    }
    Ok(if outcome.interrupted {
        exit::INTERRUPTED
    } else if outcome.tally().failed > 0 {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

fn suites(chosen: &[SuiteArg]) -> Vec<SuiteKind> {
    if chosen.is_empty() {
        return SuiteKind::ALL.to_vec();
    }
    SuiteKind::ALL
        .into_iter()
        .filter(|kind| {
            chosen.iter().any(|arg| {
                matches!(
                    (arg, kind),
                    (SuiteArg::Spec, SuiteKind::Spec)
                        | (SuiteArg::Crud, SuiteKind::Crud)
                        | (SuiteArg::Groups, SuiteKind::Groups)
                        | (SuiteArg::Import, SuiteKind::Import)
                )
            })
        })
        .collect()
}

fn modes(mode: ModeArg) -> Vec<Mode> {
    match mode {
        ModeArg::Oin => vec![Mode::Oin],
        ModeArg::Aiw => vec![Mode::Aiw],
        ModeArg::Both => vec![Mode::Oin, Mode::Aiw],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_suites_means_all_and_order_is_the_run_order() {
        assert_eq!(suites(&[]), SuiteKind::ALL.to_vec());
        assert_eq!(
            suites(&[SuiteArg::Import, SuiteArg::Spec]),
            vec![SuiteKind::Spec, SuiteKind::Import]
        );
    }

    #[test]
    fn both_runs_oin_then_aiw() {
        assert_eq!(modes(ModeArg::Both), vec![Mode::Oin, Mode::Aiw]);
        assert_eq!(modes(ModeArg::Aiw), vec![Mode::Aiw]);
    }
}
