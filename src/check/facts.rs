//! The facts a check needs from the model state, by server id rather than by handle: which users
//! are deactivated and which groups each live user belongs to. The executor and the race judge
//! derive them the same way, here.

use super::finding::CheckContext;
use crate::driver::{IdMap, ResourceKind};
use crate::model::{GroupSlot, State};

/// The facts a check context derives from the model state (by server id): the deactivated users
/// and, for each live user, the groups it belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelFacts {
    pub deactivated: Vec<String>,
    pub memberships: Vec<(String, Vec<String>)>,
}

impl ModelFacts {
    /// The facts of `state` with the ids in `ids`.
    pub fn of(state: &State, ids: &IdMap) -> Self {
        let user_id = |slot: u8| ids.id(ResourceKind::User, slot).map(str::to_string);
        let deactivated = state
            .live_users()
            .filter(|(_, record)| !record.active)
            .filter_map(|(user, _)| user_id(user.0))
            .collect();
        let memberships = state
            .live_users()
            .filter_map(|(user, _)| {
                let groups = state
                    .groups
                    .iter()
                    .filter_map(|(group, slot)| match slot {
                        GroupSlot::Live(record) if record.members.contains(&user) => {
                            ids.id(ResourceKind::Group, group.0).map(str::to_string)
                        }
                        _ => None,
                    })
                    .collect();
                Some((user_id(user.0)?, groups))
            })
            .collect();
        Self {
            deactivated,
            memberships,
        }
    }

    /// `base` with these facts and `ids`.
    pub fn context<'b>(&'b self, ids: &'b IdMap, base: &CheckContext<'b>) -> CheckContext<'b> {
        CheckContext {
            ids,
            deactivated_ids: &self.deactivated,
            memberships: &self.memberships,
            ..*base
        }
    }
}
