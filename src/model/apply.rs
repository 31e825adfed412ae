//! The transition function: `apply(&State, &Op)` gives the next state and the expected outcome, or
//! `None` when the op's precondition does not hold (e.g. it reads a user the case never created).
//! Preconditions are checked here, on the model, during generation and again on every shrink step.

use std::collections::BTreeSet;

use super::expected::{Expected, ListExpectation};
use super::filter_eval::{list_expectation, user_name_eq};
use super::op::ListQuery;
use super::op::{GroupHandle, MembershipChange, Op, UserChange, UserHandle};
use super::profile::{RemoveAbsent, StringBooleans};
use super::state::{GroupRecord, GroupSlot, State, UserRecord, UserSlot};
use super::text::Tri;

/// The next state and the expected outcome of `op`, or `None` if its precondition fails.
pub fn apply(state: &State, op: &Op) -> Option<(State, Expected)> {
    match op {
        Op::CreateUser { user, spelling } => create_user(state, *user, *spelling),
        Op::GetUser { user } => read_user(state, *user),
        Op::GetBogusUser { .. } => Some((state.clone(), Expected::NotFound)),
        Op::LookupUser { user, spelling } => {
            let name = state.user_name(*user, *spelling);
            let expectation = ListExpectation {
                start_index: 1,
                count: Some(100),
                total_predictable: true,
                ..user_name_eq(state, &name)
            };
            Some((state.clone(), Expected::Listed(expectation)))
        }
        Op::SetActive { user, active, .. } => set_active(state, *user, *active),
        Op::ReplaceUser { user, change } => replace_user(state, *user, change),
        Op::DeleteUser { user } => delete_user(state, *user),
        Op::ListUsers { query } => Some((
            state.clone(),
            Expected::Listed(list_expectation(state, query)),
        )),
        Op::CreateGroup { group, members } => create_group(state, *group, members),
        Op::GetGroup { group } => with_group(state, *group, |record| {
            (
                None,
                Expected::GroupRead {
                    group: *group,
                    record: record.clone(),
                },
            )
        }),
        Op::RenameGroup { group, suffix } => with_group(state, *group, |record| {
            let mut renamed = record.clone();
            renamed.display_name = format!("{} {suffix}", state.base_group_name(*group));
            let expected = Expected::GroupPatched {
                group: *group,
                record: renamed.clone(),
            };
            (Some(GroupSlot::Live(renamed)), expected)
        }),
        Op::PatchMembers { group, change } => patch_members(state, *group, change),
        Op::DeleteGroup { group } => {
            state.groups.get(group)?;
            let mut next = state.clone();
            let expected = match next.groups.insert(*group, GroupSlot::Deleted) {
                Some(GroupSlot::Live(_)) => Expected::Deleted,
                _ => Expected::NotFound,
            };
            Some((next, expected))
        }
        Op::BadAuthRequest { .. } => Some((state.clone(), Expected::Unauthorized)),
        Op::WalkUsers {
            page_size,
            namespaced,
        } => {
            let query = ListQuery {
                filter: None,
                start_index: Some(1),
                count: Some(i64::from(*page_size.max(&1))),
                namespaced: *namespaced,
            };
            Some((
                state.clone(),
                Expected::Walked(list_expectation(state, &query)),
            ))
        }
        Op::MalformedCreate | Op::ListInvalidFilter { .. } => {
            Some((state.clone(), Expected::BadRequest))
        }
        Op::RaceCreate { .. } | Op::RaceAddMembers { .. } | Op::Race { .. } => race(state, op),
        Op::PatchAtomicity { user } | Op::InvalidPatch { user, .. } => {
            let record = state.live_user(*user)?.clone();
            Some((
                state.clone(),
                Expected::PatchRejected {
                    user: *user,
                    record,
                },
            ))
        }
        Op::RemoveAbsent { user, .. } => {
            let record = state.live_user(*user)?.clone();
            let read = Expected::UserRead {
                user: *user,
                record,
            };
            Some((state.clone(), removed_nothing(state, read)))
        }
        Op::RemoveAbsentMember { group, user } => {
            let record = state.live_group(*group)?.clone();
            if state.live_user(*user).is_none() || record.members.contains(user) {
                return None;
            }
            let read = Expected::GroupRead {
                group: *group,
                record,
            };
            Some((state.clone(), removed_nothing(state, read)))
        }
        Op::SetActiveString { user, active } => set_active_string(state, *user, *active),
        Op::CreateUnicodeEmail { user } => create_unicode_email(state, *user),
        Op::AddExistingEmail { user } => {
            // Only a user with an email has one to add again (a server may have dropped them).
            let record = state
                .live_user(*user)
                .filter(|record| !record.emails.is_empty())?
                .clone();
            let expected = Expected::NothingChanged {
                read: Box::new(Expected::UserRead {
                    user: *user,
                    record,
                }),
                no_target_allowed: false,
            };
            Some((state.clone(), expected))
        }
        Op::StaleWrite { user } => {
            let before = state.live_user(*user)?.clone();
            let mut after = before.clone();
            // The PATCH must change something, or a server may rightly keep the version.
            let versioned = format!("Versioned {}", state.tag);
            after.display_name = if before.display_name == versioned {
                format!("Versioned again {}", state.tag)
            } else {
                versioned
            };
            let mut next = state.clone();
            next.users.insert(*user, UserSlot::Live(after.clone()));
            Some((
                next,
                Expected::StaleWrite {
                    user: *user,
                    before,
                    after,
                },
            ))
        }
    }
}

