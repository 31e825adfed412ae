//! Filter localization: a server that breaks one part of a filter is one defect about that part,
//! whatever comparisons the cases' filters happened to use. Every listing is sent as
//! `(<filter>) and userName sw "<tag>."`, so a broken `and` used to be blamed on each comparison
//! operator it met; the probes of the sub-filters alone now name the `and`. A server that ignores
//! filters answers a filter that matches nobody with users: one defect, `filter ignored`.

use std::collections::BTreeSet;

use scimfuzz::fuzz::{SearchConfig, SearchSummary};
use scimfuzz::server::Fault;

use super::fuzz::fuzz_embedded_as;

fn search_with(fault: Fault) -> SearchSummary {
    let config = SearchConfig {
        seed: 3,
        cases: 60,
        ..SearchConfig::default()
    };
    fuzz_embedded_as("okta", &[fault], config)
}

fn defects(summary: &SearchSummary) -> BTreeSet<String> {
    summary.failures.iter().map(|f| f.defect.clone()).collect()
}

#[test]
fn a_server_that_evaluates_and_as_or_has_one_defect_about_and() {
    let summary = search_with(Fault::AndAsOr);
    let found = defects(&summary);
    assert_eq!(
        found,
        BTreeSet::from(["filter.unexpected-match [and] 2xx".to_string()]),
        "one defect, blamed on `and`, not on the comparisons it joined"
    );
    let failure = &summary.failures[0];
    let finding = failure.finding().expect("the failure's finding");
    let step = &failure.minimal.steps[finding.op_index];
    assert!(
        !step.diagnosis.is_empty(),
        "the probes are kept as evidence"
    );
    assert_eq!(
        step.localized.as_deref(),
        Some("`and` is wrong, its operands are right alone")
    );
}

#[test]
fn a_server_that_evaluates_co_as_sw_has_one_defect_about_co() {
    assert_eq!(
        defects(&search_with(Fault::CoAsSw)),
        BTreeSet::from(["filter.missing-match [co] 2xx".to_string()]),
        "blamed on `co` alone, the way `co` alone is wrong (a `not` above it turns its misses \
         into unexpected matches)"
    );
}

#[test]
fn a_case_sensitive_user_name_filter_is_the_lookup_defect_whichever_op_met_it() {
    assert_eq!(
        defects(&search_with(Fault::CaseSensitiveFilter)),
        BTreeSet::from(["filter.username-case-insensitive [userName eq] 2xx".to_string()]),
        "a list by userName in capitals, and a deactivated user looked up in another case, miss \
         the user for the case: the name as stored finds it"
    );
}

#[test]
fn a_server_that_ignores_filters_has_one_defect_whatever_the_filters_were() {
    let found = defects(&search_with(Fault::FilterIgnored));
    assert_eq!(
        found,
        BTreeSet::from(["filter.unexpected-match [filter ignored] 2xx".to_string()]),
        "a filter that matches nobody returned users: not one defect per operator"
    );
}

#[test]
fn a_server_that_matches_only_the_first_email_has_one_defect_about_emails() {
    assert_eq!(
        defects(&search_with(Fault::EmailsFilterFirstOnly)),
        BTreeSet::from(["filter.missing-match [emails] 2xx".to_string()]),
        "`eq`, `co`, `ew`… on emails miss users while the same operators on userName are right: \
         the attribute is to blame, not each operator"
    );
}
