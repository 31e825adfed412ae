//! `scimfuzz replay TRACE.json [--target URL]`: re-runs a minimal failing case from a trace in a
//! fresh namespace, judged by the trace's profile (or `--model`), and says whether the finding
//! reproduces. Exit 1 when the case still fails, 0 when it passes now.

use std::path::PathBuf;

use super::exit;
use super::fuzz::probe_error;
use super::suggest::with_suggestion;
use super::target::TargetArgs;
use super::{runtime, CliError, CliResult};
use crate::driver::{Driver, Namespaces, TransportError};
use crate::fuzz::{discover, load_behaviour, probe, read_trace, RunSetup};
use crate::report::fuzz_text::{describe_op, render_exchange};
use crate::report::redact::redact;
use crate::report::terminal::escape_controls;
use crate::server::Fault;

/// Re-run a minimal failing case from a trace written by `scimfuzz fuzz --repro-dir`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The trace file (finding-N-….json).
    pub trace: PathBuf,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Judge with this profile instead of the trace's.
    #[arg(
        long,
        value_name = "okta|rfc-strict|entra|PATH.toml",
        help_heading = "Replay"
    )]
    pub model: Option<String>,
    /// The target holds no other data (implied for the embedded server).
    #[arg(long, help_heading = "Replay")]
    pub exclusive: bool,
}

/// Runs the subcommand.
pub fn run(mut args: ReplayArgs) -> CliResult {
    let trace = read_trace(&args.trace).map_err(|err| CliError::Usage(err.to_string()))?;
    let profile = args.model.clone().unwrap_or_else(|| trace.profile.clone());
    let behaviour = load_behaviour(&profile)
        .map_err(|err| CliError::Usage(with_suggestion(err.to_string())))?;
    if args.target.target.is_none() && args.target.faults.is_empty() {
        for name in &trace.embedded_faults {
            let fault: Fault = name
                .parse()
                .map_err(|err| CliError::Usage(format!("{}: {err}", args.trace.display())))?;
            args.target.faults.push(fault);
        }
    }
    let resolved = args.target.resolve()?;
    let embedded = resolved.server.is_some();
    let runtime = runtime()?;
    let interrupt = super::fuzz::interrupt_on_ctrl_c("scimfuzz replay")?;
    let driver = Driver::new(resolved.target.clone())
        .map_err(|err| CliError::CouldNotRun(err.to_string()))?
        .with_interrupt(interrupt);
    probe(&driver, &runtime).map_err(probe_error)?;
    let mut setup = RunSetup::new(behaviour, 1, args.exclusive || embedded, true);
    super::fuzz::judge_embedded_latency_only_when_slowed(&mut setup, embedded, &args.target.faults);
    let namespaces = Namespaces::new();
    // The same discovery as the search: creates carry the same attributes and extension.
    let discovery =
        discover(&driver, &runtime, namespaces.run_prefix(), &setup.grading).map_err(|err| {
            CliError::from_transport("the target stopped answering during discovery", err)
        })?;
    setup.adopt(&discovery);
    let exec = setup.executor(&driver, &runtime);
    let outcome = exec
        .run_case(&trace.ops, &namespaces.next_tag(), &|defect| {
            trace.goes_on_past(defect)
        })
        .map_err(|err| match err {
            TransportError::Interrupted => CliError::Interrupted(
                "scimfuzz replay: interrupted (Ctrl-C): the case stopped at the next request and \
                 what it created was deleted; no verdict"
                    .into(),
            ),
            err => CliError::CouldNotRun(format!("the target stopped answering: {err}")),
        })?;
    println!(
        "{}",
        shown(&format!(
            "scimfuzz replay: {} ({} ops, recorded finding [{}]) against {}",
            args.trace.display(),
            trace.ops.len(),
            trace.finding.check_id,
            resolved.target.base_url
        ))
    );
    for (index, step) in outcome.steps.iter().enumerate() {
        println!("  {index}. {}", describe_op(step));
    }
    let Some((defect, finding)) = outcome.new_defect(&|defect| trace.goes_on_past(defect)) else {
        println!("passes now: the recorded finding does not reproduce");
        return Ok(exit::CLEAN);
    };
    let same = if trace.defect.is_empty() {
        finding.check_id == trace.finding.check_id
    } else {
        defect == trace.defect
    };
    let verdict = if same {
        "reproduced"
    } else {
        "fails differently"
    };
    println!(
        "{}",
        shown(&format!(
            "{verdict}: [{}] {} at op {}\n  expected: {}\n  actual:   {}",
            finding.severity.name(),
            finding.check_id,
            finding.op_index,
            finding.expected,
            finding.actual
        ))
    );
    if let Some(step) = outcome.steps.get(finding.op_index) {
        print!("{}", shown(&render_exchange(step)));
    }
    Ok(exit::FINDINGS)
}

/// Text for the terminal: secrets masked, control characters escaped.
fn shown(text: &str) -> String {
    escape_controls(&redact(text))
}
