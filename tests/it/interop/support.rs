//! What every interop test shares: finding the installed server, starting it on a free
//! 127.0.0.1 port behind a guard that kills it on drop (so a failing assertion leaves no orphan
//! process), plain HTTP requests to it that need no client library, and running `scimfuzz` as a
//! process with a time limit.
//!
//! Without the server the tests print a notice and pass, except under CI (`CI` set), where the
//! interop runs are mandatory and a missing server fails.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long one `scimfuzz` run may take before the test gives up on it.
const RUN_LIMIT: Duration = Duration::from_secs(120);
/// How many times a server that exits during startup (its port taken meanwhile) is started anew.
const START_ATTEMPTS: usize = 3;

/// The installed server named by `var` (or, when `on_path` is given, found on `PATH`); `None`
/// with a notice when absent outside CI. `install` is the `.ci/` script that provides it.
pub fn installed(var: &str, on_path: Option<&str>, install: &str) -> Option<PathBuf> {
    let from_env = std::env::var_os(var)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from);
    let found = match from_env {
        Some(path) => {
            assert!(
                path.is_file(),
                "{var}={} does not exist: run {install}",
                path.display()
            );
            Some(path)
        }
        None => on_path.and_then(|name| {
            let paths = std::env::var_os("PATH")?;
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        }),
    };
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the interop tests: set {var} (see {install})"
        );
        eprintln!(
            "note: interop test skipped: {var} is not set; run \
             `export {var}=$({install} | tail -n 1)` to run it"
        );
    }
    found
}

/// A fresh directory for one test's files (logs, reports, a server's database).
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("scimfuzz-it-interop-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// A port that was free a moment ago: bind port 0, read it back, release it.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// How to start one kind of server and tell that it is up.
pub struct ServerSpec<'a> {
    /// For messages and log file names.
    pub name: &'a str,
    /// The path of the SCIM base URL, e.g. `/v2`.
    pub base_path: &'a str,
    /// How long the server may take to answer its first request (a cold Python start on a busy CI).
    pub startup_limit: Duration,
    /// The command that serves on the given port and accepts `Bearer <token>`.
    pub command: &'a dyn Fn(u16, &str) -> Command,
}

/// A running server, killed and reaped on drop.
pub struct Server {
    child: Child,
    pub port: u16,
    pub token: String,
    base_path: String,
    log: PathBuf,
}

