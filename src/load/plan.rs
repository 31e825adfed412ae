//! Compiles a profile into goose's own objects: the `--test-plan` string (ramp stages, scaled by
//! `--users` and `--duration`), one goose `Scenario` per profile scenario with its weight, and a
//! `GooseAttack` embedded with `initialize_with_config` and one shared HTTP client ours, not
//! goose's: [`load_client`], set on every goose user when it starts.

use std::sync::Arc;
use std::time::Duration;

use goose::client::GooseClientBuilder;
use goose::config::GooseConfiguration;
use goose::prelude::*;

use super::context::{put_session, take_session, RunContext};
use super::exchange::idle;
use super::interrupt::KILLSWITCH_REASON;
use super::okta_shapes::OKTA_USER_AGENT;
use super::profile::{parse_duration, Profile, ScenarioSpec};
use super::tasks::run_task;

/// How long an idle worker (its task budget spent) waits before goose runs it again.
const IDLE_POLL: Duration = Duration::from_millis(200);

/// The goose test plan a profile compiles to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledPlan {
    /// `users,seconds;users,seconds;…`, as goose's `--test-plan` takes it.
    pub test_plan: String,
    /// The whole plan's length.
    pub total: Duration,
    /// The most users any stage asks for.
    pub peak_users: usize,
}

/// The most concurrent users one process runs: goose keeps every user (its state, its task) in
/// memory from the start, and a million of them took 5.8 GB before the first request.
pub const MAX_USERS: usize = 10_000;

/// Compiles the profile's stages. `users` rescales every stage so the peak is `users`; `duration`
/// rescales every stage's time so the plan lasts `duration`.
pub fn compile_plan(
    profile: &Profile,
    users: Option<usize>,
    duration: Option<Duration>,
) -> Result<CompiledPlan, String> {
    let run = &profile.run;
    let profile_total = parse_duration(run.duration.get_ref())?;
    let mut stages: Vec<(usize, Duration)> = if run.stages.is_empty() {
        vec![(run.users, Duration::ZERO), (run.users, profile_total)]
    } else {
        run.stages
            .iter()
            .map(|stage| Ok((stage.users, parse_duration(stage.over.get_ref())?)))
            .collect::<Result<_, String>>()?
    };
    let peak = stages
        .iter()
        .map(|(users, _)| *users)
        .max()
        .unwrap_or(0)
        .max(1);
    let too_many = |what: String| {
        format!(
            "{what}: at most {MAX_USERS} concurrent users per process (goose holds each in \
             memory); split a bigger load over several processes with --workers/--worker-index"
        )
    };
    if users.is_none() && peak > MAX_USERS {
        return Err(too_many(format!("the profile asks for {peak} users")));
    }
    if let Some(users) = users {
        if users == 0 {
            return Err("--users must be at least 1".into());
        }
        if users > MAX_USERS {
            return Err(too_many(format!("--users {users}")));
        }
        for stage in &mut stages {
            stage.0 = if stage.0 == 0 {
                0
            } else {
                (stage.0 * users).div_ceil(peak).max(1)
            };
        }
    }
    let stage_total: Duration = stages.iter().map(|(_, over)| *over).sum();
    let target_total = duration.unwrap_or(stage_total);
    if target_total < Duration::from_secs(1) {
        return Err("a load run must last at least 1s (--duration or the profile's stages)".into());
    }
    if stage_total.is_zero() {
        return Err("the profile's stages add up to no time at all".into());
    }
    let scale = target_total.as_secs_f64() / stage_total.as_secs_f64();
    let mut plan = Vec::new();
    let mut total_seconds = 0u64;
    for (users, over) in &stages {
        let seconds = (over.as_secs_f64() * scale).round() as u64;
        total_seconds += seconds;
        plan.push(format!("{users},{seconds}"));
    }
    // End with "stop at once", unless the last stage already ramps down to 0 (goose then waits
    // forever for users to stop that are already gone).
    if stages.last().is_some_and(|(users, _)| *users != 0) {
        plan.push("0,0".into());
    }
    Ok(CompiledPlan {
        test_plan: plan.join(";"),
        total: Duration::from_secs(total_seconds.max(1)),
        peak_users: stages.iter().map(|(users, _)| *users).max().unwrap_or(0),
    })
}

