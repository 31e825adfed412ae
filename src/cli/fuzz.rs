//! `scimfuzz fuzz`: flags → a resolved run (target, budget, profile), then the search, the report
//! and the exit code. With no `--target` it starts the embedded reference server (with `--fault`s).

use std::path::PathBuf;
use std::time::Duration;

use super::exit;
use super::listing::{checks_json, checks_table, models_table};
use super::progress::ProgressReporter;
use super::reference::clean_run;
use super::suggest::with_suggestion;
use super::target::TargetArgs;
use super::{runtime, CliError, CliResult};
use crate::check::catalogue;
use crate::driver::{Driver, Interrupt, Namespaces, TransportError};
use crate::fuzz::{
    advertised_but_refused, default_jobs, discover, load_behaviour, probe, probe_capabilities,
    search, CaseOutcome, ProbeError, RunSetup, SearchConfig, SearchSummary, Trace, TraceOrigin,
    DEFAULT_CASES, DEFAULT_SHRINK_TIME,
};
use crate::report::curl::render_curl_script;
use crate::report::diff::{colour_wanted, paint};
use crate::report::fuzz_html::render_fuzz_html;
use crate::report::fuzz_json::{render_report_json, render_trace, ReproPaths, RunInfo};
use crate::report::fuzz_junit::render_fuzz_junit;
use crate::report::fuzz_text::render_fuzz_text;
use crate::server::Fault;

/// Fuzz a SCIM server with stateful op sequences; report minimal failing cases.
/// The most ops in one case unless `--max-ops` says otherwise.
const DEFAULT_MAX_OPS: usize = 24;

#[derive(Debug, clap::Args)]
pub struct FuzzArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// The behaviour profile: okta (default), rfc-strict, entra, or a path to a .toml profile.
    #[arg(
        long,
        default_value = "okta",
        value_name = "okta|rfc-strict|entra|PATH.toml",
        help_heading = "Search"
    )]
    pub model: String,
    /// Passing cases to run.
    #[arg(long, default_value_t = DEFAULT_CASES, value_parser = clap::value_parser!(u32).range(1..), help_heading = "Search")]
    pub cases: u32,
    /// The most ops in one case.
    #[arg(long, default_value_t = DEFAULT_MAX_OPS, value_name = "N", value_parser = at_least_one, help_heading = "Search")]
    pub max_ops: usize,
    /// The seed (default: random, printed).
    #[arg(long, help_heading = "Search")]
    pub seed: Option<u64>,
    /// Stop searching after this long, e.g. 60s, 5m.
    #[arg(long, value_name = "DURATION", value_parser = positive_duration, help_heading = "Search")]
    pub time_limit: Option<Duration>,
    /// How long each finding may shrink; past it the shortest sequence so far is reported.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "30s", help_heading = "Search")]
    pub shrink_time: Duration,
    /// Cases to run at once, each in its own namespace; the same seed finds the same defects
    /// whatever N is. Default: 1 on an exclusive target (the embedded server, --exclusive); on a
    /// shared one 4 when a probe shows a slow server (20 ms or more a request) that serves
    /// concurrent requests together, else 1.
    #[arg(long, value_name = "N", value_parser = at_least_one, help_heading = "Search")]
    pub jobs: Option<usize>,
    /// Stop at the first finding (after shrinking it), as a CI job wants: the run reports that
    /// one defect and exits 1.
    #[arg(long, help_heading = "Search")]
    pub fail_fast: bool,
    /// The target holds no other data: predict totals and full listings (implied for the embedded server).
    #[arg(long, help_heading = "Search")]
    pub exclusive: bool,
    /// Leave created resources on the server.
    #[arg(long, help_heading = "Search")]
    pub no_cleanup: bool,
    /// Print every check (id, level in the chosen profile, rule, summary) and exit.
    #[arg(long, help_heading = "Output")]
    pub list_checks: bool,
    /// The form of --list-checks: a text table, or JSON (one object per check: id, level under
    /// the profile, default severity, citation, summary).
    #[arg(
        long,
        value_enum,
        default_value = "text",
        value_name = "text|json",
        help_heading = "Output"
    )]
    pub format: ListFormat,
    /// Print the built-in behaviour profiles (for --model) with what each holds a server to, and exit.
    #[arg(long, help_heading = "Output")]
    pub list_models: bool,
    /// Write the versioned JSON report here.
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    pub report_json: Option<PathBuf>,
    /// Write JUnit XML here (one test case per check).
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    pub junit: Option<PathBuf>,
    /// Write a self-contained HTML report here (summary, each defect with its evidence, coverage).
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    pub report_html: Option<PathBuf>,
    /// Write a JSON trace (for `scimfuzz replay`) and a curl script per finding into this directory.
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub repro_dir: Option<PathBuf>,
}

