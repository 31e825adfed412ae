//! Race cases: a sequential prefix, then a race op whose branches (ordinary single-request ops of
//! the model on one resource) are sent at the same moment on the runner's runtime, then one read
//! that shows what stuck. `check::linearize` judges them: some order of the branches must explain
//! every response and the read. The kinds generated here: duplicate creates of one userName,
//! concurrent membership adds, deactivate against reactivate of one user (with concurrent reads),
//! and membership adds against removes on one group. Races are flaky by nature, so the runner
//! repeats each race case before declaring it passed.

use proptest::prelude::*;

use super::render::render;
use crate::driver::{Call, Driver, IdMap, RequestSpec, TransportError};
use crate::model::{
    apply, race_read, GroupHandle, MembershipChange, Op, Spelling, State, UserHandle,
};

/// How many times a race case runs before it counts as passed.
pub const DEFAULT_RACE_REPEATS: u32 = 3;

/// The concurrent requests of a race op, one per branch in branch order (empty for other ops).
pub fn race_requests(op: &Op, state: &State, ids: &IdMap) -> Vec<RequestSpec> {
    let Some(branches) = op.race_branches() else {
        return Vec::new();
    };
    branches
        .iter()
        .map(|branch| {
            let after = apply(state, branch).map_or_else(|| state.clone(), |(next, _)| next);
            render(branch, state, &after, ids)
        })
        .collect()
}

