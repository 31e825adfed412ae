//! One `scimfuzz load` run from resolved settings: preflight and seeding through the driver, the
//! goose attack, the collected measurements, the integrity check, SLO verdicts and the reports.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::cleanup::{clean_up, CleanupSummary, Created, CLEANUP_LIMIT};
use super::context::{RetryPolicy, RunContext};
use super::integrity::check_integrity;
use super::interrupt::Interrupt;
use super::ledger::{LedgerJournal, LedgerReader, LEDGER_FILE};
use super::measure::Measurements;
use super::okta_shapes::{create_group_body, NamePartition};
use super::plan::{build_attack, compile_plan, load_client, CompiledPlan};
use super::profile::{parse_duration, IntegrationMode, Profile, ScenarioKind};
use super::recorder::Collector;
use super::report::{
    build_report, write_report, IntegritySummary, Interruption, LoadReport, RunFacts,
};
use super::seed::seed_directory;
use super::slo::{Slo, SloVerdict};
use crate::driver::{Driver, Method, OAuthSource, RequestSpec, Target};

/// Where the load goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadTarget {
    /// The SCIM base URL, e.g. `http://127.0.0.1:8080/scim/v2`.
    pub base_url: String,
    /// The full `Authorization` header value.
    pub authorization: Option<String>,
    /// OAuth 2.0 client credentials: the Authorization value comes from this shared source.
    pub oauth: Option<OAuthSource>,
    pub headers: Vec<(String, String)>,
    /// The largest response body read, decoded (`--max-response-size`).
    pub max_response_bytes: u64,
    /// `--timeout`: overrides the profile's `request_timeout`.
    pub timeout: Option<Duration>,
    /// `--cacert`: PEM certificates to trust instead of the platform's roots.
    pub ca_pem: Option<Vec<u8>>,
    /// `--insecure`: accept any certificate.
    pub insecure: bool,
}

/// Everything a run needs, already resolved from flags and the profile.
#[derive(Debug, Clone)]
pub struct LoadSettings {
    pub profile: Profile,
    pub target: LoadTarget,
    pub users: Option<usize>,
    pub duration: Option<Duration>,
    /// Profile SLOs and `--slo` ones together.
    pub slos: Vec<Slo>,
    pub seed: u64,
    pub worker_index: u32,
    pub workers: u32,
    pub report_dir: Option<PathBuf>,
    /// Print a live progress line on stderr.
    pub progress: bool,
    pub check_integrity: bool,
    /// `--keep-data`: leave what the run created on the server (else it is deleted after the
    /// integrity check, see the `cleanup` module).
    pub keep_data: bool,
}

/// Why a run gave no verdict.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The settings are unusable (exit 2).
    #[error("{0}")]
    Settings(String),
    /// The target could not be driven (exit 3).
    #[error("{0}")]
    CouldNotRun(String),
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct LoadOutcome {
    pub report: LoadReport,
    /// Files written into the report directory.
    pub written: Vec<PathBuf>,
    /// What the cleanup did (`None` with `--keep-data`).
    pub cleanup: Option<CleanupSummary>,
}

impl LoadOutcome {
    /// The SLOs that did not hold.
    pub fn breaches(&self) -> Vec<&SloVerdict> {
        self.report
            .slos
            .iter()
            .filter(|verdict| !verdict.passed)
            .collect()
    }

    /// Whether Ctrl-C stopped the run (the report is partial).
    pub fn interrupted(&self) -> bool {
        self.report.run.interrupted.is_some()
    }

    /// Whether the integrity check found lost or duplicated data.
    pub fn has_findings(&self) -> bool {
        self.report
            .integrity
            .as_ref()
            .is_some_and(|integrity| !integrity.findings.is_empty())
    }
}

/// The run tag: 8 lowercase hex digits derived from the seed.
pub fn run_tag(seed: u64) -> String {
    format!("{:08x}", (seed ^ (seed >> 32)) as u32)
}

/// Runs the profile against the target and writes the reports.
pub async fn run_load(settings: LoadSettings) -> Result<LoadOutcome, LoadError> {
    run_load_until(settings, super::interrupt::manual()).await
}