/// The output form of `--list-checks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// A count of at least 1 (`--max-ops`).
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(count) => Ok(count),
        Err(_) => Err(format!("`{text}` is not a whole number")),
    }
}

/// A duration longer than zero (`--time-limit`).
fn positive_duration(text: &str) -> Result<Duration, String> {
    let duration = parse_duration(text)?;
    if duration.is_zero() {
        return Err("must be longer than 0s".into());
    }
    Ok(duration)
}

/// Parses `90`, `90s`, `5m`, `1h`, `250ms`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 60s or 5m"))?;
    match unit {
        "" | "s" => Ok(Duration::from_secs(value)),
        "ms" => Ok(Duration::from_millis(value)),
        "m" => Ok(Duration::from_secs(value * 60)),
        "h" => Ok(Duration::from_secs(value * 3600)),
        _ => Err(format!(
            "unknown unit `{unit}` in `{text}`; use ms, s, m or h"
        )),
    }
}

/// Maps a failed probe to exit 3 with its message.
pub fn probe_error(err: ProbeError) -> CliError {
    match err {
        ProbeError::Transport(TransportError::Interrupted) => {
            CliError::from_transport("the credential probe", TransportError::Interrupted)
        }
        err => CliError::CouldNotRun(err.to_string()),
    }
}

/// Handles Ctrl-C for `command` from now on: the run stops at the next request, cleans up and
/// writes its partial report (see `driver::Interrupt`).
pub fn interrupt_on_ctrl_c(command: &'static str) -> Result<Interrupt, CliError> {
    Interrupt::on_ctrl_c(
        command,
        "stopping at the next request, cleaning up and writing a partial report",
        exit::INTERRUPTED,
        None,
    )
    .map_err(CliError::CouldNotRun)
}

