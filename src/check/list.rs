//! List responses against the model: the ListResponse shape, which of the case's users a filter
//! returned (missing and unexpected matches), `totalResults`, page sizes and `startIndex`.

use serde_json::Value;

use super::catalogue as id;
use super::finding::{CheckContext, Finding};
use super::resource::describe_user;
use super::shape::list_response_problems;
use crate::driver::{Call, ResourceKind};
use crate::model::{ListExpectation, Op, Spelling, UserHandle};
use crate::scim::filter::Filter;

/// The most pages one walk reads (a bound, so a server that lies about totals cannot hang us).
pub const MAX_WALK_PAGES: usize = 20;

/// The findings about one list page.
pub fn list_findings(
    body: &Value,
    expectation: &ListExpectation,
    op: &Op,
    ctx: &CheckContext,
) -> Vec<Finding> {
    let problems = list_response_problems(body);
    if !problems.is_empty() {
        return vec![Finding::new(
            id::LIST_SHAPE,
            "a well-formed ListResponse",
            problems.join("; "),
        )];
    }
    let resources: Vec<&Value> = body
        .get("Resources")
        .and_then(Value::as_array)
        .map(|items| items.iter().collect())
        .unwrap_or_default();
    let total = body
        .get("totalResults")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let mut findings = Vec::new();
    let mut returned: Vec<UserHandle> = Vec::new();
    for resource in &resources {
        match classify(resource, expectation, ctx) {
            Returned::Ours(handle) => returned.push(handle),
            Returned::Foreign => {}
            Returned::Unexpected(who) => findings.push(Finding::new(
                id::FILTER_UNEXPECTED_MATCH,
                format!("only {}", describe_set(expectation)),
                format!("{who} was returned"),
            )),
        }
    }
    findings.extend(paging_findings(
        expectation,
        resources.len() as u64,
        total,
        body,
    ));
    let covers_everything = expectation.start_index == 1
        && expectation
            .count
            .is_none_or(|count| count >= expectation.total_range().1);
    if covers_everything && findings.is_empty() {
        findings.extend(missing_findings(expectation, &returned, op, ctx));
    }
    let (low, high) = expectation.total_range();
    if expectation.total_predictable && findings.is_empty() && !(low..=high).contains(&total) {
        // Deactivated users left out of the count are the deactivation defect, not a miscount.
        let hidden = deactivated(&expectation.must, ctx).len() as u64;
        let check = if total < low && low - total <= hidden {
            id::DEACTIVATED_READABLE
        } else {
            id::TOTAL_RESULTS
        };
        findings.push(Finding::new(
            check,
            range_text("totalResults", low, high),
            format!("totalResults {total}"),
        ));
    }
    match filter_subject(op) {
        Some(subject) => findings
            .into_iter()
            .map(|finding| match finding.check_id.starts_with("filter.") {
                true => finding.about(subject.clone()),
                false => finding,
            })
            .collect(),
        None => findings,
    }
}

/// What a filter finding is about: the operators the op's own filter uses (`co`, `eq, ne`), so
/// each operator's defect is told apart whichever attribute it met; Okta's lookup is `userName eq`.
pub(super) fn filter_subject(op: &Op) -> Option<String> {
    match op {
        Op::LookupUser { .. } => Some("userName eq".into()),
        Op::ListUsers { query } => query.filter.as_ref().map(comparison_operators),
        _ => None,
    }
}

/// The comparison operators of `filter`, sorted and without repeats: `co`, `eq, ne`, `pr`.
pub fn comparison_operators(filter: &Filter) -> String {
    let mut comparisons = Vec::new();
    comparisons_of(filter, &mut comparisons);
    comparisons.sort();
    comparisons.dedup();
    comparisons.join(", ")
}

fn comparisons_of(filter: &Filter, out: &mut Vec<String>) {
    match filter {
        Filter::And(left, right) | Filter::Or(left, right) => {
            comparisons_of(left, out);
            comparisons_of(right, out);
        }
        Filter::Not(inner) => comparisons_of(inner, out),
        Filter::Present(_) => out.push("pr".into()),
        Filter::ValuePath { filter, .. } => comparisons_of(filter, out),
        Filter::Compare { op, .. } => out.push(op.to_string()),
    }
}

enum Returned {
    Ours(UserHandle),
    Foreign,
    Unexpected(String),
}

