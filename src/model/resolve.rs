//! The resolver: aims a drawn op at the resources the case has (a handle it never created reads
//! as "the k-th user (group) it knows"), or turns an op drawn before anything exists into the
//! create it needs, so few drawn ops are wasted. The model (`apply`) then judges the resolved op.

use super::op::{GroupHandle, MembershipChange, Op, Spelling, UserHandle};
use super::state::State;

/// Points an op's handles at resources the case has: a handle the case never created is read as
/// "the k-th user (group) the case knows", so far fewer drawn ops are wasted. A create keeps its
/// handle unless a live group holds it. An op drawn before the case has any user (group) becomes
/// the create it needs. `None` when nothing fits. The runner applies the resolved op and reports
/// it, so a reported sequence means exactly what it says.
pub fn resolve(state: &State, op: &Op) -> Option<Op> {
    aim_handles(state, op).or_else(|| create_instead(state, op))
}

/// What an op acts on, for [`create_instead`].
enum Subject {
    User(UserHandle),
    Group(GroupHandle),
    Other,
}

fn subject(op: &Op) -> Subject {
    match op {
        Op::GetUser { user }
        | Op::LookupUser { user, .. }
        | Op::SetActive { user, .. }
        | Op::ReplaceUser { user, .. }
        | Op::DeleteUser { user }
        | Op::PatchAtomicity { user }
        | Op::InvalidPatch { user, .. }
        | Op::StaleWrite { user }
        | Op::RemoveAbsent { user, .. }
        | Op::SetActiveString { user, .. }
        | Op::AddExistingEmail { user } => Subject::User(*user),
        Op::GetGroup { group }
        | Op::RenameGroup { group, .. }
        | Op::PatchMembers { group, .. }
        | Op::DeleteGroup { group }
        | Op::RemoveAbsentMember { group, .. } => Subject::Group(*group),
        _ => Subject::Other,
    }
}

/// The create an op needs when the case has no user (group) at all yet: the user of its handle,
/// or a group of its handle holding the live users.
fn create_instead(state: &State, op: &Op) -> Option<Op> {
    match subject(op) {
        Subject::User(user) if state.users.is_empty() => Some(Op::CreateUser {
            user,
            spelling: Spelling::Base,
        }),
        Subject::Group(group) if state.groups.is_empty() => Some(Op::CreateGroup {
            group,
            members: state.live_users().map(|(handle, _)| handle).collect(),
        }),
        _ => None,
    }
}

/// [`resolve`] without the creates: `None` when the op has nothing to point at.
fn aim_handles(state: &State, op: &Op) -> Option<Op> {
    let user = |handle: UserHandle| -> Option<UserHandle> {
        if state.user_has_id(handle) {
            return Some(handle);
        }
        let known: Vec<UserHandle> = state.users.keys().copied().collect();
        (!known.is_empty()).then(|| known[usize::from(handle.0) % known.len()])
    };
    let group = |handle: GroupHandle| -> Option<GroupHandle> {
        if state.groups.contains_key(&handle) {
            return Some(handle);
        }
        let known: Vec<GroupHandle> = state.groups.keys().copied().collect();
        (!known.is_empty()).then(|| known[usize::from(handle.0) % known.len()])
    };
    let resolved = match op {
        Op::GetUser { user: u } => Op::GetUser { user: user(*u)? },
        Op::LookupUser { user: u, spelling } => Op::LookupUser {
            user: user(*u)?,
            spelling: *spelling,
        },
        Op::SetActive {
            user: u,
            active,
            capitalised,
        } => Op::SetActive {
            user: user(*u)?,
            active: *active,
            capitalised: *capitalised,
        },
        Op::ReplaceUser { user: u, change } => Op::ReplaceUser {
            user: user(*u)?,
            change: change.clone(),
        },
        Op::DeleteUser { user: u } => Op::DeleteUser { user: user(*u)? },
        Op::PatchAtomicity { user: u } => Op::PatchAtomicity { user: user(*u)? },
        Op::InvalidPatch { user: u, kind } => Op::InvalidPatch {
            user: user(*u)?,
            kind: *kind,
        },
        Op::StaleWrite { user: u } => Op::StaleWrite { user: user(*u)? },
        Op::RemoveAbsent { user: u, value } => Op::RemoveAbsent {
            user: user(*u)?,
            value: *value,
        },
        Op::RemoveAbsentMember { group: g, user: u } => {
            let group = group(*g)?;
            let members = state.live_group(group).map(|g| g.members.clone());
            let outsiders: Vec<UserHandle> = state
                .live_users()
                .map(|(handle, _)| handle)
                .filter(|handle| members.as_ref().is_some_and(|m| !m.contains(handle)))
                .collect();
            Op::RemoveAbsentMember {
                group,
                user: pick(&outsiders, *u).unwrap_or(*u),
            }
        }
        Op::SetActiveString { user: u, active } => Op::SetActiveString {
            user: user(*u)?,
            active: *active,
        },
        Op::AddExistingEmail { user: u } => Op::AddExistingEmail { user: user(*u)? },
        Op::GetGroup { group: g } => Op::GetGroup { group: group(*g)? },
        Op::RenameGroup { group: g, suffix } => Op::RenameGroup {
            group: group(*g)?,
            suffix: suffix.clone(),
        },
        Op::PatchMembers { group: g, change } => {
            let group = group(*g)?;
            Op::PatchMembers {
                group,
                change: resolve_membership(state, group, change),
            }
        }
        Op::DeleteGroup { group: g } => Op::DeleteGroup { group: group(*g)? },
        Op::CreateGroup { group: g, members } => Op::CreateGroup {
            group: free_group(state, *g),
            members: members.clone(),
        },
        other => other.clone(),
    };
    Some(resolved)
}

