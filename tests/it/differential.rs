//! The model and the embedded reference server agree (issue 10 item 8): arbitrary op sequences
//! (`Op`'s `Arbitrary`, from random bytes) give no finding at all, under each built-in profile.
//! Each disagreement found and fixed has its regression test here, named after what it was.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use scimfuzz::fuzz_bodies::{ops_from, Differential};

/// Runs `cases` random sequences (bytes drawn by proptest, read by `Op`'s `Arbitrary`) against a
/// fresh server judged by `profile`; panics with the shrunk disagreeing sequence, if any.
fn sweep(profile: &str, cases: u32) {
    let run = Differential::start(profile).expect("the embedded server starts");
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
    sweep("okta", 24);
}

#[test]
fn arbitrary_sequences_give_no_finding_under_the_strict_profile() {
    sweep("rfc-strict", 24);
}

/// A longer sweep, every profile: `SCIMFUZZ_DIFF_CASES` sequences each (default 500).
#[test]
#[ignore = "minutes: run with --ignored to sweep the model against the server"]
fn long_differential_sweep() {
    let cases = std::env::var("SCIMFUZZ_DIFF_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(500);
    for profile in ["okta", "rfc-strict", "entra"] {
        sweep(profile, cases);
    }
}