/// [`run_load`], stopped early when `interrupt` fires (Ctrl-C): the load stops gracefully, the
/// integrity check is skipped, and the report is written marked interrupted.
pub async fn run_load_until(
    settings: LoadSettings,
    interrupt: Interrupt,
) -> Result<LoadOutcome, LoadError> {
    let profile = &settings.profile;
    let plan =
        compile_plan(profile, settings.users, settings.duration).map_err(LoadError::Settings)?;
    let request_timeout = match settings.target.timeout {
        Some(timeout) => timeout,
        None => {
            parse_duration(profile.run.request_timeout.get_ref()).map_err(LoadError::Settings)?
        }
    };
    if request_timeout.is_zero() {
        return Err(LoadError::Settings(
            "request_timeout must be longer than 0s (or give --timeout)".into(),
        ));
    }
    let seeded = Arc::new(Mutex::new(Vec::new()));
    let driver = preflight(&settings.target, request_timeout).await?;
    let context = match prepare(&settings, &driver, &plan, &interrupt, &seeded).await {
        Ok(context) => context,
        Err(err) => {
            // A seeding that failed part-way: delete what it created, known or not.
            let seeded = std::mem::take(&mut *seeded.lock().unwrap_or_else(|p| p.into_inner()));
            let summary = cleanup(&settings, &driver, None, None, &seeded).await?;
            return Err(with_cleanup(
                err,
                summary.filter(CleanupSummary::did_anything),
            ));
        }
    };
    let attacked = match interrupt.requested() {
        false => attack(&settings, &plan, &context, request_timeout).await,
        true => Ok(()),
    };
    let journal = context.collector.take_journal().map(LedgerJournal::finish);
    let journal = journal.transpose().map_err(LoadError::CouldNotRun)?;
    let seeded = std::mem::take(&mut *seeded.lock().unwrap_or_else(|p| p.into_inner()));
    let oversized = *context.oversized.lock().unwrap_or_else(|p| p.into_inner());
    let failure = match (oversized, attacked) {
        (Some(oversized), _) => Some(LoadError::CouldNotRun(format!(
            "the load stopped: {}",
            oversized.describe()
        ))),
        (None, attacked) => attacked.err(),
    };
    let shared_group = context.shared_group.as_deref();
    if let Some(err) = failure {
        let summary = cleanup(&settings, &driver, journal.as_ref(), shared_group, &seeded).await?;
        return Err(with_cleanup(err, summary));
    }
    let measurements = context
        .collector
        .finish(context.collector.start().elapsed());
    let (integrity, interrupted) = match settings.check_integrity {
        true => verify(&driver, journal.as_ref(), &interrupt, &plan, &measurements).await?,
        false => (None, None),
    };
    let cleanup = cleanup(&settings, &driver, journal.as_ref(), shared_group, &seeded).await?;
    let verdicts = settings
        .slos
        .iter()
        .map(|slo| slo.judge(&measurements))
        .collect();
    let mut facts = run_facts(&settings, &plan, &context, &measurements);
    facts.interrupted = interrupted;
    let report = build_report(facts, &measurements, verdicts, integrity);
    let mut written = match &settings.report_dir {
        Some(dir) => write_report(dir, &report, &measurements).map_err(LoadError::CouldNotRun)?,
        None => Vec::new(),
    };
    written.extend(
        journal
            .filter(LedgerReader::is_kept)
            .map(|journal| journal.path().to_path_buf()),
    );
    Ok(LoadOutcome {
        report,
        written,
        cleanup,
    })
}

/// `err` with what the cleanup did after it on a line of its own.
fn with_cleanup(err: LoadError, summary: Option<CleanupSummary>) -> LoadError {
    let Some(summary) = summary else {
        return err;
    };
    match err {
        LoadError::Settings(text) => LoadError::Settings(format!("{text}\n{}", summary.describe())),
        LoadError::CouldNotRun(text) => {
            LoadError::CouldNotRun(format!("{text}\n{}", summary.describe()))
        }
    }
}

/// Deletes what the run created unless `--keep-data` (after the integrity check, or after an
/// interrupted or failed run, or a failed setup, too): what the journal, the shared group and
/// the seeding know, then whatever else carries this worker's names.
async fn cleanup(
    settings: &LoadSettings,
    driver: &Driver,
    journal: Option<&LedgerReader>,
    shared_group: Option<&str>,
    seeded: &[String],
) -> Result<Option<CleanupSummary>, LoadError> {
    if settings.keep_data {
        return Ok(None);
    }
    let created = Created::from_run(journal, shared_group, seeded)
        .map_err(LoadError::CouldNotRun)?
        .with_names(&run_tag(settings.seed), settings.worker_index);
    Ok(Some(clean_up(driver, created, CLEANUP_LIMIT).await))
}

