//! Ctrl-C (issue 10 item 3): a real SIGINT to the spawned binary mid-run. `fuzz`, `okta` and
//! `runscope` stop at the next request, delete what they created, write their report marked
//! interrupted (the suite that was running keeps its completed steps) and exit 130; a second
//! SIGINT exits at once. The server (every response delayed, so the signal lands mid-run) holds
//! no user or group afterwards.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Child;

use crate::bin::sigint;
use crate::load_cleanup::cleanup_line;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use scimfuzz::conformance::wire::Wire;
use scimfuzz::driver::{Driver, RequestSpec, Target};
use scimfuzz::server::{spawn_on_thread, Fault, RunningServer, ServerConfig};

/// The longest a run may take to stop and clean up after the signal.
const STOP_LIMIT: Duration = Duration::from_secs(90);

fn slow_server() -> RunningServer {
    spawn_on_thread(ServerConfig::with_faults([Fault::SlowResponses])).expect("the server starts")
}

fn spawn<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (Child, mpsc::Receiver<String>) {
    let mut child = crate::bin::spawn_piped(args);
    let (lines, received) = mpsc::channel();
    let streams: [Box<dyn std::io::Read + Send>; 2] = [
        Box::new(child.stdout.take().expect("stdout")),
        Box::new(child.stderr.take().expect("stderr")),
    ];
    for stream in streams {
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
    }
    (child, received)
}

