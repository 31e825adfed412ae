//! The post-run integrity check against the reference server's faults (lost writes, racing
//! duplicates, deactivations that do not stick or make users unreadable, ignored member removals,
//! concurrent member adds that overwrite each other) and Okta's 429 model against a stand-in
//! server that throttles.

use serde_json::Value;

use crate::bin;
use crate::load::{fresh_dir, operation, read_json, smoke_profile, write_profile};

#[test]
fn the_integrity_check_reports_creates_answered_201_but_never_stored_and_exits_1() {
    let (code, stdout, _) = bin::run_split(&[
        "load",
        "--profile",
        &smoke_profile(),
        "--duration",
        "1s",
        "--fault",
        "lost-write",
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(
        stdout.matches("load.lost-user").count(),
        1,
        "grouped under one heading with a count: {stdout}"
    );
    assert!(stdout.contains("  load.lost-user × "), "{stdout}");
    assert!(stdout.contains("answered 201"), "{stdout}");
}

#[test]
fn the_integrity_check_reports_a_username_created_twice_by_racing_creates_and_exits_1() {
    // Every assignment arrives twice at once; a correct server answers 201 + 409.
    let scenario = "kind = \"onboarding\"\nduplicate_rate = 1.0\ntasks = 4";
    let (code, output) = bounded_run_with_fault("duplicate-race", scenario, Some("duplicate-race"));
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("  load.duplicate-username × 4\n"),
        "grouped with their count: {output}"
    );
}

#[test]
fn racing_creates_against_a_correct_server_are_201_and_409_and_no_finding() {
    let scenario = "kind = \"onboarding\"\nduplicate_rate = 1.0\ntasks = 4";
    let (code, output) = bounded_run_with_fault("no-race", scenario, None);
    assert_eq!(code, 0, "{output}");
    assert!(
        output.contains("integrity: 4 users, 4 userNames"),
        "{output}"
    );
}

/// A stand-in SCIM server answering 429 to `GET /Users/{id}` on every `every`-th call (one worker
/// drives it, so the alternation is deterministic).
fn throttling_server(every: u64, retry_after: Option<&'static str>) -> String {
    use axum::extract::Path as UrlPath;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    use axum::routing::get;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    let calls = Arc::new(AtomicU64::new(0));
    let list = || async {
        axum::Json(
            serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []}),
        )
    };
    let create = || async {
        (
            StatusCode::CREATED,
            axum::Json(serde_json::json!({"id": "u1", "userName": "x", "active": true})),
        )
    };
    let read = move |UrlPath(id): UrlPath<String>| {
        let calls = calls.clone();
        async move {
            if calls.fetch_add(1, Ordering::Relaxed).is_multiple_of(every) {
                let mut response = (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response();
                if let Some(value) = retry_after {
                    response
                        .headers_mut()
                        .insert("retry-after", value.parse().unwrap());
                }
                return response;
            }
            axum::Json(serde_json::json!({"id": id, "userName": "x", "active": true}))
                .into_response()
        }
    };
    let app = axum::Router::new()
        .route("/scim/v2/Users", get(list).post(create))
        .route("/scim/v2/Users/{id}", get(read));
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            sender.send(listener.local_addr().unwrap()).unwrap();
            let _ = axum::serve(listener, app).await;
        });
    });
    format!("http://{}/scim/v2", receiver.recv().unwrap())
}

