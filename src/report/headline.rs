//! A finding's headline: what the server did against what it should have done, built from the
//! finding's data (the op, the exchange it names, its status, the expected value), e.g.
//! `GET of a deactivated user answered 404; Okta reads deactivated users (expected 200)`. The one
//! place every output (terminal text, JUnit, JSON `headline`, HTML) takes it from; the rule (check
//! id, citation) and why it matters follow it there (see [`super::impact`]).

use super::impact::impact;
use crate::check::{catalogue as id, Finding};
use crate::driver::Call;
use crate::fuzz::Failure;
use crate::model::Op;

/// The most characters of a value a headline quotes (the details below it carry the whole value).
const VALUE_CAP: usize = 80;

/// The headline of `finding`, found in `op` whose exchanges were `calls`.
pub fn headline(op: &Op, calls: &[Call], finding: &Finding) -> String {
    let rule = impact(&finding.check_id).should;
    if let Some(branches) = op.race_branches().filter(|_| is_race_verdict(finding)) {
        let statuses: Vec<String> = calls
            .iter()
            .take(branches.len())
            .map(|c| c.response.status.to_string())
            .collect();
        return format!(
            "{} concurrent {} answered {}; {rule}",
            branches.len(),
            branch_kinds(&branches),
            statuses.join(", ")
        );
    }
    let call = calls.get(finding.call_index);
    let request = what_was_sent(op, call, finding);
    let status = call.map(|c| c.response.status);
    let answered = match status {
        Some(status) if about_status(finding) => format!("answered {status}"),
        Some(status) => format!("answered {status} with {}", clip(&finding.actual)),
        None => format!("gave {}", clip(&finding.actual)),
    };
    match expected_part(finding) {
        Some(expected) => format!("{request} {answered}; {rule} (expected {expected})"),
        None => format!("{request} {answered}; {rule}"),
    }
}

/// The headline of a failure's finding, in the step of its minimal case that shows it.
pub fn failure_headline(failure: &Failure) -> Option<String> {
    let finding = failure.finding()?;
    let step = failure.minimal.steps.get(finding.op_index)?;
    Some(headline(&step.op, &step.calls, finding))
}

/// `1 op`, `3 ops`: a count with its noun in the right number.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Whether the finding judges a race as a whole (no order of its requests explains them),
/// rather than one of its responses.
pub fn is_race_verdict(finding: &Finding) -> bool {
    finding.check_id.starts_with("race.") || is_order_talk(&finding.expected)
}

/// A race verdict's expected side: "some order of the n concurrent requests …" (older traces:
/// "an order of …").
fn is_order_talk(expected: &str) -> bool {
    expected.starts_with("some order of ") || expected.starts_with("an order of ")
}

/// The headline of a finding made before the search (discovery): no op, one exchange at most.
pub fn discovery_headline(call: Option<&Call>, finding: &Finding) -> String {
    let rule = impact(&finding.check_id).should;
    let request = call.map_or_else(
        || "the server".to_string(),
        |c| format!("{} {}", c.request.method, path_of(&c.request.url)),
    );
    let answered = match call {
        Some(c) if about_status(finding) => format!("answered {}", c.response.status),
        _ => format!("gave {}", clip(&finding.actual)),
    };
    match expected_part(finding) {
        Some(expected) => format!("{request} {answered}; {rule} (expected {expected})"),
        None => format!("{request} {answered}; {rule}"),
    }
}

/// Whether the finding is about the status (its actual side starts with `HTTP nnn`).
fn about_status(finding: &Finding) -> bool {
    finding.actual.starts_with("HTTP ") || finding.expected.starts_with("HTTP ")
}

/// `200` for `HTTP 200`, `200 or 204` for `HTTP 200 or 204`, the value clipped otherwise; none
/// for a race's "an order of … that explains …" (the rule says it better).
fn expected_part(finding: &Finding) -> Option<String> {
    let expected = finding.expected.trim();
    if expected.is_empty() || is_order_talk(expected) {
        return None;
    }
    Some(clip(expected.strip_prefix("HTTP ").unwrap_or(expected)))
}