/// Reads output lines until one contains `marker` (or the child ends); the lines read.
fn wait_for(received: &mpsc::Receiver<String>, marker: &str, limit: Duration) -> Vec<String> {
    let started = Instant::now();
    let mut seen = Vec::new();
    while started.elapsed() < limit {
        match received.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                let found = line.contains(marker);
                seen.push(line);
                if found {
                    return seen;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    panic!("no line with {marker:?} within {limit:?}: {seen:#?}");
}

/// Waits for the exit code (killing the child past `limit`) and collects the rest of the output.
fn finish(mut child: Child, received: &mpsc::Receiver<String>, limit: Duration) -> (i32, String) {
    let status = crate::bin::wait_bounded(&mut child, limit)
        .unwrap_or_else(|| panic!("scimfuzz still ran {limit:?} after Ctrl-C"));
    std::thread::sleep(Duration::from_millis(100));
    let output: Vec<String> = received.try_iter().collect();
    (status.code().unwrap_or(-1), output.join("\n"))
}

/// `(users, groups)` on the server.
pub(crate) fn resources_on(server: &RunningServer) -> (u64, u64) {
    let wire = Wire::new(Duration::from_secs(30)).expect("a runtime");
    let driver = Driver::new(Target::new(server.base_url(), Some(server.authorization())))
        .expect("a driver");
    let count = |path: &str| {
        let call = wire
            .send(&driver, &RequestSpec::get(path))
            .expect("the server answers");
        let body = call.response.json().expect("a JSON list");
        body["totalResults"].as_u64().expect("totalResults")
    };
    (count("/Users?count=1"), count("/Groups?count=1"))
}

fn report_path(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "scimfuzz-it-interrupt-{name}-{}.json",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

fn interrupted_in(report: &PathBuf) -> bool {
    let text = std::fs::read_to_string(report).expect("the report was written");
    let json: serde_json::Value = serde_json::from_str(&text).expect("the report is JSON");
    json["interrupted"] == serde_json::Value::Bool(true)
}

#[test]
fn fuzz_stops_cleans_up_and_writes_an_interrupted_report_on_ctrl_c() {
    let server = slow_server();
    let report = report_path("fuzz");
    let auth = server.authorization();
    let (child, received) = spawn(&[
        "fuzz",
        "--target",
        server.base_url(),
        "--auth",
        &auth,
        "--seed",
        "7",
        "--cases",
        "100000",
        "--exclusive",
        "--report-json",
        report.to_str().unwrap(),
    ]);
    wait_for(&received, "discovery:", Duration::from_secs(60));
    // A few ops into the first case: it has created something.
    std::thread::sleep(Duration::from_secs(4));
    sigint(&child);
    let (code, output) = finish(child, &received, STOP_LIMIT);
    assert_eq!(code, 130, "{output}");
    assert!(output.contains("INTERRUPTED (Ctrl-C)"), "{output}");
    assert!(interrupted_in(&report), "the JSON report says interrupted");
    assert_eq!(resources_on(&server), (0, 0), "the server is left as found");
    let _ = std::fs::remove_file(&report);
}

#[test]
fn okta_stops_cleans_up_and_writes_an_interrupted_report_on_ctrl_c() {
    let server = slow_server();
    let report = report_path("okta");
    let auth = server.authorization();
    let (child, received) = spawn(&[
        "okta",
        "--target",
        server.base_url(),
        "--auth",
        &auth,
        "--report-json",
        report.to_str().unwrap(),
    ]);
    // The probe, then SPEC's first requests (one of them creates a user).
    std::thread::sleep(Duration::from_secs(6));
    sigint(&child);
    let (code, output) = finish(child, &received, STOP_LIMIT);
    assert_eq!(code, 130, "{output}");
    assert!(output.contains("INTERRUPTED (Ctrl-C)"), "{output}");
    assert!(interrupted_in(&report), "the JSON report says interrupted");
    assert_eq!(resources_on(&server), (0, 0), "the server is left as found");
    let _ = std::fs::remove_file(&report);
}

/// Issue 10 item 3: the suite running when Ctrl-C lands keeps the steps it completed, marked
/// interrupted, in every report. The server delays each answer 400 ms after storing, so once
/// the test sees CRUD's user on the server, steps 3a and 3b are done (or about to be) and about
/// ten CRUD requests are still ahead: the signal lands inside the suite.
#[test]
fn okta_keeps_the_completed_steps_of_the_interrupted_suite_in_every_report() {
    let server = spawn_on_thread(ServerConfig {
        latency: Duration::from_millis(400),
        ..ServerConfig::default()
    })
    .expect("the server starts");
    let (json, junit, html) = (
        report_path("okta-suite"),
        report_path("okta-suite-junit"),
        report_path("okta-suite-html"),
    );
    let auth = server.authorization();
    let (child, received) = spawn(&[
        "okta",
        "--target",
        server.base_url(),
        "--auth",
        &auth,
        "--suites",
        "crud",
        "--mode",
        "oin",
        "--report-json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--report-html",
        html.to_str().unwrap(),
    ]);
    let started = Instant::now();
    while resources_on(&server).0 == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "CRUD created no user within 60 s"
        );
    }
    sigint(&child);
    let (code, output) = finish(child, &received, STOP_LIMIT);
    assert_eq!(code, 130, "{output}");
    assert_eq!(resources_on(&server), (0, 0), "the server is left as found");

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("the JSON report")).unwrap();
    assert_eq!(report["interrupted"], true);
    let suites = report["suites"].as_array().expect("suites");
    let names: Vec<&str> = suites.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["CRUD (OIN: PATCH)", "Cleanup"], "{report:#}");
    let crud = &suites[0];
    assert_eq!(crud["interrupted"], true, "{crud:#}");
    assert!(
        suites[1].get("interrupted").is_none(),
        "the cleanup ran whole"
    );
    let steps = crud["steps"].as_array().expect("steps");
    let ids: Vec<&str> = steps.iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(ids[..2], ["3a", "3b"], "{ids:?}");
    assert_eq!(ids.last(), Some(&"stop"), "{ids:?}");
    assert!(
        steps[..steps.len() - 1]
            .iter()
            .all(|s| s["verdict"] == "passed"),
        "the completed steps keep their verdicts: {crud:#}"
    );
    assert_eq!(steps.last().unwrap()["verdict"], "skipped");

    assert!(
        output.contains("CRUD (OIN: PATCH) (") && output.contains(", INTERRUPTED)"),
        "{output}"
    );
    assert!(output.contains("PASS    3b  CRUD 3 → create"), "{output}");
    assert!(
        output.contains("SKIP  stop  interrupted (Ctrl-C)"),
        "{output}"
    );
    assert!(
        output.contains("INTERRUPTED (Ctrl-C): partial run"),
        "{output}"
    );
    let junit_text = std::fs::read_to_string(&junit).expect("the JUnit report");
    assert!(
        junit_text.contains("3b CRUD 3 → create")
            && junit_text.contains("stop interrupted (Ctrl-C)"),
        "{junit_text}"
    );
    let html_text = std::fs::read_to_string(&html).expect("the HTML report");
    assert!(
        html_text.contains("CRUD (OIN: PATCH) <small>")
            && html_text.contains("<span class=\"bad\">interrupted</span></h2>"),
        "{html_text}"
    );
    for path in [json, junit, html] {
        let _ = std::fs::remove_file(path);
    }
}