/// The most branches a race may have (at most 4! = 24 orders for the checker to consider).
pub const MAX_RACE_BRANCHES: usize = 4;

/// A race: 2–4 single-request branches on one resource that apply in every order (so every
/// order is a candidate linearization). The state returned is that of the branches in the order
/// listed; the executor replaces it with the state of the order the checker found.
fn race(state: &State, op: &Op) -> Option<(State, Expected)> {
    let branches = op.race_branches()?;
    if !(2..=MAX_RACE_BRANCHES).contains(&branches.len())
        || race_read(&branches).is_none()
        || recreated_within(state, &branches)
    {
        return None;
    }
    if !every_order_applies(state, &branches, 0) {
        return None;
    }
    let next = branches.iter().try_fold(state.clone(), |now, branch| {
        apply(&now, branch).map(|(next, _)| next)
    })?;
    let before = Box::new(state.clone());
    Some((next, Expected::Linearizable { before }))
}

/// Whether some order of `branches` gives their user a new id while another branch addresses it
/// by id: a create that can succeed (the slot is not live, or a branch deletes it) beside a get,
/// set-active or delete. Every branch is rendered before any is sent, with the id the user had
/// before the race, which a correct server answers 404 once it is deleted (RFC 7644 §3.6) even
/// though the order "delete, create, get" leaves the slot live in the model: no order explains
/// that, so the race cannot be judged. The fuzzer never draws one; a trace or `Arbitrary` may.
fn recreated_within(state: &State, branches: &[Op]) -> bool {
    let mut user = None;
    let (mut creates, mut by_id, mut deletes) = (false, false, false);
    for branch in branches {
        match branch {
            Op::CreateUser { user: u, .. } => {
                creates = true;
                user = Some(*u);
            }
            Op::DeleteUser { user: u } => {
                (by_id, deletes) = (true, true);
                user = Some(*u);
            }
            Op::GetUser { user: u } | Op::SetActive { user: u, .. } => {
                by_id = true;
                user = Some(*u);
            }
            _ => {}
        }
    }
    let live = user.is_some_and(|user| state.live_user(user).is_some());
    creates && by_id && (deletes || !live)
}

fn every_order_applies(state: &State, branches: &[Op], used: u32) -> bool {
    (0..branches.len())
        .filter(|index| used & (1 << index) == 0)
        .all(|index| match apply(state, &branches[index]) {
            Some((next, _)) => every_order_applies(&next, branches, used | 1 << index),
            None => false,
        })
}

