//! `scimfuzz load` and `scimfuzz report merge`, run as the built binary against the embedded server:
//! the three report kinds and the schema, SLO breaches, workers merged exactly, and Ctrl-C (a
//! partial report marked interrupted, exit 130; a second Ctrl-C exits at once: load_interrupt.rs).
//! The integrity check's tests are in load_integrity.rs.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use crate::bin;

use scimfuzz::load::report::hlog::read_hlog;
use scimfuzz::server::{spawn_on_thread, ServerConfig};
use serde_json::Value;

pub(crate) fn smoke_profile() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("load-profiles/smoke.toml")
        .display()
        .to_string()
}

pub(crate) fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scimfuzz-it-load-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Writes `dir/name.toml`, a load profile named `name` with the given tables (`[run]`, scenarios),
/// creating `dir`; the path, for `--profile`.
pub(crate) fn write_profile(dir: &Path, name: &str, tables: &str) -> String {
    std::fs::create_dir_all(dir).expect("the profile's folder");
    let path = dir.join(format!("{name}.toml"));
    let text = format!(
        "version = 1\nname = \"{name}\"\ndescription = \"d\"\nassumptions = [\"test\"]\n{tables}"
    );
    std::fs::write(&path, text).expect("the profile is written");
    path.display().to_string()
}

/// The entry of `operation` (e.g. `get`, `create`) in a report's `operations`.
pub(crate) fn operation<'a>(report: &'a Value, operation: &str) -> &'a Value {
    report["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .find(|op| op["operation"] == operation)
        .unwrap_or_else(|| panic!("no {operation} ran: {report}"))
}

pub(crate) fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("file exists")).expect("valid JSON")
}

pub(crate) fn assert_matches_schema(report: &Value) {
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
    let (code, stdout, stderr) = bin::run_split(&[
        "load",
        "--profile",
        &smoke_profile(),
        "--duration",
        "3s",
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
    assert!(
        stdout.starts_with("profile smoke against ") && !stdout.contains("users launched"),
        "goose's launch line is kept off stdout:\n{stdout}"
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_eq!(
        html.matches("<svg").count(),
        3 + names.len(),
        "throughput, one latency-over-time chart per operation, percentiles, status codes"
    );
    for series in [
        "requests",
        "errors",
        "create p50",
        "create p95",
        "create p99",
        "lookup",
    ] {
        assert!(
            html.contains(&format!("data-series=\"{series}\"")),
            "no {series} series"
        );
    }
    assert_eq!(
        report["run"]["interval_s"], 0.1,
        "100 ms intervals for a short run"
    );
    let bars = html
        .split("<g data-series=\"requests\">")
        .nth(1)
        .and_then(|rest| rest.split("</g>").next())
        .unwrap();
    assert!(
        bars.matches("<rect").count() >= 15,
        "a bar per 100 ms: {bars}"
    );
    let raced = report["operations"][1]["status_codes"]["409"].as_u64();
    assert!(raced.is_some_and(|n| n > 0), "smoke races duplicates");
    assert_eq!(
        report["operations"][1]["failed_status_codes"],
        serde_json::json!({})
    );
    assert!(
        html.contains(&format!("409: {}</text>", raced.unwrap())),
        "expected 409s are labelled without errors"
    );
    assert!(
        !html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_breached_slo_exits_4_naming_the_slo_and_the_measured_value() {
    let (code, stdout, _) = bin::run_split(&[
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
    let (code, _, stderr) = bin::run_split(&["load", "--profile", &path.display().to_string()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!("typo.toml:{line}:")) && stderr.contains("concurency"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreachable_target_exits_3_before_sending_load() {
    let (code, _, stderr) = bin::run_split(&[
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
    bin::command(&[
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
    let (code, stdout, stderr) = bin::run_split(&arg_refs);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let wording = "merged from 3 workers (worker 0 seed 3, worker 1 seed 3, worker 2 seed 3)";
    assert!(stdout.contains(wording), "{stdout}");
    let html = std::fs::read_to_string(merged.join("report.html")).unwrap();
    assert!(html.contains(wording) && !html.contains("worker 0 of 3"));
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
    let (code, _, stderr) = bin::run_split(&["report", "merge", &first, &first, "--out", &out]);
    assert_eq!(code, 2, "the same worker twice is refused: {stderr}");
    std::fs::remove_file(dirs[1].join("create.hlog")).unwrap();
    let (code, _, stderr) = bin::run_split(&["report", "merge", &first, &second, "--out", &out]);
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
    let profile = write_profile(
        &dir,
        "paced",
        "[run]\nusers = 2\nduration = \"4s\"\npace = \"100ms\"\n\
         [[scenario]]\nname = \"get\"\nkind = \"get-user\"\npool_per_worker = 1\n",
    );
    let report_dir = dir.join("report");
    let (code, stdout, _) = bin::run_split(&[
        "load",
        "--profile",
        &profile,
        "--fault",
        "slow-responses",
        "--no-integrity",
        "--report",
        &report_dir.display().to_string(),
    ]);
    assert_eq!(code, 0, "{stdout}");
    let report = read_json(&report_dir.join("report.json"));
    let get = operation(&report, "get");
    let latency_p99 = get["latency_ms"]["p99"].as_f64().unwrap();
    let service_p99 = get["service_ms"]["p99"].as_f64().unwrap();
    assert!(
        (1000.0..3000.0).contains(&service_p99),
        "each answer takes about 1 s: {service_p99}"
    );
    assert!(latency_p99 > 1.5 * service_p99, "a worker meant to send every 100 ms falls behind: latency p99 {latency_p99} vs service p99 {service_p99}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bounded_burst_ends_when_its_last_assignment_is_done_and_reports_the_time_to_provision_all() {
    let dir = fresh_dir("burst");
    let profile = write_profile(
        &dir,
        "burst",
        "[run]\nusers = 8\nduration = \"60s\"\n\
         [[scenario]]\nname = \"assign\"\nkind = \"onboarding\"\ntasks = 120\n",
    );
    let report_dir = dir.join("report");
    let started = std::time::Instant::now();
    let (code, stdout, _) = bin::run_split(&[
        "load",
        "--profile",
        &profile,
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
    let creates = operation(&report, "create");
    assert_eq!(creates["status_codes"], serde_json::json!({"201": 120}));
    assert_eq!(report["integrity"]["users_checked"], 120);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_profile_that_ramps_down_to_zero_finishes_on_time() {
    let dir = fresh_dir("rampdown");
    let profile = write_profile(
        &dir,
        "ramp",
        "[run]\nusers = 3\nduration = \"3s\"\npace = \"100ms\"\n\
         stages = [{ users = 3, over = \"1s\" }, { users = 0, over = \"2s\" }]\n\
         [[scenario]]\nname = \"assign\"\nkind = \"onboarding\"\n",
    );
    let mut child = bin::command(&["load", "--profile", &profile])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = bin::wait_bounded(&mut child, std::time::Duration::from_secs(30));
    assert_eq!(
        status.and_then(|status| status.code()),
        Some(0),
        "a 3 s ramp-down run must end (goose hung on a trailing 0,0 step)"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
