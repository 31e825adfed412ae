//! Import as Okta runs it (Okta SCIM 2.0 reference, Retrieve Users; Okta's "Test API Credentials"): the `count=2` credential probe and the
//! constant group read, then a full walk of `GET /Users?startIndex=k*100+1&count=100` over more
//! than 100 users (the run creates what is missing), checking integer counts and page shape on
//! every page, no duplicates, no gaps, and the same order on a second walk.

use std::collections::HashMap;

use serde_json::Value;

use super::bodies::okta_create_body;
use super::session::{body_id, listed_ids, okta_request, Check, Session};
use crate::check::shape::list_response_problems;
use crate::conformance::outcome::SuiteResult;
use crate::driver::{Call, Method, TransportError};

/// The suite's name in reports.
pub const SUITE: &str = "Import";
/// Okta's page size.
const PAGE: u64 = 100;
/// The walk must cross a page boundary.
const MIN_USERS: u64 = PAGE + 1;
/// However large the target, a walk stops after this many pages.
const MAX_PAGES: u64 = 2_000;

/// What one paging walk saw.
#[derive(Debug, Default)]
struct Walk {
    ids: Vec<String>,
    total: Option<u64>,
    problems: Vec<String>,
    evidence: Option<Call>,
}

/// Runs the probe, creates users until more than 100 exist, and walks the list twice, into
/// `suite` (named [`SUITE`]).
pub fn run_import(
    session: &mut Session<'_>,
    suite: &mut SuiteResult,
) -> Result<(), TransportError> {
    let total = probe(session, suite)?;
    groups_probe(session, suite)?;
    let own = create_users(session, suite, MIN_USERS.saturating_sub(total).max(3))?;
    let first = walk(session)?;
    let mut check = Check::new(
        "i4",
        "Import: count=100 pages from startIndex=1 are well-formed ListResponses with integer counts",
    );
    if let Some(call) = &first.evidence {
        check.record(call);
    }
    for problem in &first.problems {
        check.fail("page", "a well-formed page", problem.clone());
    }
    suite.steps.push(check.finish());
    suite.steps.push(duplicates_check(&first));
    suite.steps.push(gaps_check(&first, &own));
    let second = walk(session)?;
    let mut check = Check::new(
        "i7",
        "Import: a second walk lists the same ids in the same order",
    );
    let same = first.ids == second.ids;
    let first_difference = first
        .ids
        .iter()
        .zip(&second.ids)
        .position(|(a, b)| a != b)
        .map_or_else(
            || format!("lengths {} and {}", first.ids.len(), second.ids.len()),
            |at| {
                format!(
                    "position {}: {} then {}",
                    at + 1,
                    first.ids[at],
                    second.ids[at]
                )
            },
        );
    check.require(
        same,
        "order",
        "identical walks",
        format!("they differ at {first_difference}"),
    );
    suite.steps.push(check.finish());
    Ok(())
}

/// Okta's "Test API Credentials" read: `GET /Users?startIndex=1&count=2`. Returns totalResults.
fn probe(session: &Session<'_>, suite: &mut SuiteResult) -> Result<u64, TransportError> {
    let call = session.send(&okta_request(
        Method::Get,
        "/Users?startIndex=1&count=2",
        None,
    ))?;
    let mut check = Check::new(
        "i1",
        "Test API credentials: GET /Users?startIndex=1&count=2 → 200, count honoured, integer counts",
    );
    let mut total = 0;
    if check.status(&call, &[200]) {
        let body = call.response.json().unwrap_or(Value::Null);
        for problem in list_response_problems(&body) {
            check.fail("ListResponse", "well formed", problem);
        }
        total = body
            .get("totalResults")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let listed = listed_ids(&body).len() as u64;
        check.require(
            listed == total.min(2),
            "Resources",
            format!("{} users (count=2, totalResults {total})", total.min(2)),
            listed.to_string(),
        );
    }
    suite.steps.push(check.finish());
    Ok(total)
}

/// The constant group read that follows the credential probe (REF11).
fn groups_probe(session: &Session<'_>, suite: &mut SuiteResult) -> Result<(), TransportError> {
    let call = session.send(&okta_request(
        Method::Get,
        "/Groups?startIndex=1&count=100",
        None,
    ))?;
    let mut check = Check::new(
        "i2",
        "Import groups: GET /Groups?startIndex=1&count=100 → 200 ListResponse",
    );
    if check.status(&call, &[200]) {
        for problem in list_response_problems(&call.response.json().unwrap_or(Value::Null)) {
            check.fail("ListResponse", "well formed", problem);
        }
    }
    suite.steps.push(check.finish());
    Ok(())
}

