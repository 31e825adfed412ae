//! `fuzz --time-limit`: past the limit no case starts, and a case in flight stops before its next
//! request (then deletes what it created), so a run overshoots its limit by at most one request
//! per job and the cleanup. Judged by counting requests, not by the clock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use scimfuzz::driver::{leftovers, CleanupMode, Driver, Namespaces, Target, TransportError};
use scimfuzz::fuzz::{load_behaviour, Executor, RunSetup, SearchConfig, StopWhen};
use scimfuzz::model::{Op, Spelling, UserHandle};
use scimfuzz::server::{spawn_on_thread, ServerConfig};

use super::fuzz::fuzz_server_as;

fn two_users() -> Vec<Op> {
    (0..2u8)
        .flat_map(|slot| {
            [
                Op::CreateUser {
                    user: UserHandle(slot),
                    spelling: Spelling::Base,
                },
                Op::GetUser {
                    user: UserHandle(slot),
                },
            ]
        })
        .collect()
}

/// A stop that says yes from its third question on: the first two requests go out, the third
/// (the second create) does not, and the case ends with `TimeLimit`; with cleanup the first user
/// is deleted all the same.
#[test]
fn a_case_in_flight_stops_before_its_next_request_and_still_cleans_up() {
    let server = spawn_on_thread(ServerConfig::default()).expect("the server starts");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let driver = Driver::new(Target::new(server.base_url(), Some(server.authorization())))
        .expect("a driver");
    let namespaces = Namespaces::new();
    let users_left = || {
        runtime
            .block_on(leftovers(
                &driver,
                namespaces.run_prefix(),
                CleanupMode::Delete,
            ))
            .expect("the server answers")
            .0
    };
    for cleanup in [false, true] {
        let setup = RunSetup::new(load_behaviour("okta").expect("okta"), 8, true, cleanup);
        let asked = AtomicUsize::new(0);
        let stop = || asked.fetch_add(1, Ordering::SeqCst) >= 2;
        let exec = Executor {
            stop: StopWhen(&stop),
            ..setup.executor(&driver, &runtime)
        };
        let err = exec
            .run_case(&two_users(), &namespaces.next_tag(), &|_| false)
            .expect_err("the stop ends the case");
        assert!(matches!(err, TransportError::TimeLimit), "{err}");
        assert_eq!(asked.load(Ordering::SeqCst), 3, "asked once per request");
        // The first case (no cleanup) left its one user: the second create was never sent.
        // The second case (cleanup) deleted its own, so that one user is all there is.
        assert_eq!(users_left(), 1, "cleanup {cleanup}");
    }
    server.shutdown();
}

/// A search against a slow server with a limit shorter than its plan stops by the limit (not
/// as interrupted, not as an error) with part of the plan done, and leaves nothing behind.
#[test]
fn a_search_past_its_limit_stops_with_part_of_the_plan_done() {
    let server = ServerConfig {
        latency: Duration::from_millis(50),
        ..ServerConfig::default()
    };
    let config = SearchConfig {
        seed: 4,
        time_limit: Some(Duration::from_millis(600)),
        jobs: 2,
        ..SearchConfig::default()
    };
    let summary = fuzz_server_as("okta", server, config);
    assert!(summary.time_limit_reached);
    assert!(!summary.interrupted);
    assert!(summary.planned_done < summary.planned_cases);
    assert!(summary.failures.is_empty(), "{:?}", summary.failures);
    assert!(summary.leftover.is_none(), "{:?}", summary.leftover);
}
