//! `scimfuzz load` and `scimfuzz report merge`, run as the built binary against the embedded server:
//! the three report kinds and the schema, SLO breaches, the integrity check against the server's
//! lost-write and duplicate-race faults, and workers merged exactly.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use scimfuzz::load::report::hlog::read_hlog;
use scimfuzz::server::{spawn_on_thread, ServerConfig};
use serde_json::Value;

fn smoke_profile() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("load-profiles/smoke.toml")
        .display()
        .to_string()
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scimfuzz-it-load-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn scimfuzz(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scimfuzz"));
    command
        .args(args)
        .env_remove("SCIM_AUTH")
        .env_remove("JOB_COMPLETION_INDEX");
    command
}

fn run(args: &[&str]) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = scimfuzz(args).output().expect("the binary runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("file exists")).expect("valid JSON")
}

fn assert_matches_schema(report: &Value) {
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("load-profiles/report.schema.json");
    let validator =
        jsonschema::validator_for(&read_json(&schema_path)).expect("the schema is valid");
    let problems: Vec<String> = validator
        .iter_errors(report)
        .map(|err| format!("{} at {}", err, err.instance_path()))
        .collect();
    assert!(
        problems.is_empty(),
        "report.json breaks its schema: {problems:#?}"
    );
}

#[test]
fn the_smoke_profile_writes_json_hlogs_and_self_contained_html_and_the_json_matches_its_schema() {
    let dir = fresh_dir("smoke");
    let dir_text = dir.display().to_string();
    let (code, stdout, stderr) = run(&[
        "load",
        "--profile",
        &smoke_profile(),
        "--duration",
        "2s",
        "--report",
        &dir_text,
        "--seed",
        "11",
    ]);
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    let report = read_json(&dir.join("report.json"));
    assert_matches_schema(&report);
    assert_eq!(report["integrity"]["findings"], serde_json::json!([]));
    for operation in report["operations"].as_array().unwrap() {
        let name = operation["operation"].as_str().unwrap();
        let log = read_hlog(&dir.join(format!("{name}.hlog")))
            .expect("a readable interval log per operation");
        let logged: u64 = log
            .intervals
            .iter()
            .filter(|i| i.tag.as_deref() == Some("latency"))
            .map(|i| i.histogram.len())
            .sum();
        assert_eq!(
            logged,
            operation["requests"].as_u64().unwrap(),
            "{name}.hlog disagrees with report.json"
        );
    }
    let names: Vec<&str> = report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| op["operation"].as_str().unwrap())
        .collect();
    for expected in [
        "lookup",
        "create",
        "get",
        "put",
        "patch",
        "list-page",
        "group-create",
        "group-patch",
    ] {
        assert!(
            names.contains(&expected),
            "smoke ran no {expected}: {names:?}"
        );
    }
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_eq!(
        html.matches("<svg").count(),
        3,
        "percentile, timeline and status charts"
    );
    assert!(
        !html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_breached_slo_exits_4_naming_the_slo_and_the_measured_value() {
    let (code, stdout, _) = run(&[
        "load",
        "--profile",
        &smoke_profile(),
        "--duration",
        "1s",
        "--no-integrity",
        "--slo",
        "create.p99_ms<0.001",
        "--slo",
        "errors.rate<0.5",
    ]);
    assert_eq!(code, 4, "{stdout}");
    assert!(
        stdout.contains("SLO BREACHED: create.p99_ms<0.001 breached: measured"),
        "{stdout}"
    );
    assert!(stdout.contains("SLO held: errors.rate<0.5"), "{stdout}");
}

#[test]
fn the_integrity_check_reports_creates_answered_201_but_never_stored_and_exits_1() {
    let (code, stdout, _) = run(&[
        "load",
        "--profile",
        &smoke_profile(),
        "--duration",
        "1s",
        "--fault",
        "lost-write",
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("load.lost-user"), "{stdout}");
    assert!(stdout.contains("answered 201"), "{stdout}");
}

#[test]
fn the_integrity_check_reports_a_username_created_twice_by_racing_creates_and_exits_1() {
    let (code, stdout, _) = run(&[
        "load",
        "--profile",
        &smoke_profile(),
        "--duration",
        "2s",
        "--fault",
        "duplicate-race",
        "--seed",
        "5",
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("load.duplicate-username"), "{stdout}");
}

#[test]
fn a_profile_with_an_unknown_key_exits_2_naming_file_line_and_key() {
    let dir = fresh_dir("badprofile");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("typo.toml");
    let text = std::fs::read_to_string(smoke_profile())
        .unwrap()
        .replace("[run]\n", "[run]\nconcurency = 8\n");
    std::fs::write(&path, &text).unwrap();
    let line = text
        .lines()
        .position(|line| line.starts_with("concurency"))
        .unwrap()
        + 1;
    let (code, _, stderr) = run(&["load", "--profile", &path.display().to_string()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!("typo.toml:{line}:")) && stderr.contains("concurency"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreachable_target_exits_3_before_sending_load() {
    let (code, _, stderr) = run(&[
        "load",
        "--profile",
        &smoke_profile(),
        "--target",
        "http://127.0.0.1:9/scim/v2",
        "--auth",
        "Bearer x",
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("could not connect"), "{stderr}");
}

fn spawn_worker(base_url: &str, auth: &str, index: u32, workers: u32, dir: &Path) -> Child {
    scimfuzz(&[
        "load",
        "--profile",
        &smoke_profile(),
        "--target",
        base_url,
        "--duration",
        "2s",
        "--seed",
        "3",
    ])
    .args([
        "--worker-index",
        &index.to_string(),
        "--workers",
        &workers.to_string(),
    ])
    .args(["--report", &dir.display().to_string()])
    .env("SCIM_AUTH", auth)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("a worker starts")
}

#[test]
fn three_worker_processes_share_a_server_without_collisions_and_merge_exactly() {
    let server = spawn_on_thread(ServerConfig::default()).expect("server starts");
    let dirs: Vec<PathBuf> = (0..3)
        .map(|index| fresh_dir(&format!("worker{index}")))
        .collect();
    let children: Vec<Child> = dirs
        .iter()
        .enumerate()
        .map(|(index, dir)| {
            spawn_worker(
                server.base_url(),
                &server.authorization(),
                index as u32,
                3,
                dir,
            )
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "worker: {}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
    let merged = fresh_dir("merged");
    let mut args: Vec<String> = vec!["report".into(), "merge".into()];
    args.extend(dirs.iter().map(|dir| dir.display().to_string()));
    args.extend(["--out".into(), merged.display().to_string()]);
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = run(&arg_refs);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let merged_report = read_json(&merged.join("report.json"));
    assert_matches_schema(&merged_report);
    let workers: Vec<Value> = dirs
        .iter()
        .map(|dir| read_json(&dir.join("report.json")))
        .collect();
    let sum = |pointer: &str| {
        workers
            .iter()
            .map(|w| w.pointer(pointer).and_then(Value::as_u64).unwrap_or(0))
            .sum::<u64>()
    };
    assert_eq!(
        merged_report["total"]["requests"].as_u64(),
        Some(sum("/total/requests"))
    );
    assert_eq!(merged_report["run"]["workers"], 3);
    let merged_creates = read_hlog(&merged.join("create.hlog")).unwrap();
    let logged: u64 = merged_creates
        .intervals
        .iter()
        .filter(|i| i.tag.as_deref() == Some("latency"))
        .map(|i| i.histogram.len())
        .sum();
    let sent: u64 = workers
        .iter()
        .map(|w| {
            w["operations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|op| op["operation"] == "create")
                .map_or(0, |op| op["requests"].as_u64().unwrap())
        })
        .sum();
    assert_eq!(
        logged, sent,
        "the merged create.hlog holds every worker's creates"
    );
    let max_of_workers = workers
        .iter()
        .map(|w| w["total"]["latency_ms"]["max"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert_eq!(
        merged_report["total"]["latency_ms"]["max"].as_f64(),
        Some(max_of_workers)
    );
    assert_eq!(
        merged_report["integrity"]["findings"],
        serde_json::json!([]),
        "disjoint userName partitions never collide"
    );
    let twice = fresh_dir("merged-twice");
    let (first, second) = (dirs[0].display().to_string(), dirs[1].display().to_string());
    let out = twice.display().to_string();
    let (code, _, stderr) = run(&["report", "merge", &first, &first, "--out", &out]);
    assert_eq!(code, 2, "the same worker twice is refused: {stderr}");
    std::fs::remove_file(dirs[1].join("create.hlog")).unwrap();
    let (code, _, stderr) = run(&["report", "merge", &first, &second, "--out", &out]);
    assert_eq!(
        code, 2,
        "a directory whose .hlog files disagree with report.json is refused: {stderr}"
    );
    assert!(stderr.contains("create.hlog holds 0"), "{stderr}");
    for dir in dirs.iter().chain(std::iter::once(&merged)) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn latency_counts_from_the_intended_start_so_a_slow_server_cannot_hide_behind_a_closed_loop() {
    let dir = fresh_dir("paced");
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("paced.toml");
    let text = "version = 1\nname = \"paced\"\ndescription = \"d\"\nassumptions = [\"test\"]\n\
                [run]\nusers = 2\nduration = \"4s\"\npace = \"100ms\"\n\
                [[scenario]]\nname = \"get\"\nkind = \"get-user\"\npool_per_worker = 1\n";
    std::fs::write(&profile, text).unwrap();
    let report_dir = dir.join("report");
    let (code, stdout, _) = run(&[
        "load",
        "--profile",
        &profile.display().to_string(),
        "--fault",
        "slow-responses",
        "--no-integrity",
        "--report",
        &report_dir.display().to_string(),
    ]);
    assert_eq!(code, 0, "{stdout}");
    let report = read_json(&report_dir.join("report.json"));
    let get = report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|op| op["operation"] == "get")
        .expect("GETs ran");
    let latency_p99 = get["latency_ms"]["p99"].as_f64().unwrap();
    let service_p99 = get["service_ms"]["p99"].as_f64().unwrap();
    assert!(
        (1000.0..1500.0).contains(&service_p99),
        "each answer takes about 1 s: {service_p99}"
    );
    assert!(latency_p99 > 1.5 * service_p99, "a worker meant to send every 100 ms falls behind: latency p99 {latency_p99} vs service p99 {service_p99}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A stand-in SCIM server answering 429 to `GET /Users/{id}` on every `every`-th call.
fn throttling_server(every: u64, retry_after: Option<&'static str>) -> String {
    use axum::extract::Path as UrlPath;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    use axum::routing::get;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    let calls = Arc::new(AtomicU64::new(0));
    let list = || async {
        axum::Json(
            serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []}),
        )
    };
    let create = || async {
        (
            StatusCode::CREATED,
            axum::Json(serde_json::json!({"id": "u1", "userName": "x", "active": true})),
        )
    };
    let read = move |UrlPath(id): UrlPath<String>| {
        let calls = calls.clone();
        async move {
            if calls.fetch_add(1, Ordering::Relaxed).is_multiple_of(every) {
                let mut response = (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response();
                if let Some(value) = retry_after {
                    response
                        .headers_mut()
                        .insert("retry-after", value.parse().unwrap());
                }
                return response;
            }
            axum::Json(serde_json::json!({"id": id, "userName": "x", "active": true}))
                .into_response()
        }
    };
    let app = axum::Router::new()
        .route("/scim/v2/Users", get(list).post(create))
        .route("/scim/v2/Users/{id}", get(read));
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            sender.send(listener.local_addr().unwrap()).unwrap();
            let _ = axum::serve(listener, app).await;
        });
    });
    format!("http://{}/scim/v2", receiver.recv().unwrap())
}

fn throttled_run(name: &str, base_url: &str, retry: &str) -> Value {
    let dir = fresh_dir(name);
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("p.toml");
    let text = format!(
        "version = 1\nname = \"t\"\ndescription = \"d\"\nassumptions = [\"test\"]\n[run]\nusers = 2\nduration = \"1s\"\n\
         {retry}\n[[scenario]]\nname = \"get\"\nkind = \"get-user\"\npool_per_worker = 1\n"
    );
    std::fs::write(&profile, text).unwrap();
    let report_dir = dir.join("report");
    let (code, stdout, stderr) = run(&[
        "load",
        "--profile",
        &profile.display().to_string(),
        "--target",
        base_url,
        "--auth",
        "Bearer t",
        "--no-integrity",
        "--report",
        &report_dir.display().to_string(),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report = read_json(&report_dir.join("report.json"));
    let _ = std::fs::remove_dir_all(&dir);
    report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|op| op["operation"] == "get")
        .expect("GETs ran")
        .clone()
}

#[test]
fn a_429_with_an_integer_retry_after_is_retried_and_counted_not_hidden() {
    // Retry-After: 0 means "now": even the last operation of the run is retried, not abandoned.
    let get = throttled_run(
        "throttle-ok",
        &throttling_server(2, Some("0")),
        "[retry]\nbackoff = \"10s\"\nmax_tries = 10",
    );
    let throttled = get["throttled"].as_u64().unwrap();
    assert!(throttled > 0 && get["errors"] == 0, "{get}");
    assert_eq!(
        get["status_codes"],
        serde_json::json!({"200": get["requests"]}),
        "every GET ends in 200"
    );
}

#[test]
fn a_429_without_retry_after_backs_off_doubling_and_gives_up_after_max_tries_as_an_error() {
    let get = throttled_run(
        "throttle-fail",
        &throttling_server(1, None),
        "[retry]\nbackoff = \"10ms\"\nmax_tries = 3",
    );
    let requests = get["requests"].as_u64().unwrap();
    assert!(requests > 0, "{get}");
    assert_eq!(
        get["errors"].as_u64(),
        Some(requests),
        "every GET is throttled to exhaustion: {get}"
    );
    let throttled = get["throttled"].as_u64().unwrap();
    // Three tries each; only the one operation per worker in flight at the end of the run may
    // give up sooner (no wait runs past the end).
    assert!(
        throttled <= 3 * requests && throttled + 2 * 2 >= 3 * requests,
        "three tries each: {get}"
    );
}

#[test]
fn a_bounded_burst_ends_when_its_last_assignment_is_done_and_reports_the_time_to_provision_all() {
    let dir = fresh_dir("burst");
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("burst.toml");
    let text = "version = 1\nname = \"burst\"\ndescription = \"d\"\nassumptions = [\"test\"]\n\
                [run]\nusers = 8\nduration = \"60s\"\n\
                [[scenario]]\nname = \"assign\"\nkind = \"onboarding\"\ntasks = 120\n";
    std::fs::write(&profile, text).unwrap();
    let report_dir = dir.join("report");
    let started = std::time::Instant::now();
    let (code, stdout, _) = run(&[
        "load",
        "--profile",
        &profile.display().to_string(),
        "--report",
        &report_dir.display().to_string(),
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "the 60 s bound was not waited out"
    );
    let report = read_json(&report_dir.join("report.json"));
    assert_eq!(report["run"]["tasks_completed"], 120);
    assert!(report["run"]["last_task_s"].as_f64().unwrap() > 0.0);
    let creates = report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|op| op["operation"] == "create")
        .unwrap();
    assert_eq!(creates["status_codes"], serde_json::json!({"201": 120}));
    assert_eq!(report["integrity"]["users_checked"], 120);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs one bounded task kind (`tasks` tasks by one worker) against the embedded server with a fault.
fn bounded_run_with_fault(name: &str, scenario: &str, fault: &str) -> (i32, String) {
    let dir = fresh_dir(name);
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("p.toml");
    let text = format!(
        "version = 1\nname = \"{name}\"\ndescription = \"d\"\nassumptions = [\"test\"]\n\
         [run]\nusers = 1\nduration = \"30s\"\n[[scenario]]\nname = \"s\"\n{scenario}\n"
    );
    std::fs::write(&profile, text).unwrap();
    let (code, stdout, stderr) = run(&[
        "load",
        "--profile",
        &profile.display().to_string(),
        "--fault",
        fault,
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    (code, format!("{stdout}{stderr}"))
}

#[test]
fn the_integrity_check_reports_deactivations_that_did_not_stick() {
    let scenario = "kind = \"deprovision\"\npool_per_worker = 2\ntasks = 2";
    let (code, output) = bounded_run_with_fault("deactivation-lost", scenario, "deactivation-lost");
    assert_eq!(code, 1, "{output}");
    assert_eq!(
        output.matches("load.deactivation-lost").count(),
        2,
        "{output}"
    );
}

#[test]
fn the_integrity_check_reports_deactivated_users_that_are_no_longer_readable() {
    let scenario = "kind = \"deprovision\"\nmode = \"aiw\"\npool_per_worker = 1\ntasks = 1";
    let (code, output) = bounded_run_with_fault("deactivated-404", scenario, "deactivated-404");
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("load.deactivated-unreadable"), "{output}");
}

#[test]
fn the_integrity_check_reports_a_pushed_group_whose_member_removals_were_ignored() {
    let scenario = "kind = \"group-push\"\npool_per_worker = 4\ntasks = 1";
    let (code, output) =
        bounded_run_with_fault("member-removal", scenario, "member-removal-ignored");
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("load.membership-mismatch"), "{output}");
}