fn classify(resource: &Value, expectation: &ListExpectation, ctx: &CheckContext) -> Returned {
    let user_id = resource
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if let Some(slot) = ctx.ids.slot_of(ResourceKind::User, user_id) {
        let handle = UserHandle(slot);
        return if expectation.allows(handle) {
            Returned::Ours(handle)
        } else {
            Returned::Unexpected(describe_user(ctx, user_id))
        };
    }
    let user_name = resource
        .get("userName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let in_namespace = user_name.starts_with(ctx.namespace_prefix)
        || ctx.ids.created_here(ResourceKind::User, user_id);
    if in_namespace {
        Returned::Unexpected(format!("an unmodelled resource ({user_id} {user_name:?})"))
    } else {
        Returned::Foreign
    }
}

fn paging_findings(
    expectation: &ListExpectation,
    listed: u64,
    total: u64,
    body: &Value,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(count) = expectation.count {
        if listed > count {
            findings.push(Finding::new(
                id::PAGE_SIZE,
                format!("at most count={count} resources"),
                format!("{listed} resources"),
            ));
            return findings;
        }
    }
    let remaining = total.saturating_sub(expectation.start_index - 1);
    let due = expectation
        .count
        .map_or(remaining, |count| count.min(remaining));
    let echoed = body.get("startIndex").and_then(Value::as_u64);
    if listed < due && expectation.start_index == 1 && echoed == Some(1) && listed + 1 == due {
        findings.push(Finding::new(
            id::START_INDEX,
            format!("startIndex=1 returns the first {due} of {total} resources"),
            format!("{listed} resources (the first one skipped?)"),
        ));
    } else if listed < due && expectation.count != Some(0) {
        findings.push(Finding::new(
            id::PAGE_SIZE,
            format!(
                "{due} resources (totalResults {total}, startIndex {})",
                expectation.start_index
            ),
            format!("{listed} resources"),
        ));
    } else if total > 0 && listed > 0 && echoed != Some(expectation.start_index) {
        findings.push(Finding::new(
            id::START_INDEX,
            format!("startIndex {}", expectation.start_index),
            format!(
                "startIndex {}",
                echoed.map_or("(missing)".to_string(), |s| s.to_string())
            ),
        ));
    }
    findings
}

/// The users among `handles` the model holds as deactivated.
fn deactivated(handles: &[UserHandle], ctx: &CheckContext) -> Vec<UserHandle> {
    handles
        .iter()
        .filter(|handle| {
            ctx.ids
                .id(ResourceKind::User, handle.0)
                .is_some_and(|id| ctx.deactivated_ids.iter().any(|d| d == id))
        })
        .copied()
        .collect()
}

fn missing_findings(
    expectation: &ListExpectation,
    returned: &[UserHandle],
    op: &Op,
    ctx: &CheckContext,
) -> Vec<Finding> {
    let missing: Vec<UserHandle> = expectation
        .must
        .iter()
        .filter(|handle| !returned.contains(handle))
        .copied()
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let check = match op {
        // Only deactivated users are missing: whatever the filter, the server hides them.
        _ if deactivated(&missing, ctx).len() == missing.len() => id::DEACTIVATED_READABLE,
        Op::LookupUser { spelling, .. } if *spelling != Spelling::Base => {
            id::USERNAME_CASE_INSENSITIVE
        }
        _ => id::FILTER_MISSING_MATCH,
    };
    let names: Vec<String> = missing.iter().map(|h| format!("user#{}", h.0)).collect();
    vec![Finding::new(
        check,
        format!("the result includes {}", names.join(", ")),
        format!(
            "returned [{}]",
            returned
                .iter()
                .map(|h| format!("user#{}", h.0))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )]
}

fn describe_set(expectation: &ListExpectation) -> String {
    let mut names: Vec<String> = expectation
        .must
        .iter()
        .map(|h| format!("user#{}", h.0))
        .collect();
    names.extend(
        expectation
            .may
            .iter()
            .map(|h| format!("user#{} (maybe)", h.0)),
    );
    if names.is_empty() {
        "no resources".to_string()
    } else {
        names.join(", ")
    }
}

fn range_text(what: &str, low: u64, high: u64) -> String {
    if low == high {
        format!("{what} {low}")
    } else {
        format!("{what} between {low} and {high}")
    }
}

/// Across the pages of a walk: every resource exactly once, every certain match present.
pub fn walk_findings(
    expectation: &ListExpectation,
    calls: &[Call],
    ctx: &CheckContext,
) -> Vec<Finding> {
    let mut seen: Vec<String> = Vec::new();
    let mut duplicates: Vec<String> = Vec::new();
    for call in calls {
        let body = call.response.json().unwrap_or_default();
        let ids = body
            .get("Resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for user_id in ids.filter_map(|r| r.get("id").and_then(Value::as_str)) {
            if seen.iter().any(|s| s == user_id) {
                duplicates.push(describe_user(ctx, user_id));
            } else {
                seen.push(user_id.to_string());
            }
        }
    }
    let pages = calls.len();
    if !duplicates.is_empty() {
        return vec![Finding::new(
            id::STABLE_PAGING,
            "each resource on exactly one page",
            format!(
                "{} returned twice across {pages} pages",
                duplicates.join(", ")
            ),
        )];
    }
    let missing: Vec<String> = expectation
        .must
        .iter()
        .filter(|handle| {
            ctx.ids
                .id(ResourceKind::User, handle.0)
                .is_some_and(|known| !seen.iter().any(|s| s == known))
        })
        .map(|handle| format!("user#{}", handle.0))
        .collect();
    if missing.is_empty() || pages >= MAX_WALK_PAGES {
        return Vec::new();
    }
    vec![Finding::new(
        id::STABLE_PAGING,
        "every resource on some page of the walk",
        format!("{} never listed across {pages} pages", missing.join(", ")),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckRules, UNGRADED};
    use crate::driver::IdMap;
    use serde_json::json;

    fn page(ids: &[&str], total: u64, start: u64) -> Value {
        let resources: Vec<Value> = ids
            .iter()
            .map(|id| json!({"id": id, "userName": format!("77.{id}")}))
            .collect();
        json!({
            "schemas": [crate::scim::urn::LIST_RESPONSE],
            "totalResults": total, "startIndex": start, "itemsPerPage": resources.len(),
            "Resources": resources,
        })
    }

    fn expectation(must: &[u8], count: Option<u64>) -> ListExpectation {
        ListExpectation {
            must: must.iter().map(|slot| UserHandle(*slot)).collect(),
            may: Vec::new(),
            start_index: 1,
            count,
            total_predictable: true,
        }
    }

    fn ids() -> IdMap {
        let mut ids = IdMap::new();
        ids.assign(ResourceKind::User, 0, "a".into());
        ids.assign(ResourceKind::User, 1, "b".into());
        ids
    }

    fn check(body: &Value, expectation: &ListExpectation, ids: &IdMap) -> Vec<String> {
        check_with_deactivated(body, expectation, ids, &[])
    }

    fn check_with_deactivated(
        body: &Value,
        expectation: &ListExpectation,
        ids: &IdMap,
        deactivated_ids: &[String],
    ) -> Vec<String> {
        let ctx = CheckContext {
            ids,
            namespace_prefix: "77.",
            deactivated_ids,
            memberships: &[],
            rules: CheckRules::default(),
            grading: &UNGRADED,
        };
        let op = Op::WalkUsers {
            page_size: 1,
            namespaced: true,
        };
        list_findings(body, expectation, &op, &ctx)
            .into_iter()
            .map(|f| f.check_id)
            .collect()
    }

    #[test]
    fn a_page_larger_than_count_is_a_page_size_finding() {
        let found = check(
            &page(&["a", "b"], 2, 1),
            &expectation(&[0, 1], Some(1)),
            &ids(),
        );
        assert_eq!(found, vec![id::PAGE_SIZE]);
    }

    #[test]
    fn a_missing_match_and_an_unexpected_match_are_told_apart() {
        assert_eq!(
            check(&page(&["a"], 1, 1), &expectation(&[0, 1], None), &ids()),
            vec![id::FILTER_MISSING_MATCH]
        );
        assert_eq!(
            check(&page(&["a", "b"], 2, 1), &expectation(&[0], None), &ids()),
            vec![id::FILTER_UNEXPECTED_MATCH]
        );
    }

    #[test]
    fn a_total_that_counts_only_the_page_is_a_total_results_finding() {
        let found = check(&page(&["a"], 1, 1), &expectation(&[0, 1], Some(1)), &ids());
        assert_eq!(found, vec![id::TOTAL_RESULTS]);
    }

    #[test]
    fn a_deactivated_user_left_out_is_the_deactivation_defect_not_a_filter_one() {
        let deactivated = ["b".to_string()];
        let missing = page(&["a"], 1, 1);
        assert_eq!(
            check_with_deactivated(&missing, &expectation(&[0, 1], None), &ids(), &deactivated),
            vec![id::DEACTIVATED_READABLE]
        );
        assert_eq!(
            check_with_deactivated(
                &missing,
                &expectation(&[0, 1], Some(1)),
                &ids(),
                &deactivated
            ),
            vec![id::DEACTIVATED_READABLE],
            "a total that leaves it out too"
        );
        let active_missing = page(&["b"], 1, 1);
        assert_eq!(
            check_with_deactivated(
                &active_missing,
                &expectation(&[0, 1], None),
                &ids(),
                &deactivated
            ),
            vec![id::FILTER_MISSING_MATCH],
            "an active user left out is still a filter defect"
        );
    }

    #[test]
    fn a_correct_page_has_no_findings() {
        assert!(check(&page(&["b"], 2, 1), &expectation(&[0, 1], Some(1)), &ids()).is_empty());
    }
}
