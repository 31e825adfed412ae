//! `scimfuzz report merge DIR... --out DIR`: merges load workers' report directories exactly into
//! one report (exit 0, 1 when a worker found lost data, 4 when a merged SLO is breached).

use std::path::PathBuf;

use super::exit;
use super::{CliError, CliResult};
use crate::load::report::text::render_text;
use crate::load::report::{merge_reports, write_report};
use crate::load::Slo;

/// Work with load reports.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub action: ReportAction,
}

/// What to do with reports.
#[derive(Debug, clap::Subcommand)]
pub enum ReportAction {
    /// Merge several `scimfuzz load --report` directories (one per worker) into one report.
    Merge(MergeArgs),
}

/// `report merge` arguments.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The workers' report directories.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged report.json, .hlog files and report.html.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// An extra SLO to judge on the merged numbers (repeatable; the workers' SLOs are re-judged).
    #[arg(long = "slo", value_name = "EXPR")]
    pub slos: Vec<String>,
}

/// Runs the subcommand.
pub fn run(args: ReportArgs) -> CliResult {
    match args.action {
        ReportAction::Merge(merge) => run_merge(merge),
    }
}

fn run_merge(args: MergeArgs) -> CliResult {
    let slos = args
        .slos
        .iter()
        .map(|text| text.parse::<Slo>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::Usage)?;
    if args.dirs.iter().any(|dir| dir == &args.out) {
        return Err(CliError::Usage(
            "--out must be a new directory, not one of the inputs".into(),
        ));
    }
    let (report, measurements) = merge_reports(&args.dirs, &slos).map_err(CliError::Usage)?;
    let written = write_report(&args.out, &report, &measurements).map_err(CliError::CouldNotRun)?;
    print!("{}", render_text(&report));
    for path in written {
        println!("wrote {}", path.display());
    }
    let has_findings = report
        .integrity
        .as_ref()
        .is_some_and(|integrity| !integrity.findings.is_empty());
    Ok(if has_findings {
        exit::FINDINGS
    } else if report.slos.iter().any(|verdict| !verdict.passed) {
        exit::SLO_BREACHED
    } else {
        exit::CLEAN
    })
}