/// The read after a race that shows what stuck: Okta's `userName eq` lookup after creates that
/// race only each other, else a GET of the user or group every branch addresses. Creates beside
/// a branch by id run only on a live user (see `recreated_within`), where they all conflict and
/// the GET shows the rest (a lookup's listing would not tell `active` apart). `None` unless
/// every branch is a single-request op on that one resource.
pub fn race_read(branches: &[Op]) -> Option<Op> {
    let mut target: Option<(Option<UserHandle>, Option<GroupHandle>)> = None;
    let (mut creates, mut by_id) = (false, false);
    for branch in branches {
        let this = match branch {
            Op::CreateUser { user, .. } => {
                creates = true;
                (Some(*user), None)
            }
            Op::GetUser { user } | Op::SetActive { user, .. } | Op::DeleteUser { user } => {
                by_id = true;
                (Some(*user), None)
            }
            Op::PatchMembers { group, .. }
            | Op::RenameGroup { group, .. }
            | Op::GetGroup { group }
            | Op::DeleteGroup { group } => (None, Some(*group)),
            _ => return None,
        };
        if *target.get_or_insert(this) != this {
            return None;
        }
    }
    match target? {
        (Some(user), _) if creates && !by_id => Some(Op::LookupUser {
            user,
            spelling: super::op::Spelling::Base,
        }),
        (Some(user), _) => Some(Op::GetUser { user }),
        (None, Some(group)) => Some(Op::GetGroup { group }),
        (None, None) => None,
    }
}

/// Whether `op` may run in `state`.
pub fn precondition(state: &State, op: &Op) -> bool {
    apply(state, op).is_some()
}

/// A create of a free slot with a non-ASCII work email: the next state holds the user, which
/// the runner undoes when the server refuses it (see [`Expected::CreatedOrRefused`]).
fn create_unicode_email(state: &State, user: UserHandle) -> Option<(State, Expected)> {
    let (mut next, Expected::UserCreated { record, .. }) =
        create_user(state, user, super::op::Spelling::Base)?
    else {
        return None;
    };
    let mut record = record;
    record.emails[0] = super::state::unicode_email(&state.tag, user);
    next.users.insert(user, UserSlot::Live(record.clone()));
    Some((next, Expected::CreatedOrRefused { user, record }))
}

fn create_user(
    state: &State,
    user: UserHandle,
    spelling: super::op::Spelling,
) -> Option<(State, Expected)> {
    let name = state.user_name(user, spelling);
    // A create whose uniqueness verdict is server-dependent cannot be predicted: not generated.
    let mut clash = Tri::No;
    for (_, record) in state.live_users() {
        clash = clash.or(super::text::eq_ignore_case(
            &record.user_name,
            &name,
            state.rules.folding,
        ));
    }
    match clash {
        Tri::Maybe => None,
        Tri::Yes => Some((state.clone(), Expected::Conflict)),
        Tri::No => {
            let record = state.new_user_record(user, spelling);
            let mut next = state.clone();
            next.users.insert(user, UserSlot::Live(record.clone()));
            Some((next, Expected::UserCreated { user, record }))
        }
    }
}

fn read_user(state: &State, user: UserHandle) -> Option<(State, Expected)> {
    let expected = match state.users.get(&user)? {
        UserSlot::Live(record) => Expected::UserRead {
            user,
            record: record.clone(),
        },
        UserSlot::Deleted => Expected::NotFound,
    };
    Some((state.clone(), expected))
}

fn set_active(state: &State, user: UserHandle, active: bool) -> Option<(State, Expected)> {
    let mut next = state.clone();
    let expected = match next.users.get_mut(&user)? {
        UserSlot::Live(record) => {
            record.active = active;
            Expected::UserPatched {
                user,
                record: record.clone(),
            }
        }
        UserSlot::Deleted => Expected::NotFound,
    };
    Some((next, expected))
}

/// A remove of a value that is not there: the resource stays as it is.
fn removed_nothing(state: &State, read: Expected) -> Expected {
    Expected::NothingChanged {
        read: Box::new(read),
        no_target_allowed: state.rules.remove_absent == RemoveAbsent::Either,
    }
}

