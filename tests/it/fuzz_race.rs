//! Race cases judged by the linearizability checker (`scimfuzz::check::linearize`): hand-built
//! histories, each a set of concurrent branch responses plus the read after them, are accepted
//! exactly when some order of the branches explains them. The race phase against the embedded
//! server and race traces on disk are in fuzz_race_runs.rs.

use serde_json::{json, Value};

use scimfuzz::check::{linearize, CheckContext, CheckRules, Grading, Linearization, UNGRADED};
use scimfuzz::driver::{Call, IdMap, RecordedRequest, RecordedResponse, ResourceKind, Timings};
use scimfuzz::model::{
    apply, GroupHandle, MembershipChange, ModelRules, Op, Spelling, State, UserHandle, UserRecord,
};

pub(crate) const TAG: &str = "7";
pub(crate) const BASE: &str = "http://127.0.0.1:1/scim/v2";

fn call(method: &str, path: &str, status: u16, body: Value) -> Call {
    let mut headers = vec![(
        "content-type".to_string(),
        "application/scim+json".to_string(),
    )];
    if status == 201 {
        let id = body["id"].as_str().unwrap_or_default();
        headers.push(("location".into(), format!("{BASE}/Users/{id}")));
    }
    Call {
        request: RecordedRequest {
            method: method.into(),
            url: format!("{BASE}{path}"),
            headers: Vec::new(),
            body: None,
        },
        response: RecordedResponse {
            status,
            headers,
            body: body.to_string(),
            oversized: None,
        },
        timings: Timings {
            started_at_us: 0,
            headers_us: 500,
            total_us: 1_000,
        },
    }
}

fn user_body(id: &str, record: &UserRecord) -> Value {
    let emails: Vec<Value> = record.emails.iter().map(|e| json!({"value": e})).collect();
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ],
        "id": id,
        "userName": record.user_name,
        "name": {"givenName": record.given_name, "familyName": record.family_name},
        "displayName": record.display_name,
        "externalId": record.external_id,
        "emails": emails,
        "active": record.active,
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": record.employee_number,
        },
        "meta": {"resourceType": "User"},
    })
}

fn group_body(state: &State, members: &[&str]) -> Value {
    let members: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "g-0",
        "displayName": state.base_group_name(GroupHandle(0)),
        "members": members,
        "meta": {"resourceType": "Group"},
    })
}

fn listed(users: &[Value]) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": users.len(),
        "startIndex": 1,
        "itemsPerPage": users.len(),
        "Resources": users,
    })
}

fn conflict() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": "409",
        "scimType": "uniqueness",
        "detail": "userName taken",
    })
}

/// Runs `op` through the model, then judges `calls` as its race exchanges.
fn judge(state: &State, ids: &IdMap, op: &Op, calls: &[Call]) -> Linearization {
    judge_graded(state, ids, op, calls, &UNGRADED)
}

/// [`judge`] under a profile's grading.
fn judge_graded(
    state: &State,
    ids: &IdMap,
    op: &Op,
    calls: &[Call],
    grading: &Grading,
) -> Linearization {
    assert!(apply(state, op).is_some(), "the race applies on the model");
    let ctx = CheckContext {
        ids,
        namespace_prefix: "7.",
        deactivated_ids: &[],
        memberships: &[],
        rules: CheckRules::default(),
        grading,
    };
    linearize(op, state, calls, &ctx)
}

fn blocking_ids(verdict: &Linearization) -> Vec<String> {
    verdict
        .findings
        .iter()
        .filter(|f| f.is_blocking())
        .map(|f| f.check_id.clone())
        .collect()
}

pub(crate) fn with_users(count: u8) -> (State, IdMap) {
    let mut state = State::new(TAG, ModelRules::default());
    let mut ids = IdMap::new();
    for slot in 0..count {
        let create = Op::CreateUser {
            user: UserHandle(slot),
            spelling: Spelling::Base,
        };
        state = apply(&state, &create).expect("create applies").0;
        ids.assign(ResourceKind::User, slot, format!("u-{slot}"));
    }
    (state, ids)
}

/// Okta's path-less PATCH of user 0's `active`.
pub(crate) fn set_active(active: bool) -> Op {
    Op::SetActive {
        user: UserHandle(0),
        active,
        capitalised: false,
    }
}

pub(crate) fn record(state: &State, slot: u8) -> UserRecord {
    state.live_user(UserHandle(slot)).expect("live").clone()
}