/// Everything between the preflight and the attack: seeding the directory, the shared group,
/// and the run's shared state (whose clock starts here). Ctrl-C during seeding skips ahead.
async fn prepare(
    settings: &LoadSettings,
    driver: &Driver,
    plan: &CompiledPlan,
    interrupt: &Interrupt,
    seeded_ids: &Arc<Mutex<Vec<String>>>,
) -> Result<Arc<RunContext>, LoadError> {
    let tag = run_tag(settings.seed);
    let seeded = seed_directory(
        driver,
        settings.profile.seed_data.users,
        &tag,
        settings.worker_index,
        seeded_ids,
    );
    tokio::select! {
        seeded = seeded => seeded?,
        () = interrupt.wait() => {}
    }
    let shared_group = match interrupt.requested() {
        false => create_shared_group(driver, settings, &tag).await,
        true => None,
    };
    let mut context = run_context(settings, plan, tag, interrupt)?;
    context.shared_group = shared_group;
    Ok(Arc::new(context))
}

/// The integrity check (unless there is no journal or the run was interrupted), and how the run
/// was interrupted, if it was (Ctrl-C during the check abandons it).
async fn verify(
    driver: &Driver,
    journal: Option<&LedgerReader>,
    interrupt: &Interrupt,
    plan: &CompiledPlan,
    measurements: &Measurements,
) -> Result<(Option<IntegritySummary>, Option<Interruption>), LoadError> {
    if interrupt.requested() {
        let during = if measurements.totals.is_empty() {
            "setup"
        } else {
            "load"
        };
        return Ok((None, Some(interruption(during, plan, measurements))));
    }
    let Some(journal) = journal else {
        return Ok((None, None));
    };
    tokio::select! {
        checked = check_integrity(driver, journal) => {
            Ok((Some(checked.map_err(LoadError::CouldNotRun)?), None))
        }
        () = interrupt.wait() => {
            Ok((None, Some(interruption("integrity-check", plan, measurements))))
        }
    }
}

/// Runs the goose attack (with the progress line on a terminal).
async fn attack(
    settings: &LoadSettings,
    plan: &CompiledPlan,
    context: &Arc<RunContext>,
    request_timeout: Duration,
) -> Result<(), LoadError> {
    let host = format!("{}/", settings.target.base_url.trim_end_matches('/'));
    let target = &settings.target;
    let client = load_client(request_timeout, target.ca_pem.as_deref(), target.insecure)
        .map_err(LoadError::CouldNotRun)?;
    let attack = build_attack(
        &host,
        plan,
        &settings.profile.scenarios,
        context.clone(),
        client,
    )
    .map_err(|err| LoadError::Settings(format!("goose refused the compiled plan: {err}")))?;
    let done = Arc::new(AtomicBool::new(false));
    let progress = settings
        .progress
        .then(|| tokio::spawn(show_progress(context.clone(), done.clone(), plan.total)));
    let executed = attack.execute().await;
    done.store(true, Ordering::Relaxed);
    if let Some(progress) = progress {
        let _ = progress.await;
    }
    executed.map_err(|err| LoadError::CouldNotRun(format!("the goose run failed: {err:?}")))?;
    Ok(())
}

fn interruption(during: &str, plan: &CompiledPlan, measurements: &Measurements) -> Interruption {
    Interruption {
        during: during.to_string(),
        after_s: measurements.elapsed.as_secs_f64(),
        planned_s: plan.total.as_secs_f64(),
    }
}

/// The integrity ledger's journal: `ledger.jsonl` in the report directory (kept, it shows what
/// the server acknowledged), else a temporary file removed after the check.
fn ledger_journal(settings: &LoadSettings, tag: &str) -> Result<LedgerJournal, LoadError> {
    let (path, temporary) = match &settings.report_dir {
        Some(dir) => (dir.join(LEDGER_FILE), false),
        None => (
            std::env::temp_dir().join(format!(
                "scimfuzz-ledger-{}-{tag}-{}.jsonl",
                std::process::id(),
                settings.worker_index
            )),
            true,
        ),
    };
    LedgerJournal::create(&path, temporary).map_err(LoadError::CouldNotRun)
}