fn set_active_string(state: &State, user: UserHandle, active: bool) -> Option<(State, Expected)> {
    if state.rules.string_booleans == StringBooleans::Off {
        return None;
    }
    let before = state.live_user(user)?.clone();
    let after = UserRecord {
        active,
        ..before.clone()
    };
    let mut next = state.clone();
    next.users.insert(user, UserSlot::Live(after.clone()));
    let expected = Expected::StringBoolean {
        user,
        before,
        after,
        must_accept: state.rules.string_booleans == StringBooleans::Accept,
    };
    Some((next, expected))
}

fn replace_user(state: &State, user: UserHandle, change: &UserChange) -> Option<(State, Expected)> {
    // Okta reads before it writes, so a replace is only sent for a user that exists.
    let before = state.live_user(user)?.clone();
    let mut after = before.clone();
    match change {
        UserChange::GivenNameSuffix(suffix) => {
            after.given_name = format!("{}{suffix}", before.given_name);
        }
        UserChange::DisplayName(text) => after.display_name = format!("{text} {}", state.tag),
        UserChange::Active(active) => after.active = *active,
        UserChange::DropSecondEmail => after.emails.truncate(1),
        UserChange::DropExternalId => after.external_id = None,
        UserChange::TakeUserNameOf(other) => {
            // Only a certain clash is generated: another live user's exact userName.
            let taken = state.live_user(*other).filter(|_| *other != user)?;
            after.user_name = taken.user_name.clone();
            return Some((state.clone(), Expected::ReplaceRefused { user, before }));
        }
    }
    let mut next = state.clone();
    next.users.insert(user, UserSlot::Live(after.clone()));
    Some((
        next,
        Expected::UserReplaced {
            user,
            before,
            after,
        },
    ))
}

fn delete_user(state: &State, user: UserHandle) -> Option<(State, Expected)> {
    let mut next = state.clone();
    let expected = match next.users.insert(user, UserSlot::Deleted)? {
        UserSlot::Live(_) => Expected::Deleted,
        UserSlot::Deleted => Expected::NotFound,
    };
    // A deleted user is no longer a member of anything (RFC 7643 §4.2).
    for slot in next.groups.values_mut() {
        if let GroupSlot::Live(record) = slot {
            record.members.remove(&user);
        }
    }
    Some((next, expected))
}

fn create_group(
    state: &State,
    group: GroupHandle,
    members: &[UserHandle],
) -> Option<(State, Expected)> {
    if state.live_group(group).is_some() {
        return None;
    }
    let record = GroupRecord {
        display_name: state.base_group_name(group),
        members: live_members(state, members).into_iter().collect(),
    };
    let mut next = state.clone();
    next.groups.insert(group, GroupSlot::Live(record.clone()));
    Some((next, Expected::GroupCreated { group, record }))
}

/// Applies `change` to a live group; a deleted group answers 404.
fn with_group(
    state: &State,
    group: GroupHandle,
    change: impl FnOnce(&GroupRecord) -> (Option<GroupSlot>, Expected),
) -> Option<(State, Expected)> {
    match state.groups.get(&group)? {
        GroupSlot::Deleted => Some((state.clone(), Expected::NotFound)),
        GroupSlot::Live(record) => {
            let (slot, expected) = change(record);
            let mut next = state.clone();
            if let Some(slot) = slot {
                next.groups.insert(group, slot);
            }
            Some((next, expected))
        }
    }
}

fn patch_members(
    state: &State,
    group: GroupHandle,
    change: &MembershipChange,
) -> Option<(State, Expected)> {
    let users = effective_members(state, group, change);
    if users.is_empty() && !matches!(change, MembershipChange::ReplaceAll { .. }) {
        return None;
    }
    with_group(state, group, |record| {
        let mut patched = record.clone();
        let given: BTreeSet<UserHandle> = users.iter().copied().collect();
        match change {
            MembershipChange::Add { .. } => patched.members.extend(given),
            MembershipChange::Remove { .. } => patched.members.retain(|m| !given.contains(m)),
            MembershipChange::ReplaceAll { .. } => patched.members = given,
        }
        let expected = Expected::GroupPatched {
            group,
            record: patched.clone(),
        };
        (Some(GroupSlot::Live(patched)), expected)
    })
}