impl Server {
    /// Starts the server and waits (bounded) until `GET {base}/ServiceProviderConfig` answers 200
    /// with its token. The port was free when chosen; if another process takes it first, the
    /// server exits and is started again on a new port, at most [`START_ATTEMPTS`] times.
    pub fn start(spec: &ServerSpec, dir: &Path) -> Server {
        let mut last_log = String::new();
        for attempt in 1..=START_ATTEMPTS {
            let log = dir.join(format!("{}-{attempt}.log", spec.name));
            let log_file = std::fs::File::create(&log).expect("the server log file");
            let port = free_port();
            let token = uuid::Uuid::new_v4().simple().to_string();
            let child = (spec.command)(port, &token)
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("log handle"))
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|err| panic!("{} does not start: {err}", spec.name));
            let mut server = Server {
                child,
                port,
                token,
                base_path: spec.base_path.to_string(),
                log,
            };
            match server.wait_until_answering(spec) {
                Ok(()) => return server,
                Err(exit) => last_log = format!("{exit}:\n{}", server.log_text()),
            }
        }
        panic!(
            "{} exited during startup {START_ATTEMPTS} times; the last time {last_log}",
            spec.name
        );
    }

    /// `Ok` once the server answers 200 with its token; `Err` if it exits first. Panics when it
    /// neither answers nor exits within the spec's startup limit.
    fn wait_until_answering(&mut self, spec: &ServerSpec) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < spec.startup_limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("it exited ({status})"));
            }
            if self
                .request("GET", "/ServiceProviderConfig", None)
                .is_ok_and(|(status, _)| status == 200)
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "{} did not answer within {:?}:\n{}",
            spec.name,
            spec.startup_limit,
            self.log_text()
        );
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.base_path)
    }

    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.token)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// One HTTP/1.0 request with the server's token to `path` under the base URL, answered in full
    /// (the server closes the connection): the status and the body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> std::io::Result<(u16, String)> {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let body = body.map(Value::to_string).unwrap_or_default();
        write!(
            stream,
            "{method} {}{path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nAuthorization: {}\r\n\
             Accept: application/scim+json\r\nContent-Type: application/scim+json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            self.base_path,
            self.port,
            self.authorization(),
            body.len()
        )?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        Ok((status, body.to_string()))
    }

    /// The JSON body of a request that must answer `expected`.
    pub fn json(&self, method: &str, path: &str, body: Option<&Value>, expected: u16) -> Value {
        let (status, text) = self
            .request(method, path, body)
            .unwrap_or_else(|err| panic!("{method} {path}: no answer ({err})"));
        assert_eq!(status, expected, "{method} {path}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|err| panic!("{method} {path}: {err}: {text}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The behaviour profile of a fuzz run: `base` with `allowed` allowed, without the 600 ms
/// latency budget. Response time measures the CI machine (two cores shared by the whole test
/// suite and a single-threaded Python server), not the server's conformance, so judging it would
/// make the sets flaky.
pub fn interop_profile(base: &str, allowed: &[&str]) -> String {
    let mut profile = format!(
        "version = 1\n\
         description = \"{base}, latency not judged (interop test on a shared CI machine)\"\n\
         extends = \"{base}\"\n\n\
         [checks]\n\
         \"latency.okta-600ms\" = \"allowed\"\n"
    );
    for check in allowed {
        profile.push_str(&format!("\"{check}\" = \"allowed\"\n"));
    }
    profile
}

/// What a finished `scimfuzz` run left: its exit status and its console output.
pub struct Run {
    pub status: ExitStatus,
    pub output: String,
}

/// Runs `scimfuzz args…` with its output in files (no pipe to fill), killed after [`RUN_LIMIT`].
pub fn run_scimfuzz(args: &[&str], dir: &Path) -> Run {
    let out_path = dir.join("scimfuzz.out");
    let out = std::fs::File::create(&out_path).expect("the output file");
    let mut child = crate::bin::command(args)
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("output handle"))
        .stderr(out)
        .spawn()
        .expect("scimfuzz starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("scimfuzz can be waited for") {
            break status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "scimfuzz {args:?} ran over {RUN_LIMIT:?}:\n{}",
                std::fs::read_to_string(&out_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = std::fs::read_to_string(&out_path).unwrap_or_default();
    Run { status, output }
}

pub fn read_report(path: &Path, run: &Run) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("no report at {} ({err}):\n{}", path.display(), run.output));
    serde_json::from_str(&text).expect("the report is JSON")
}

pub fn expected_set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

/// The Okta steps (`suite/step`) that an `okta` report marks failed, and how many steps ran.
pub fn okta_failures(report: &Value) -> (BTreeSet<String>, usize) {
    let mut failed = BTreeSet::new();
    let mut steps = 0;
    for suite in report["suites"].as_array().expect("suites is an array") {
        for step in suite["steps"].as_array().expect("steps is an array") {
            steps += 1;
            if step["verdict"] == "failed" {
                failed.insert(format!(
                    "{}/{}",
                    suite["name"].as_str().unwrap_or("?"),
                    step["id"].as_str().unwrap_or("?")
                ));
            }
        }
    }
    (failed, steps)
}

/// `scimfuzz okta --rfc-strict --seed 7` (every suite) against `server`, its JSON report in
/// `dir`: asserts that every suite ran and that the failed steps are exactly `expected` (`name`
/// says which server in the messages), then exits 0 when none is expected, else 1. The run and
/// its report, for the caller's own checks.
pub fn run_okta_expecting(
    server: &Server,
    dir: &Path,
    expected: &[&str],
    name: &str,
) -> (Run, Value) {
    let report_path = dir.join("okta.json");
    let (target, auth) = (server.base_url(), server.authorization());
    let run = run_scimfuzz(
        &[
            "okta",
            "--target",
            &target,
            "--auth",
            &auth,
            "--rfc-strict",
            "--seed",
            "7",
            "--report-json",
            report_path.to_str().expect("utf-8 path"),
        ],
        dir,
    );
    let report = read_report(&report_path, &run);
    let (failed, steps) = okta_failures(&report);
    assert!(
        steps > 50,
        "every suite ran ({steps} steps):\n{}",
        run.output
    );
    assert_eq!(
        failed,
        expected_set(expected),
        "the Okta verdicts against {name} changed:\n{}",
        run.output
    );
    let exit = if expected.is_empty() { 0 } else { 1 };
    assert_eq!(run.status.code(), Some(exit), "{}", run.output);
    (run, report)
}