/// The read after the branches (`model::race_read`): a `userName eq` lookup after creates, or a
/// GET of the user or group.
pub fn race_follow_up(op: &Op, state: &State, ids: &IdMap) -> Option<RequestSpec> {
    let read = race_read(&op.race_branches()?)?;
    Some(render(&read, state, state, ids))
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

/// Creates `users`, each read back where `read_back` says so, so a lost write shows as itself,
/// not as a race (groups are read back after their create for the same reason).
fn created_users(users: &[UserHandle], read_back: &[bool]) -> Vec<Op> {
    users
        .iter()
        .zip(read_back.iter().chain(std::iter::repeat(&true)))
        .flat_map(|(user, read)| {
            let create = Op::CreateUser {
                user: *user,
                spelling: Spelling::Base,
            };
            let get = read.then_some(Op::GetUser { user: *user });
            std::iter::once(create).chain(get)
        })
        .collect()
}

/// Read-back flags: always drawn true, so every case reads its creates back, but each shrinks to
/// false, so a failure that does not need them shrinks to the race itself.
fn read_backs(count: usize) -> impl Strategy<Value = Vec<bool>> {
    proptest::collection::vec(proptest::bool::weighted(1.0), count)
}

/// Creates of one userName from 2–4 branches: exactly one may succeed.
fn duplicate_creates() -> BoxedStrategy<Vec<Op>> {
    (0..2u8, 2..=4u8)
        .prop_map(|(slot, branches)| {
            vec![Op::RaceCreate {
                user: UserHandle(slot),
                branches,
            }]
        })
        .boxed()
}

/// A group and 2–3 users added to it concurrently: every add must stick.
fn membership_adds() -> BoxedStrategy<Vec<Op>> {
    (2..=3u8, read_backs(4))
        .prop_map(|(count, read)| {
            let users: Vec<UserHandle> = (0..count).map(UserHandle).collect();
            let mut ops = created_users(&users, &read[1..]);
            ops.push(Op::CreateGroup {
                group: GroupHandle(0),
                members: Vec::new(),
            });
            if read[0] {
                ops.push(Op::GetGroup {
                    group: GroupHandle(0),
                });
            }
            ops.push(Op::RaceAddMembers {
                group: GroupHandle(0),
                users,
            });
            ops
        })
        .boxed()
}

/// Okta's path-less deactivate and reactivate of one user sent at once (the user starts active
/// or deactivated), optionally with a concurrent GET: the final `active` may be either value,
/// but each response must show the value of its own position in the order.
fn activation_flip() -> BoxedStrategy<Vec<Op>> {
    (any::<bool>(), 0..=2usize, any::<bool>(), read_backs(1))
        .prop_flat_map(|(start_active, readers, extra_write, read)| {
            let user = UserHandle(0);
            let set = |active| Op::SetActive {
                user,
                active,
                capitalised: false,
            };
            let mut branches = vec![set(false), set(true)];
            if extra_write {
                branches.push(set(!start_active));
            }
            let room = crate::model::MAX_RACE_BRANCHES - branches.len();
            branches.extend((0..readers.min(room)).map(|_| Op::GetUser { user }));
            let mut prefix = created_users(&[user], &read);
            if !start_active {
                prefix.push(set(false));
            }
            Just(branches).prop_shuffle().prop_map(move |branches| {
                let mut ops = prefix.clone();
                ops.push(Op::Race { branches });
                ops
            })
        })
        .boxed()
}

/// A group with user#0 and user#2 as members; user#0 removed while user#1 is added, optionally
/// with user#0 re-added (which does not commute with the remove) and a concurrent GET of the
/// group. User#2 stays throughout, so a remove that takes more than its target shows in the
/// remove's own response, whatever the order.
fn membership_add_remove() -> BoxedStrategy<Vec<Op>> {
    (any::<bool>(), any::<bool>(), read_backs(4))
        .prop_flat_map(|(re_add, reader, read)| {
            let group = GroupHandle(0);
            let (removed, joining, staying) = (UserHandle(0), UserHandle(1), UserHandle(2));
            let change = |change| Op::PatchMembers { group, change };
            let mut branches = vec![
                change(MembershipChange::Remove {
                    users: vec![removed],
                }),
                change(MembershipChange::Add {
                    users: vec![joining],
                }),
            ];
            if re_add {
                branches.push(change(MembershipChange::Add {
                    users: vec![removed],
                }));
            }
            if reader {
                branches.push(Op::GetGroup { group });
            }
            let mut prefix = created_users(&[removed, joining, staying], &read[1..]);
            prefix.push(Op::CreateGroup {
                group,
                members: vec![removed, staying],
            });
            if read[0] {
                prefix.push(Op::GetGroup { group });
            }
            Just(branches).prop_shuffle().prop_map(move |branches| {
                let mut ops = prefix.clone();
                ops.push(Op::Race { branches });
                ops
            })
        })
        .boxed()
}

/// Race cases: duplicate creates and activation flips always; membership adds and add/remove
/// races when the profile has groups.
pub fn race_sequence(groups: bool) -> BoxedStrategy<Vec<Op>> {
    if groups {
        prop_oneof![
            duplicate_creates(),
            membership_adds(),
            activation_flip(),
            membership_add_remove(),
        ]
        .boxed()
    } else {
        prop_oneof![duplicate_creates(), activation_flip()].boxed()
    }
}

/// Whether a sequence holds a race op (and must be repeated before it counts as passed).
pub fn has_race(ops: &[Op]) -> bool {
    ops.iter().any(|op| op.race_branches().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{precondition, ModelRules, State};
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    /// Every generated race case runs: each op's precondition holds on the model in turn.
    #[test]
    fn every_generated_race_case_applies_on_the_model() {
        let mut runner = TestRunner::deterministic();
        let strategy = race_sequence(true);
        let mut kinds = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let ops = strategy.new_tree(&mut runner).expect("a case").current();
            let mut state = State::new("7", ModelRules::default());
            for op in &ops {
                assert!(precondition(&state, op), "{op:?} does not apply in {ops:?}");
                state = apply(&state, op).expect("applies").0;
            }
            let race = ops.last().expect("a race op");
            assert!(has_race(&ops));
            let branches = race.race_branches().expect("branches");
            kinds.insert(branches.iter().map(Op::kind).collect::<Vec<_>>().join("+"));
        }
        assert!(kinds.iter().any(|k| k.contains("set-active")), "{kinds:?}");
        assert!(
            kinds.iter().any(|k| k.contains("patch-members")),
            "{kinds:?}"
        );
        assert!(
            kinds.iter().any(|k| k.starts_with("create-user")),
            "{kinds:?}"
        );
    }

    /// Each branch is rendered as its ordinary request: a deactivate race sends two path-less
    /// PATCHes to the same user, then reads it.
    #[test]
    fn branches_render_as_their_ordinary_requests() {
        let state = State::new("7", ModelRules::default());
        let user = UserHandle(0);
        let (state, _) = apply(
            &state,
            &Op::CreateUser {
                user,
                spelling: Spelling::Base,
            },
        )
        .expect("create applies");
        let mut ids = IdMap::new();
        ids.assign(crate::driver::ResourceKind::User, 0, "u-1".into());
        let set = |active| Op::SetActive {
            user,
            active,
            capitalised: false,
        };
        let race = Op::Race {
            branches: vec![set(false), set(true)],
        };
        let specs = race_requests(&race, &state, &ids);
        assert_eq!(specs.len(), 2);
        assert!(specs.iter().all(|s| s.path == "/Users/u-1"));
        let read = race_follow_up(&race, &state, &ids).expect("a read");
        assert_eq!(read.path, "/Users/u-1");
    }
}