/// Two creates of user 0 answered 409 and `status` (with the new user), then the lookup finding
/// it: the model state before, the race op, and the three exchanges.
fn create_race_answered(status: u16) -> (State, Op, [Call; 3]) {
    let state = State::new(TAG, ModelRules::default());
    let created = state.new_user_record(UserHandle(0), Spelling::Base);
    let op = Op::RaceCreate {
        user: UserHandle(0),
        branches: 2,
    };
    let calls = [
        call("POST", "/Users", 409, conflict()),
        call("POST", "/Users", status, user_body("u-new", &created)),
        call(
            "GET",
            "/Users?filter=…",
            200,
            listed(&[user_body("u-new", &created)]),
        ),
    ];
    (state, op, calls)
}

#[test]
fn two_creates_answered_201_and_409_linearize_with_the_201_first() {
    let (state, op, calls) = create_race_answered(201);
    let verdict = judge(&state, &IdMap::new(), &op, &calls);
    assert!(verdict.linearizable, "{:?}", verdict.findings);
    assert!(blocking_ids(&verdict).is_empty());
    assert_eq!(verdict.order, vec![1, 0], "the create that won goes first");
    assert!(verdict.state.live_user(UserHandle(0)).is_some());
}

#[test]
fn a_deviation_the_profile_allows_does_not_rule_an_order_out() {
    // The server answers its creates with 200 instead of 201.
    let (state, op, calls) = create_race_answered(200);
    let strict = judge(&state, &IdMap::new(), &op, &calls);
    assert_eq!(blocking_ids(&strict), vec!["status.create-201"]);
    let mut lenient = Grading::default();
    lenient.allowed.insert("status.create-201".into());
    let allowed = judge_graded(&state, &IdMap::new(), &op, &calls, &lenient);
    assert!(allowed.linearizable, "{:?}", allowed.findings);
    assert!(blocking_ids(&allowed).is_empty());
    assert_eq!(allowed.order, vec![1, 0]);
}

#[test]
fn two_creates_both_answered_201_are_a_duplicate_create_race() {
    let state = State::new(TAG, ModelRules::default());
    let created = state.new_user_record(UserHandle(0), Spelling::Base);
    let op = Op::RaceCreate {
        user: UserHandle(0),
        branches: 2,
    };
    let both = [user_body("u-a", &created), user_body("u-b", &created)];
    let calls = [
        call("POST", "/Users", 201, both[0].clone()),
        call("POST", "/Users", 201, both[1].clone()),
        call("GET", "/Users?filter=…", 200, listed(&both)),
    ];
    let verdict = judge(&state, &IdMap::new(), &op, &calls);
    assert!(!verdict.linearizable);
    assert_eq!(blocking_ids(&verdict), vec!["race.duplicate-create"]);
    let finding = &verdict.findings[0];
    assert!(
        finding.expected.contains("2 orders tried"),
        "{}",
        finding.expected
    );
    assert!(
        finding
            .actual
            .contains("the nearest (#0 create user#0, then #1 create user#0, then the read)")
            && finding.actual.contains("expected HTTP 409"),
        "{}",
        finding.actual
    );
}

/// Issue 9, item 6: four creates answered 409, 409, 201, 409 and one user stored, but the server
/// derives displayName from the name parts (and keeps neither externalId nor emails). The
/// statuses fit the orders with the 201 first; the only mismatch is content, so the finding is
/// `resource.content` on displayName, not `uniqueness.duplicate-409` "in all 24 orders".
#[test]
fn a_race_whose_statuses_fit_an_order_reports_the_content_mismatch_under_content() {
    let state = State::new(TAG, ModelRules::default());
    let sent = state.new_user_record(UserHandle(0), Spelling::Base);
    let mut stored = sent.clone();
    stored.display_name = format!("{} {}", sent.given_name, sent.family_name);
    assert_ne!(stored.display_name, sent.display_name);
    let op = Op::RaceCreate {
        user: UserHandle(0),
        branches: 4,
    };
    let mut created = user_body("u-new", &stored);
    // Nor does it keep externalId or the emails: three content mismatches on the 201, as many
    // as an order with a 409 first has status mismatches.
    if let Some(body) = created.as_object_mut() {
        body.remove("externalId");
    }
    created["emails"] = json!([]);
    let calls = [
        call("POST", "/Users", 409, conflict()),
        call("POST", "/Users", 409, conflict()),
        call("POST", "/Users", 201, created.clone()),
        call("POST", "/Users", 409, conflict()),
        call("GET", "/Users?filter=…", 200, listed(&[created])),
    ];
    let verdict = judge(&state, &IdMap::new(), &op, &calls);
    assert!(!verdict.linearizable);
    assert_eq!(blocking_ids(&verdict), vec!["resource.content"; 3]);
    assert!(verdict.findings.iter().all(|f| f.call_index == 2));
    let finding = &verdict.findings[0];
    assert!(
        finding.expected.starts_with("displayName = ")
            && finding.actual.contains(&stored.display_name),
        "{finding:?}"
    );
    assert!(
        finding.actual.contains("every status fits"),
        "{}",
        finding.actual
    );
    assert_eq!(verdict.order[0], 2, "the order that explains the statuses");
}

