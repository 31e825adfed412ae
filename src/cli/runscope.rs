//! `scimfuzz runscope FILE.json`: runs a Runscope API-test export (Okta's SPEC, CRUD and
//! Entitlements tests, or a user's own) as it is. Without `--var SCIMBaseURL=…` it starts the
//! embedded reference server, seeds the one complete user Okta's SPEC test needs, and sets
//! `SCIMBaseURL` and `auth`. Prints one line per step and `N passed, M failed` last.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::oauth::{OAuthArgs, TokenTransport};
use super::target::register_userinfo;
use super::transport::TransportArgs;
use super::{exit, CliError, CliResult};
use crate::conformance::okta::names::{initial_script_variables, NameSource};
use crate::conformance::okta::{spec::ensure_listed_user, Session};
use crate::conformance::outcome::{RunOutcome, Verdict};
use crate::conformance::runscope::{
    export::Step, parse_export, run_export, vars, Export, RunError, RunOptions, Variables,
};
use crate::conformance::wire::Wire;
use crate::driver::{Driver, Target};
use crate::report::conformance_html::render_conformance_html;
use crate::report::conformance_json::render_conformance_json;
use crate::report::junit::render_junit;
use crate::report::redact;
use crate::report::steps::{render_step_table, TableOptions};
use crate::server::{self, Fault, RunningServer, ServerConfig};

/// Run a Runscope API-test export (e.g. Okta's SPEC test) against a SCIM server.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Run")]
pub struct RunscopeArgs {
    /// The exported test (JSON).
    pub file: PathBuf,
    /// A variable, NAME=VALUE (repeatable): SCIMBaseURL, auth, EntitlementEndpoint, oktaOrgUrl, …
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// JavaScript run once before the first step (Okta's Initial_Script_Spec.txt).
    #[arg(long, value_name = "FILE")]
    pub initial_script: Option<PathBuf>,
    /// Before the run, create one complete user when `GET /Users?count=1&startIndex=1` lists none
    /// (Okta's SPEC needs one; always done for the embedded server). The user is left in place.
    #[arg(long)]
    pub seed_user: bool,
    /// Wait out pause steps (Okta's 5–40 s) instead of skipping them.
    #[arg(long)]
    pub pauses: bool,
    /// Also write the results as JUnit XML to this file.
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    pub junit: Option<PathBuf>,
    /// Also write the results (with exchanges, secrets redacted) as JSON to this file.
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    pub report_json: Option<PathBuf>,
    /// Also write a self-contained HTML report (steps, failing exchanges) to this file.
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    pub report_html: Option<PathBuf>,
    /// Exit 0 even when no step ran (every one skipped); without it such a run exits 1, since
    /// nothing was checked.
    #[arg(long, help_heading = "Output")]
    pub allow_skipped: bool,
    /// Show the failing exchange (request line, bodies, status) and script logs under each step.
    #[arg(long, help_heading = "Output")]
    pub exchanges: bool,
    /// With the embedded server only: switch on a named defect (repeatable; see `serve --list-faults`).
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<Fault>,
    #[command(flatten)]
    pub transport: TransportArgs,
    #[command(flatten)]
    pub oauth: OAuthArgs,
}