/// Redirects followed at most this many times, and only within the target's origin.
const MAX_REDIRECTS: usize = 10;

/// The client every goose user sends with: the request timeout, Okta's User-Agent, no gzip,
/// `--cacert`/`--insecure`, and redirects followed only within the target's origin (scheme,
/// host and port). A redirect to another origin is not followed but is the answer, so the
/// credentials and custom headers never go there.
pub fn load_client(
    timeout: Duration,
    ca_pem: Option<&[u8]>,
    insecure: bool,
) -> Result<reqwest::Client, String> {
    let redirects = reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if same_origin && attempt.previous().len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(OKTA_USER_AGENT)
        .gzip(false)
        .redirect(redirects);
    if let Some(pem) = ca_pem {
        let certs =
            reqwest::Certificate::from_pem_bundle(pem).map_err(|err| format!("--cacert: {err}"))?;
        builder = builder.tls_certs_only(certs);
    }
    if insecure {
        builder = builder.tls_danger_accept_invalid_certs(true);
    }
    builder
        .build()
        .map_err(|err| format!("could not build the HTTP client: {err}"))
}

/// Builds the goose attack: embedded configuration (no argv, no telnet/websocket, no goose
/// metrics), the test plan, `client` for every user, and one scenario per profile scenario.
pub fn build_attack(
    host: &str,
    plan: &CompiledPlan,
    scenarios: &[ScenarioSpec],
    context: Arc<RunContext>,
    client: reqwest::Client,
) -> Result<GooseAttack, GooseError> {
    let mut configuration = GooseConfiguration::default();
    configuration.host = Some(host.to_string());
    // Our own recorder measures every operation; goose's metrics would only cost CPU and
    // memory (a per-request message to its aggregator), so they are off.
    configuration.no_metrics = true;
    configuration.no_print_metrics = true;
    configuration.no_error_summary = true;
    configuration.no_telnet = true;
    configuration.quiet = 1;
    // goose's own shared client is built but replaced by ours when each user starts.
    let goose_client = GooseClientBuilder::new()
        .without_cookies()
        .user_agent(OKTA_USER_AGENT)
        .gzip(false);
    let mut attack = *GooseAttack::initialize_with_config(configuration)?
        .set_client_builder_without_cookies(goose_client)?
        .set_default(GooseDefault::TestPlan, plan.test_plan.as_str())?;
    for (index, spec) in scenarios.iter().enumerate() {
        let scenario = goose_scenario(index, spec, context.clone())?;
        attack = attack.register_scenario(with_client(scenario, client.clone()));
    }
    Ok(attack)
}

/// `scenario` with an on-start transaction that gives each user `client`.
fn with_client(scenario: Scenario, client: reqwest::Client) -> Scenario {
    let start: TransactionFunction = Arc::new(move |user| {
        user.client = client.clone();
        Box::pin(async { Ok(()) })
    });
    scenario.register_transaction(Transaction::new(start).set_name("client").set_on_start())
}

