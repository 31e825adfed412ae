//! The request bodies Okta sends, built from a generated [`Person`]: the SPEC test's create body
//! (Okta's SPEC test, steps 6 and 8), the production create body with `password`, `externalId`,
//! `groups: []` and `locale` (Okta SCIM 2.0 reference, Create the User), the path-less PATCHes (Okta SCIM 2.0 reference, Update a specific User / Group), group bodies and members.

use serde_json::{json, Value};

use super::names::Person;
use crate::scim::urn;

/// SPEC step 6/8's body: userName, names, one primary work email, displayName, active.
pub fn spec_create_body(person: &Person) -> Value {
    json!({
        "schemas": [urn::USER],
        "userName": person.user_name(),
        "name": {"givenName": person.given_name, "familyName": person.family_name},
        "emails": [{"primary": true, "value": person.email, "type": "work"}],
        "displayName": person.display_name(),
        "active": true
    })
}

/// Okta's production create body (REF): SPEC's fields plus `locale`, `externalId` (the Okta user
/// id), `groups: []` (read-only, must be tolerated) and the always-sent placeholder `password`.
pub fn okta_create_body(person: &Person, external_id: &str, password: &str) -> Value {
    json!({
        "schemas": [urn::USER],
        "userName": person.user_name(),
        "name": {"givenName": person.given_name, "familyName": person.family_name},
        "emails": [{"primary": true, "value": person.email, "type": "work"}],
        "displayName": person.display_name(),
        "locale": "en-US",
        "externalId": external_id,
        "groups": [],
        "password": password,
        "active": true
    })
}

/// The full-object PUT Okta sends after a GET (Okta SCIM 2.0 reference, Update a specific User (PUT)): the server's own representation echoed back
/// (id, meta, groups and all) with `changes` applied on top, plus the `password` Okta carries.
pub fn okta_put_body(current: &Value, changes: &Value, password: &str) -> Value {
    let mut body = current.clone();
    merge(&mut body, changes);
    if let Value::Object(object) = &mut body {
        object.insert("password".into(), Value::from(password));
        object
            .entry("groups")
            .or_insert_with(|| Value::Array(Vec::new()));
    }
    body
}

/// `{"op":"replace","value":{"active":<active>}}` with no path: Okta's (de)activation (Okta SCIM 2.0 reference, Update a specific User (PATCH)).
pub fn pathless_active_patch(active: bool) -> Value {
    json!({
        "schemas": [urn::PATCH_OP],
        "Operations": [{"op": "replace", "value": {"active": active}}]
    })
}

/// A group create body (Okta SCIM 2.0 reference, Create Groups): displayName and members (possibly empty).
pub fn group_body(display_name: &str, members: &[Value]) -> Value {
    json!({"schemas": [urn::GROUP], "displayName": display_name, "members": members})
}

/// A member reference as Okta sends it: the SCIM user id and its userName as `display`.
pub fn member(id: &str, display: &str) -> Value {
    json!({"value": id, "display": display})
}

/// Okta's membership delta (Okta SCIM 2.0 reference, Update a specific Group membership): one `remove` per departing member by value filter, then one
/// `add` carrying the arriving members.
pub fn membership_delta_patch(removed: &[&str], added: &[Value]) -> Value {
    let mut operations: Vec<Value> = removed
        .iter()
        .map(|id| json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")}))
        .collect();
    if !added.is_empty() {
        operations.push(json!({"op": "add", "path": "members", "value": added}));
    }
    json!({"schemas": [urn::PATCH_OP], "Operations": operations})
}

/// Okta's group rename (Okta SCIM 2.0 reference, Update a specific Group name): a path-less replace whose value carries the id as well as the name.
pub fn rename_patch(id: &str, display_name: &str) -> Value {
    json!({
        "schemas": [urn::PATCH_OP],
        "Operations": [{"op": "replace", "value": {"id": id, "displayName": display_name}}]
    })
}

/// "Push Now" (PLAN C9316): replace the whole member list.
pub fn replace_members_patch(members: &[Value]) -> Value {
    json!({
        "schemas": [urn::PATCH_OP],
        "Operations": [{"op": "replace", "path": "members", "value": members}]
    })
}

/// Deep-merges `changes` into `target` (objects merge, everything else replaces).
fn merge(target: &mut Value, changes: &Value) {
    match (target, changes) {
        (Value::Object(target), Value::Object(changes)) => {
            for (key, value) in changes {
                match target.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (target, changes) => *target = changes.clone(),
    }
}

/// The member ids of a group body, in order.
pub fn member_ids(group: &Value) -> Vec<String> {
    group
        .get("members")
        .and_then(Value::as_array)
        .map(|members| {
            members
                .iter()
                .filter_map(|m| m.get("value").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::okta::names::NameSource;

    #[test]
    fn the_put_body_echoes_the_server_representation_with_the_change() {
        let current = json!({"id": "7", "meta": {"resourceType": "User"},
                             "name": {"givenName": "A", "familyName": "B"}, "active": true});
        let body = okta_put_body(&current, &json!({"name": {"givenName": "Aupdate"}}), "pw");
        assert_eq!(body["id"], "7");
        assert_eq!(body["meta"]["resourceType"], "User");
        assert_eq!(
            body["name"],
            json!({"givenName": "Aupdate", "familyName": "B"})
        );
        assert_eq!(body["password"], "pw");
        assert_eq!(body["groups"], json!([]));
    }

    #[test]
    fn the_membership_delta_removes_by_value_filter_then_adds() {
        let patch = membership_delta_patch(&["u1", "u2"], &[member("u3", "c@x")]);
        let ops = patch["Operations"].as_array().expect("operations");
        assert_eq!(ops.len(), 3);
        assert_eq!(ops[0]["path"], "members[value eq \"u1\"]");
        assert_eq!(ops[2]["op"], "add");
        assert_eq!(ops[2]["value"][0]["display"], "c@x");
    }

    #[test]
    fn create_bodies_carry_okta_extras() {
        let person = NameSource::new(3).person();
        let body = okta_create_body(&person, "00uabc", "pw");
        assert_eq!(body["groups"], json!([]));
        assert_eq!(body["externalId"], "00uabc");
        assert_eq!(body["userName"], person.email);
        assert_eq!(spec_create_body(&person)["emails"][0]["primary"], true);
        assert_eq!(member_ids(&group_body("g", &[member("1", "a")])), vec!["1"]);
    }
}
