//! `scimfuzz serve` as a user runs it: the two announcement lines, the fault catalogue, and a
//! usage error for an unknown fault.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use scimfuzz::server::Fault;

fn scimfuzz() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scimfuzz"))
}

#[test]
fn serve_announces_its_url_and_token_serves_with_that_token_and_stops_on_ctrl_c() {
    let mut child = scimfuzz()
        .args([
            "serve",
            "--port",
            "0",
            "--token",
            "cli-token",
            "--fault",
            "duplicate-upsert",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let base_line = lines.next().expect("a first line").expect("utf-8");
    let auth_line = lines.next().expect("a second line").expect("utf-8");
    let base_url = base_line
        .strip_prefix("SCIM_BASE_URL='")
        .and_then(|rest| rest.strip_suffix('\''))
        .expect("SCIM_BASE_URL='…'")
        .to_string();
    assert!(
        base_url.starts_with("http://127.0.0.1:") && base_url.ends_with("/scim/v2"),
        "{base_url}"
    );
    assert_eq!(auth_line, "SCIM_AUTH='Bearer cli-token'");
    // The two lines are shell assignments: a POSIX shell sources them as they are.
    let sourced = Command::new("sh")
        .args([
            "-c",
            &format!("set -a; {base_line}; {auth_line}; set +a; sh -c 'echo \"$SCIM_AUTH\"'"),
        ])
        .output()
        .expect("sh runs");
    assert_eq!(
        String::from_utf8_lossy(&sourced.stdout).trim(),
        "Bearer cli-token"
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("{base_url}/Users"))
            .header("Authorization", "Bearer cli-token")
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    assert_eq!(status.expect("the server answers"), 200);
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    assert!(interrupted.is_ok_and(|s| s.success()), "kill -INT runs");
    let exit = crate::bin::wait_bounded(&mut child, std::time::Duration::from_secs(10));
    assert_eq!(
        exit.and_then(|e| e.code()),
        Some(0),
        "Ctrl-C stops the server cleanly"
    );
}

#[test]
fn list_faults_prints_one_aligned_line_per_fault() {
    let output = scimfuzz()
        .args(["serve", "--list-faults"])
        .output()
        .expect("the binary runs");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), Fault::all().len());
    for (line, fault) in lines.iter().zip(Fault::all()) {
        assert!(line.starts_with(&format!("{}  ", fault.name())), "{line}");
        assert!(
            line.contains(fault.description()) && line.ends_with(fault.rule()),
            "{line}"
        );
    }
}

#[test]
fn an_unknown_fault_is_a_usage_error_listing_the_valid_names() {
    let output = scimfuzz()
        .args(["serve", "--fault", "no-such-fault"])
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no-such-fault")
            && stderr.contains("duplicate-upsert")
            && stderr.contains("lost-write"),
        "{stderr}"
    );
}