/// The state every goose user shares; the run's clock starts here.
fn run_context(
    settings: &LoadSettings,
    plan: &CompiledPlan,
    tag: String,
    interrupt: &Interrupt,
) -> Result<RunContext, LoadError> {
    let profile = &settings.profile;
    let interval = report_interval(profile, plan)?;
    let duration = |text: &str| parse_duration(text).map_err(LoadError::Settings);
    let started_unix_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs_f64())
        .unwrap_or(0.0);
    let mut collector = Collector::new(Instant::now(), started_unix_s, interval);
    // The journal also tells the cleanup what the run created.
    if settings.check_integrity || !settings.keep_data {
        collector = collector.with_journal(ledger_journal(settings, &tag)?);
    }
    let start = collector.start();
    Ok(RunContext {
        authorization: settings.target.authorization.clone(),
        oauth: settings.target.oauth.clone(),
        headers: settings.target.headers.clone(),
        retry: RetryPolicy {
            backoff: duration(profile.retry.backoff.get_ref())?,
            max_tries: profile.retry.max_tries.max(1),
        },
        pace: duration(profile.run.pace.get_ref())?,
        deadline: start + plan.total,
        run_tag: tag,
        worker_index: settings.worker_index,
        seed: settings.seed,
        collector,
        interrupt: interrupt.clone(),
        shared_group: None,
        budgets: profile
            .scenarios
            .iter()
            .map(|scenario| AtomicU64::new(scenario.tasks.unwrap_or(u64::MAX)))
            .collect(),
        sessions: AtomicU64::new(0),
        tasks_in_progress: AtomicU64::new(0),
        tasks_done: AtomicU64::new(0),
        last_task_done_us: AtomicU64::new(0),
        max_response_bytes: settings.target.max_response_bytes,
        oversized: Mutex::new(None),
    })
}

/// What `report.json` says about the run itself.
fn run_facts(
    settings: &LoadSettings,
    plan: &CompiledPlan,
    context: &RunContext,
    measurements: &Measurements,
) -> RunFacts {
    let last_task_us = context.last_task_done_us.load(Ordering::Relaxed);
    RunFacts {
        profile: settings.profile.name.clone(),
        target: without_userinfo(&settings.target.base_url),
        seed: settings.seed,
        run_tag: context.run_tag.clone(),
        worker_index: settings.worker_index,
        workers: settings.workers,
        merged_from: Vec::new(),
        merged_workers: Vec::new(),
        test_plan: plan.test_plan.clone(),
        peak_users: plan.peak_users,
        started_unix_s: measurements.started_unix_s,
        duration_s: measurements.elapsed.as_secs_f64(),
        interval_s: measurements.interval.as_secs_f64(),
        tasks_completed: context.tasks_done.load(Ordering::Relaxed),
        last_task_s: (last_task_us > 0).then(|| last_task_us as f64 / 1e6),
        pace_ms: context.pace.as_secs_f64() * 1000.0,
        interrupted: None,
    }
}

