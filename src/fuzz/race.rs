//! Race cases: a sequential prefix, then concurrent branches (creates of one userName, or
//! membership adds to one group) sent at the same moment on the runner's runtime, then one read
//! that shows what stuck. Races are flaky by nature, so the runner repeats each race case before
//! declaring it passed.

use proptest::prelude::*;

use super::render::{create_user_body, list_path};
use crate::driver::encode_component;
use crate::driver::{Call, Driver, IdMap, Method, RequestSpec, ResourceKind, TransportError};
use crate::model::{GroupHandle, ListQuery, Op, Spelling, State, UserHandle};
use crate::scim::filter::{AttrPath, CompValue, CompareOp, Filter};
use crate::scim::urn;

/// How many times a race case runs before it counts as passed.
pub const DEFAULT_RACE_REPEATS: u32 = 3;

/// The concurrent requests of a race op.
pub fn race_requests(op: &Op, state: &State, ids: &IdMap) -> Vec<RequestSpec> {
    match op {
        Op::RaceCreate { user, branches } => {
            let body = create_user_body(&state.new_user_record(*user, Spelling::Base));
            (0..*branches)
                .map(|_| RequestSpec::with_json(Method::Post, "/Users", body.clone()))
                .collect()
        }
        Op::RaceAddMembers { group, users } => {
            let path = group_path(*group, ids);
            users
                .iter()
                .filter_map(|user| ids.id(ResourceKind::User, user.0).map(|id| (user, id)))
                .map(|(user, id)| {
                    let display = state.live_user(*user).map(|r| r.user_name.clone()).unwrap_or_default();
                    let body = serde_json::json!({
                        "schemas": [urn::PATCH_OP],
                        "Operations": [{"op": "add", "path": "members", "value": [{"value": id, "display": display}]}],
                    });
                    RequestSpec::with_json(Method::Patch, path.clone(), body)
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The read after the branches: a `userName eq` lookup, or a GET of the group.
pub fn race_follow_up(op: &Op, state: &State, ids: &IdMap) -> Option<RequestSpec> {
    match op {
        Op::RaceCreate { user, .. } => {
            let filter = Filter::Compare {
                path: AttrPath::simple("userName"),
                op: CompareOp::Eq,
                value: CompValue::String(state.user_name(*user, Spelling::Base)),
            };
            let query = ListQuery {
                filter: Some(filter),
                start_index: Some(1),
                count: Some(100),
                namespaced: true,
            };
            let mut namespaced = state.clone();
            namespaced.rules.exclusive = false;
            Some(RequestSpec::get(list_path(&namespaced, &query)))
        }
        Op::RaceAddMembers { group, .. } => Some(RequestSpec::get(group_path(*group, ids))),
        _ => None,
    }
}

fn group_path(group: GroupHandle, ids: &IdMap) -> String {
    let id = ids
        .id(ResourceKind::Group, group.0)
        .unwrap_or("scimfuzz-unassigned");
    format!("/Groups/{}", encode_component(id))
}

/// Sends every spec at once (one task each) and returns the exchanges in spec order.
pub async fn send_concurrently(
    driver: &Driver,
    specs: Vec<RequestSpec>,
) -> Result<Vec<Call>, TransportError> {
    let tasks: Vec<_> = specs
        .into_iter()
        .map(|spec| {
            let driver = driver.clone();
            tokio::spawn(async move { driver.send(&spec).await })
        })
        .collect();
    let mut calls = Vec::with_capacity(tasks.len());
    for task in tasks {
        let call = task
            .await
            .map_err(|err| TransportError::Client(format!("a race branch failed: {err}")))??;
        calls.push(call);
    }
    Ok(calls)
}

/// Race cases: creates of one userName from 2–4 branches, or a group and 2–3 users added
/// concurrently.
pub fn race_sequence(groups: bool) -> BoxedStrategy<Vec<Op>> {
    let duplicate = (0..2u8, 2..=4u8).prop_map(|(slot, branches)| {
        vec![Op::RaceCreate {
            user: UserHandle(slot),
            branches,
        }]
    });
    let membership = (2..=3u8).prop_map(|count| {
        let users: Vec<UserHandle> = (0..count).map(UserHandle).collect();
        // Each create is read back, so a lost write shows as itself, not as a lost update.
        let mut ops: Vec<Op> = users
            .iter()
            .flat_map(|user| {
                let create = Op::CreateUser {
                    user: *user,
                    spelling: Spelling::Base,
                };
                [create, Op::GetUser { user: *user }]
            })
            .collect();
        ops.push(Op::CreateGroup {
            group: GroupHandle(0),
            members: Vec::new(),
        });
        ops.push(Op::RaceAddMembers {
            group: GroupHandle(0),
            users,
        });
        ops
    });
    if groups {
        prop_oneof![duplicate, membership].boxed()
    } else {
        duplicate.boxed()
    }
}

/// Whether a sequence holds a race op (and must be repeated before it counts as passed).
pub fn has_race(ops: &[Op]) -> bool {
    ops.iter()
        .any(|op| matches!(op, Op::RaceCreate { .. } | Op::RaceAddMembers { .. }))
}
