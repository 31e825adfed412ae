//! Okta's production request shapes (Okta SCIM 2.0 reference: what Okta sends), as paths relative to the SCIM base
//! URL and JSON bodies: the userName lookup, the create body with password/externalId/groups,
//! the whole-user PUT, path-less `active` PATCHes, and the group-push PATCHes. Pure functions.

use serde_json::{json, Value};

use crate::scim::urn;

/// The `User-Agent` Okta's provisioning client sends.
pub const OKTA_USER_AGENT: &str = "Okta SCIM Client 1.0.0";
/// The `Content-Type` Okta sends on requests with a body.
pub const OKTA_CONTENT_TYPE: &str = "application/scim+json; charset=utf-8";

/// The userName namespace of one run: `lt<tag>.w<worker>.u<user>.<n>@load.example.com`, so that
/// workers (processes) and users (goose users) never collide, and runs never meet each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePartition {
    pub run_tag: String,
    pub worker: u32,
    pub user: usize,
}

impl NamePartition {
    /// The `sequence`-th userName of this partition.
    pub fn user_name(&self, sequence: u64) -> String {
        format!(
            "lt{}.w{}.u{}.{sequence}@load.example.com",
            self.run_tag, self.worker, self.user
        )
    }

    /// The `sequence`-th group displayName of this partition.
    pub fn group_name(&self, sequence: u64) -> String {
        format!(
            "lt{}-w{}-u{}-g{sequence}",
            self.run_tag, self.worker, self.user
        )
    }

    /// The displayName of the group this worker process's group pushes share.
    pub fn shared_group_name(run_tag: &str, worker: u32) -> String {
        format!("lt{run_tag}-w{worker}-shared")
    }

    /// The prefix every name of the run starts with (all workers).
    pub fn run_prefix(run_tag: &str) -> String {
        format!("lt{run_tag}.")
    }
}

/// Percent-encodes a query value the way Okta does (`%20`, `%22`, `%40`).
pub fn encode_query_value(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                encoded.push(byte as char)
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}

/// `Users?filter=userName eq "…"&startIndex=1&count=100`, Okta's lookup before a create.
pub fn lookup_path(user_name: &str) -> String {
    let filter = format!("userName eq \"{user_name}\"");
    format!(
        "Users?filter={}&startIndex=1&count=100",
        encode_query_value(&filter)
    )
}

/// One import page: `Users?startIndex=k&count=n`.
pub fn list_page_path(start_index: u64, count: usize) -> String {
    format!("Users?startIndex={start_index}&count={count}")
}

/// Okta's create body: names, primary work email, locale, externalId, `groups: []`, a password.
pub fn create_user_body(
    user_name: &str,
    family_name: &str,
    external_id: &str,
    password: &str,
) -> Value {
    json!({
        "schemas": [urn::USER],
        "userName": user_name,
        "name": {"givenName": "Load", "familyName": family_name},
        "emails": [{"primary": true, "value": user_name, "type": "work"}],
        "displayName": format!("Load {family_name}"),
        "locale": "en-US",
        "externalId": external_id,
        "groups": [],
        "password": password,
        "active": true
    })
}

/// Okta's profile-sync PUT: the user as the server returned it, with changed attributes applied
/// (Okta echoes `id`, `meta`, `groups` and the rest back).
pub fn profile_sync_body(current: &Value, given_name: &str, active: Option<bool>) -> Value {
    let mut body = current.clone();
    if let Some(object) = body.as_object_mut() {
        let name = object.entry("name").or_insert_with(|| json!({}));
        if let Some(name) = name.as_object_mut() {
            name.insert("givenName".into(), json!(given_name));
        }
        if let Some(active) = active {
            object.insert("active".into(), json!(active));
        }
    }
    body
}

/// Okta's path-less (de)activation PATCH: `{"op":"replace","value":{"active":…}}`.
pub fn set_active_patch(active: bool) -> Value {
    json!({
        "schemas": [urn::PATCH_OP],
        "Operations": [{"op": "replace", "value": {"active": active}}]
    })
}

