//! No secret of a run reaches any output: the commands run with an Authorization value, a
//! custom header and a password in the URL, or with OAuth client credentials (the client secret
//! and every token issued), and every stream and every file they write is searched for them. The curl repro reads the secrets from `$SCIM_AUTH` / `$SCIM_HEADER_1`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::bin::run;
use crate::hostile_server::{start, Behaviour};
use scimfuzz::server::{spawn_on_thread, Fault, OAuthServerConfig, ServerConfig};

const HEADER_SECRET: &str = "hdr-secret-value-8123";
const URL_PASSWORD: &str = "url-pass-word-4456";

/// Every file under `dir`, with its text.
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            let bytes = std::fs::read(&path).expect("readable file");
            found.push((path, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    found
}

fn assert_absent(secrets: &[&str], place: &str, text: &str) {
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "{place} holds the secret {secret}:\n{text}"
        );
    }
}

#[test]
fn no_command_writes_a_secret_to_any_stream_or_file() {
    let server = spawn_on_thread(ServerConfig::with_faults([Fault::BogusId400])).expect("server");
    let token = server.token().to_string();
    let auth = server.authorization();
    let header = format!("X-Api-Key: {HEADER_SECRET}");
    let secrets = [token.as_str(), HEADER_SECRET];
    let dir = crate::bin::fresh_dir("secrets-all");
    let path = |name: &str| dir.join(name).display().to_string();
    let common = [
        "--target",
        server.base_url(),
        "--auth",
        &auth,
        "--header",
        &header,
    ];

    let mut fuzz = vec!["fuzz", "--seed", "3", "--cases", "100"];
    fuzz.extend(common);
    let (report, junit, repro) = (path("fuzz.json"), path("fuzz.xml"), path("repro"));
    let html = path("fuzz.html");
    fuzz.extend([
        "--report-json",
        &report,
        "--junit",
        &junit,
        "--repro-dir",
        &repro,
        "--report-html",
        &html,
    ]);
    let (code, shown) = run(&fuzz);
    assert_eq!(code, 1, "{shown}");
    assert_absent(&secrets, "fuzz output", &shown);

    let trace = files(Path::new(&repro))
        .into_iter()
        .find(|(path, _)| path.extension().is_some_and(|ext| ext == "json"))
        .expect("a trace")
        .0;
    let mut replay = vec!["replay", trace.to_str().expect("utf-8")];
    replay.extend(common);
    let (code, shown) = run(&replay);
    assert_eq!(code, 1, "{shown}");
    assert_absent(&secrets, "replay output", &shown);

    let mut okta = vec!["okta", "--suites", "spec"];
    okta.extend(common);
    let (report, junit, html) = (path("okta.json"), path("okta.xml"), path("okta.html"));
    okta.extend([
        "--report-json",
        &report,
        "--junit",
        &junit,
        "--report-html",
        &html,
    ]);
    let (code, shown) = run(&okta);
    assert!(code == 0 || code == 1, "{shown}");
    assert_absent(&secrets, "okta output", &shown);

    let profile = crate::load::smoke_profile();
    let mut load = vec!["load", "--profile", &profile, "--no-progress"];
    load.extend(common);
    let report_dir = path("load");
    load.extend(["--report", &report_dir]);
    let (code, shown) = run(&load);
    assert!(code == 0 || code == 1, "{shown}");
    assert_absent(&secrets, "load output", &shown);

    // runscope: the token as `--var auth`, the other secret as a variable named like a key
    // (registered as secret by its name though the export does not use it), exchanges shown.
    let export = crate::runscope::data_file("provisioning.json");
    let base = format!("SCIMBaseURL={}", server.base_url());
    let (auth_var, key_var) = (format!("auth={auth}"), format!("apiKey={HEADER_SECRET}"));
    let (report, junit) = (path("runscope.json"), path("runscope.xml"));
    let runscope = [
        "runscope",
        export.to_str().expect("utf-8"),
        "--var",
        &base,
        "--var",
        &auth_var,
        "--var",
        &key_var,
        "--seed-user",
        "--exchanges",
        "--report-json",
        &report,
        "--junit",
        &junit,
    ];
    let (code, shown) = run(&runscope);
    assert!(code == 0 || code == 1, "{shown}");
    assert_absent(&secrets, "runscope output", &shown);

    let written = files(&dir);
    assert!(
        written.len() >= 10,
        "every command wrote its files: {written:?}"
    );
    for (file, text) in &written {
        assert_absent(&secrets, &file.display().to_string(), text);
    }
    let script = written
        .iter()
        .find(|(path, _)| path.extension().is_some_and(|ext| ext == "sh"))
        .expect("a curl script");
    assert!(script.1.contains("$SCIM_AUTH"), "{}", script.1);
    assert!(
        script.1.contains("X-Api-Key: $SCIM_HEADER_1"),
        "{}",
        script.1
    );
}

#[test]
fn a_password_in_the_target_url_is_never_printed() {
    let url = format!("http://alice:{URL_PASSWORD}@127.0.0.1:1/scim/v2");
    for command in ["fuzz", "okta"] {
        let (code, shown) = run(&[command, "--target", &url, "--auth", "Bearer x"]);
        assert_eq!(code, 3, "{command}: {shown}");
        assert_absent(&[URL_PASSWORD], command, &shown);
    }
}