/// The users a membership change actually names: the live ones, and for a removal only current
/// members (removing an absent value is server-dependent: 200 or 400 noTarget).
pub fn effective_members(
    state: &State,
    group: GroupHandle,
    change: &MembershipChange,
) -> Vec<UserHandle> {
    let (users, only_members) = match change {
        MembershipChange::Add { users } | MembershipChange::ReplaceAll { users } => (users, false),
        MembershipChange::Remove { users } => (users, true),
    };
    let members = state
        .live_group(group)
        .map(|g| g.members.clone())
        .unwrap_or_default();
    users
        .iter()
        .copied()
        .filter(|user| state.live_user(*user).is_some())
        .filter(|user| !only_members || members.contains(user))
        .collect()
}

/// The live users among `users` (group creation names only users that exist).
pub fn live_members(state: &State, users: &[UserHandle]) -> Vec<UserHandle> {
    users
        .iter()
        .copied()
        .filter(|user| state.live_user(*user).is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ModelRules, Spelling};

    fn with_user(live: bool) -> State {
        let state = State::new("7", ModelRules::default());
        let user = UserHandle(5);
        let create = Op::CreateUser {
            user,
            spelling: Spelling::Base,
        };
        let (state, _) = apply(&state, &create).unwrap();
        if live {
            return state;
        }
        apply(&state, &Op::DeleteUser { user }).unwrap().0
    }

    /// Found by running every fault at `--jobs 8`: a user whose emails a server dropped (the
    /// model adopted it) took `add-existing-email`, and rendering it indexed an empty list (a
    /// panic). With no email there is nothing to add again: the op is skipped.
    #[test]
    fn add_existing_email_needs_an_email() {
        let user = UserHandle(5);
        let mut state = with_user(true);
        assert!(apply(&state, &Op::AddExistingEmail { user }).is_some());
        if let Some(UserSlot::Live(record)) = state.users.get_mut(&user) {
            record.emails.clear();
        }
        assert!(apply(&state, &Op::AddExistingEmail { user }).is_none());
    }

    /// Found by the differential sweep (model vs reference server): the server answered the GET
    /// 404 (the old id was deleted), the model expected the re-created user.
    #[test]
    fn a_race_that_recreates_a_user_beside_a_read_by_id_is_not_judged() {
        let user = UserHandle(5);
        let create = Op::CreateUser {
            user,
            spelling: Spelling::SwapAscii,
        };
        let race = |branches: Vec<Op>| Op::Race { branches };
        let delete_create_get = race(vec![
            Op::DeleteUser { user },
            create.clone(),
            Op::GetUser { user },
        ]);
        assert!(!precondition(&with_user(true), &delete_create_get));
        let create_get = race(vec![create.clone(), Op::GetUser { user }]);
        assert!(!precondition(&with_user(false), &create_get));
        // On a live user every create is a conflict and ids stay: still judged.
        assert!(precondition(&with_user(true), &create_get));
        let creates = race(vec![create.clone(), create]);
        assert!(precondition(&with_user(false), &creates));
    }

    /// Found by the differential sweep: creates (all conflicts) beside set-active true and false
    /// on a live user were read back with a `userName eq` lookup, which every order satisfies
    /// whatever `active` ended as, so the model kept the wrong one and a later op's GET
    /// disagreed. The read is now a GET, which tells the orders apart.
    #[test]
    fn creates_beside_a_branch_by_id_are_read_back_with_a_get() {
        let user = UserHandle(0);
        let create = Op::CreateUser {
            user,
            spelling: Spelling::UnicodeDecomposed,
        };
        let set = |active| Op::SetActive {
            user,
            active,
            capitalised: false,
        };
        let read = race_read(&[create.clone(), set(true), set(false)]);
        assert_eq!(read, Some(Op::GetUser { user }));
        let lookup = race_read(&[create.clone(), create]);
        assert!(matches!(lookup, Some(Op::LookupUser { .. })), "{lookup:?}");
    }
}
