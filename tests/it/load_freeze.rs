//! The freeze test (issue 13 item 6): a server that stops for one second in the middle of a paced
//! run. `load` measures latency from each request's intended start (coordinated omission
//! corrected), so the requests the workers meant to send during the stall count their wait: the
//! report's p99 shows the stall, while the raw service-time histogram (send to last byte), where
//! only the few requests in flight waited, does not. No absolute timing: the stall is 1 s and the
//! bounds are relative to it.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use super::load::{fresh_dir, operation, read_json, write_profile};
use crate::bin;

const STALL: Duration = Duration::from_secs(1);

/// `NAME='value'` as `scimfuzz serve` prints it → value.
fn env_value(line: &str, name: &str) -> Option<String> {
    let value = line.strip_prefix(name)?.strip_prefix("='")?;
    Some(value.strip_suffix('\'')?.to_string())
}

/// Kills the `serve` child when the test ends, however it ends.
struct Serve(std::process::Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_one_second_stall_shows_in_p99_from_the_intended_start_but_not_in_service_time() {
    let mut serve = Serve(
        bin::command(&["serve", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts"),
    );
    let mut lines = BufReader::new(serve.0.stdout.take().expect("stdout")).lines();
    let mut next = || lines.next().and_then(Result::ok).unwrap_or_default();
    let (first, second) = (next(), next());
    let base_url = env_value(&first, "SCIM_BASE_URL").expect("SCIM_BASE_URL line");
    let auth = env_value(&second, "SCIM_AUTH").expect("SCIM_AUTH line");

    let dir = fresh_dir("freeze");
    let profile = write_profile(
        &dir,
        "paced",
        "[run]\nusers = 2\nduration = \"10s\"\npace = \"20ms\"\n\
         [[scenario]]\nname = \"get\"\nkind = \"get-user\"\npool_per_worker = 1\n",
    );
    let report_dir = dir.join("report");
    let load = bin::command(&[
        "load",
        "--profile",
        &profile,
        "--target",
        &base_url,
        "--auth",
        &auth,
        "--no-integrity",
        "--report",
        &report_dir.display().to_string(),
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("load starts");
    // Mid-run: the server process stops dead for one second (a GC pause, a frozen VM).
    std::thread::sleep(Duration::from_secs(5));
    bin::signal(serve.0.id(), "-STOP");
    std::thread::sleep(STALL);
    bin::signal(serve.0.id(), "-CONT");
    let output = load.wait_with_output().expect("load ends");
    drop(serve);
    let shown = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{shown}");

    let report = read_json(&report_dir.join("report.json"));
    let get = operation(&report, "get");
    let latency_p99 = get["latency_ms"]["p99"].as_f64().unwrap();
    let service_p99 = get["service_ms"]["p99"].as_f64().unwrap();
    let stall_ms = STALL.as_secs_f64() * 1000.0;
    eprintln!("freeze: latency p99 {latency_p99} ms, service p99 {service_p99} ms");
    assert!(
        latency_p99 > stall_ms / 2.0,
        "the stall must show from the intended start: p99 {latency_p99} ms"
    );
    assert!(
        service_p99 < latency_p99 / 2.0,
        "raw service time must not show it: service p99 {service_p99} ms, latency p99 {latency_p99} ms"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
