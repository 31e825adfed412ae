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

/// One goose user in the middle of a task: its goose handle, the run, and its session.
struct Worker<'a> {
    user: &'a mut GooseUser,
    context: &'a RunContext,
    session: &'a mut WorkerSession,
}

impl Worker<'_> {
    /// Sends one measured operation.
    async fn send(
        &mut self,
        kind: OpKind,
        method: GooseMethod,
        path: &str,
        body: Option<&Value>,
        expect: &[u16],
    ) -> Reply {
        let operation = Operation {
            kind,
            method,
            path,
            body,
            expect,
        };
        exchange(self.user, self.context, self.session, operation).await
    }

    fn out_of_time(&self) -> bool {
        self.context.remaining().is_zero()
    }
}

/// Runs one task of `spec` for this worker.
pub async fn run_task(
    user: &mut GooseUser,
    context: &RunContext,
    session: &mut WorkerSession,
    spec: &ScenarioSpec,
) {
    let mut worker = Worker {
        user,
        context,
        session,
    };
    match spec.kind {
        ScenarioKind::Onboarding => {
            onboard_one(&mut worker, spec).await;
        }
        ScenarioKind::Import => import_walk(&mut worker, spec).await,
        ScenarioKind::ProfileSync => profile_sync(&mut worker, spec).await,
        ScenarioKind::Deprovision => toggle_active(&mut worker, spec).await,
        ScenarioKind::GroupPush => push_group(&mut worker, spec).await,
        ScenarioKind::GetUser => get_pool_user(&mut worker, spec).await,
    }
}