#[test]
fn a_membership_add_lost_under_concurrency_is_a_lost_update() {
    let (mut state, mut ids) = with_users(2);
    let create_group = Op::CreateGroup {
        group: GroupHandle(0),
        members: Vec::new(),
    };
    state = apply(&state, &create_group).expect("group").0;
    ids.assign(ResourceKind::Group, 0, "g-0".into());
    let op = Op::RaceAddMembers {
        group: GroupHandle(0),
        users: vec![UserHandle(0), UserHandle(1)],
    };
    // Each PATCH applied to the same snapshot; the second write overwrote the first.
    let calls = [
        call("PATCH", "/Groups/g-0", 200, group_body(&state, &["u-0"])),
        call("PATCH", "/Groups/g-0", 200, group_body(&state, &["u-1"])),
        call("GET", "/Groups/g-0", 200, group_body(&state, &["u-1"])),
    ];
    let verdict = judge(&state, &ids, &op, &calls);
    assert!(!verdict.linearizable);
    assert_eq!(blocking_ids(&verdict), vec!["race.group-lost-update"]);
    assert_eq!(verdict.findings[0].call_index, 2, "shown at the read");
}

fn flip(active_at_end: bool) -> Linearization {
    let (state, ids) = with_users(1);
    let op = Op::Race {
        branches: vec![set_active(false), set_active(true)],
    };
    let mut off = record(&state, 0);
    off.active = false;
    let on = record(&state, 0);
    let end = if active_at_end { &on } else { &off };
    let calls = [
        call("PATCH", "/Users/u-0", 200, user_body("u-0", &off)),
        call("PATCH", "/Users/u-0", 200, user_body("u-0", &on)),
        call("GET", "/Users/u-0", 200, user_body("u-0", end)),
    ];
    judge(&state, &ids, &op, &calls)
}

#[test]
fn deactivate_and_reactivate_linearize_in_either_order() {
    let reactivated_last = flip(true);
    assert!(
        reactivated_last.linearizable,
        "{:?}",
        reactivated_last.findings
    );
    assert_eq!(reactivated_last.order, vec![0, 1]);
    assert_eq!(
        reactivated_last
            .state
            .live_user(UserHandle(0))
            .map(|u| u.active),
        Some(true)
    );
    let deactivated_last = flip(false);
    assert!(
        deactivated_last.linearizable,
        "{:?}",
        deactivated_last.findings
    );
    assert_eq!(deactivated_last.order, vec![1, 0]);
    assert_eq!(
        deactivated_last
            .state
            .live_user(UserHandle(0))
            .map(|u| u.active),
        Some(false)
    );
}

#[test]
fn responses_that_each_demand_the_other_order_match_no_order() {
    let (mut state, mut ids) = with_users(2);
    let create_group = Op::CreateGroup {
        group: GroupHandle(0),
        members: vec![UserHandle(0)],
    };
    state = apply(&state, &create_group).expect("group").0;
    ids.assign(ResourceKind::Group, 0, "g-0".into());
    let change = |change| Op::PatchMembers {
        group: GroupHandle(0),
        change,
    };
    let op = Op::Race {
        branches: vec![
            change(MembershipChange::Remove {
                users: vec![UserHandle(0)],
            }),
            change(MembershipChange::Add {
                users: vec![UserHandle(1)],
            }),
        ],
    };
    // The remove answers as if it ran first, the add as if it ran first: no order gives both.
    let calls = [
        call("PATCH", "/Groups/g-0", 200, group_body(&state, &[])),
        call(
            "PATCH",
            "/Groups/g-0",
            200,
            group_body(&state, &["u-0", "u-1"]),
        ),
        call("GET", "/Groups/g-0", 200, group_body(&state, &["u-1"])),
    ];
    let verdict = judge(&state, &ids, &op, &calls);
    assert!(!verdict.linearizable);
    assert_eq!(blocking_ids(&verdict), vec!["race.linearizable"]);
    let actual = &verdict.findings[0].actual;
    assert!(
        actual.starts_with(
            "no order does: even the nearest (#0 remove user#0, then #1 add user#1, then the read) \
             disagrees once"
        ),
        "{actual}"
    );
}