/// `GET of a deactivated user`, `POST of a new user`, `one of 4 concurrent creates of one
/// userName`, `a userName lookup (GET /Users?filter=…)`.
fn what_was_sent(op: &Op, call: Option<&Call>, finding: &Finding) -> String {
    if let Some(branches) = op.race_branches() {
        return race_request(&branches, call, finding);
    }
    let method = call.map_or("", |c| c.request.method.as_str());
    let object = object_of(op, finding);
    match (method, object) {
        ("", object) => object.to_string(),
        (method, object) => format!("{method} of {object}"),
    }
}

/// A race's branch, or the read after it, or the race as a whole.
fn race_request(branches: &[Op], call: Option<&Call>, finding: &Finding) -> String {
    let n = branches.len();
    let kinds = branch_kinds(branches);
    match branches.get(finding.call_index) {
        Some(branch) => {
            let method = call.map_or("", |c| c.request.method.as_str());
            format!(
                "{method} of {} (one of {n} concurrent {kinds})",
                object_of(branch, finding)
            )
            .trim_start()
            .to_string()
        }
        None => format!("the read after {n} concurrent {kinds}"),
    }
}

/// `creates of one userName`, `membership adds to one group`, `requests on one user`.
fn branch_kinds(branches: &[Op]) -> &'static str {
    let all = |kind: &str| branches.iter().all(|b| b.kind() == kind);
    if all("create-user") {
        "creates of one userName"
    } else if all("patch-members") {
        "membership changes of one group"
    } else if branches
        .iter()
        .all(|b| b.kind() == "patch-members" || b.kind() == "get-group")
    {
        "requests on one group"
    } else {
        "requests on one user"
    }
}

/// What an op acts on, as a noun phrase: `a user`, `a deactivated user`, `an unknown user id`.
fn object_of(op: &Op, finding: &Finding) -> &'static str {
    if finding.check_id == id::DEACTIVATED_READABLE {
        return match op {
            Op::LookupUser { .. } => "a deactivated user by userName (Okta's lookup)",
            Op::ListUsers { .. } | Op::WalkUsers { .. } => "a user list holding a deactivated user",
            _ => "a deactivated user",
        };
    }
    match op {
        Op::CreateUser { .. } | Op::RaceCreate { .. } => "a new user",
        Op::CreateUnicodeEmail { .. } => "a new user with a non-ASCII email",
        Op::MalformedCreate => "a user as malformed JSON",
        Op::GetUser { .. } => "a user",
        Op::GetBogusUser { .. } => "an unknown user id",
        Op::LookupUser { .. } => "users by userName (Okta's lookup)",
        Op::ListUsers { .. } => "a filtered user list",
        Op::WalkUsers { .. } => "a page of users",
        Op::ListInvalidFilter { .. } => "a list filtered by an ordered boolean",
        Op::SetActive { active: false, .. } => "a user, deactivating it (active=false)",
        Op::SetActive { .. } => "a user, reactivating it (active=true)",
        Op::SetActiveString { .. } => "a user's active flag as a \"True\"/\"False\" string",
        Op::ReplaceUser { .. } => "a user (Okta's GET-then-PUT)",
        Op::DeleteUser { .. } => "a user",
        Op::PatchAtomicity { .. } => "a user (PATCH whose second operation fails)",
        Op::InvalidPatch { .. } => "a user (invalid PATCH)",
        Op::StaleWrite { .. } => "a user with a stale If-Match",
        Op::RemoveAbsent { .. } => "a user (remove of an absent value)",
        Op::AddExistingEmail { .. } => "a user (add of an email already there)",
        Op::CreateGroup { .. } => "a new group",
        Op::GetGroup { .. } | Op::RaceAddMembers { .. } => "a group",
        Op::RenameGroup { .. } => "a group, renaming it",
        Op::PatchMembers { .. } => "a group's members",
        Op::RemoveAbsentMember { .. } => "a group (remove of a member not there)",
        Op::DeleteGroup { .. } => "a group",
        Op::BadAuthRequest { .. } => "the users list with bad credentials",
        Op::Race { .. } => "concurrent requests",
    }
}

