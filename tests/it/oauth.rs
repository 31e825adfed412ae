//! OAuth 2.0 client credentials end to end, against the reference server in OAuth mode
//! (`serve --oauth`): short-lived tokens are refreshed during `fuzz` and during a `load` run
//! longer than their lifetime, a revoked token is replaced after one 401 (in the driver, and
//! mid-run in `fuzz` and `load`: exactly one new token), concurrent requests
//! share one token request, a wrong secret is exit 3 saying what the token endpoint answered,
//! and wrong flags are exit 2 before any request.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::bin::run;
use scimfuzz::driver::{Driver, OAuthConfig, OAuthSource, RequestSpec, Target};
use scimfuzz::server::{spawn_on_thread, OAuthServerConfig, RunningServer, ServerConfig};

fn oauth_server(ttl: Duration) -> RunningServer {
    spawn_on_thread(ServerConfig {
        oauth: Some(OAuthServerConfig::random(ttl)),
        ..ServerConfig::default()
    })
    .expect("an OAuth server")
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scimfuzz-it-oauth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

/// A file holding `secret`, and the OAuth flags for `server` with it.
fn oauth_flags(server: &RunningServer, dir: &Path, secret: &str) -> Vec<String> {
    let file = dir.join("client-secret");
    std::fs::write(&file, format!("{secret}\n")).expect("secret written");
    let (id, _) = server.oauth_client().expect("OAuth mode");
    vec![
        "--target".into(),
        server.base_url().into(),
        "--oauth-token-url".into(),
        server.oauth_token_url().expect("OAuth mode"),
        "--oauth-client-id".into(),
        id.into(),
        "--oauth-client-secret-file".into(),
        file.display().to_string(),
    ]
}

fn secret_of(server: &RunningServer) -> String {
    server.oauth_client().expect("OAuth mode").1.to_string()
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|arg| arg.to_string()).collect()
}

#[test]
fn fuzz_refreshes_a_short_lived_token_and_meets_no_401() {
    let server = oauth_server(Duration::from_secs(1));
    let dir = fresh_dir("fuzz");
    // 300 cases take about 3 s in a debug build: far longer than the token's refresh at 0.9 s.
    let mut args = strings(&["fuzz", "--seed", "5", "--cases", "300"]);
    args.extend(oauth_flags(&server, &dir, &secret_of(&server)));
    let (code, shown) = run(&args);
    assert_eq!(code, 0, "{shown}");
    assert!(
        server.oauth_tokens_issued() >= 2,
        "a 1 s token over a run of seconds is refreshed: {} issued\n{shown}",
        server.oauth_tokens_issued()
    );
    for token in server.oauth_tokens() {
        assert!(!shown.contains(&token), "a token was printed:\n{shown}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn source_for(server: &RunningServer) -> OAuthSource {
    let (id, secret) = server.oauth_client().expect("OAuth mode");
    OAuthSource::new(OAuthConfig {
        token_url: server.oauth_token_url().expect("OAuth mode"),
        client_id: id.into(),
        client_secret: secret.into(),
        scope: Some("scim".into()),
        on_secret: |_| {},
        timeout: Duration::from_secs(10),
        ca_pem: None,
        insecure: false,
    })
    .expect("a token client")
}

#[test]
fn a_revoked_token_is_replaced_after_one_401_and_concurrent_requests_share_one_token() {
    let server = oauth_server(Duration::from_secs(3600));
    let mut target = Target::new(server.base_url(), None);
    target.oauth = Some(source_for(&server));
    let driver = Driver::new(target).expect("a driver");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let sends = (0..16).map(|_| {
            let driver = driver.clone();
            tokio::spawn(async move { driver.send(&RequestSpec::get("/Users")).await })
        });
        for send in sends.collect::<Vec<_>>() {
            let call = send.await.expect("joined").expect("an answer");
            assert_eq!(call.response.status, 200, "{:?}", call.response.body);
        }
        assert_eq!(
            server.oauth_tokens_issued(),
            1,
            "16 concurrent requests share one token request"
        );
        let before = driver.record_request(&RequestSpec::get("/Users"));
        server.revoke_oauth_tokens();
        let call = driver
            .send(&RequestSpec::get("/Users"))
            .await
            .expect("an answer");
        assert_eq!(call.response.status, 200, "re-sent with a new token");
        assert_eq!(server.oauth_tokens_issued(), 2);
        assert_ne!(
            before.headers, call.request.headers,
            "the new token was sent"
        );
    });
}

