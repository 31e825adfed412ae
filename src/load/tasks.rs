//! The Okta provisioning tasks a goose scenario repeats, one function per [`ScenarioKind`]:
//! assignment (lookup + create), import paging walk, profile sync (GET + PUT), deprovision and
//! reactivation (PATCH for OIN, GET + PUT for AIW), group push, and a single-user GET.

use std::collections::BTreeSet;

use goose::goose::GooseMethod;
use goose::prelude::GooseUser;
use serde_json::Value;

use super::context::{PoolUser, RunContext, WorkerSession};
use super::exchange::{exchange, exchange_racing_pair, Operation, Reply};
use super::okta_shapes as shapes;
use super::ops::OpKind;
use super::profile::{IntegrationMode, ScenarioKind, ScenarioSpec};

/// Most pages an import walk reads before it stops (a server whose paging never ends).
const MAX_IMPORT_PAGES: u64 = 10_000;

/// Runs one task of `spec` for this worker.
pub async fn run_task(
    user: &mut GooseUser,
    context: &RunContext,
    session: &mut WorkerSession,
    spec: &ScenarioSpec,
) {
    match spec.kind {
        ScenarioKind::Onboarding => {
            onboard_one(user, context, session, spec).await;
        }
        ScenarioKind::Import => import_walk(user, context, session, spec).await,
        ScenarioKind::ProfileSync => profile_sync(user, context, session, spec).await,
        ScenarioKind::Deprovision => toggle_active(user, context, session, spec).await,
        ScenarioKind::GroupPush => push_group(user, context, session, spec).await,
        ScenarioKind::GetUser => get_pool_user(user, context, session, spec).await,
    }
}

fn op<'a>(
    kind: OpKind,
    method: GooseMethod,
    path: &'a str,
    body: Option<&'a Value>,
    expect: &'a [u16],
) -> Operation<'a> {
    Operation {
        kind,
        method,
        path,
        body,
        expect,
    }
}

/// Okta's assignment: `userName eq` lookup, then POST /Users (sometimes twice at once).
/// Returns the created user.
async fn onboard_one(
    user: &mut GooseUser,
    context: &RunContext,
    session: &mut WorkerSession,
    spec: &ScenarioSpec,
) -> Option<PoolUser> {
    let user_name = session.next_user_name();
    let lookup = shapes::lookup_path(&user_name);
    exchange(
        user,
        context,
        session,
        op(OpKind::Lookup, GooseMethod::Get, &lookup, None, &[200]),
    )
    .await;
    let external_id = format!("00u{:016x}", (session.next_unit() * 1e18) as u64);
    let password = format!("Pw{:012x}!", (session.next_unit() * 1e15) as u64);
    let family_name = format!(
        "W{}U{}N{}",
        session.names.worker, session.names.user, session.sequence
    );
    let body = shapes::create_user_body(&user_name, &family_name, &external_id, &password);
    session.ledger.sent_create(&user_name);
    let operation = Operation {
        kind: OpKind::Create,
        method: GooseMethod::Post,
        path: "Users",
        body: Some(&body),
        expect: &[201],
    };
    let replies: Vec<Reply> =
        if spec.duplicate_rate > 0.0 && session.next_unit() < spec.duplicate_rate {
            exchange_racing_pair(user, context, session, operation)
                .await
                .into()
        } else {
            vec![exchange(user, context, session, operation).await]
        };
    let mut created = None;
    for reply in replies.iter().filter(|reply| reply.status == 201) {
        if let Some(id) = reply.string("id") {
            session.ledger.created(&id, &user_name);
            created.get_or_insert(PoolUser {
                id,
                user_name: user_name.clone(),
                active: true,
            });
        }
    }
    created
}

/// Fills the worker's pool of users (deprovision, profile sync, group push, single GET).
async fn ensure_pool(
    user: &mut GooseUser,
    context: &RunContext,
    session: &mut WorkerSession,
    spec: &ScenarioSpec,
) -> bool {
    let wanted = spec.pool_per_worker.max(1);
    let mut attempts = 0;
    while session.pool.len() < wanted && attempts < wanted * 2 && !context.remaining().is_zero() {
        attempts += 1;
        if let Some(created) = onboard_one(user, context, session, spec).await {
            session.pool.push(created);
        }
    }
    !session.pool.is_empty()
}

