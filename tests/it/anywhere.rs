//! The installed binary, run from a directory that is not the checkout: the built-in load profiles
//! and behaviour models are found by name, listed, and an unknown name lists the built-ins.

use std::path::PathBuf;

/// An empty working directory of its own for one test.
fn elsewhere(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "scimfuzz-it-anywhere-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

/// Runs the binary in `dir`: exit code, stdout, stderr.
fn run_in(dir: &PathBuf, args: &[&str]) -> (i32, String, String) {
    let output = crate::bin::command(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_smoke_profile_runs_by_name_outside_the_checkout() {
    let dir = elsewhere("smoke");
    let report = dir.join("out");
    let (code, stdout, stderr) = run_in(
        &dir,
        &[
            "load",
            "--profile",
            "smoke",
            "--duration",
            "1s",
            "--users",
            "2",
            "--seed",
            "4",
            "--report",
            "out",
            "--no-progress",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(report.join("report.json").is_file(), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn list_profiles_and_list_models_print_what_is_built_in() {
    let dir = elsewhere("lists");
    let (code, stdout, _) = run_in(&dir, &["load", "--list-profiles"]);
    assert_eq!(code, 0, "{stdout}");
    for name in [
        "smoke",
        "okta-onboarding-burst",
        "okta-mixed-day",
        "bench-get-user",
    ] {
        assert!(
            stdout.lines().any(|line| line.starts_with(name)),
            "{name}: {stdout}"
        );
    }
    let (code, stdout, _) = run_in(&dir, &["fuzz", "--list-models"]);
    assert_eq!(code, 0, "{stdout}");
    for name in ["okta ", "rfc-strict ", "entra "] {
        assert!(
            stdout.lines().any(|line| line.starts_with(name)),
            "{name}: {stdout}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unknown_profile_lists_the_built_ins_and_suggests_the_nearest() {
    let dir = elsewhere("unknown");
    let (code, _, stderr) = run_in(&dir, &["load", "--profile", "nope"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unknown load profile `nope`"), "{stderr}");
    assert!(stderr.contains("smoke, okta-onboarding-burst"), "{stderr}");
    let (code, _, stderr) = run_in(&dir, &["load", "--profile", "okta-import-users"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("did you mean `okta-import`?"), "{stderr}");
    let (code, _, stderr) = run_in(&dir, &["load", "--profile", "mine.toml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("could not read load profile mine.toml"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