#[test]
fn a_wrong_client_secret_is_exit_3_saying_what_the_token_endpoint_answered() {
    let server = oauth_server(Duration::from_secs(60));
    let dir = fresh_dir("wrong");
    let wrong = "wrong-secret-5521";
    let profile = crate::load::smoke_profile();
    for command in [
        strings(&["fuzz", "--cases", "5"]),
        strings(&["okta", "--suites", "spec"]),
        strings(&["load", "--profile", &profile, "--no-progress"]),
    ] {
        let mut args = command.clone();
        args.extend(oauth_flags(&server, &dir, wrong));
        let (code, shown) = run(&args);
        assert_eq!(code, 3, "{}: {shown}", command[0]);
        assert!(
            shown.contains("could not get an OAuth token from")
                && shown.contains("401")
                && shown.contains("invalid_client"),
            "{}: {shown}",
            command[0]
        );
        assert!(!shown.contains(wrong) && !shown.contains(&secret_of(&server)));
    }
    assert_eq!(server.oauth_tokens_issued(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn wrong_oauth_flags_are_exit_2_before_any_request() {
    let server = oauth_server(Duration::from_secs(60));
    let dir = fresh_dir("flags");
    let good = oauth_flags(&server, &dir, &secret_of(&server));
    let with = |extra: &[&str], drop_flag: Option<&str>| {
        let mut args = strings(&["fuzz", "--cases", "5"]);
        let mut iter = good.iter();
        while let Some(arg) = iter.next() {
            if Some(arg.as_str()) == drop_flag {
                iter.next();
                continue;
            }
            args.push(arg.clone());
        }
        args.extend(strings(extra));
        args
    };
    let missing = dir.join("missing").display().to_string();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (with(&["--auth", "Bearer x"], None), "--auth"),
        (
            with(
                &["--oauth-client-secret-file", &missing],
                Some("--oauth-client-secret-file"),
            ),
            "--oauth-client-secret-file",
        ),
        (
            with(
                &["--oauth-token-url", "not a url"],
                Some("--oauth-token-url"),
            ),
            "--oauth-token-url",
        ),
        (with(&[], Some("--oauth-client-id")), "--oauth-client-id"),
        (with(&[], Some("--target")), "--target"),
    ];
    for (args, named) in cases {
        let (code, shown) = run(&args);
        assert_eq!(code, 2, "{args:?}: {shown}");
        assert!(
            shown.contains(named),
            "{args:?} should name {named}: {shown}"
        );
    }
    assert_eq!(server.oauth_tokens_issued(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_load_run_longer_than_the_token_lifetime_has_no_auth_errors() {
    let server = oauth_server(Duration::from_secs(1));
    let dir = fresh_dir("load");
    let report = dir.join("report");
    let profile = crate::load::smoke_profile();
    let mut args = strings(&[
        "load",
        "--profile",
        &profile,
        "--duration",
        "3s",
        "--users",
        "3",
        "--seed",
        "7",
        "--no-progress",
        "--report",
        &report.display().to_string(),
    ]);
    args.extend(oauth_flags(&server, &dir, &secret_of(&server)));
    let (code, shown) = run(&args);
    assert_eq!(code, 0, "{shown}");
    assert!(
        server.oauth_tokens_issued() >= 2,
        "{} issued\n{shown}",
        server.oauth_tokens_issued()
    );
    let json = std::fs::read_to_string(report.join("report.json")).expect("report.json");
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert!(
        parsed["status_codes"].get("401").is_none(),
        "{}",
        parsed["status_codes"]
    );
    for operation in parsed["operations"].as_array().expect("operations") {
        assert_eq!(operation["errors"], 0, "{operation}");
    }
    for token in server.oauth_tokens() {
        assert!(!shown.contains(&token) && !json.contains(&token));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn runscope_sends_the_token_as_its_auth_variable_and_passes_as_with_a_static_token() {
    let server = oauth_server(Duration::from_secs(60));
    let dir = fresh_dir("runscope");
    let export = crate::runscope::data_file("provisioning.json");
    let script = crate::runscope::data_file("initial-script.js");
    let mut args = strings(&[
        "runscope",
        export.to_str().expect("utf-8"),
        "--initial-script",
        script.to_str().expect("utf-8"),
        "--seed-user",
        "--var",
        &format!("SCIMBaseURL={}", server.base_url()),
    ]);
    let flags = oauth_flags(&server, &dir, &secret_of(&server));
    args.extend(flags[2..].iter().cloned());
    let (code, shown) = run(&args);
    let last = crate::runscope::expected_last_line(&shown, 16, 0);
    assert_eq!(code, i32::from(!last.ends_with(" 0 failed")), "{shown}");
    assert!(shown.contains(&last), "{shown}");
    assert_eq!(server.oauth_tokens_issued(), 1);
    let mut with_auth = args.clone();
    with_auth.extend(strings(&["--var", "auth=Bearer x"]));
    let (code, shown) = run(&with_auth);
    assert_eq!(code, 2, "--var auth with --oauth-*: {shown}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `args` while the server revokes every token once, half a second after it issued the first.
fn run_with_one_revocation(server: &RunningServer, args: &[String]) -> (i32, String) {
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for _ in 0..600 {
                if server.oauth_tokens_issued() >= 1 {
                    std::thread::sleep(Duration::from_millis(500));
                    server.revoke_oauth_tokens();
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        run(args)
    })
}

#[test]
fn tokens_revoked_mid_run_are_replaced_after_a_401_in_fuzz_and_load() {
    let dir = fresh_dir("revoked");
    let profile = crate::load::smoke_profile();
    for command in [
        strings(&["fuzz", "--seed", "9", "--cases", "300"]),
        strings(&[
            "load",
            "--profile",
            &profile,
            "--duration",
            "2s",
            "--no-progress",
        ]),
    ] {
        let server = oauth_server(Duration::from_secs(3600));
        let mut args = command.clone();
        args.extend(oauth_flags(&server, &dir, &secret_of(&server)));
        let (code, shown) = run_with_one_revocation(&server, &args);
        assert_eq!(code, 0, "{}: {shown}", command[0]);
        assert_eq!(
            server.oauth_tokens_issued(),
            2,
            "{}: one token, revoked, then one new one after the 401\n{shown}",
            command[0]
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