#[test]
fn runscope_stops_deletes_what_the_export_created_and_exits_130_on_ctrl_c() {
    let server = slow_server();
    let report = report_path("runscope");
    let export = crate::runscope::data_file("provisioning.json");
    let base = format!("SCIMBaseURL={}", server.base_url());
    let auth = format!("auth={}", server.authorization());
    let (child, received) = spawn(&[
        "runscope",
        export.to_str().unwrap(),
        "--var",
        &base,
        "--var",
        &auth,
        "--report-json",
        report.to_str().unwrap(),
    ]);
    std::thread::sleep(Duration::from_secs(7));
    sigint(&child);
    let (code, output) = finish(child, &received, STOP_LIMIT);
    assert_eq!(code, 130, "{output}");
    assert!(output.contains("INTERRUPTED (Ctrl-C)"), "{output}");
    assert!(interrupted_in(&report), "the JSON report says interrupted");
    assert_eq!(resources_on(&server), (0, 0), "the server is left as found");
    let _ = std::fs::remove_file(&report);
}

#[test]
fn a_second_ctrl_c_exits_at_once() {
    let server = slow_server();
    let auth = server.authorization();
    let (child, received) = spawn(&[
        "fuzz",
        "--target",
        server.base_url(),
        "--auth",
        &auth,
        "--cases",
        "100000",
    ]);
    wait_for(&received, "discovery:", Duration::from_secs(60));
    sigint(&child);
    std::thread::sleep(Duration::from_millis(100));
    sigint(&child);
    let (code, output) = finish(child, &received, Duration::from_secs(3));
    assert_eq!(code, 130, "{output}");
    assert!(output.contains("interrupted twice"), "{output}");
}

/// `scimfuzz load --profile smoke --duration 2s` against `server`, with `extra` flags.
fn load_smoke(server: &RunningServer, extra: &[&str]) -> (i32, String) {
    let profile = crate::load::smoke_profile();
    let mut args = crate::bin::load_args(server, &profile, &["--duration", "2s", "--seed", "3"]);
    args.extend(extra.iter().map(|arg| arg.to_string()));
    crate::bin::run(&args)
}

#[test]
fn load_deletes_what_it_created_after_the_integrity_check_unless_keep_data() {
    let server = spawn_on_thread(ServerConfig::default()).expect("the server starts");
    let (code, output) = load_smoke(&server, &[]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("integrity:"), "{output}");
    let line = cleanup_line(&output);
    assert!(line.ends_with("nothing of the run left"), "{line}");
    assert!(!line.contains("deleted 0 users"), "{line}");
    assert_eq!(resources_on(&server), (0, 0), "the server is left as found");

    let (code, output) = load_smoke(&server, &["--keep-data"]);
    assert_eq!(code, 0, "{output}");
    assert!(!output.contains("cleanup:"), "{output}");
    let (users, _) = resources_on(&server);
    assert!(
        users >= 120,
        "--keep-data keeps the seeded users and more: {users}"
    );
}

#[test]
fn an_interrupted_load_deletes_what_it_created_and_exits_130() {
    let server = spawn_on_thread(ServerConfig::default()).expect("the server starts");
    let profile = crate::load::smoke_profile();
    let (child, received) = spawn(&crate::bin::load_args(
        &server,
        &profile,
        &["--duration", "10m"],
    ));
    // The attack has started once the server holds more users than the 120 smoke seeds.
    let started = Instant::now();
    while resources_on(&server).0 <= 120 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the load created no user within 60 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(1));
    sigint(&child);
    let (code, output) = finish(child, &received, STOP_LIMIT);
    assert_eq!(code, 130, "{output}");
    assert!(output.contains("cleanup: deleted "), "{output}");
    assert_eq!(resources_on(&server), (0, 0), "the server is left as found");
}
