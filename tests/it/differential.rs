//! The model and the embedded reference server agree (issue 10 item 8): arbitrary op sequences
//! (`Op`'s `Arbitrary`, from random bytes) give no finding at all, under each built-in profile.
//! Each disagreement found and fixed has its regression test here, named after what it was.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use scimfuzz::fuzz_bodies::{ops_from, Differential};
use scimfuzz::model::{Op, Spelling, UserHandle};
use scimfuzz::server::{Fault, ServerConfig};

/// Runs `cases` random sequences (bytes drawn by proptest, read by `Op`'s `Arbitrary`) against a
/// fresh clean server judged by `profile`, exclusive or shared; panics with the shrunk
/// disagreeing sequence, if any.
fn sweep(profile: &str, exclusive: bool, cases: u32) {
    let run = Differential::start_with(profile, ServerConfig::default(), exclusive)
        .expect("the embedded server starts");
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    });
    let result = runner.run(&prop::collection::vec(any::<u8>(), 0..600), |bytes| {
        let ops = ops_from(&bytes);
        let disagreements = run.disagreements(&ops);
        prop_assert!(
            disagreements.is_empty(),
            "{profile}: {}",
            disagreements.join("\n")
        );
        Ok(())
    });
    run.shutdown();
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

#[test]
fn arbitrary_sequences_give_no_finding_under_the_okta_profile() {
    sweep("okta", true, 24);
}

#[test]
fn arbitrary_sequences_give_no_finding_under_the_strict_profile_on_a_shared_target() {
    sweep("rfc-strict", false, 24);
}

/// A longer sweep, every profile, exclusive and shared: `SCIMFUZZ_DIFF_CASES` sequences each (default 500).
#[test]
#[ignore = "minutes: run with --ignored to sweep the model against the server"]
fn long_differential_sweep() {
    let cases = std::env::var("SCIMFUZZ_DIFF_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(500);
    for profile in ["okta", "rfc-strict", "entra"] {
        for exclusive in [true, false] {
            sweep(profile, exclusive, cases);
        }
    }
}

/// The sweep is not vacuous: a server with a defect disagrees with the model within a few
/// sequences.
#[test]
fn a_server_fault_is_a_disagreement() {
    let faulty = ServerConfig::with_faults([Fault::CaseSensitiveFilter]);
    let run = Differential::start_with("okta", faulty, true).expect("the embedded server starts");
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        max_shrink_iters: 0,
        ..Config::default()
    });
    let result = runner.run(&prop::collection::vec(any::<u8>(), 0..600), |bytes| {
        prop_assert!(run.disagreements(&ops_from(&bytes)).is_empty());
        Ok(())
    });
    run.shutdown();
    assert!(
        result.is_err(),
        "64 sequences never met case-sensitive-filter"
    );
}

/// Found by the sweep: a race that deletes and re-creates a user beside a GET of it. The GET
/// carries the id from before the race, which the server rightly answers 404 once deleted; the
/// model expected the re-created user. Such a race is no longer judged (`model::apply`).
#[test]
fn a_race_that_recreates_a_user_beside_a_get_is_no_disagreement() {
    let user = UserHandle(5);
    let create = |spelling| Op::CreateUser { user, spelling };
    let ops = vec![
        create(Spelling::Base),
        Op::Race {
            branches: vec![
                Op::DeleteUser { user },
                create(Spelling::SwapAscii),
                Op::GetUser { user },
            ],
        },
        Op::GetUser { user },
    ];
    let run = Differential::start("okta").expect("the embedded server starts");
    for _ in 0..5 {
        let disagreements = run.disagreements(&ops);
        assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    }
    run.shutdown();
}

/// Found by the sweep: creates (conflicts) beside set-active true and false on a live user were
/// read back with a lookup that every order satisfies, so the model could keep the wrong
/// `active` and a later GET disagreed. The read is now a GET of the user (`model::race_read`).
#[test]
fn a_race_of_creates_and_set_active_leaves_the_model_agreeing() {
    let user = UserHandle(0);
    let create = |spelling| Op::CreateUser { user, spelling };
    let set = |active| Op::SetActive {
        user,
        active,
        capitalised: false,
    };
    let ops = vec![
        create(Spelling::Base),
        Op::Race {
            branches: vec![
                create(Spelling::UnicodeSimpleUpper),
                create(Spelling::UnicodeDecomposed),
                set(true),
                set(false),
            ],
        },
        Op::GetUser { user },
        Op::InvalidPatch {
            user,
            kind: scimfuzz::model::InvalidPatch::EmptyOperations,
        },
    ];
    let run = Differential::start("rfc-strict").expect("the embedded server starts");
    for _ in 0..10 {
        let disagreements = run.disagreements(&ops);
        assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    }
    run.shutdown();
}
