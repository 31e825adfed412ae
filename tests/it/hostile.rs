//! The commands against hostile servers (see hostile_server.rs): what each ends with (exit code
//! and message) and a bound on its peak memory, read from /proc while it runs.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::bin;
use crate::hostile_server::{peak_rss_kib, start, Behaviour};

/// What a run of the binary ended with.
pub struct Ended {
    pub code: i32,
    pub output: String,
    /// The highest VmHWM seen while it ran, KiB (0 where /proc is missing).
    pub peak_kib: u64,
}

/// Runs the binary with `args`, polling its peak RSS, killed after `limit`.
pub fn run_measured(args: &[&str], limit: Duration) -> Ended {
    let mut child = bin::spawn_piped(args);
    let out = bin::drain(child.stdout.take().expect("stdout"));
    let err = bin::drain(child.stderr.take().expect("stderr"));
    let started = Instant::now();
    let mut peak_kib = 0;
    let status = loop {
        if let Some(kib) = peak_rss_kib(child.id()) {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("scimfuzz {args:?} still ran after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let output = format!("{}{}", out.join().unwrap(), err.join().unwrap());
    Ended {
        code: status.code().unwrap_or(-1),
        output,
        peak_kib,
    }
}

const MIB: u64 = 1024 * 1024;
/// The bound the issue sets on every command's peak RSS against these servers.
const PEAK_LIMIT_KIB: u64 = 100 * 1024;

fn huge() -> Behaviour {
    Behaviour::Huge { bytes: 50 * MIB }
}

fn bomb() -> Behaviour {
    Behaviour::GzipBomb {
        inflated: 10 * 1024 * MIB,
    }
}

fn assert_bounded(command: &str, server: &str, ended: &Ended) {
    eprintln!(
        "{command} against {server}: exit {}, peak RSS {} KiB",
        ended.code, ended.peak_kib
    );
    assert!(
        ended.peak_kib < PEAK_LIMIT_KIB,
        "{command} against {server}: peak RSS {} KiB\n{}",
        ended.peak_kib,
        ended.output
    );
    assert!(!ended.output.contains("panicked"), "{}", ended.output);
}

fn fuzz_against(behaviour: Behaviour) -> Ended {
    let server = start(behaviour);
    let args = [
        "fuzz",
        "--target",
        &server.base_url,
        "--auth",
        "Bearer hostile",
        "--cases",
        "2",
        "--seed",
        "1",
        "--shrink-time",
        "1s",
    ];
    run_measured(&args, Duration::from_secs(120))
}

#[test]
fn fuzz_reports_a_50_mb_body_as_a_finding_and_never_holds_it() {
    let ended = fuzz_against(huge());
    assert_eq!(ended.code, 1, "{}", ended.output);
    assert!(
        ended.output.contains("response.too-large"),
        "{}",
        ended.output
    );
    assert!(ended.output.contains("16 MiB limit"), "{}", ended.output);
    assert_bounded("fuzz", "a 50 MB body", &ended);
}

#[test]
fn fuzz_stops_inflating_a_gzip_bomb_at_the_limit() {
    let ended = fuzz_against(bomb());
    assert_eq!(ended.code, 1, "{}", ended.output);
    assert!(
        ended.output.contains("response.too-large"),
        "{}",
        ended.output
    );
    assert_bounded("fuzz", "a 10 GiB gzip bomb", &ended);
}

fn okta_against(behaviour: Behaviour) -> Ended {
    let server = start(behaviour);
    let args = [
        "okta",
        "--target",
        &server.base_url,
        "--auth",
        "Bearer hostile",
        "--suites",
        "spec",
        "--mode",
        "oin",
    ];
    run_measured(&args, Duration::from_secs(120))
}

#[test]
fn okta_fails_the_step_whose_body_is_too_large_and_never_holds_it() {
    for (name, behaviour) in [("a 50 MB body", huge()), ("a 10 GiB gzip bomb", bomb())] {
        let ended = okta_against(behaviour);
        assert_eq!(ended.code, 1, "{name}: {}", ended.output);
        assert!(
            ended.output.contains("16 MiB limit"),
            "{name}: {}",
            ended.output
        );
        assert_bounded("okta", name, &ended);
    }
}

#[test]
fn load_stops_with_exit_3_on_a_body_too_large() {
    for (name, behaviour) in [("a 50 MB body", huge()), ("a 10 GiB gzip bomb", bomb())] {
        let server = start(behaviour);
        let profile = crate::load::smoke_profile();
        let args = [
            "load",
            "--profile",
            &profile,
            "--target",
            &server.base_url,
            "--auth",
            "Bearer hostile",
            "--no-progress",
        ];
        let ended = run_measured(&args, Duration::from_secs(120));
        let requests = server.requests.load(std::sync::atomic::Ordering::SeqCst);
        assert!(
            requests <= 3,
            "{name}: the preflight stops the run, yet {requests} requests came"
        );
        assert_eq!(ended.code, 3, "{name}: {}", ended.output);
        assert!(
            ended.output.contains("16 MiB limit"),
            "{name}: {}",
            ended.output
        );
        assert_bounded("load", name, &ended);
    }
}

#[test]
fn a_smaller_limit_is_honoured_and_named() {
    let server = start(Behaviour::Huge { bytes: 2 * MIB });
    let args = [
        "okta",
        "--target",
        &server.base_url,
        "--auth",
        "Bearer hostile",
        "--suites",
        "spec",
        "--max-response-size",
        "1MiB",
    ];
    let ended = run_measured(&args, Duration::from_secs(60));
    assert_eq!(ended.code, 1, "{}", ended.output);
    assert!(ended.output.contains("1 MiB limit"), "{}", ended.output);
}

#[test]
fn control_characters_a_server_sends_are_escaped_on_the_terminal() {
    let body = "{\"detail\":\"\u{1b}[2J\u{1b}[H\rscimfuzz fuzz: no findings\u{7}\u{0}\"}";
    let server = start(Behaviour::Fixed {
        status: 400,
        headers: vec![("Content-Type".into(), "application/scim+json".into())],
        body: body.into(),
    });
    for command in ["fuzz", "okta"] {
        let args = [
            command,
            "--target",
            &server.base_url,
            "--auth",
            "Bearer hostile",
        ];
        let mut args = args.to_vec();
        if command == "fuzz" {
            args.extend(["--cases", "2", "--seed", "1", "--shrink-time", "1s"]);
        }
        let ended = run_measured(&args, Duration::from_secs(120));
        for raw in ['\u{1b}', '\r', '\u{7}', '\u{0}'] {
            assert!(
                !ended.output.contains(raw),
                "{command} printed {raw:?} raw: {}",
                ended.output
            );
        }
        assert!(
            ended.output.contains("\\x1b[2J"),
            "{command}: {}",
            ended.output
        );
    }
}

#[test]
fn bad_flags_exit_2_before_any_request_naming_the_flag() {
    let server = start(Behaviour::Huge { bytes: MIB });
    let target = server.base_url.clone();
    let array = std::env::temp_dir().join(format!("scimfuzz-it-array-{}.json", std::process::id()));
    std::fs::write(&array, "[{\"steps\": []}]").expect("a temp file");
    let array = array.display().to_string();
    let load = |extra: &[&'static str]| -> Vec<String> {
        let mut args = vec![
            "load",
            "--profile",
            "smoke",
            "--target",
            &target,
            "--auth",
            "Bearer x",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_string).collect()
    };
    let owned: Vec<(Vec<String>, &str)> = vec![
        (load(&["--slo", "errors.rate<NaN"]), "not a finite number"),
        (
            load(&["--users", "100000000"]),
            "--users 100000000: at most 10000",
        ),
        (load(&["--report", "/proc/scimfuzz-nope"]), "--report"),
        (
            vec!["runscope".into(), array.clone()],
            "is JSON but an array",
        ),
    ];
    for (args, expected) in &owned {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let ended = run_measured(&args, Duration::from_secs(60));
        assert_eq!(ended.code, 2, "{args:?}: {}", ended.output);
        assert!(
            ended.output.contains(expected),
            "{args:?}: {}",
            ended.output
        );
    }
    let _ = std::fs::remove_file(&array);
    let cases: [(&[&str], &str); 11] = [
        (&["okta", "--timeout", "0s"], "--timeout"),
        (&["fuzz", "--timeout", "soon"], "--timeout"),
        (&["fuzz", "--cases", "0"], "--cases"),
        (&["fuzz", "--max-ops", "0"], "--max-ops"),
        (&["fuzz", "--time-limit", "0s"], "--time-limit"),
        (&["fuzz", "--target", "http://"], "--target"),
        (&["fuzz", "--target", "http://[::1"], "--target"),
        (
            &["okta", "--target", "http://127.0.0.1:99999/scim/v2"],
            "--target",
        ),
        (
            &[
                "fuzz",
                "--target",
                &target,
                "--auth",
                "Bearer a\r\nX-Evil: 1",
            ],
            "--auth",
        ),
        (
            &[
                "okta",
                "--target",
                &target,
                "--header",
                "X-Key: a\nX-Evil: 1",
            ],
            "--header",
        ),
        (
            &[
                "fuzz",
                "--target",
                &target,
                "--report-json",
                "/nonexistent-dir/r.json",
            ],
            "--report-json",
        ),
    ];
    for (args, flag) in cases {
        let ended = run_measured(args, Duration::from_secs(60));
        assert_eq!(ended.code, 2, "{args:?}: {}", ended.output);
        assert!(ended.output.contains(flag), "{args:?}: {}", ended.output);
    }
    let requests = server.requests.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        requests, 0,
        "a bad flag must stop the run before its first request"
    );
}

#[test]
fn a_server_that_only_throttles_ends_the_run_with_exit_3_saying_so() {
    let server = start(Behaviour::Fixed {
        status: 429,
        headers: vec![("Retry-After".into(), "0".into())],
        body: String::new(),
    });
    for command in ["fuzz", "okta"] {
        let args = [
            command,
            "--target",
            &server.base_url,
            "--auth",
            "Bearer hostile",
        ];
        let ended = run_measured(&args, Duration::from_secs(60));
        assert_eq!(ended.code, 3, "{command}: {}", ended.output);
        assert!(
            ended.output.contains("throttled"),
            "{command}: {}",
            ended.output
        );
        assert!(ended.output.contains("429"), "{command}: {}", ended.output);
    }
    let slow = start(Behaviour::Fixed {
        status: 429,
        headers: vec![("Retry-After".into(), "3600".into())],
        body: String::new(),
    });
    let args = [
        "okta",
        "--target",
        &slow.base_url,
        "--auth",
        "Bearer hostile",
    ];
    let ended = run_measured(&args, Duration::from_secs(30));
    assert_eq!(ended.code, 3, "{}", ended.output);
    assert!(
        ended.output.contains("--max-retry-wait"),
        "{}",
        ended.output
    );
    let profile = crate::load::smoke_profile();
    let args = [
        "load",
        "--profile",
        &profile,
        "--target",
        &server.base_url,
        "--no-progress",
    ];
    let ended = run_measured(&args, Duration::from_secs(60));
    assert_eq!(ended.code, 3, "{}", ended.output);
    assert!(ended.output.contains("throttled"), "{}", ended.output);
}

/// A self-signed certificate for 127.0.0.1 made with the openssl CLI, and an `openssl s_server`
/// answering HTTPS with it; `None` (the test then says so and passes) without openssl.
fn tls_server(dir: &std::path::Path) -> Option<(std::process::Child, u16)> {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
        ])
        .args([
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    if !made.success() {
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let server = Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept", &port.to_string()])
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((server, port));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn an_untrusted_certificate_is_explained_as_tls_and_cacert_or_insecure_get_past_it() {
    let dir = std::env::temp_dir().join(format!("scimfuzz-it-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let Some((mut server, port)) = tls_server(&dir) else {
        eprintln!("skipped: the openssl CLI is not available to make a self-signed server");
        return;
    };
    let target = format!("https://127.0.0.1:{port}/scim/v2");
    let base = [
        "okta",
        "--target",
        &target,
        "--auth",
        "Bearer x",
        "--suites",
        "spec",
        "--timeout",
        "10s",
    ];
    let untrusted = run_measured(&base, Duration::from_secs(60));
    let cacert = dir.join("cert.pem").display().to_string();
    let mut with_ca = base.to_vec();
    with_ca.extend(["--cacert", &cacert]);
    let trusted = run_measured(&with_ca, Duration::from_secs(60));
    let mut skipping = base.to_vec();
    skipping.push("--insecure");
    let insecure = run_measured(&skipping, Duration::from_secs(60));
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(untrusted.code, 3, "{}", untrusted.output);
    assert!(
        untrusted.output.contains("TLS failed"),
        "{}",
        untrusted.output
    );
    assert!(
        untrusted.output.contains("--cacert"),
        "{}",
        untrusted.output
    );
    assert!(!trusted.output.contains("TLS failed"), "{}", trusted.output);
    assert!(
        !insecure.output.contains("TLS failed"),
        "{}",
        insecure.output
    );
    assert!(
        insecure.output.contains("warning: --insecure"),
        "{}",
        insecure.output
    );
}

/// `load --cacert`: the preflight and every goose user trust the given CA, so the load's own
/// requests reach the self-signed server (its GETs are answered 200); without it, the preflight
/// fails as a TLS failure.
#[test]
fn load_trusts_the_cacert_in_its_preflight_and_in_every_goose_user() {
    let dir = std::env::temp_dir().join(format!("scimfuzz-it-tls-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let Some((mut server, port)) = tls_server(&dir) else {
        eprintln!("skipped: the openssl CLI is not available to make a self-signed server");
        return;
    };
    let profile = dir.join("onboard.toml");
    std::fs::write(
        &profile,
        "version = 1\nname = \"onboard\"\ndescription = \"d\"\nassumptions = [\"test\"]\n\
         [run]\nusers = 1\nduration = \"2s\"\npace = \"100ms\"\n\
         [[scenario]]\nname = \"assign\"\nkind = \"onboarding\"\n",
    )
    .expect("a profile");
    let target = format!("https://127.0.0.1:{port}/scim/v2");
    let report = dir.join("report");
    let base = [
        "load",
        "--profile",
        profile.to_str().expect("utf-8"),
        "--target",
        &target,
        "--auth",
        "Bearer x",
        "--timeout",
        "5s",
        "--no-integrity",
        "--keep-data",
        "--report",
        report.to_str().expect("utf-8"),
    ];
    let untrusted = run_measured(&base, Duration::from_secs(60));
    let cacert = dir.join("cert.pem").display().to_string();
    let mut with_ca = base.to_vec();
    with_ca.extend(["--cacert", &cacert]);
    let trusted = run_measured(&with_ca, Duration::from_secs(60));
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(untrusted.code, 3, "{}", untrusted.output);
    assert!(
        untrusted.output.contains("TLS failed"),
        "{}",
        untrusted.output
    );
    assert!(!trusted.output.contains("TLS failed"), "{}", trusted.output);
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(report.join("report.json")).expect("report.json"),
    )
    .expect("JSON");
    let answered = json["status_codes"]["200"].as_u64().unwrap_or(0);
    assert!(
        answered > 0,
        "the goose users' GETs were answered over TLS: {}",
        json["status_codes"]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