/// The path and query of `url` (`/Users/…`), or the URL when it has none.
fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or(url, |at| &after_scheme[at..])
}

/// `text` on one line, cut to [`VALUE_CAP`] characters.
fn clip(text: &str) -> String {
    let line = text.replace(['\n', '\r'], " ");
    if line.chars().count() <= VALUE_CAP {
        return line;
    }
    let kept: String = line.chars().take(VALUE_CAP).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_calls::exchange;
    use crate::model::{Spelling, UserHandle};

    fn user() -> UserHandle {
        UserHandle(0)
    }

    /// The example: the server's answer first, then the rule, then what was expected.
    #[test]
    fn a_deactivated_user_answered_404_reads_as_what_happened() {
        let calls = [exchange("GET", 404, "{}")];
        let finding = Finding::new(
            id::DEACTIVATED_READABLE,
            "HTTP 200",
            "HTTP 404 {\"detail\":\"gone\"}",
        );
        assert_eq!(
            headline(&Op::GetUser { user: user() }, &calls, &finding),
            "GET of a deactivated user answered 404; Okta reads deactivated users (expected 200)"
        );
    }

    #[test]
    fn a_wrong_value_is_quoted_with_the_status_it_came_with() {
        let calls = [exchange("PATCH", 200, "{}")];
        let finding = Finding::new(id::PATCH_RESULT, "active = false", "active = true");
        let op = Op::SetActive {
            user: user(),
            active: false,
            capitalised: false,
        };
        assert_eq!(
            headline(&op, &calls, &finding),
            "PATCH of a user, deactivating it (active=false) answered 200 with active = true; \
             a PATCH answered 200 is applied and returned (expected active = false)"
        );
    }

    #[test]
    fn a_finding_on_one_branch_of_a_race_names_the_branch_and_the_race() {
        let calls = [
            exchange("POST", 201, "{}"),
            exchange("POST", 500, "{}"),
            exchange("GET", 200, "{}"),
        ];
        let finding = Finding::new(id::NO_SERVER_ERROR, "HTTP 409", "HTTP 500").at_call(1);
        let op = Op::RaceCreate {
            user: user(),
            branches: 2,
        };
        assert_eq!(
            headline(&op, &calls, &finding),
            "POST of a new user (one of 2 concurrent creates of one userName) answered 500; \
             a well-formed request never answers 5xx (expected 409)"
        );
    }

    #[test]
    fn a_race_verdict_names_the_race_and_leaves_the_order_talk_out() {
        let calls = [
            exchange("POST", 201, "{}"),
            exchange("POST", 201, "{}"),
            exchange("GET", 200, "{}"),
        ];
        let finding = Finding::new(
            id::RACE_DUPLICATE,
            "an order of the 2 concurrent requests that explains every response",
            "no order does",
        );
        let op = Op::RaceCreate {
            user: user(),
            branches: 2,
        };
        assert_eq!(
            headline(&op, &calls, &finding),
            "2 concurrent creates of one userName answered 201, 201; only one of them may succeed, \
             the others answer 409"
        );
    }

    #[test]
    fn long_values_are_clipped_to_one_line() {
        let calls = [exchange("POST", 201, "{}")];
        let finding = Finding::new(id::CONTENT, "x", format!("a\nb{}", "c".repeat(200)));
        let op = Op::CreateUser {
            user: user(),
            spelling: Spelling::Base,
        };
        let shown = headline(&op, &calls, &finding);
        assert!(
            !shown.contains('\n') && shown.contains("a bccc") && shown.contains('…'),
            "{shown}"
        );
    }

    #[test]
    fn a_discovery_finding_names_the_endpoint() {
        let call = exchange("GET", 404, "{}");
        let finding = Finding::new(id::DISCOVERY_SCHEMAS, "HTTP 200", "HTTP 404");
        let shown = discovery_headline(Some(&call), &finding);
        assert!(shown.starts_with("GET /"), "{shown}");
        assert!(
            shown.ends_with("answered 404; /Schemas lists the schemas (expected 200)"),
            "{shown}"
        );
    }
}