#[test]
fn no_command_writes_the_oauth_client_secret_or_a_token() {
    let server = spawn_on_thread(ServerConfig {
        faults: vec![Fault::BogusId400],
        oauth: Some(OAuthServerConfig::random(Duration::from_secs(2))),
        ..ServerConfig::default()
    })
    .expect("server");
    let dir = crate::bin::fresh_dir("secrets-oauth");
    let path = |name: &str| dir.join(name).display().to_string();
    let (client_id, client_secret) = server.oauth_client().expect("OAuth mode");
    let secret_file = dir.join("secret.txt");
    std::fs::write(&secret_file, client_secret).expect("secret written");
    let token_url = server.oauth_token_url().expect("OAuth mode");
    let secret_path = secret_file.display().to_string();
    let oauth = [
        "--oauth-token-url",
        &token_url,
        "--oauth-client-id",
        client_id,
        "--oauth-client-secret-file",
        &secret_path,
    ];
    let mut common = vec!["--target", server.base_url()];
    common.extend(oauth);
    let mut shown_all = String::new();

    let (report, junit, repro) = (path("fuzz.json"), path("fuzz.xml"), path("repro"));
    let mut fuzz = vec!["fuzz", "--seed", "3", "--cases", "100"];
    fuzz.extend(&common);
    fuzz.extend([
        "--report-json",
        &report,
        "--junit",
        &junit,
        "--repro-dir",
        &repro,
    ]);
    let (code, shown) = run(&fuzz);
    assert_eq!(code, 1, "{shown}");
    shown_all.push_str(&shown);
    let trace = files(Path::new(&repro))
        .into_iter()
        .find(|(path, _)| path.extension().is_some_and(|ext| ext == "json"))
        .expect("a trace")
        .0;
    let mut replay = vec!["replay", trace.to_str().expect("utf-8")];
    replay.extend(&common);
    let (code, shown) = run(&replay);
    assert_eq!(code, 1, "{shown}");
    shown_all.push_str(&shown);

    let (report, junit) = (path("okta.json"), path("okta.xml"));
    let mut okta = vec![
        "okta",
        "--suites",
        "spec",
        "--report-json",
        &report,
        "--junit",
        &junit,
    ];
    okta.extend(&common);
    let (code, shown) = run(&okta);
    assert!(code == 0 || code == 1, "{shown}");
    shown_all.push_str(&shown);

    let profile = crate::load::smoke_profile();
    let report_dir = path("load");
    let mut load = vec![
        "load",
        "--profile",
        &profile,
        "--no-progress",
        "--report",
        &report_dir,
    ];
    load.extend(&common);
    let (code, shown) = run(&load);
    assert!(code == 0 || code == 1, "{shown}");
    shown_all.push_str(&shown);

    let export = crate::runscope::data_file("provisioning.json");
    let base = format!("SCIMBaseURL={}", server.base_url());
    let (report, junit) = (path("runscope.json"), path("runscope.xml"));
    let mut runscope = vec![
        "runscope",
        export.to_str().expect("utf-8"),
        "--var",
        &base,
        "--seed-user",
        "--exchanges",
        "--report-json",
        &report,
        "--junit",
        &junit,
    ];
    runscope.extend(oauth);
    let (code, shown) = run(&runscope);
    assert!(code == 0 || code == 1, "{shown}");
    shown_all.push_str(&shown);

    let tokens = server.oauth_tokens();
    assert!(tokens.len() >= 5, "every command got a token: {tokens:?}");
    let mut secrets: Vec<&str> = tokens.iter().map(String::as_str).collect();
    secrets.push(client_secret);
    assert_absent(&secrets, "the output", &shown_all);
    let written = files(&dir);
    for (file, text) in written.iter().filter(|(file, _)| *file != secret_file) {
        assert_absent(&secrets, &file.display().to_string(), text);
    }
    let script = written
        .iter()
        .find(|(path, _)| path.extension().is_some_and(|ext| ext == "sh"))
        .expect("a curl script");
    assert!(script.1.contains("$SCIM_AUTH"), "{}", script.1);
}

/// A load target that redirects (307) every request after the credential probe to another
/// origin: `load` follows no redirect there, so neither the Authorization value nor the custom
/// header reaches it, and no secret reaches any output.
#[test]
fn load_follows_no_redirect_to_another_origin_with_the_credentials() {
    let elsewhere = start(Behaviour::Fixed {
        status: 200,
        headers: Vec::new(),
        body: "{}".into(),
    });
    let origin = elsewhere.base_url.trim_end_matches("/scim/v2").to_string();
    let redirecting = start(Behaviour::RedirectAfterProbe { location: origin });
    let dir = crate::bin::fresh_dir("secrets-redirect");
    let profile = dir.join("onboard.toml");
    std::fs::write(
        &profile,
        "version = 1\nname = \"onboard\"\ndescription = \"d\"\nassumptions = [\"test\"]\n\
         [run]\nusers = 2\nduration = \"2s\"\npace = \"50ms\"\n\
         [[scenario]]\nname = \"assign\"\nkind = \"onboarding\"\n",
    )
    .expect("a profile");
    let header = format!("X-Api-Key: {HEADER_SECRET}");
    let report_dir = dir.join("report").display().to_string();
    let (code, shown) = run(&[
        "load",
        "--profile",
        profile.to_str().expect("utf-8"),
        "--target",
        &redirecting.base_url,
        "--auth",
        "Bearer load-token-5531",
        "--header",
        &header,
        "--no-progress",
        "--report",
        &report_dir,
    ]);
    assert!([0, 1, 4].contains(&code), "{shown}");
    let sent = redirecting
        .requests
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        sent > 3,
        "the load ran against the target: {sent} requests; {shown}"
    );
    let heads = elsewhere.heads.lock().expect("heads").clone();
    assert!(
        heads.is_empty(),
        "requests followed the redirect to another origin: {heads:#?}"
    );
    let secrets = ["load-token-5531", HEADER_SECRET];
    assert_absent(&secrets, "load output", &shown);
    for (file, text) in files(&dir) {
        assert_absent(&secrets, &file.display().to_string(), &text);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
