//! The in-memory resource store: users and groups in creation order, the userName index, and
//! every write done under one lock, so a uniqueness check and its insert are one atomic step.
//!
//! Records hold the client's attributes as JSON (minus the read-only ones, which are rendered
//! from the record's own fields). The store knows nothing about HTTP; it returns [`ScimError`]s
//! for 404, 409 and 412 because those are decided under the lock.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use serde_json::{Map, Value};

use super::errors::ScimError;
use super::faults::{Fault, FaultSet};
use super::record::not_found;
pub use super::record::{etag_matches, member_values, now, ChangeError, Kind, Record, Stored};
use crate::scim::matching::fold;

#[derive(Debug, Default)]
struct Table {
    by_id: HashMap<String, Stored>,
    order: BTreeMap<u64, String>,
}

impl Table {
    fn insert(&mut self, record: Stored) {
        self.order.insert(record.seq, record.id.clone());
        self.by_id.insert(record.id.clone(), record);
    }

    fn remove(&mut self, id: &str) -> Option<Stored> {
        let record = self.by_id.remove(id)?;
        self.order.remove(&record.seq);
        Some(record)
    }
}

#[derive(Debug, Default)]
struct State {
    users: Table,
    groups: Table,
    usernames: UserNameIndex,
    /// Member id → the groups listing it (group seq → group id), so a user's `groups` and the
    /// cleanup when a user is deleted never scan every group.
    member_of: HashMap<String, BTreeMap<u64, String>>,
    next_seq: u64,
}

/// Caseless userName key → the ids of the users holding a userName with that key. Normally one
/// id per key; the uniqueness faults can put several there.
#[derive(Debug, Default)]
struct UserNameIndex {
    by_key: HashMap<String, Vec<String>>,
}

impl UserNameIndex {
    fn ids(&self, user_name: &str) -> &[String] {
        self.by_key
            .get(fold(user_name).as_ref())
            .map_or(&[], Vec::as_slice)
    }

    fn add(&mut self, user_name: &str, id: &str) {
        self.by_key
            .entry(fold(user_name).into_owned())
            .or_default()
            .push(id.to_string());
    }

    fn remove(&mut self, user_name: &str, id: &str) {
        let key = fold(user_name);
        if let Some(ids) = self.by_key.get_mut(key.as_ref()) {
            ids.retain(|held| held != id);
            if ids.is_empty() {
                self.by_key.remove(key.as_ref());
            }
        }
    }
}

impl State {
    fn table(&self, kind: Kind) -> &Table {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        }
    }

    fn table_mut(&mut self, kind: Kind) -> &mut Table {
        match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        }
    }

    /// Inserts or replaces a record, keeping the membership index in step for groups.
    fn put(&mut self, kind: Kind, record: &Record) {
        let stored = Stored::from_record(record);
        if kind == Kind::Group {
            if let Some(old) = self.groups.by_id.remove(&stored.id) {
                self.unlink_members(&old);
            }
            for member in stored.members.iter() {
                let groups = self.member_of.entry(member.to_string()).or_default();
                groups.insert(stored.seq, stored.id.clone());
            }
        }
        self.table_mut(kind).insert(stored);
    }

    /// Removes a record, keeping the membership index in step for groups.
    fn take(&mut self, kind: Kind, id: &str) -> Option<Record> {
        let stored = self.table_mut(kind).remove(id)?;
        if kind == Kind::Group {
            self.unlink_members(&stored);
        }
        Some(stored.to_record())
    }

    fn unlink_members(&mut self, group: &Stored) {
        for member in group.members.iter() {
            if let Some(groups) = self.member_of.get_mut(member.as_ref()) {
                groups.remove(&group.seq);
                if groups.is_empty() {
                    self.member_of.remove(member.as_ref());
                }
            }
        }
    }

    /// Takes a deleted user out of every group that lists it (each such group gets a new version).
    fn remove_member_everywhere(&mut self, user_id: &str) {
        let group_ids: Vec<String> = self
            .member_of
            .get(user_id)
            .map(|groups| groups.values().cloned().collect())
            .unwrap_or_default();
        let now = now();
        for group_id in group_ids {
            let Some(mut group) = self.groups.by_id.get(&group_id).map(Stored::to_record) else {
                continue;
            };
            if let Some(Value::Array(members)) = group.body.get_mut("members") {
                members
                    .retain(|member| member.get("value").and_then(Value::as_str) != Some(user_id));
            }
            group.version += 1;
            group.last_modified = now.clone();
            self.put(Kind::Group, &group);
        }
    }
}

/// A read-only view of the whole store, held under the lock.
pub struct View<'a> {
    state: &'a State,
}

