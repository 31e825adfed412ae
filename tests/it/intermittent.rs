//! A server that fails now and then is one defect: a failure whose case, run again unchanged,
//! does not show it at the same request is reported once, as intermittent (not shrunk), standing
//! for every other failure of the run that behaves so; a defect that shows every time is not.

use scimfuzz::fuzz::{SearchConfig, SearchSummary, INTERMITTENT};
use scimfuzz::report::grouping::causes;
use scimfuzz::server::{Fault, ServerConfig};

use super::fuzz::fuzz_server_as;

fn run(fault: Fault) -> SearchSummary {
    let config = SearchConfig {
        seed: 3,
        cases: 60,
        ..SearchConfig::default()
    };
    fuzz_server_as("okta", ServerConfig::with_faults([fault]), config)
}

/// The distinct defects a reader is told to fix: each failure's identity, but for those that
/// follow from another.
fn root_defects(summary: &SearchSummary) -> Vec<String> {
    let causes = causes(&summary.failures);
    summary
        .failures
        .iter()
        .zip(causes)
        .filter(|(_, cause)| cause.is_none())
        .map(|(failure, _)| failure.identity().to_string())
        .collect()
}

#[test]
fn one_request_in_four_answered_500_is_one_intermittent_defect_not_one_per_operation() {
    let summary = run(Fault::Sporadic500);
    let intermittent: Vec<_> = summary
        .failures
        .iter()
        .filter_map(|failure| failure.intermittent.as_ref().map(|i| (failure, i)))
        .collect();
    assert_eq!(intermittent.len(), 1, "{:?}", root_defects(&summary));
    let (failure, how) = intermittent[0];
    assert!(how.shown < how.runs, "{how:?}");
    assert_eq!(
        failure.original_len,
        failure.minimal.steps.len() + failure.minimal.skipped,
        "an intermittent case is reported as drawn, not shrunk"
    );
    assert!(
        how.also.len() >= 5,
        "the 500s met by other operations are listed under it: {:?}",
        how.also
    );
    let roots = root_defects(&summary);
    assert!(roots.contains(&INTERMITTENT.to_string()));
    assert!(
        roots.len() <= 3,
        "at most a race or two besides it: {roots:?}"
    );
}

#[test]
fn a_defect_that_shows_every_time_is_not_intermittent() {
    let summary = run(Fault::Deactivated404);
    assert!(!summary.failures.is_empty());
    assert!(
        summary.failures.iter().all(|f| f.intermittent.is_none()),
        "{:?}",
        root_defects(&summary)
    );
}