fn next_pool_index(session: &mut WorkerSession) -> usize {
    let index = session.cursor % session.pool.len();
    session.cursor = session.cursor.wrapping_add(1);
    index
}

/// Okta's import: `startIndex=1,101,…&count=100` until `totalResults` is reached.
async fn import_walk(
    user: &mut GooseUser,
    context: &RunContext,
    session: &mut WorkerSession,
    spec: &ScenarioSpec,
) {
    let mut start_index = 1u64;
    for _ in 0..MAX_IMPORT_PAGES {
        if context.remaining().is_zero() {
            return;
        }
        let path = shapes::list_page_path(start_index, spec.page_size);
        let reply = exchange(
            user,
            context,
            session,
            op(OpKind::ListPage, GooseMethod::Get, &path, None, &[200]),
        )
        .await;
        let Some(page) = reply.json() else { return };
        let total = page
            .get("totalResults")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let returned = page
            .get("Resources")
            .and_then(Value::as_array)
            .map_or(0, Vec::len) as u64;
        if returned == 0 || start_index + returned > total {
            return;
        }
        start_index += returned;
    }
}

/// Okta's profile push: GET the user, PUT the whole object back with a changed name.
async fn profile_sync(
    user: &mut GooseUser,
    context: &RunContext,
    session: &mut WorkerSession,
    spec: &ScenarioSpec,
) {
    if !ensure_pool(user, context, session, spec).await {
        return;
    }
    let index = next_pool_index(session);
    let path = format!("Users/{}", session.pool[index].id);
    let current = exchange(
        user,
        context,
        session,
        op(OpKind::Get, GooseMethod::Get, &path, None, &[200]),
    )
    .await;
    let Some(current) = current.json() else {
        return;
    };
    let given_name = format!("Sync{}", session.cursor);
    let body = shapes::profile_sync_body(&current, &given_name, None);
    exchange(
        user,
        context,
        session,
        op(OpKind::Put, GooseMethod::Put, &path, Some(&body), &[200]),
    )
    .await;
}

/// Deactivates the next pool user, or reactivates it when it is inactive.
async fn toggle_active(
    user: &mut GooseUser,
    context: &RunContext,
    session: &mut WorkerSession,
    spec: &ScenarioSpec,
) {
    if !ensure_pool(user, context, session, spec).await {
        return;
    }
    let index = next_pool_index(session);
    let target = session.pool[index].clone();
    let path = format!("Users/{}", target.id);
    let wanted = !target.active;
    let acknowledged = match spec.mode {
        IntegrationMode::Oin => {
            let body = shapes::set_active_patch(wanted);
            let reply = exchange(
                user,
                context,
                session,
                op(
                    OpKind::Patch,
                    GooseMethod::Patch,
                    &path,
                    Some(&body),
                    &[200, 204],
                ),
            )
            .await;
            reply.ok
        }
        IntegrationMode::Aiw => {
            let current = exchange(
                user,
                context,
                session,
                op(OpKind::Get, GooseMethod::Get, &path, None, &[200]),
            )
            .await;
            let Some(current) = current.json() else {
                return;
            };
            let body = shapes::profile_sync_body(&current, "Load", Some(wanted));
            exchange(
                user,
                context,
                session,
                op(OpKind::Put, GooseMethod::Put, &path, Some(&body), &[200]),
            )
            .await
            .ok
        }
    };
    if acknowledged {
        session.pool[index].active = wanted;
        session.ledger.set_active(&target.id, wanted);
    }
}