/// `handle` itself when it is among `among`, else the k-th of them; `None` when there are none.
fn pick(among: &[UserHandle], handle: UserHandle) -> Option<UserHandle> {
    if among.contains(&handle) {
        return Some(handle);
    }
    (!among.is_empty()).then(|| among[usize::from(handle.0) % among.len()])
}

/// A membership change aimed at users that can take part: adds and replaces name live users,
/// removes name current members (a remove of a non-member is `RemoveAbsentMember`'s job). Names
/// with nothing to point at are kept, and the model decides.
fn resolve_membership(
    state: &State,
    group: GroupHandle,
    change: &MembershipChange,
) -> MembershipChange {
    let live: Vec<UserHandle> = state.live_users().map(|(handle, _)| handle).collect();
    let members: Vec<UserHandle> = state
        .live_group(group)
        .map(|g| g.members.iter().copied().collect())
        .unwrap_or_default();
    let aim = |users: &[UserHandle], among: &[UserHandle]| -> Vec<UserHandle> {
        let mut aimed: Vec<UserHandle> = users
            .iter()
            .map(|&user| pick(among, user).unwrap_or(user))
            .collect();
        aimed.sort();
        aimed.dedup();
        aimed
    };
    match change {
        MembershipChange::Add { users } => MembershipChange::Add {
            users: aim(users, &live),
        },
        MembershipChange::ReplaceAll { users } => MembershipChange::ReplaceAll {
            users: aim(users, &live),
        },
        MembershipChange::Remove { users } => MembershipChange::Remove {
            users: aim(users, &members),
        },
    }
}

/// The group handle a create uses: its own when no live group holds it, else the first free one
/// among the group slots (a handle past them would repeat a slot's display name, which a server
/// may rightly keep unique).
fn free_group(state: &State, handle: GroupHandle) -> GroupHandle {
    if state.live_group(handle).is_none() {
        return handle;
    }
    (0..super::state::GROUP_SLOTS)
        .map(GroupHandle)
        .find(|candidate| state.live_group(*candidate).is_none())
        .unwrap_or(handle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{apply, precondition, ModelRules};

    fn with_users(count: u8) -> State {
        (0..count).fold(State::new("5", ModelRules::default()), |state, slot| {
            let create = Op::CreateUser {
                user: UserHandle(slot),
                spelling: Spelling::Base,
            };
            apply(&state, &create).expect("create").0
        })
    }

    fn with_group(state: &State, members: &[u8]) -> State {
        let create = Op::CreateGroup {
            group: GroupHandle(0),
            members: members.iter().copied().map(UserHandle).collect(),
        };
        apply(state, &create).expect("group").0
    }

    #[test]
    fn an_op_drawn_before_any_user_exists_becomes_the_create_it_needs() {
        let empty = State::new("5", ModelRules::default());
        let get = Op::GetUser {
            user: UserHandle(2),
        };
        assert_eq!(
            resolve(&empty, &get),
            Some(Op::CreateUser {
                user: UserHandle(2),
                spelling: Spelling::Base
            })
        );
        let rename = Op::RenameGroup {
            group: GroupHandle(1),
            suffix: "x".into(),
        };
        let with_one = with_users(1);
        assert_eq!(
            resolve(&with_one, &rename),
            Some(Op::CreateGroup {
                group: GroupHandle(1),
                members: vec![UserHandle(0)]
            })
        );
    }

    #[test]
    fn membership_changes_name_live_users_and_removes_name_members() {
        let state = with_group(&with_users(3), &[1]);
        let add = Op::PatchMembers {
            group: GroupHandle(0),
            change: MembershipChange::Add {
                users: vec![UserHandle(4), UserHandle(7)],
            },
        };
        // Handles 4 and 7 were never created: the 2nd and the 2nd live user again (4 % 3, 7 % 3).
        assert_eq!(
            resolve(&state, &add),
            Some(Op::PatchMembers {
                group: GroupHandle(0),
                change: MembershipChange::Add {
                    users: vec![UserHandle(1)]
                }
            })
        );
        let remove = Op::PatchMembers {
            group: GroupHandle(0),
            change: MembershipChange::Remove {
                users: vec![UserHandle(2)],
            },
        };
        let resolved = resolve(&state, &remove).expect("resolves");
        assert!(
            precondition(&state, &resolved),
            "the remove names a member: {resolved:?}"
        );
    }

    #[test]
    fn a_remove_of_a_non_member_names_a_live_user_outside_the_group() {
        let state = with_group(&with_users(3), &[0, 1]);
        let op = Op::RemoveAbsentMember {
            group: GroupHandle(0),
            user: UserHandle(0),
        };
        assert_eq!(
            resolve(&state, &op),
            Some(Op::RemoveAbsentMember {
                group: GroupHandle(0),
                user: UserHandle(2)
            })
        );
    }

    #[test]
    fn a_group_create_on_a_live_handle_takes_the_first_free_one() {
        let state = with_group(&with_users(1), &[]);
        let create = Op::CreateGroup {
            group: GroupHandle(0),
            members: vec![],
        };
        assert_eq!(
            resolve(&state, &create),
            Some(Op::CreateGroup {
                group: GroupHandle(1),
                members: vec![]
            })
        );
    }
}