/// One goose scenario: a transaction running one task of `spec` per call, and an on-stop
/// transaction merging the worker's numbers and ledger into the collector.
fn goose_scenario(
    index: usize,
    spec: &ScenarioSpec,
    context: Arc<RunContext>,
) -> Result<Scenario, GooseError> {
    let task_spec = Arc::new(spec.clone());
    let task_context = context.clone();
    let task: TransactionFunction = Arc::new(move |user| {
        let context = task_context.clone();
        let spec = task_spec.clone();
        Box::pin(async move {
            let mut session = take_session(user, &context);
            if context.interrupt.requested() {
                // goose clears its killswitch when an attack starts, so a Ctrl-C just before
                // that would be forgotten: every idle worker pulls it again.
                goose::trigger_killswitch(KILLSWITCH_REASON);
            }
            if context.remaining().is_zero() || !context.claim_task(index) {
                if context.all_tasks_finished() {
                    // A bounded burst is done: end the run now rather than idling to its end.
                    // (goose's killswitch is process-wide; goose resets it when a run starts.)
                    goose::trigger_killswitch("every task of the profile is done");
                }
                session.flush(&context.collector);
                put_session(user, session);
                idle(&context, IDLE_POLL).await;
                return Ok(());
            }
            run_task(user, &context, &mut session, &spec).await;
            context.task_done();
            // The ledger goes to its journal after every task, so no worker holds more than one
            // task's worth of it.
            context.collector.absorb_ledger(&mut session.ledger);
            put_session(user, session);
            Ok(())
        })
    });
    let stop_context = context;
    let stop: TransactionFunction = Arc::new(move |user| {
        let context = stop_context.clone();
        Box::pin(async move {
            let mut session = take_session(user, &context);
            session.flush(&context.collector);
            put_session(user, session);
            Ok(())
        })
    });
    Ok(Scenario::new(&spec.name)
        .set_weight(spec.weight)?
        .register_transaction(Transaction::new(task).set_name(&spec.name))
        .register_transaction(Transaction::new(stop).set_name("flush").set_on_stop()))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn profile(run: &str) -> Profile {
        let text = format!(
            "version = 1\nname = \"t\"\ndescription = \"d\"\n{run}\n[[scenario]]\nname = \"s\"\nkind = \"onboarding\"\n"
        );
        Profile::parse(&text, Path::new("t.toml")).unwrap()
    }

    #[test]
    fn more_users_than_one_process_can_hold_are_refused_with_the_limit() {
        let err = compile_plan(
            &profile("[run]\nusers = 20\nduration = \"30s\""),
            Some(100_000_000),
            None,
        )
        .unwrap_err();
        assert!(err.starts_with("--users 100000000: at most 10000"), "{err}");
        let err = compile_plan(
            &profile("[run]\nusers = 20000\nduration = \"30s\""),
            None,
            None,
        )
        .unwrap_err();
        assert!(err.contains("the profile asks for 20000 users"), "{err}");
        assert!(compile_plan(
            &profile("[run]\nusers = 20000\nduration = \"30s\""),
            Some(MAX_USERS),
            None,
        )
        .is_ok());
    }

    #[test]
    fn without_stages_all_users_start_at_once_and_hold() {
        let plan = compile_plan(
            &profile("[run]\nusers = 20\nduration = \"30s\""),
            None,
            None,
        )
        .unwrap();
        assert_eq!(plan.test_plan, "20,0;20,30;0,0");
        assert_eq!((plan.total, plan.peak_users), (Duration::from_secs(30), 20));
    }

    #[test]
    fn users_and_duration_flags_rescale_the_stages() {
        let run = "[run]\nusers = 10\nduration = \"1m\"\nstages = [{users = 10, over = \"10s\"}, {users = 10, over = \"30s\"}]";
        let plan = compile_plan(&profile(run), Some(4), Some(Duration::from_secs(8))).unwrap();
        assert_eq!(plan.test_plan, "4,2;4,6;0,0");
        assert_eq!(plan.peak_users, 4);
    }

    #[test]
    fn a_plan_that_ramps_down_to_zero_gets_no_extra_stop_step_which_would_hang_goose() {
        let run = "[run]\nusers = 4\nduration = \"6s\"\nstages = [{users = 4, over = \"1s\"}, {users = 0, over = \"2s\"}]";
        let plan = compile_plan(&profile(run), None, None).unwrap();
        assert_eq!(plan.test_plan, "4,1;0,2");
    }

    #[test]
    fn a_run_shorter_than_a_second_is_refused() {
        let err = compile_plan(
            &profile("[run]\nusers = 1\nduration = \"1s\""),
            None,
            Some(Duration::from_millis(10)),
        );
        assert!(err.unwrap_err().contains("at least 1s"));
    }
}