/// Okta's group push: create, add members, rename, delta (removes + add), rename, replace all.
async fn push_group(
    user: &mut GooseUser,
    context: &RunContext,
    session: &mut WorkerSession,
    spec: &ScenarioSpec,
) {
    if !ensure_pool(user, context, session, spec).await {
        return;
    }
    let display_name = session.next_group_name();
    let body = shapes::create_group_body(&display_name);
    let created = exchange(
        user,
        context,
        session,
        op(
            OpKind::GroupCreate,
            GooseMethod::Post,
            "Groups",
            Some(&body),
            &[201],
        ),
    )
    .await;
    let Some(group_id) = created.string("id") else {
        return;
    };
    session.ledger.set_members(&group_id, Vec::new());
    let pool: Vec<PoolUser> = session.pool.clone();
    let members: Vec<serde_json::Value> = pool
        .iter()
        .map(|u| shapes::member(&u.id, &u.user_name))
        .collect();
    let half = pool.len().div_ceil(2);
    let path = format!("Groups/{group_id}");
    let steps: Vec<(Vec<&str>, Vec<usize>)> = vec![
        (Vec::new(), (0..half).collect()),
        (
            pool.iter()
                .take(2.min(half))
                .map(|u| u.id.as_str())
                .collect(),
            (half..pool.len()).collect(),
        ),
    ];
    let mut current: BTreeSet<String> = BTreeSet::new();
    for (removes, adds) in steps {
        let add: Vec<Value> = adds.iter().map(|i| members[*i].clone()).collect();
        let mut next = current.clone();
        removes.iter().for_each(|id| {
            next.remove(*id);
        });
        next.extend(adds.iter().map(|i| pool[*i].id.clone()));
        let ok = match spec.mode {
            IntegrationMode::Oin => {
                let delta = shapes::membership_delta_patch(&removes, &add);
                let applied = exchange(
                    user,
                    context,
                    session,
                    op(
                        OpKind::GroupPatch,
                        GooseMethod::Patch,
                        &path,
                        Some(&delta),
                        &[200, 204],
                    ),
                )
                .await
                .ok;
                exchange(
                    user,
                    context,
                    session,
                    op(OpKind::GroupGet, GooseMethod::Get, &path, None, &[200]),
                )
                .await;
                let rename = shapes::rename_group_patch(&group_id, &display_name);
                exchange(
                    user,
                    context,
                    session,
                    op(
                        OpKind::GroupPatch,
                        GooseMethod::Patch,
                        &path,
                        Some(&rename),
                        &[200, 204],
                    ),
                )
                .await;
                applied
            }
            IntegrationMode::Aiw => {
                let listed: Vec<Value> = pool
                    .iter()
                    .filter(|u| next.contains(&u.id))
                    .map(|u| shapes::member(&u.id, &u.user_name))
                    .collect();
                let body = shapes::put_group_body(&group_id, &display_name, &listed);
                exchange(
                    user,
                    context,
                    session,
                    op(
                        OpKind::GroupPut,
                        GooseMethod::Put,
                        &path,
                        Some(&body),
                        &[200],
                    ),
                )
                .await
                .ok
            }
        };
        if !ok {
            session.ledger.memberships.remove(&group_id);
            return;
        }
        current = next;
        session
            .ledger
            .set_members(&group_id, current.iter().cloned());
    }
    if spec.mode == IntegrationMode::Oin {
        let replace = shapes::replace_members_patch(&members);
        let ok = exchange(
            user,
            context,
            session,
            op(
                OpKind::GroupPatch,
                GooseMethod::Patch,
                &path,
                Some(&replace),
                &[200, 204],
            ),
        )
        .await
        .ok;
        if ok {
            session
                .ledger
                .set_members(&group_id, pool.iter().map(|u| u.id.clone()));
        } else {
            session.ledger.memberships.remove(&group_id);
        }
    }
}

/// `GET /Users/{id}` of the worker's first pool user (raw throughput).
async fn get_pool_user(
    user: &mut GooseUser,
    context: &RunContext,
    session: &mut WorkerSession,
    spec: &ScenarioSpec,
) {
    if !ensure_pool(user, context, session, spec).await {
        return;
    }
    let path = format!("Users/{}", session.pool[0].id);
    exchange(
        user,
        context,
        session,
        op(OpKind::Get, GooseMethod::Get, &path, None, &[200]),
    )
    .await;
}
