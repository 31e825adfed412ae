//! What the load run sent and the server acknowledged, kept so the post-run integrity check can
//! verify it: users answered 201, every userName POSTed, the last `active` value sent per user,
//! and the membership last sent per group. Each worker keeps its own and merges it at the end.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// A user the server answered 201 for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedUser {
    pub id: String,
    pub user_name: String,
}

/// The run's expectations of the server's final state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Users answered 201, in order.
    pub created: Vec<CreatedUser>,
    /// Every userName a create was sent for (duplicated sends included once).
    pub sent_user_names: BTreeSet<String>,
    /// The `active` value last acknowledged per user id; `None` once a change failed (unknown).
    pub active: BTreeMap<String, Option<bool>>,
    /// The member ids last acknowledged per group id; `None` once a change failed (unknown).
    pub memberships: BTreeMap<String, Option<BTreeSet<String>>>,
}

impl Ledger {
    /// Notes a create sent for `user_name`.
    pub fn sent_create(&mut self, user_name: &str) {
        if !self.sent_user_names.contains(user_name) {
            self.sent_user_names.insert(user_name.to_string());
        }
    }

    /// Notes a 201 for `user_name` with the server's `id`.
    pub fn created(&mut self, id: &str, user_name: &str) {
        self.created.push(CreatedUser {
            id: id.to_string(),
            user_name: user_name.to_string(),
        });
        self.active.insert(id.to_string(), Some(true));
    }

    /// Notes an activation or deactivation: `Some` when acknowledged, `None` when it failed and
    /// the user's state is unknown (the check then skips it).
    pub fn set_active(&mut self, id: &str, active: Option<bool>) {
        self.active.insert(id.to_string(), active);
    }

    /// Notes a group's membership: `Some` when acknowledged, `None` when a change failed.
    pub fn set_members(&mut self, group_id: &str, members: Option<BTreeSet<String>>) {
        self.memberships.insert(group_id.to_string(), members);
    }

    /// Moves everything from `other` into this ledger (later entries win per id).
    pub fn absorb(&mut self, other: &mut Ledger) {
        self.created.append(&mut other.created);
        self.sent_user_names
            .append(&mut std::mem::take(&mut other.sent_user_names));
        self.active.append(&mut std::mem::take(&mut other.active));
        self.memberships
            .append(&mut std::mem::take(&mut other.memberships));
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.created.is_empty()
            && self.sent_user_names.is_empty()
            && self.active.is_empty()
            && self.memberships.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_acknowledgement_wins_when_ledgers_merge() {
        let mut shared = Ledger::default();
        let mut worker = Ledger::default();
        worker.created("u1", "a@x");
        worker.set_active("u1", Some(false));
        worker.set_members("g1", Some(BTreeSet::from(["u1".to_string()])));
        shared.absorb(&mut worker);
        let mut later = Ledger::default();
        later.set_active("u1", Some(true));
        later.set_members("g1", None);
        shared.absorb(&mut later);
        assert_eq!(shared.active.get("u1"), Some(&Some(true)));
        assert_eq!(
            shared.memberships.get("g1"),
            Some(&None),
            "a failed change makes it unknown"
        );
        assert_eq!(shared.created.len(), 1);
        assert!(worker.is_empty() && later.is_empty());
    }
}
