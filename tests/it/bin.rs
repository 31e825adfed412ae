//! The scimfuzz binary as the tests run it: with the environment variables it reads cleared (a
//! developer's shell may hold `SCIM_AUTH` or `SCIM_BASE_URL`), so a test sees only what it passes;
//! its exit code and output, and the report file it wrote; `load` against a test's server; a
//! bounded wait for a spawned run; signals; a fresh scratch folder.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use scimfuzz::server::RunningServer;

/// Variables the binary reads that a test sets itself when it wants them.
const CLEARED: [&str; 5] = [
    "SCIMFUZZ_AUTH",
    "SCIM_AUTH",
    "SCIM_BASE_URL",
    "SCIM_OAUTH_CLIENT_SECRET",
    "JOB_COMPLETION_INDEX",
];

/// The binary with `args` and a cleared environment (add `.env(…)` after to set one).
pub fn command<S: AsRef<OsStr>>(args: &[S]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scimfuzz"));
    command.args(args);
    for name in CLEARED {
        command.env_remove(name);
    }
    command
}

/// Runs the binary to its end.
pub fn output<S: AsRef<OsStr>>(args: &[S]) -> Output {
    command(args).output().expect("scimfuzz runs")
}

/// Stdout then stderr, as one text.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Exit code (-1 when killed by a signal) and stdout then stderr.
pub fn run<S: AsRef<OsStr>>(args: &[S]) -> (i32, String) {
    let output = output(args);
    (output.status.code().unwrap_or(-1), text(&output))
}

/// Runs the binary to its end, then reads the file it was told to write at `path` (a report):
/// exit code, stdout then stderr, and the file's text. A file not written fails the test with
/// the run's output.
pub fn run_then_read<S: AsRef<OsStr>>(args: &[S], path: &Path) -> (i32, String, String) {
    let (code, shown) = run(args);
    let written = std::fs::read_to_string(path).unwrap_or_else(|err| {
        panic!(
            "{} was not written ({err}); exit {code}: {shown}",
            path.display()
        )
    });
    (code, shown, written)
}

/// `load --profile PROFILE` against `server` (its URL and token) without the progress line,
/// then `extra`.
pub fn load_args(server: &RunningServer, profile: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "load",
        "--profile",
        profile,
        "--target",
        server.base_url(),
        "--auth",
        &server.authorization(),
        "--no-progress",
    ]
    .map(str::to_string)
    .to_vec();
    args.extend(extra.iter().map(|arg| arg.to_string()));
    args
}

/// Exit code, stdout and stderr apart.
pub fn run_split<S: AsRef<OsStr>>(args: &[S]) -> (i32, String, String) {
    let output = output(args);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Starts the binary with stdout and stderr piped (stdin closed), to watch or signal it.
pub fn spawn_piped<S: AsRef<OsStr>>(args: &[S]) -> Child {
    command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("scimfuzz starts")
}

/// Reads a piped stream to its end on a thread of its own (so the child never blocks on a full
/// pipe); join for the text.
pub fn drain(mut stream: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stream.read_to_string(&mut text);
        text
    })
}

/// Waits (at most `limit`) for a spawned run to exit; kills it and returns `None` past the limit.
pub fn wait_bounded(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends the signal `name` (`-INT`, `-STOP`, …) to process `pid`.
pub fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([name, &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill {name} {pid}");
}

/// Ctrl-C, as a terminal sends it.
pub fn sigint(child: &Child) {
    signal(child.id(), "-INT");
}

/// An empty folder under the temp dir, named for the test and this process.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scimfuzz-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}