/// Runs the subcommand.
pub fn run(args: RunscopeArgs) -> CliResult {
    super::check_writable("--report-json", args.report_json.as_deref())?;
    super::check_writable("--junit", args.junit.as_deref())?;
    super::check_writable("--report-html", args.report_html.as_deref())?;
    let export = read_export(&args.file)?;
    let initial_script = match &args.initial_script {
        Some(path) => Some(read_text(path, "initial script")?),
        None => None,
    };
    let mut variables = Variables::new();
    for assignment in &args.vars {
        let (name, value) = vars::parse_assignment(assignment).map_err(CliError::Usage)?;
        if redact::is_secret_name(&name) {
            redact::register_authorization(&value);
        } else if name == "SCIMBaseURL" {
            register_userinfo(&value);
        }
        variables.set(name, value);
    }
    let timeout = args.transport.timeout_or_default();
    let mut wire = Wire::new(timeout)
        .map_err(|err| CliError::CouldNotRun(format!("could not start the async runtime: {err}")))?
        .with_max_response_bytes(args.transport.max_response_bytes)
        .with_tls(args.transport.ca_pem()?, args.transport.insecure)
        .with_interrupt(super::fuzz::interrupt_on_ctrl_c("scimfuzz runscope")?);
    if let Some(oauth) = oauth_source(&args, &variables)? {
        let first = wire
            .block_on(oauth.authorization())
            .map_err(|err| CliError::CouldNotRun(err.to_string()))?;
        variables.set("auth", first);
        wire = wire.with_oauth(oauth);
    }
    let _server = if variables.contains("SCIMBaseURL") {
        if !args.faults.is_empty() {
            return Err(CliError::Usage(
                "--fault applies to the embedded server only; leave out --var SCIMBaseURL to use it"
                    .into(),
            ));
        }
        if args.seed_user {
            seed_user(&wire, &variables, timeout, &args.transport)?;
        }
        None
    } else {
        let server = start_embedded(args.faults.clone())?;
        variables.set("SCIMBaseURL", server.base_url());
        variables.set("auth", server.authorization());
        seed_user(&wire, &variables, timeout, &args.transport)?;
        Some(server)
    };
    alias_crud_variables(&mut variables);
    if initial_script.is_none() {
        let unset = unset_variables(&export, &variables);
        generate_initial_variables(&unset, &mut variables);
        warn_about_unset_variables(&export, &variables);
    }
    let options = RunOptions {
        pauses: args.pauses,
        initial_script,
    };
    let started = Instant::now();
    let suite =
        run_export(&export, &mut variables, &options, &mut wire).map_err(|err| match err {
            RunError::InitialScript(_) => CliError::Usage(err.to_string()),
            RunError::Transport(_) | RunError::Engine(_) => CliError::CouldNotRun(err.to_string()),
        })?;
    let interrupted = wire.interrupted();
    if interrupted {
        report_cleanup(&mut wire);
    }
    let outcome = RunOutcome {
        suites: vec![suite],
        seconds: started.elapsed().as_secs_f64(),
        interrupted,
    };
    println!("{}", heading(&export, &variables, args.pauses));
    let table = TableOptions {
        exchanges: args.exchanges,
        logs: args.exchanges,
        suite_headings: false,
    };
    print!("{}", render_step_table(&outcome, table));
    if !args.seed_user && found_no_user(&outcome) {
        eprintln!(
            "hint: the server listed no user, and Okta's SPEC test needs one; --seed-user creates \
             one first (scimfuzz okta does so too)"
        );
    }
    if let Some(path) = &args.junit {
        write_file(path, &render_junit(&outcome.to_junit()))?;
    }
    if let Some(path) = &args.report_json {
        let base = variables.get("SCIMBaseURL").unwrap_or_default();
        write_file(path, &render_conformance_json(&outcome, "runscope", base))?;
    }
    if let Some(path) = &args.report_html {
        let base = variables.get("SCIMBaseURL").unwrap_or_default();
        let facts = [("export", export.name.clone())];
        let page = render_conformance_html(&outcome, "runscope", base, &facts);
        write_file(path, &page)?;
    }
    let tally = outcome.tally();
    let nothing_ran = tally.passed + tally.failed == 0;
    if nothing_ran && !outcome.interrupted {
        eprintln!(
            "scimfuzz runscope: no step ran ({} skipped), so nothing was checked{}",
            tally.skipped,
            if args.allow_skipped {
                " (--allow-skipped: exit 0)"
            } else {
                "; exit 1 (--allow-skipped accepts that)"
            }
        );
    }
    Ok(if outcome.interrupted {
        exit::INTERRUPTED
    } else if tally.failed > 0 || nothing_ran && !args.allow_skipped {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

/// After Ctrl-C: deletes the users and groups the export created, and says so on stderr.
fn report_cleanup(wire: &mut Wire) {
    let started = Instant::now();
    let (deleted, left) = wire.clean_up_created();
    eprintln!(
        "scimfuzz runscope: interrupted: deleted the {deleted} user(s) and group(s) the run created in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for path in left {
        eprintln!(
            "scimfuzz runscope: left on the server: {}",
            crate::report::terminal::escape_controls(&path)
        );
    }
}

/// Starts the embedded reference server on a free loopback port.
pub(super) fn start_embedded(faults: Vec<Fault>) -> Result<RunningServer, CliError> {
    server::spawn_on_thread(ServerConfig::with_faults(faults))
        .map_err(|err| CliError::CouldNotRun(format!("could not start the embedded server: {err}")))
}

/// Whether a step failed because the user list was empty (Okta's SPEC step 1).
fn found_no_user(outcome: &RunOutcome) -> bool {
    outcome
        .suites
        .iter()
        .flat_map(|suite| &suite.steps)
        .any(|step| match &step.verdict {
            Verdict::Failed { failures } => failures
                .iter()
                .any(|f| f.check == "Resources not_empty" && f.actual == "[]"),
            _ => false,
        })
}

/// Gives the server at `SCIMBaseURL` (authenticated with `auth`) the one complete user Okta's
/// SPEC step 1 needs, unless it lists one already.
fn seed_user(
    wire: &Wire,
    variables: &Variables,
    timeout: Duration,
    transport: &TransportArgs,
) -> Result<(), CliError> {
    let base = variables.get("SCIMBaseURL").unwrap_or_default();
    let auth = variables.get("auth").map(str::to_string);
    let mut target = Target::new(base, auth);
    target.timeout = timeout;
    transport.apply(&mut target)?;
    let driver = Driver::new(target).map_err(|err| CliError::CouldNotRun(err.to_string()))?;
    let mut session = Session::new(wire, &driver, seed_from_clock());
    let seeded =
        ensure_listed_user(&mut session).map_err(|err| CliError::CouldNotRun(err.to_string()))?;
    if let Some(id) = seeded {
        eprintln!("note: the server listed no user, so user {id} was created first (Okta's SPEC needs one)");
    }
    Ok(())
}

/// A seed for generated names that differs from run to run.
pub(super) fn seed_from_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos() as u64)
        .unwrap_or(0x5C1F)
}

/// Okta's CRUD files call the base `SCIMUrl` and the auth `SCIMAuth`; default them to the SPEC names.
fn alias_crud_variables(variables: &mut Variables) {
    for (alias, name) in [("SCIMUrl", "SCIMBaseURL"), ("SCIMAuth", "auth")] {
        if !variables.contains(alias) {
            if let Some(value) = variables.get(name).map(str::to_string) {
                variables.set(alias, value);
            }
        }
    }
}

/// Without an initial script, fills the variables Okta's initial scripts would set (random names,
/// the bogus ids) from scimfuzz's generator of the same shapes, and says so on stderr.
fn generate_initial_variables(unset: &[String], variables: &mut Variables) {
    let person = NameSource::new(seed_from_clock()).person();
    let mut generated = Vec::new();
    for (name, value) in initial_script_variables(&person) {
        if unset.iter().any(|wanted| wanted == name) {
            variables.set(name, value);
            generated.push(name);
        }
    }
    if !generated.is_empty() {
        eprintln!(
            "note: generated {} as Okta's initial script would; --initial-script FILE runs the script itself",
            generated.join(", ")
        );
    }
}

/// Warns (stderr) about variables the file uses that nothing sets.
fn warn_about_unset_variables(export: &Export, variables: &Variables) {
    let unset = unset_variables(export, variables);
    if unset.is_empty() {
        return;
    }
    let flags: Vec<String> = unset.iter().map(|name| format!("--var {name}=…")).collect();
    eprintln!(
        "warning: {} {} used but never set: give {}",
        unset.join(", "),
        if unset.len() == 1 { "is" } else { "are" },
        flags.join(" ")
    );
}

/// The variables the file uses (URLs, headers, bodies, expected values) that are neither set nor
/// captured by one of its steps.
fn unset_variables(export: &Export, variables: &Variables) -> Vec<String> {
    let mut used: Vec<String> = Vec::new();
    let mut captured: Vec<String> = Vec::new();
    for step in &export.steps {
        let Step::Request(request) = step else {
            continue;
        };
        let mut templates = vec![request.url.as_str()];
        templates.extend(request.headers.iter().map(|(_, value)| value.as_str()));
        templates.extend(request.body.as_deref());
        templates.extend(request.assertions.iter().filter_map(|a| a.value.as_deref()));
        for name in templates.into_iter().flat_map(vars::mentioned) {
            if !used.contains(&name) {
                used.push(name);
            }
        }
        captured.extend(request.extractions.iter().map(|e| e.name.clone()));
    }
    used.into_iter()
        .filter(|name| !variables.contains(name) && !captured.contains(name))
        .collect()
}

fn heading(export: &Export, variables: &Variables, pauses: bool) -> String {
    let pause_count = export
        .steps
        .iter()
        .filter(|step| matches!(step, Step::Pause { .. }))
        .count();
    let base = variables.get("SCIMBaseURL").unwrap_or("?");
    let mut line = format!("{} against {base}", export.name);
    if pause_count > 0 && !pauses {
        line.push_str(&format!(
            " ({pause_count} pauses not waited; --pauses waits them out)"
        ));
    }
    line
}

/// With `--oauth-*`: the token source whose first token becomes the `auth` variable (exit 2
/// with `--var auth=…` or without `--var SCIMBaseURL`).
fn oauth_source(
    args: &RunscopeArgs,
    variables: &Variables,
) -> Result<Option<crate::driver::OAuthSource>, CliError> {
    if args.oauth.is_set() && !variables.contains("SCIMBaseURL") {
        return Err(CliError::Usage(
            "--oauth-* needs --var SCIMBaseURL=URL: the embedded server takes its own token".into(),
        ));
    }
    let auth_flag = variables.contains("auth").then_some("--var auth=…");
    args.oauth.source(
        auth_flag,
        TokenTransport {
            timeout: args.transport.timeout_or_default(),
            ca_pem: args.transport.ca_pem()?,
            insecure: args.transport.insecure,
        },
    )
}

fn read_export(path: &Path) -> Result<Export, CliError> {
    let text = read_text(path, "Runscope export")?;
    parse_export(&text).map_err(|err| CliError::Usage(format!("{}: {err}", path.display())))
}

fn read_text(path: &Path, what: &str) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|err| {
        CliError::Usage(format!(
            "could not read the {what} {}: {err}",
            path.display()
        ))
    })
}

/// Writes a report file, creating its folder.
pub(super) fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|err| {
            CliError::Usage(format!("could not create {}: {err}", parent.display()))
        })?;
    }
    std::fs::write(path, text)
        .map_err(|err| CliError::Usage(format!("could not write {}: {err}", path.display())))
}