/// A group member as Okta sends it: the SCIM id and the userName as `display`.
pub fn member(id: &str, user_name: &str) -> Value {
    json!({"value": id, "display": user_name})
}

/// `POST /Groups` with an empty member list (Okta's create).
pub fn create_group_body(display_name: &str) -> Value {
    json!({"schemas": [urn::GROUP], "displayName": display_name, "members": []})
}

/// Okta's membership delta: removes by `members[value eq "…"]` paths, then one add with an array.
pub fn membership_delta_patch(remove_ids: &[&str], add: &[Value]) -> Value {
    let mut operations: Vec<Value> = remove_ids
        .iter()
        .map(|id| json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")}))
        .collect();
    if !add.is_empty() {
        operations.push(json!({"op": "add", "path": "members", "value": add}));
    }
    json!({"schemas": [urn::PATCH_OP], "Operations": operations})
}

/// The rename Okta sends after every membership update: path-less, with the id in the value.
pub fn rename_group_patch(group_id: &str, display_name: &str) -> Value {
    json!({
        "schemas": [urn::PATCH_OP],
        "Operations": [{"op": "replace", "value": {"id": group_id, "displayName": display_name}}]
    })
}

/// "Push Now": replace the whole member list.
pub fn replace_members_patch(members: &[Value]) -> Value {
    json!({
        "schemas": [urn::PATCH_OP],
        "Operations": [{"op": "replace", "path": "members", "value": members}]
    })
}

/// The AIW group push: `PUT /Groups/{id}` with the full member list.
pub fn put_group_body(group_id: &str, display_name: &str, members: &[Value]) -> Value {
    json!({"schemas": [urn::GROUP], "id": group_id, "displayName": display_name, "members": members})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lookup_is_encoded_like_okta_encodes_it() {
        assert_eq!(
            lookup_path("test.user@okta.local"),
            "Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100"
        );
    }

    #[test]
    fn partitions_of_different_workers_or_users_never_share_a_name() {
        let one = NamePartition {
            run_tag: "ab".into(),
            worker: 0,
            user: 1,
        };
        let other_worker = NamePartition {
            worker: 1,
            ..one.clone()
        };
        let other_user = NamePartition {
            user: 2,
            ..one.clone()
        };
        assert_ne!(one.user_name(0), other_worker.user_name(0));
        assert_ne!(one.user_name(0), other_user.user_name(0));
        assert!(one
            .user_name(7)
            .starts_with(&NamePartition::run_prefix("ab")));
        assert_eq!(one.user_name(7), one.user_name(7).to_lowercase());
    }

    #[test]
    fn the_create_body_carries_okta_extras() {
        let body = create_user_body("a@b", "Fam", "00u1", "pw");
        assert_eq!(body["groups"], json!([]));
        assert_eq!(body["emails"][0]["primary"], json!(true));
        assert_eq!(body["password"], json!("pw"));
    }

    #[test]
    fn deactivation_is_pathless_with_a_boolean() {
        let patch = set_active_patch(false);
        assert!(patch["Operations"][0].get("path").is_none());
        assert_eq!(patch["Operations"][0]["value"]["active"], json!(false));
    }

    #[test]
    fn a_membership_delta_removes_by_filter_then_adds_an_array() {
        let patch = membership_delta_patch(&["u1", "u2"], &[member("u3", "c@x")]);
        let operations = patch["Operations"].as_array().unwrap();
        assert_eq!(operations.len(), 3);
        assert_eq!(operations[1]["path"], json!("members[value eq \"u2\"]"));
        assert_eq!(operations[2]["value"][0]["display"], json!("c@x"));
    }

    #[test]
    fn profile_sync_echoes_the_server_object() {
        let current =
            json!({"id": "1", "meta": {"resourceType": "User"}, "name": {"givenName": "A"}});
        let body = profile_sync_body(&current, "B", Some(false));
        assert_eq!(body["meta"], current["meta"]);
        assert_eq!(body["name"]["givenName"], json!("B"));
        assert_eq!(body["active"], json!(false));
    }
}