/// Runs the subcommand.
pub fn run(args: FuzzArgs) -> CliResult {
    super::check_writable("--report-json", args.report_json.as_deref())?;
    super::check_writable("--junit", args.junit.as_deref())?;
    super::check_writable("--report-html", args.report_html.as_deref())?;
    if args.list_models {
        print!("{}", models_table()?);
        return Ok(exit::CLEAN);
    }
    let behaviour = load_behaviour(&args.model)
        .map_err(|err| CliError::Usage(with_suggestion(err.to_string())))?;
    if args.list_checks {
        match args.format {
            ListFormat::Text => print!("{}", checks_table(&behaviour)),
            ListFormat::Json => println!("{}", checks_json(&behaviour)),
        }
        return Ok(exit::CLEAN);
    }
    let resolved = args.target.resolve()?;
    let embedded = resolved.server.is_some();
    let seed = args.seed.unwrap_or_else(random_seed);
    let runtime = runtime()?;
    let interrupt = interrupt_on_ctrl_c("scimfuzz fuzz")?;
    let driver = Driver::new(resolved.target.clone())
        .map_err(|err| CliError::CouldNotRun(err.to_string()))?
        .with_interrupt(interrupt);
    probe(&driver, &runtime).map_err(probe_error)?;
    let mut setup = RunSetup::new(
        behaviour,
        args.max_ops,
        args.exclusive || embedded,
        !args.no_cleanup,
    );
    judge_embedded_latency_only_when_slowed(&mut setup, embedded, &args.target.faults);
    let namespaces = Namespaces::new();
    let discovery =
        discover(&driver, &runtime, namespaces.run_prefix(), &setup.grading).map_err(|err| {
            CliError::from_transport("the target stopped answering during discovery", err)
        })?;
    setup.adopt(&discovery);
    let mut discovery = discovery;
    let context = setup.probe_context(&driver, &runtime, namespaces.run_prefix());
    let probed = probe_capabilities(&context, &discovery).map_err(|err| {
        CliError::from_transport(
            "the target stopped answering during the capability probes",
            err,
        )
    })?;
    discovery.findings.extend(probed);
    let exec = setup.executor(&driver, &runtime);
    let jobs = args
        .jobs
        .unwrap_or_else(|| default_jobs(&driver, &runtime, setup.rules.exclusive));
    let mut gen = setup.gen.clone();
    // Custom-header auth is sent on every request, so bad-credential requests cannot be made.
    gen.bad_auth = resolved.target.authorization.is_some() || resolved.target.oauth.is_some();
    let config = SearchConfig {
        seed,
        cases: args.cases,
        gen,
        time_limit: args.time_limit,
        max_shrink_time: args.shrink_time,
        jobs,
        max_failures: if args.fail_fast {
            1
        } else {
            SearchConfig::default().max_failures
        },
        ..SearchConfig::default()
    };
    eprintln!(
        "scimfuzz fuzz: target {} (profile {}, seed {seed}, jobs {jobs})",
        crate::report::redact::redact(&resolved.target.base_url),
        setup.behaviour.name
    );
    // Attribute names come from the server's /Schemas: escaped like every other server text.
    eprintln!(
        "scimfuzz fuzz: discovery: {}",
        crate::report::terminal::escape_controls(&discovery.describe())
    );
    let reporter = ProgressReporter::new();
    let summary = search(&exec, &namespaces, &config, &|p| reporter.update(p));
    reporter.finish();
    let mut summary = summary
        .map_err(|err| CliError::CouldNotRun(format!("the target stopped answering: {err}")))?;
    summary.discovery = discovery.findings.clone();
    let refused = advertised_but_refused(&discovery, &summary, &setup.grading);
    summary.discovery.extend(refused);
    let hint = rerun_hint(&args);
    let shown = render_fuzz_text(&summary, &hint);
    print!(
        "{}",
        if colour_wanted() {
            paint(&shown)
        } else {
            shown
        }
    );
    if let Some(line) = driver.throttling().summary() {
        eprintln!("scimfuzz fuzz: {line}");
    }
    let origin = TraceOrigin {
        seed,
        profile: setup.behaviour.name.clone(),
        target: resolved.target.base_url.clone(),
        embedded_faults: args
            .target
            .faults
            .iter()
            .map(|f| f.name().to_string())
            .collect(),
    };
    let clean = |trace: &Trace| clean_run(&setup, &runtime, trace);
    write_outputs(&args, &summary, &origin, &setup, &clean)?;
    Ok(if summary.interrupted {
        exit::INTERRUPTED
    } else if summary.has_findings() {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

/// Writes --repro-dir, then --report-json, --junit and --report-html (which name the repro files).
fn write_outputs(
    args: &FuzzArgs,
    summary: &SearchSummary,
    origin: &TraceOrigin,
    setup: &RunSetup,
    clean: &dyn Fn(&Trace) -> Option<CaseOutcome>,
) -> Result<(), CliError> {
    let repro = match &args.repro_dir {
        Some(dir) => write_repro(dir, summary, origin, clean)?,
        None => Vec::new(),
    };
    let info = RunInfo {
        profile: origin.profile.clone(),
        target: origin.target.clone(),
        embedded_faults: origin.embedded_faults.clone(),
        repro,
        unexercised: unexercised(setup),
    };
    if let Some(path) = &args.report_json {
        write_file(path, &render_report_json(summary, &info))?;
    }
    if let Some(path) = &args.junit {
        write_file(path, &render_fuzz_junit(summary, &info))?;
    }
    if let Some(path) = &args.report_html {
        write_file(path, &render_fuzz_html(summary, &info))?;
    }
    Ok(())
}

/// The trace and curl script of every failure, in `dir`.
fn write_repro(
    dir: &std::path::Path,
    summary: &SearchSummary,
    origin: &TraceOrigin,
    clean: &dyn Fn(&Trace) -> Option<CaseOutcome>,
) -> Result<Vec<Option<ReproPaths>>, CliError> {
    std::fs::create_dir_all(dir).map_err(|err| {
        CliError::CouldNotRun(format!(
            "cannot create --repro-dir {}: {err}",
            dir.display()
        ))
    })?;
    let mut written = Vec::new();
    for (index, failure) in summary.failures.iter().enumerate() {
        let Some(trace) = Trace::from_failure(failure, origin) else {
            written.push(None);
            continue;
        };
        let stem = format!(
            "finding-{}-{}",
            index + 1,
            failure.check_id.replace('.', "-")
        );
        let trace_path = dir.join(format!("{stem}.json"));
        let script_path = dir.join(format!("{stem}.sh"));
        write_file(&trace_path, &render_trace(&trace))?;
        write_file(
            &script_path,
            &render_curl_script(&trace, clean(&trace).as_ref()),
        )?;
        eprintln!(
            "repro: {} (replay with: scimfuzz replay {})",
            script_path.display(),
            trace_path.display()
        );
        written.push(Some(ReproPaths {
            trace: trace_path.display().to_string(),
            script: script_path.display().to_string(),
        }));
    }
    Ok(written)
}

/// The checks this run cannot exercise, with why: deviations the profile allows, and what the
/// generator never sends under this profile and discovery.
fn unexercised(setup: &RunSetup) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = setup
        .grading
        .allowed
        .iter()
        .map(|id| {
            let why = format!("allowed by profile {}", setup.behaviour.name);
            (id.clone(), why)
        })
        .collect();
    let gen = &setup.gen;
    let mut not_sent = |ids: &[&str], why: &str| {
        for id in ids {
            if !out.iter().any(|(known, _)| known == id) {
                out.push(((*id).to_string(), why.to_string()));
            }
        }
    };
    if !gen.string_booleans {
        not_sent(
            &[catalogue::PATCH_STRING_BOOLEAN],
            "no string booleans sent: the profile (or the server) does not take them",
        );
    }
    if !gen.patch {
        not_sent(
            &[
                catalogue::PATHLESS_PATCH,
                catalogue::PATCH_OP_CASE,
                catalogue::PATCH_ATOMIC,
                catalogue::PATCH_REMOVE_ABSENT,
                catalogue::PATCH_ADD_EXISTING,
            ],
            "no PATCH sent: the profile or the server's /ServiceProviderConfig says it is unsupported",
        );
    }
    if !gen.etag {
        not_sent(
            &[catalogue::ETAG_PRECONDITION],
            "no If-Match sent: the server does not support ETags",
        );
    }
    if !gen.groups {
        not_sent(
            &[
                catalogue::GROUP_MEMBERSHIP,
                catalogue::GROUP_NAME,
                catalogue::GROUP_DELETED_MEMBER,
            ],
            "no groups sent: the profile has no groups",
        );
    }
    out.sort();
    out
}

fn write_file(path: &std::path::Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text)
        .map_err(|err| CliError::CouldNotRun(format!("cannot write {}: {err}", path.display())))
}

/// The command that repeats this search (without `--seed`, which the report appends): every flag
/// that shapes the sequences or their judging, none that carries a secret (`--auth`, `--header`).
fn rerun_hint(args: &FuzzArgs) -> String {
    let mut hint = String::from("scimfuzz fuzz");
    for fault in &args.target.faults {
        hint.push_str(&format!(" --fault {fault}"));
    }
    if let Some(url) = &args.target.target {
        hint.push_str(&format!(" --target {url}"));
    }
    if args.model != "okta" {
        hint.push_str(&format!(" --model {}", args.model));
    }
    if args.cases != DEFAULT_CASES {
        hint.push_str(&format!(" --cases {}", args.cases));
    }
    if args.max_ops != DEFAULT_MAX_OPS {
        hint.push_str(&format!(" --max-ops {}", args.max_ops));
    }
    if args.shrink_time != DEFAULT_SHRINK_TIME {
        hint.push_str(&format!(
            " --shrink-time {}ms",
            args.shrink_time.as_millis()
        ));
    }
    for (set, flag) in [
        (args.exclusive, " --exclusive"),
        (args.no_cleanup, " --no-cleanup"),
    ] {
        if set {
            hint.push_str(flag);
        }
    }
    hint
}

fn random_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    (nanos ^ (u64::from(std::process::id()) << 32)) % 1_000_000_000
}

/// The embedded server answers from this process: its latency is this machine's load, not a
/// server's design, so it is judged only when `slow-responses` makes it slow (by `fuzz` and by
/// `replay` alike; a loaded machine must not turn a replay into "fails differently").
pub(super) fn judge_embedded_latency_only_when_slowed(
    setup: &mut RunSetup,
    embedded: bool,
    faults: &[Fault],
) {
    if embedded && !faults.contains(&Fault::SlowResponses) {
        setup.check_rules.latency_budget_ms = None;
    }
}