/// Creates `count` users for the walk to find; returns their ids.
fn create_users(
    session: &mut Session<'_>,
    suite: &mut SuiteResult,
    count: u64,
) -> Result<Vec<String>, TransportError> {
    let mut check = Check::new(
        "i3",
        format!("Setup: {count} users so that more than {PAGE} exist"),
    );
    let mut ids = Vec::new();
    for _ in 0..count {
        let person = session.names.person();
        let external_id = session.names.okta_user_id();
        let password = session.names.password();
        let body = okta_create_body(&person, &external_id, &password);
        let call = session.send(&okta_request(Method::Post, "/Users", Some(body)))?;
        match body_id(&call).filter(|_| call.response.status == 201) {
            Some(id) => {
                session.created_user(&id);
                ids.push(id);
            }
            None if check.ok() => {
                check.status(&call, &[201]);
            }
            None => {}
        }
    }
    check.require(
        ids.len() as u64 == count,
        "users created",
        count.to_string(),
        ids.len().to_string(),
    );
    suite.steps.push(check.finish());
    Ok(ids)
}

/// Walks `GET /Users?startIndex=k*100+1&count=100` until `totalResults` is covered.
fn walk(session: &Session<'_>) -> Result<Walk, TransportError> {
    let mut walk = Walk::default();
    let mut start = 1;
    let mut pages = 0;
    while pages < MAX_PAGES && walk.total.is_none_or(|total| start <= total) {
        pages += 1;
        let path = format!("/Users?startIndex={start}&count={PAGE}");
        let call = session.send(&okta_request(Method::Get, path, None))?;
        let before = walk.problems.len();
        let listed = read_page(&mut walk, &call, start);
        if walk.problems.len() > before && walk.evidence.is_none() {
            walk.evidence = Some(call);
        }
        if listed == 0 {
            break;
        }
        start += PAGE;
    }
    Ok(walk)
}

/// Judges one page and adds its ids; returns how many it listed.
fn read_page(walk: &mut Walk, call: &Call, start: u64) -> usize {
    let at = format!("page startIndex={start}");
    if call.response.status != 200 {
        walk.problems
            .push(format!("{at}: status {}", call.response.status));
        return 0;
    }
    let body = call.response.json().unwrap_or(Value::Null);
    walk.problems.extend(
        list_response_problems(&body)
            .into_iter()
            .map(|p| format!("{at}: {p}")),
    );
    let ids = listed_ids(&body);
    if ids.len() as u64 > PAGE {
        walk.problems
            .push(format!("{at}: {} users for count={PAGE}", ids.len()));
    }
    let echoed = body.get("startIndex").and_then(Value::as_u64);
    if echoed.is_some_and(|echoed| echoed != start) {
        walk.problems.push(format!(
            "{at}: startIndex echoed as {}",
            echoed.unwrap_or_default()
        ));
    }
    let total = body.get("totalResults").and_then(Value::as_u64);
    match (walk.total, total) {
        (Some(before), Some(now)) if before != now => walk
            .problems
            .push(format!("{at}: totalResults changed from {before} to {now}")),
        (None, Some(now)) => walk.total = Some(now),
        _ => {}
    }
    let listed = ids.len();
    walk.ids.extend(ids);
    listed
}

fn duplicates_check(walk: &Walk) -> crate::conformance::outcome::StepResult {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for id in &walk.ids {
        *seen.entry(id.as_str()).or_default() += 1;
    }
    let mut repeated: Vec<&str> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| *id)
        .collect();
    repeated.sort_unstable();
    let mut check = Check::new("i5", "Import: no user is listed twice across pages");
    check.require(
        repeated.is_empty(),
        "repeated ids",
        "none",
        format!(
            "{} (e.g. {})",
            repeated.len(),
            repeated.first().unwrap_or(&"")
        ),
    );
    check.finish()
}

fn gaps_check(walk: &Walk, own: &[String]) -> crate::conformance::outcome::StepResult {
    let mut check = Check::new(
        "i6",
        "Import: no gaps — as many distinct users as totalResults, and every user this run created",
    );
    let distinct: std::collections::HashSet<&str> = walk.ids.iter().map(String::as_str).collect();
    match walk.total {
        Some(total) => {
            check.require(
                distinct.len() as u64 == total,
                "distinct users listed",
                format!("{total} (totalResults)"),
                distinct.len().to_string(),
            );
        }
        None => check.fail(
            "totalResults",
            "an integer to page against",
            "no integer totalResults on the first page",
        ),
    }
    let missing: Vec<&String> = own
        .iter()
        .filter(|id| !distinct.contains(id.as_str()))
        .collect();
    check.require(
        missing.is_empty(),
        "this run's users",
        "all listed",
        format!(
            "{} missing (e.g. {})",
            missing.len(),
            missing.first().map_or("", |id| id.as_str())
        ),
    );
    check.finish()
}