impl View<'_> {
    /// The resource with this id.
    pub fn get(&self, kind: Kind, id: &str) -> Option<Record> {
        self.state.table(kind).by_id.get(id).map(Stored::to_record)
    }

    /// Every resource of a kind, in creation order (compact: parse with [`Stored::to_record`]).
    pub fn iter(&self, kind: Kind) -> impl Iterator<Item = &Stored> + '_ {
        let table = self.state.table(kind);
        table.order.values().filter_map(|id| table.by_id.get(id))
    }

    /// The groups that list this user id among their members, in creation order.
    pub fn groups_of(&self, user_id: &str) -> Vec<&Stored> {
        self.state
            .member_of
            .get(user_id)
            .into_iter()
            .flat_map(|groups| groups.values())
            .filter_map(|group_id| self.state.groups.by_id.get(group_id))
            .collect()
    }

    /// Every user whose userName is caselessly equal to `user_name`, in creation order: the
    /// candidates for a `userName eq` filter, found through the index.
    pub fn users_named(&self, user_name: &str) -> Vec<&Stored> {
        let mut users: Vec<&Stored> = self
            .state
            .usernames
            .ids(user_name)
            .iter()
            .filter_map(|id| self.state.users.by_id.get(id))
            .collect();
        users.sort_by_key(|user| user.seq);
        users
    }

    /// How many resources of a kind are stored.
    pub fn len(&self, kind: Kind) -> usize {
        self.state.table(kind).by_id.len()
    }

    /// Whether no resource of a kind is stored.
    pub fn is_empty(&self, kind: Kind) -> bool {
        self.len(kind) == 0
    }
}

/// The in-memory store. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Store {
    state: Mutex<State>,
    case_sensitive_usernames: bool,
    allow_duplicate_rename: bool,
    keep_deleted_members: bool,
    enforce_if_match: bool,
}

