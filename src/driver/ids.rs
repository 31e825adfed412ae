//! The handle ↔ server-id map of one fuzz case: which id (and ETag) the server assigned to each
//! symbolic handle. Handles are `(kind, slot)` pairs; the driver does not know the model's types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The resource kinds the fuzzer creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    User,
    Group,
}

impl ResourceKind {
    /// The endpoint of the kind, e.g. `/Users`.
    pub fn endpoint(self) -> &'static str {
        match self {
            ResourceKind::User => "/Users",
            ResourceKind::Group => "/Groups",
        }
    }

    /// The attribute that names a resource of the kind: `userName`, or a group's `displayName`.
    pub fn name_attribute(self) -> &'static str {
        match self {
            ResourceKind::User => "userName",
            ResourceKind::Group => "displayName",
        }
    }
}

/// What the server assigned to one handle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assigned {
    pub id: String,
    /// The last ETag (header or `meta.version`) seen for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

/// Handle → server id, for one case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdMap {
    entries: BTreeMap<(ResourceKind, u8), Assigned>,
    /// Every id the case ever created, in order, for cleanup (ids stay here after a delete).
    created: Vec<(ResourceKind, String)>,
}

impl IdMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the id the server assigned to a handle (a re-create replaces the old one).
    pub fn assign(&mut self, kind: ResourceKind, slot: u8, id: String) {
        self.created.push((kind, id.clone()));
        self.entries
            .insert((kind, slot), Assigned { id, etag: None });
    }

    /// Records an id the case caused to exist without a handle (e.g. a duplicate the server
    /// accepted), so cleanup removes it too.
    pub fn note_created(&mut self, kind: ResourceKind, id: String) {
        if !self.created_here(kind, &id) {
            self.created.push((kind, id));
        }
    }

    /// Records the latest ETag of a handle.
    pub fn set_etag(&mut self, kind: ResourceKind, slot: u8, etag: Option<String>) {
        if let Some(entry) = self.entries.get_mut(&(kind, slot)) {
            entry.etag = etag;
        }
    }

    /// The id of a handle.
    pub fn id(&self, kind: ResourceKind, slot: u8) -> Option<&str> {
        self.entries.get(&(kind, slot)).map(|a| a.id.as_str())
    }

    /// The last ETag seen for a handle.
    pub fn etag(&self, kind: ResourceKind, slot: u8) -> Option<&str> {
        self.entries
            .get(&(kind, slot))
            .and_then(|a| a.etag.as_deref())
    }

    /// The handle (slot) whose current id is `id`.
    pub fn slot_of(&self, kind: ResourceKind, id: &str) -> Option<u8> {
        self.entries
            .iter()
            .find(|((k, _), assigned)| *k == kind && assigned.id == id)
            .map(|((_, slot), _)| *slot)
    }

    /// Whether `id` was ever created by this case (current or replaced).
    pub fn created_here(&self, kind: ResourceKind, id: &str) -> bool {
        self.created
            .iter()
            .any(|(k, known)| *k == kind && known == id)
    }

    /// Every id the case created, groups first (so memberships go before their users).
    pub fn created_for_cleanup(&self) -> Vec<(ResourceKind, String)> {
        let mut ids = self.created.clone();
        ids.sort_by_key(|(kind, _)| std::cmp::Reverse(*kind));
        ids.dedup();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recreated_handle_maps_to_its_new_id_but_both_are_cleaned_up() {
        let mut ids = IdMap::new();
        ids.assign(ResourceKind::User, 0, "a".into());
        ids.assign(ResourceKind::Group, 0, "g".into());
        ids.assign(ResourceKind::User, 0, "b".into());
        assert_eq!(ids.id(ResourceKind::User, 0), Some("b"));
        assert_eq!(ids.slot_of(ResourceKind::User, "a"), None);
        assert!(ids.created_here(ResourceKind::User, "a"));
        let cleanup = ids.created_for_cleanup();
        assert_eq!(cleanup[0], (ResourceKind::Group, "g".to_string()));
        assert_eq!(cleanup.len(), 3);
    }
}