/// Okta's assignment: `userName eq` lookup, then POST /Users (sometimes twice at once, as two
/// racing assignment tasks do). Returns the created user.
async fn onboard_one(worker: &mut Worker<'_>, spec: &ScenarioSpec) -> Option<PoolUser> {
    let user_name = worker.session.next_user_name();
    let lookup = shapes::lookup_path(&user_name);
    worker
        .send(OpKind::Lookup, GooseMethod::Get, &lookup, None, &[200])
        .await;
    let session = &mut *worker.session;
    let external_id = format!("00u{:016x}", (session.next_unit() * 1e18) as u64);
    let password = format!("Pw{:012x}!", (session.next_unit() * 1e15) as u64);
    let family_name = format!(
        "W{}U{}N{}",
        session.names.worker, session.names.user, session.sequence
    );
    let body = shapes::create_user_body(&user_name, &family_name, &external_id, &password);
    session.ledger.sent_create(&user_name);
    let racing = spec.duplicate_rate > 0.0 && session.next_unit() < spec.duplicate_rate;
    let operation = Operation {
        kind: OpKind::Create,
        method: GooseMethod::Post,
        path: "Users",
        body: Some(&body),
        expect: &[201],
    };
    let replies: Vec<Reply> = if racing {
        exchange_racing_pair(worker.user, worker.context, worker.session, operation)
            .await
            .into()
    } else {
        vec![exchange(worker.user, worker.context, worker.session, operation).await]
    };
    let mut created = None;
    for reply in replies.iter().filter(|reply| reply.status == 201) {
        if let Some(id) = reply.string("id") {
            worker.session.ledger.created(&id, &user_name);
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
async fn ensure_pool(worker: &mut Worker<'_>, spec: &ScenarioSpec) -> bool {
    let wanted = spec.pool_per_worker.max(1);
    let mut attempts = 0;
    while worker.session.pool.len() < wanted && attempts < wanted * 2 && !worker.out_of_time() {
        attempts += 1;
        if let Some(created) = onboard_one(worker, spec).await {
            worker.session.pool.push(created);
        }
    }
    !worker.session.pool.is_empty()
}

/// The next pool user, round robin.
fn next_pool_index(session: &mut WorkerSession) -> usize {
    let index = session.cursor % session.pool.len();
    session.cursor = session.cursor.wrapping_add(1);
    index
}

/// Okta's import: `startIndex=1,101,…&count=100` until `totalResults` is reached.
async fn import_walk(worker: &mut Worker<'_>, spec: &ScenarioSpec) {
    let mut start_index = 1u64;
    for _ in 0..MAX_IMPORT_PAGES {
        if worker.out_of_time() {
            return;
        }
        let path = shapes::list_page_path(start_index, spec.page_size);
        let reply = worker
            .send(OpKind::ListPage, GooseMethod::Get, &path, None, &[200])
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
async fn profile_sync(worker: &mut Worker<'_>, spec: &ScenarioSpec) {
    if !ensure_pool(worker, spec).await {
        return;
    }
    let index = next_pool_index(worker.session);
    let path = format!("Users/{}", worker.session.pool[index].id);
    let current = worker
        .send(OpKind::Get, GooseMethod::Get, &path, None, &[200])
        .await;
    let Some(current) = current.json() else {
        return;
    };
    let given_name = format!("Sync{}", worker.session.cursor);
    let body = shapes::profile_sync_body(&current, &given_name, None);
    worker
        .send(OpKind::Put, GooseMethod::Put, &path, Some(&body), &[200])
        .await;
}

/// Deactivates the next pool user, or reactivates it when it is inactive.
async fn toggle_active(worker: &mut Worker<'_>, spec: &ScenarioSpec) {
    if !ensure_pool(worker, spec).await {
        return;
    }
    let index = next_pool_index(worker.session);
    let target = worker.session.pool[index].clone();
    let path = format!("Users/{}", target.id);
    let wanted = !target.active;
    let acknowledged = match spec.mode {
        IntegrationMode::Oin => {
            let body = shapes::set_active_patch(wanted);
            worker
                .send(
                    OpKind::Patch,
                    GooseMethod::Patch,
                    &path,
                    Some(&body),
                    &[200, 204],
                )
                .await
                .ok
        }
        IntegrationMode::Aiw => {
            let current = worker
                .send(OpKind::Get, GooseMethod::Get, &path, None, &[200])
                .await;
            let Some(current) = current.json() else {
                return;
            };
            let body = shapes::profile_sync_body(&current, "Load", Some(wanted));
            worker
                .send(OpKind::Put, GooseMethod::Put, &path, Some(&body), &[200])
                .await
                .ok
        }
    };
    if acknowledged {
        worker.session.pool[index].active = wanted;
    }
    let known = acknowledged.then_some(wanted);
    worker.session.ledger.set_active(&target.id, known);
}

/// A pushed group, the member list last acknowledged, and whether every change was acknowledged
/// (once one fails the group's state is unknown and the check skips it).
struct PushedGroup {
    id: String,
    display_name: String,
    path: String,
    members: BTreeSet<String>,
    known: bool,
}

/// Okta's group push: create (empty), push the first half of the pool, then a delta removing two
/// of them and adding the rest, so the final membership shows whether removals were applied.
/// OIN workers also add one of their users to the run's shared group first (see
/// [`add_to_shared_group`]).
async fn push_group(worker: &mut Worker<'_>, spec: &ScenarioSpec) {
    if !ensure_pool(worker, spec).await {
        return;
    }
    if spec.mode == IntegrationMode::Oin {
        add_to_shared_group(worker).await;
    }
    let display_name = worker.session.next_group_name();
    let body = shapes::create_group_body(&display_name);
    let created = worker
        .send(
            OpKind::GroupCreate,
            GooseMethod::Post,
            "Groups",
            Some(&body),
            &[201],
        )
        .await;
    let Some(id) = created.string("id") else {
        return;
    };
    let mut group = PushedGroup {
        path: format!("Groups/{id}"),
        id,
        display_name,
        members: BTreeSet::new(),
        known: true,
    };
    let pool = worker.session.pool.clone();
    let half = pool.len().div_ceil(2);
    // Okta's first push of a group is a "Push Now" (OIN: replace all members; AIW: PUT the
    // group); later changes are deltas: removes by filter plus one add, or a PUT.
    let pushed = match spec.mode {
        IntegrationMode::Oin => push_now(worker, &mut group, &pool[..half]).await,
        IntegrationMode::Aiw => {
            push_membership_change(worker, spec.mode, &mut group, &pool, &[], &pool[..half]).await
        }
    };
    if pushed {
        let removals: Vec<&PoolUser> = pool.iter().take(2.min(half)).collect();
        push_membership_change(
            worker,
            spec.mode,
            &mut group,
            &pool,
            &removals,
            &pool[half..],
        )
        .await;
    }
    let members = group.known.then_some(group.members);
    worker.session.ledger.set_members(&group.id, members);
}

/// Adds the worker's next pool user (each once) to the run's shared group with Okta's add
/// PATCH. Several workers do this at the same moment, so a server that applies concurrent
/// membership PATCHes to a stale copy loses members; the ledger keeps each acknowledged add.
async fn add_to_shared_group(worker: &mut Worker<'_>) {
    let Some(group_id) = worker.context.shared_group.clone() else {
        return;
    };
    let Some(member) = worker
        .session
        .pool
        .get(worker.session.shared_added)
        .cloned()
    else {
        return;
    };
    worker.session.shared_added += 1;
    let add = shapes::membership_delta_patch(&[], &[shapes::member(&member.id, &member.user_name)]);
    let path = format!("Groups/{group_id}");
    let acknowledged = worker
        .send(
            OpKind::GroupPatch,
            GooseMethod::Patch,
            &path,
            Some(&add),
            &[200, 204],
        )
        .await
        .ok;
    if acknowledged {
        worker.session.ledger.member_added(&group_id, &member.id);
    }
}

/// "Push Now" for an OIN group: `replace` on `members` with the whole list.
async fn push_now(worker: &mut Worker<'_>, group: &mut PushedGroup, members: &[PoolUser]) -> bool {
    let listed: Vec<Value> = members
        .iter()
        .map(|u| shapes::member(&u.id, &u.user_name))
        .collect();
    let replace = shapes::replace_members_patch(&listed);
    let path = group.path.clone();
    let ok = worker
        .send(
            OpKind::GroupPatch,
            GooseMethod::Patch,
            &path,
            Some(&replace),
            &[200, 204],
        )
        .await
        .ok;
    if ok {
        group.members = members.iter().map(|u| u.id.clone()).collect();
    }
    group.known &= ok;
    ok
}

/// Sends one membership change; keeps the acknowledged membership (or marks the group unknown
/// when the change failed). Returns whether it was acknowledged.
async fn push_membership_change(
    worker: &mut Worker<'_>,
    mode: IntegrationMode,
    group: &mut PushedGroup,
    pool: &[PoolUser],
    removes: &[&PoolUser],
    adds: &[PoolUser],
) -> bool {
    let mut next = group.members.clone();
    for removed in removes {
        next.remove(&removed.id);
    }
    next.extend(adds.iter().map(|u| u.id.clone()));
    let ok = match mode {
        IntegrationMode::Oin => {
            let remove_ids: Vec<&str> = removes.iter().map(|u| u.id.as_str()).collect();
            let add: Vec<Value> = adds
                .iter()
                .map(|u| shapes::member(&u.id, &u.user_name))
                .collect();
            let delta = shapes::membership_delta_patch(&remove_ids, &add);
            let path = group.path.clone();
            let applied = worker
                .send(
                    OpKind::GroupPatch,
                    GooseMethod::Patch,
                    &path,
                    Some(&delta),
                    &[200, 204],
                )
                .await
                .ok;
            worker
                .send(OpKind::GroupGet, GooseMethod::Get, &path, None, &[200])
                .await;
            let rename = shapes::rename_group_patch(&group.id, &group.display_name);
            worker
                .send(
                    OpKind::GroupPatch,
                    GooseMethod::Patch,
                    &path,
                    Some(&rename),
                    &[200, 204],
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
            let body = shapes::put_group_body(&group.id, &group.display_name, &listed);
            let path = group.path.clone();
            worker
                .send(
                    OpKind::GroupPut,
                    GooseMethod::Put,
                    &path,
                    Some(&body),
                    &[200],
                )
                .await
                .ok
        }
    };
    if ok {
        group.members = next;
    }
    group.known &= ok;
    ok
}

/// `GET /Users/{id}` of the worker's first pool user (raw throughput).
async fn get_pool_user(worker: &mut Worker<'_>, spec: &ScenarioSpec) {
    if !ensure_pool(worker, spec).await {
        return;
    }
    let path = format!("Users/{}", worker.session.pool[0].id);
    worker
        .send(OpKind::Get, GooseMethod::Get, &path, None, &[200])
        .await;
}