impl Store {
    /// An empty store whose store-level rules follow the given faults.
    pub fn new(faults: &FaultSet) -> Self {
        Self {
            state: Mutex::new(State::default()),
            case_sensitive_usernames: faults.has(Fault::CaseVariantDuplicate),
            allow_duplicate_rename: faults.has(Fault::RenameDuplicate),
            keep_deleted_members: faults.has(Fault::DeletedUserKeptInGroups),
            enforce_if_match: !faults.has(Fault::EtagIgnored),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-written record (writes are single
        // inserts), so a poisoned lock is still consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The user other than `except` that holds `user_name` under the store's uniqueness rule
    /// (caseless; exact under the case-variant-duplicate fault).
    fn holder<'s>(
        &self,
        state: &'s State,
        user_name: &str,
        except: Option<&str>,
    ) -> Option<&'s Stored> {
        state
            .usernames
            .ids(user_name)
            .iter()
            .filter(|id| Some(id.as_str()) != except)
            .filter_map(|id| state.users.by_id.get(id))
            .find(|user| !self.case_sensitive_usernames || &*user.name == user_name)
    }

    /// Runs `read` over a consistent view of the store.
    pub fn read<R>(&self, read: impl FnOnce(&View<'_>) -> R) -> R {
        let state = self.lock();
        read(&View { state: &state })
    }

    /// A fresh record for `body` with a new id, version 1 and the current time, not yet stored.
    pub fn prepare(&self, body: Map<String, Value>) -> Record {
        let now = now();
        let seq = {
            let mut state = self.lock();
            state.next_seq += 1;
            state.next_seq
        };
        Record {
            id: uuid::Uuid::new_v4().to_string(),
            seq,
            version: 1,
            created: now.clone(),
            last_modified: now,
            body,
        }
    }

    /// Stores a prepared record. With `unique`, a user whose userName is taken is refused and the
    /// holder returned; the check and the insert happen under one lock.
    pub fn insert(&self, kind: Kind, record: Record, unique: bool) -> Result<Record, Box<Record>> {
        let mut state = self.lock();
        if kind == Kind::User {
            let user_name = record.text("userName").unwrap_or_default();
            if unique {
                if let Some(holder) = self.holder(&state, user_name, None) {
                    return Err(Box::new(holder.to_record()));
                }
            }
            state.usernames.add(user_name, &record.id);
        }
        state.put(kind, &record);
        Ok(record)
    }

    /// Stores a prepared record after `check` approves (and may complete) its attributes, both
    /// under one lock, so what the check saw (e.g. that every member exists) still holds. With
    /// `keep` false the record is checked but not stored (the lost-write fault).
    pub fn insert_checked(
        &self,
        kind: Kind,
        mut record: Record,
        keep: bool,
        check: impl FnOnce(&View<'_>, Map<String, Value>) -> Result<Map<String, Value>, ScimError>,
    ) -> Result<Record, ScimError> {
        let mut state = self.lock();
        record.body = check(&View { state: &state }, std::mem::take(&mut record.body))?;
        if keep {
            state.put(kind, &record);
        }
        Ok(record)
    }

    /// The user holding this userName (under the store's case rule), if any.
    pub fn find_user_by_username(&self, user_name: &str) -> Option<Record> {
        let state = self.lock();
        self.holder(&state, user_name, None).map(Stored::to_record)
    }

    /// A copy of the resource with this id.
    pub fn get(&self, kind: Kind, id: &str) -> Option<Record> {
        self.lock().table(kind).by_id.get(id).map(Stored::to_record)
    }

    /// Replaces a resource's attributes with what `change` computes from the current record,
    /// checking If-Match and userName uniqueness, all under one lock.
    pub fn update(
        &self,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
        change: impl FnOnce(&Record, &View<'_>) -> Result<Map<String, Value>, ChangeError>,
    ) -> Result<Record, ScimError> {
        let mut state = self.lock();
        let current = state
            .table(kind)
            .by_id
            .get(id)
            .map(Stored::to_record)
            .ok_or_else(|| not_found(kind, id))?;
        if let Some(expected) = if_match {
            if self.enforce_if_match && !etag_matches(expected, &current.etag()) {
                return Err(ScimError::precondition_failed(&current.etag()));
            }
        }
        match change(&current, &View { state: &state }) {
            Ok(body) => self.commit(&mut state, kind, current, body),
            Err(ChangeError { error, commit }) => {
                if let Some(body) = commit {
                    self.commit(&mut state, kind, current, body)?;
                }
                Err(error)
            }
        }
    }

    /// Writes `body` over a resource without any check (the group-lost-update fault's write-back).
    pub fn overwrite(
        &self,
        kind: Kind,
        id: &str,
        body: Map<String, Value>,
    ) -> Result<Record, ScimError> {
        let mut state = self.lock();
        let current = state
            .table(kind)
            .by_id
            .get(id)
            .map(Stored::to_record)
            .ok_or_else(|| not_found(kind, id))?;
        self.commit(&mut state, kind, current, body)
    }

    fn commit(
        &self,
        state: &mut State,
        kind: Kind,
        current: Record,
        body: Map<String, Value>,
    ) -> Result<Record, ScimError> {
        if kind == Kind::User {
            let old_name = current.text("userName").unwrap_or_default();
            let new_name = body
                .get("userName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if old_name != new_name {
                let taken = self.holder(state, new_name, Some(&current.id)).is_some();
                if taken && !self.allow_duplicate_rename {
                    return Err(ScimError::uniqueness(
                        "another user already has this userName",
                    ));
                }
                state.usernames.remove(old_name, &current.id);
                state.usernames.add(new_name, &current.id);
            }
        }
        let record = Record {
            version: current.version + 1,
            last_modified: now(),
            body,
            ..current
        };
        state.put(kind, &record);
        Ok(record)
    }

    /// Deletes a resource (checking If-Match); deleting a user also removes it from every group.
    pub fn delete(
        &self,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
    ) -> Result<Record, ScimError> {
        let mut state = self.lock();
        let current = state
            .table(kind)
            .by_id
            .get(id)
            .ok_or_else(|| not_found(kind, id))?;
        if let Some(expected) = if_match {
            if self.enforce_if_match && !etag_matches(expected, &current.etag()) {
                return Err(ScimError::precondition_failed(&current.etag()));
            }
        }
        let removed = state.take(kind, id).ok_or_else(|| not_found(kind, id))?;
        if kind == Kind::User {
            state
                .usernames
                .remove(removed.text("userName").unwrap_or_default(), &removed.id);
            if !self.keep_deleted_members {
                state.remove_member_everywhere(id);
            }
        }
        Ok(removed)
    }

    /// Moves a resource to a freshly drawn id at the end of the order (reactivation-new-id fault).
    pub fn move_to_new_id(&self, kind: Kind, id: &str) -> Option<Record> {
        let mut state = self.lock();
        let mut record = state.take(kind, id)?;
        state.next_seq += 1;
        record.seq = state.next_seq;
        record.id = uuid::Uuid::new_v4().to_string();
        if kind == Kind::User {
            let user_name = record.text("userName").unwrap_or_default().to_string();
            state.usernames.remove(&user_name, id);
            state.usernames.add(&user_name, &record.id);
        }
        state.put(kind, &record);
        Some(record)
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
