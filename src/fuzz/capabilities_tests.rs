//! The capability probes' judgements, on answers built by hand.

use super::*;
use crate::check::test_calls::exchange;

fn names() -> Vec<String> {
    SORT_WORDS
        .iter()
        .map(|word| format!("7sort.{word}@example.com"))
        .collect()
}

fn listing(words: &[&str]) -> Call {
    let resources: Vec<Value> = words
        .iter()
        .map(|word| json!({"userName": format!("7sort.{word}@example.com")}))
        .collect();
    exchange("GET", 200, &json!({"Resources": resources}).to_string())
}

#[test]
fn a_caseless_ascending_and_descending_order_passes() {
    let ascending = listing(&["alpha", "Bravo", "Charlie"]);
    assert!(judge_sort(&ascending, &names(), false).is_none());
    let descending = listing(&["Charlie", "Bravo", "alpha"]);
    assert!(judge_sort(&descending, &names(), true).is_none());
}

#[test]
fn an_ignored_or_case_sensitive_sort_is_named_as_such() {
    let ignored = judge_sort(&listing(&SORT_WORDS), &names(), false).unwrap();
    assert_eq!(ignored.finding.subject.as_deref(), Some("sort"));
    assert!(
        ignored
            .finding
            .actual
            .ends_with("(the creation order: sortBy ignored)"),
        "{}",
        ignored.finding.actual
    );
    let sensitive = judge_sort(&listing(&["Bravo", "Charlie", "alpha"]), &names(), false);
    assert!(sensitive
        .unwrap()
        .finding
        .actual
        .ends_with("(a case-sensitive order)"));
    let refused = judge_sort(&exchange("GET", 400, "{}"), &names(), false).unwrap();
    assert_eq!(refused.finding.actual, "the sorted list answered HTTP 400");
}

fn bulk_answer(status: u16, operations: Value) -> BulkOutcome {
    let body = json!({"schemas": [urn::BULK_RESPONSE], "Operations": operations});
    BulkOutcome::read(&exchange("POST", status, &body.to_string()))
}

#[test]
fn a_bulk_response_with_both_creates_has_no_problem_and_names_their_ids() {
    let outcome = bulk_answer(
        200,
        json!([
            {"bulkId": "user", "status": "201", "location": "http://x/Users/u-1"},
            {"bulkId": "group", "status": 201, "location": "http://x/Groups/g-1/"},
        ]),
    );
    assert_eq!(outcome.problem(true), None);
    assert_eq!(
        outcome.created(),
        [
            (ResourceKind::User, "u-1".to_string()),
            (ResourceKind::Group, "g-1".to_string())
        ]
    );
}

#[test]
fn a_refused_reference_or_a_missing_entry_is_a_problem() {
    let unresolved = bulk_answer(
        200,
        json!([
            {"bulkId": "user", "status": "201", "location": "http://x/Users/u-1"},
            {"bulkId": "group", "status": "400"},
        ]),
    );
    let problem = unresolved.problem(true).unwrap();
    assert_eq!(problem.operation, Some(1));
    assert!(
        problem.expected.contains("bulkId:user"),
        "{}",
        problem.expected
    );
    assert_eq!(problem.actual, "status 400 without a location");
    assert_eq!(
        unresolved.created(),
        [(ResourceKind::User, "u-1".to_string())]
    );
    let short = bulk_answer(200, json!([]));
    assert!(short
        .problem(false)
        .unwrap()
        .actual
        .contains("0 operation entries"));
    let refused = bulk_answer(501, json!([]));
    assert_eq!(
        refused.problem(false).unwrap().actual,
        "POST /Bulk answered HTTP 501"
    );
}

#[test]
fn an_operation_answered_5xx_is_told_apart() {
    let outcome = bulk_answer(
        200,
        json!([{"bulkId": "user", "status": "500"}, {"bulkId": "group", "status": "400"}]),
    );
    assert!(outcome.failed_with_5xx(0));
    assert!(!outcome.failed_with_5xx(1));
    assert_eq!(outcome.problem(true).unwrap().operation, Some(0));
}