#[test]
fn a_mismatch_in_every_order_is_reported_under_its_own_check() {
    let (state, ids) = with_users(1);
    let op = Op::Race {
        branches: vec![set_active(false), set_active(true)],
    };
    let on = record(&state, 0);
    let server_error = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": "500",
        "detail": "boom",
    });
    let calls = [
        call("PATCH", "/Users/u-0", 500, server_error),
        call("PATCH", "/Users/u-0", 200, user_body("u-0", &on)),
        call("GET", "/Users/u-0", 200, user_body("u-0", &on)),
    ];
    let verdict = judge(&state, &ids, &op, &calls);
    assert_eq!(blocking_ids(&verdict), vec!["status.no-5xx"]);
    // The 500 carried nothing out, so the reactivation alone explains the read: the race itself
    // is fine, and the 500 is reported under its own check.
    assert!(verdict.linearizable);
    assert_eq!(verdict.findings[0].call_index, 0);
}

/// A branch answered 5xx did nothing: a membership add that failed with 501 beside a remove that
/// worked is explained by the remove alone, and the 501 is reported under its own check (not as
/// a lost membership update).
#[test]
fn a_branch_answered_5xx_counts_as_not_carried_out() {
    let (mut state, mut ids) = with_users(2);
    let create_group = Op::CreateGroup {
        group: GroupHandle(0),
        members: vec![UserHandle(0)],
    };
    state = apply(&state, &create_group).expect("group").0;
    ids.assign(ResourceKind::Group, 0, "g-0".into());
    let change = |change| Op::PatchMembers {
        group: GroupHandle(0),
        change,
    };
    let op = Op::Race {
        branches: vec![
            change(MembershipChange::Remove {
                users: vec![UserHandle(0)],
            }),
            change(MembershipChange::Add {
                users: vec![UserHandle(1)],
            }),
        ],
    };
    let not_implemented = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": "501",
        "detail": "PATCH with a path is not implemented",
    });
    let calls = [
        call("PATCH", "/Groups/g-0", 200, group_body(&state, &[])),
        call("PATCH", "/Groups/g-0", 501, not_implemented),
        call("GET", "/Groups/g-0", 200, group_body(&state, &[])),
    ];
    let verdict = judge(&state, &ids, &op, &calls);
    assert!(verdict.linearizable, "{:?}", verdict.findings);
    assert_eq!(blocking_ids(&verdict), vec!["status.no-5xx"]);
}

#[test]
fn refused_requests_are_reported_before_the_read_they_leave_unchanged() {
    // Okta's path-less reactivate, then deactivate, one after the other in real time (a busy
    // machine serialises them), both refused with 400: the read still shows the user active,
    // which the model's only order (true → false) does not predict. The cause is the refusal.
    let (state, ids) = with_users(1);
    let op = Op::Race {
        branches: vec![set_active(true), set_active(false)],
    };
    let refused = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": "400",
        "scimType": "invalidPath",
        "detail": "a PATCH operation needs a `path`",
    });
    let at = |mut call: Call, started_at_us| {
        call.timings.started_at_us = started_at_us;
        call
    };
    let calls = [
        at(call("PATCH", "/Users/u-0", 400, refused.clone()), 0),
        at(call("PATCH", "/Users/u-0", 400, refused), 5_000),
        at(
            call(
                "GET",
                "/Users/u-0",
                200,
                user_body("u-0", &record(&state, 0)),
            ),
            10_000,
        ),
    ];
    let verdict = judge(&state, &ids, &op, &calls);
    assert!(!verdict.linearizable);
    assert_eq!(blocking_ids(&verdict), vec!["patch.pathless-replace"]);
    assert!(
        verdict.findings[0].call_index < 2,
        "shown at a PATCH, not the read"
    );
}