fn throttled_run(name: &str, base_url: &str, retry: &str) -> Value {
    let dir = fresh_dir(name);
    let profile = write_profile(
        &dir,
        "t",
        &format!(
            "[run]\nusers = 1\nduration = \"1s\"\n\
             {retry}\n[[scenario]]\nname = \"get\"\nkind = \"get-user\"\npool_per_worker = 1\n"
        ),
    );
    let report_dir = dir.join("report");
    let (code, stdout, stderr) = bin::run_split(&[
        "load",
        "--profile",
        &profile,
        "--target",
        base_url,
        "--auth",
        "Bearer t",
        "--no-integrity",
        "--report",
        &report_dir.display().to_string(),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report = read_json(&report_dir.join("report.json"));
    let _ = std::fs::remove_dir_all(&dir);
    operation(&report, "get").clone()
}

#[test]
fn a_429_with_an_integer_retry_after_is_retried_and_counted_not_hidden() {
    // Retry-After: 0 means "now": even the last operation of the run is retried, not abandoned.
    let get = throttled_run(
        "throttle-ok",
        &throttling_server(2, Some("0")),
        "[retry]\nbackoff = \"10s\"\nmax_tries = 10",
    );
    let throttled = get["throttled"].as_u64().unwrap();
    assert!(throttled > 0 && get["errors"] == 0, "{get}");
    assert_eq!(
        get["status_codes"],
        serde_json::json!({"200": get["requests"]}),
        "every GET ends in 200"
    );
}

#[test]
fn a_429_without_retry_after_backs_off_doubling_and_gives_up_after_max_tries_as_an_error() {
    let get = throttled_run(
        "throttle-fail",
        &throttling_server(1, None),
        "[retry]\nbackoff = \"10ms\"\nmax_tries = 3",
    );
    let requests = get["requests"].as_u64().unwrap();
    assert!(requests > 0, "{get}");
    assert_eq!(
        get["errors"].as_u64(),
        Some(requests),
        "every GET is throttled to exhaustion: {get}"
    );
    let throttled = get["throttled"].as_u64().unwrap();
    // Three tries each; only the one operation per worker in flight at the end of the run may
    // give up sooner (no wait runs past the end).
    assert!(
        throttled <= 3 * requests && throttled + 2 * 2 >= 3 * requests,
        "three tries each: {get}"
    );
}

/// Runs one bounded task kind (`tasks` tasks by one worker) against the embedded server, with a
/// fault or without.
fn bounded_run_with_fault(name: &str, scenario: &str, fault: Option<&str>) -> (i32, String) {
    bounded_run_with_workers(name, 1, scenario, fault)
}

/// [`bounded_run_with_fault`] with `users` workers sharing the scenario's tasks.
fn bounded_run_with_workers(
    name: &str,
    users: usize,
    scenario: &str,
    fault: Option<&str>,
) -> (i32, String) {
    let dir = fresh_dir(name);
    let profile_text = write_profile(
        &dir,
        name,
        &format!(
            "[run]\nusers = {users}\nduration = \"30s\"\n[[scenario]]\nname = \"s\"\n{scenario}\n"
        ),
    );
    let mut args = vec!["load", "--profile", &profile_text];
    if let Some(fault) = fault {
        args.extend(["--fault", fault]);
    }
    let (code, stdout, stderr) = bin::run_split(&args);
    let _ = std::fs::remove_dir_all(&dir);
    (code, format!("{stdout}{stderr}"))
}

#[test]
fn the_integrity_check_reports_deactivations_that_did_not_stick() {
    let scenario = "kind = \"deprovision\"\npool_per_worker = 2\ntasks = 2";
    let (code, output) =
        bounded_run_with_fault("deactivation-lost", scenario, Some("deactivation-lost"));
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("  load.deactivation-lost × 2\n"),
        "grouped with their count: {output}"
    );
}

#[test]
fn the_integrity_check_reports_deactivated_users_that_are_no_longer_readable() {
    let scenario = "kind = \"deprovision\"\nmode = \"aiw\"\npool_per_worker = 1\ntasks = 1";
    let (code, output) =
        bounded_run_with_fault("deactivated-404", scenario, Some("deactivated-404"));
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("load.deactivated-unreadable"), "{output}");
}

#[test]
fn the_integrity_check_reports_a_pushed_group_whose_member_removals_were_ignored() {
    let scenario = "kind = \"group-push\"\npool_per_worker = 4\ntasks = 1";
    let (code, output) =
        bounded_run_with_fault("member-removal", scenario, Some("member-removal-ignored"));
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("load.membership-mismatch"), "{output}");
}

/// Eight OIN group-push workers start together; each adds its four users to the run's shared
/// group, one per task, so adds from different workers overlap.
const SHARED_GROUP_PUSH: &str = "kind = \"group-push\"\npool_per_worker = 4\ntasks = 32";

#[test]
fn the_integrity_check_reports_member_adds_lost_by_concurrent_patches_of_a_shared_group() {
    let (code, output) = bounded_run_with_workers(
        "group-lost-update",
        8,
        SHARED_GROUP_PUSH,
        Some("group-lost-update"),
    );
    assert_eq!(code, 1, "{output}");
    assert_eq!(
        output.matches("load.group-member-lost").count(),
        1,
        "one finding for the shared group: {output}"
    );
    assert!(
        output.contains("member adds the server acknowledged on shared group"),
        "{output}"
    );
}

#[test]
fn concurrent_member_adds_to_a_shared_group_of_a_correct_server_are_all_kept() {
    let (code, output) = bounded_run_with_workers("group-adds-kept", 8, SHARED_GROUP_PUSH, None);
    assert_eq!(code, 0, "{output}");
    // 32 pushed groups and the shared one.
    assert!(output.contains("33 groups checked, 0 findings"), "{output}");
}