/// The URL with any `user:password@` removed: reports never carry credentials.
pub fn without_userinfo(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at))
            if at > scheme_end && !url[scheme_end + 3..at].contains('/') =>
        {
            format!("{}{}", &url[..scheme_end + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// The profile's interval; else 100 ms for a run planned under 30 s or a bounded burst (every
/// scenario has `tasks`: it may end in a second whatever its planned duration), else about 200
/// intervals per run, between 1 s and 10 s. The charts fold intervals to at most 200 points.
fn report_interval(profile: &Profile, plan: &CompiledPlan) -> Result<Duration, LoadError> {
    if let Some(text) = &profile.run.report_interval {
        let interval = parse_duration(text.get_ref()).map_err(LoadError::Settings)?;
        return Ok(interval.max(Duration::from_millis(100)));
    }
    let burst = profile
        .scenarios
        .iter()
        .all(|scenario| scenario.tasks.is_some());
    if burst || plan.total < Duration::from_secs(30) {
        return Ok(Duration::from_millis(100));
    }
    let adaptive = plan.total / 200;
    Ok(adaptive.clamp(Duration::from_secs(1), Duration::from_secs(10)))
}

/// Checks that the target answers Okta's credential probe (`GET /Users?startIndex=1&count=2`)
/// before any load is sent.
async fn preflight(target: &LoadTarget, timeout: Duration) -> Result<Driver, LoadError> {
    let mut driver_target = Target::new(&target.base_url, target.authorization.clone());
    driver_target.headers = target.headers.clone();
    driver_target.oauth = target.oauth.clone();
    driver_target.timeout = timeout;
    driver_target.max_response_bytes = target.max_response_bytes;
    driver_target.ca_pem = target.ca_pem.clone();
    driver_target.insecure = target.insecure;
    let driver =
        Driver::new(driver_target).map_err(|err| LoadError::CouldNotRun(err.to_string()))?;
    // A server that fails now and then (5xx, 429) gets three chances before we give up.
    let mut status = 0;
    for attempt in 0..3 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let call = driver
            .send(&RequestSpec::get("/Users?startIndex=1&count=2"))
            .await
            .map_err(|err| LoadError::CouldNotRun(err.to_string()))?;
        if let Some(oversized) = call.response.oversized {
            return Err(LoadError::CouldNotRun(format!(
                "GET /Users?startIndex=1&count=2: {}",
                oversized.describe()
            )));
        }
        status = call.response.status;
        if status < 500 && status != 429 {
            break;
        }
    }
    match status {
        200..=299 => Ok(driver),
        429 => Err(LoadError::CouldNotRun(
            "throttled: the target answered 429 Too Many Requests to GET /Users?startIndex=1&count=2 \
             three times before any load was sent; try again later"
                .into(),
        )),
        401 | 403 => Err(LoadError::CouldNotRun(format!(
            "the target refused our credentials ({status}) on GET /Users: check --auth, or with \
             OAuth the client's --oauth-scope and rights (a fresh token was refused too)"
        ))),
        status => Err(LoadError::CouldNotRun(format!(
            "the target answered {status} to GET /Users?startIndex=1&count=2; is --target the SCIM base URL?"
        ))),
    }
}

/// Creates the group OIN group-push workers add members to concurrently, when the profile has
/// such a scenario. `None` when it has not, or the server refused (the pushes then show errors).
async fn create_shared_group(
    driver: &Driver,
    settings: &LoadSettings,
    tag: &str,
) -> Option<String> {
    let pushes_groups = settings.profile.scenarios.iter().any(|scenario| {
        scenario.kind == ScenarioKind::GroupPush && scenario.mode == IntegrationMode::Oin
    });
    if !pushes_groups {
        return None;
    }
    let name = NamePartition::shared_group_name(tag, settings.worker_index);
    let request = RequestSpec::with_json(Method::Post, "/Groups", create_group_body(&name));
    for _ in 0..3 {
        match driver.send(&request).await {
            Ok(call) if call.response.status == 201 => {
                let body = call.response.json()?;
                return body.get("id")?.as_str().map(str::to_string);
            }
            Ok(call) if call.response.status < 500 && call.response.status != 429 => return None,
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    None
}

/// Rewrites one stderr line every second: elapsed, req/s, errors, 429s, p99 so far.
async fn show_progress(context: Arc<RunContext>, done: Arc<AtomicBool>, total: Duration) {
    let mut last_requests = 0u64;
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    ticker.tick().await;
    while !done.load(Ordering::Relaxed) {
        ticker.tick().await;
        let progress = context.collector.progress();
        let rate = progress.requests.saturating_sub(last_requests);
        last_requests = progress.requests;
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\r{:>5.0}s / {:.0}s  {rate:>6} req/s  {} requests  {} errors  {} throttled  p99 {:.1} ms   ",
            progress.elapsed.as_secs_f64(),
            total.as_secs_f64(),
            progress.requests,
            progress.errors,
            progress.throttled,
            progress.p99_ms,
        );
        let _ = stderr.flush();
    }
    let _ = writeln!(std::io::stderr());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_never_carry_credentials_from_the_target_url() {
        assert_eq!(
            without_userinfo("https://admin:s3cret@scim.example.com/scim/v2"),
            "https://scim.example.com/scim/v2"
        );
        assert_eq!(
            without_userinfo("http://127.0.0.1:8080/scim/v2"),
            "http://127.0.0.1:8080/scim/v2"
        );
        assert_eq!(
            without_userinfo("http://h/scim/v2/Users?x=a@b"),
            "http://h/scim/v2/Users?x=a@b"
        );
    }

    #[test]
    fn the_run_tag_is_eight_lowercase_hex_digits() {
        let tag = run_tag(0xDEAD_BEEF_0000_0001);
        assert_eq!(tag.len(), 8);
        assert!(tag
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }
}
