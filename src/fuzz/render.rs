//! Ops → HTTP requests, in the exact shapes Okta sends (create body with password, externalId and
//! `groups: []`; `userName eq` lookups with `startIndex=1&count=100`; path-less PATCH; GET-then-PUT
//! echoing id and meta; membership deltas with `members[value eq "…"]`). Handles become the ids
//! in the case's [`IdMap`]; names come from the model state, so rendering is pure.

use serde_json::{json, Value};

use crate::driver::{encode_component, AuthMode, Body, IdMap, Method, RequestSpec, ResourceKind};
use crate::model::{
    effective_filter, effective_members, live_members, namespace_confinement, unicode_email,
    AbsentValue, BadAuth, BogusId, GroupHandle, GroupRecord, InvalidPatch, ListQuery,
    MembershipChange, Op, Spelling, State, UserChange, UserHandle, UserRecord,
};
use crate::scim::schema::Tracked;
use crate::scim::urn;

/// Okta's create body for a user record.
pub fn create_user_body(record: &UserRecord) -> Value {
    let mut emails = vec![json!({"primary": true, "value": record.emails[0], "type": "work"})];
    for extra in &record.emails[1..] {
        emails.push(json!({"value": extra, "type": "home"}));
    }
    let mut body = json!({
        "schemas": [urn::USER],
        "userName": record.user_name,
        "name": {"givenName": record.given_name, "familyName": record.family_name},
        "emails": emails,
        "displayName": record.display_name,
        "locale": "en-US",
        "externalId": record.external_id,
        "groups": [],
        "password": "1mz050nq",
        "active": record.active,
    });
    if let (Some(number), Some(object)) = (&record.employee_number, body.as_object_mut()) {
        object.insert("schemas".into(), json!([urn::USER, urn::ENTERPRISE_USER]));
        object.insert(
            urn::ENTERPRISE_USER.into(),
            json!({"employeeNumber": number}),
        );
    }
    body
}

/// Okta's create body without the attributes the server declares readOnly (RFC 7644 §3.3: it
/// would ignore them, and the model does not judge them).
fn create_body(state: &State, record: &UserRecord) -> Value {
    let mut body = create_user_body(record);
    let policy = &state.rules.attributes;
    let Some(object) = body.as_object_mut() else {
        return body;
    };
    for tracked in Tracked::ALL {
        if policy.sent(tracked) {
            continue;
        }
        match tracked {
            Tracked::GivenName | Tracked::FamilyName => {
                let sub = &tracked.filter_name()["name.".len()..];
                if let Some(name) = object.get_mut("name").and_then(Value::as_object_mut) {
                    name.remove(sub);
                }
            }
            Tracked::EmployeeNumber => {
                if let Some(ext) = object
                    .get_mut(urn::ENTERPRISE_USER)
                    .and_then(Value::as_object_mut)
                {
                    ext.remove("employeeNumber");
                }
            }
            Tracked::GroupDisplayName | Tracked::Members => {}
            other => {
                object.remove(other.filter_name());
            }
        }
    }
    body
}

/// The id a bogus-id shape stands for in namespace `tag`.
pub fn bogus_id(id: BogusId, tag: &str) -> String {
    match id {
        BogusId::OktaThirtyDigits => "010101001010101011001010101011".into(),
        BogusId::OktaSeventeenDigits => "00919288221112222".into(),
        BogusId::RandomUuid => {
            let digits: String = format!("{tag:0>12}").chars().rev().take(12).collect();
            format!("5f0c3a1e-9b7d-4c2e-8a6f-{digits}")
        }
        BogusId::BulkId => "bulkId:qwerty".into(),
        BogusId::ReservedCharacters => "a/b?c#d%e f".into(),
        BogusId::OneKilobyte => "7".repeat(1024),
    }
}

fn patch_body(operations: Vec<Value>) -> Value {
    json!({"schemas": [urn::PATCH_OP], "Operations": operations})
}

/// The request(s) `op` sends, except the PUT of a replace (which echoes the GET's response; see
/// [`replace_body`]). `before` is the state before the op, `after` the state after it.
pub fn render(op: &Op, before: &State, after: &State, ids: &IdMap) -> RequestSpec {
    let user_path = |user: UserHandle| resource_path(ResourceKind::User, user.0, ids);
    let group_path = |slot: u8| resource_path(ResourceKind::Group, slot, ids);
    match op {
        Op::CreateUser { user, spelling } => RequestSpec::with_json(
            Method::Post,
            "/Users",
            create_body(before, &before.new_user_record(*user, *spelling)),
        ),
        Op::CreateUnicodeEmail { user } => {
            let record = after.live_user(*user).cloned().unwrap_or_else(|| {
                let mut record = before.new_user_record(*user, Spelling::Base);
                record.emails[0] = unicode_email(&before.tag, *user);
                record
            });
            RequestSpec::with_json(Method::Post, "/Users", create_body(before, &record))
        }
        Op::GetUser { user } | Op::ReplaceUser { user, .. } => RequestSpec::get(user_path(*user)),
        Op::GetBogusUser { id } => RequestSpec::get(format!(
            "/Users/{}",
            encode_component(&bogus_id(*id, &before.tag))
        )),
        Op::LookupUser { user, spelling } => {
            let name = before.user_name(*user, *spelling);
            let filter = encode_component(&format!("userName eq \"{name}\""));
            RequestSpec::get(format!("/Users?filter={filter}&startIndex=1&count=100"))
        }
        Op::SetActive {
            user,
            active,
            capitalised,
        } => {
            let name = if *capitalised { "Replace" } else { "replace" };
            let operation = json!({"op": name, "value": {"active": active}});
            RequestSpec::with_json(Method::Patch, user_path(*user), patch_body(vec![operation]))
        }
        Op::DeleteUser { user } => RequestSpec::delete(user_path(*user)),
        Op::ListUsers { query } => RequestSpec::get(list_path(before, query)),
        Op::ListInvalidFilter { filter } => {
            let confine = namespace_confinement(before);
            let text = format!("({confine}) and {}", filter.clause());
            RequestSpec::get(format!("/Users?filter={}", encode_component(&text)))
        }
        Op::CreateGroup { group, members } => {
            let record = after
                .live_group(*group)
                .cloned()
                .unwrap_or_else(|| GroupRecord {
                    display_name: before.base_group_name(*group),
                    members: members.iter().copied().collect(),
                });
            let body = json!({
                "schemas": [urn::GROUP],
                "displayName": record.display_name,
                "members": member_values(before, &live_members(before, members), ids),
            });
            RequestSpec::with_json(Method::Post, "/Groups", body)
        }
        Op::GetGroup { group } => RequestSpec::get(group_path(group.0)),
        Op::RenameGroup { group, suffix } => {
            let name = format!("{} {suffix}", before.base_group_name(*group));
            let id = ids.id(ResourceKind::Group, group.0).unwrap_or_default();
            let operation = json!({"op": "replace", "value": {"id": id, "displayName": name}});
            RequestSpec::with_json(
                Method::Patch,
                group_path(group.0),
                patch_body(vec![operation]),
            )
        }
        Op::PatchMembers { group, change } => RequestSpec::with_json(
            Method::Patch,
            group_path(group.0),
            patch_body(membership_operations(before, *group, change, ids)),
        ),
        Op::DeleteGroup { group } => RequestSpec::delete(group_path(group.0)),
        Op::WalkUsers {
            page_size,
            namespaced,
        } => RequestSpec::get(list_path(before, &walk_query(*page_size, *namespaced, 1))),
        Op::MalformedCreate => {
            let mut spec = RequestSpec::new(Method::Post, "/Users");
            spec.body = Some(Body::Raw {
                content_type: "application/scim+json".into(),
                text: format!(
                    "{{\"schemas\":[\"{}\"],\"userName\":\"{}.broken",
                    urn::USER,
                    before.tag
                ),
            });
            spec
        }
        Op::PatchAtomicity { user } => {
            let operations = vec![
                json!({"op": "replace", "value": {"displayName": format!("Atomic {}", before.tag)}}),
                json!({"op": "replace", "path": "emails[type eq \"fax\"].value", "value": "fax@example.com"}),
            ];
            RequestSpec::with_json(Method::Patch, user_path(*user), patch_body(operations))
        }
        Op::StaleWrite { user } => RequestSpec::get(user_path(*user)),
        Op::InvalidPatch { user, kind } => {
            let operations = match kind {
                InvalidPatch::EmptyOperations => Vec::new(),
                InvalidPatch::UnknownAttribute => {
                    vec![json!({"op": "replace", "path": "scimfuzzNoSuchAttribute", "value": "x"})]
                }
            };
            RequestSpec::with_json(Method::Patch, user_path(*user), patch_body(operations))
        }
        Op::RaceCreate { user, .. } => RequestSpec::with_json(
            Method::Post,
            "/Users",
            create_body(
                before,
                &before.new_user_record(*user, crate::model::Spelling::Base),
            ),
        ),
        Op::RaceAddMembers { group, .. } => RequestSpec::get(group_path(group.0)),
        // A race sends its branches concurrently (`fuzz::race`); alone it stands for its read.
        Op::Race { branches } => match crate::model::race_read(branches) {
            Some(read) => render(&read, before, after, ids),
            None => RequestSpec::get("/Users?startIndex=1&count=1"),
        },
        Op::RemoveAbsent { user, value } => {
            let operation = match value {
                AbsentValue::UnmatchedEmail => json!({
                    "op": "remove",
                    "path": format!("emails[value eq \"nobody.{}@example.com\"]", before.tag),
                }),
                AbsentValue::UnsetAttribute => json!({"op": "remove", "path": "nickName"}),
            };
            RequestSpec::with_json(Method::Patch, user_path(*user), patch_body(vec![operation]))
        }
        Op::RemoveAbsentMember { group, user } => {
            let id = ids.id(ResourceKind::User, user.0).unwrap_or_default();
            let operation = json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")});
            RequestSpec::with_json(
                Method::Patch,
                group_path(group.0),
                patch_body(vec![operation]),
            )
        }
        Op::AddExistingEmail { user } => {
            let email = before
                .live_user(*user)
                .and_then(|record| record.emails.first().cloned())
                .unwrap_or_default();
            // Exactly the element the create sent, so "already there" is beyond dispute.
            let operation = json!({
                "op": "add",
                "path": "emails",
                "value": [{"primary": true, "value": email, "type": "work"}],
            });
            RequestSpec::with_json(Method::Patch, user_path(*user), patch_body(vec![operation]))
        }
        Op::SetActiveString { user, active } => RequestSpec::with_json(
            Method::Patch,
            user_path(*user),
            string_boolean_patch(*active),
        ),
        Op::BadAuthRequest { auth } => {
            let spec = RequestSpec::get("/Users?startIndex=1&count=1");
            spec.auth(match auth {
                BadAuth::Missing => AuthMode::Omit,
                BadAuth::Malformed => AuthMode::Custom("non-token".into()),
                BadAuth::WrongToken => AuthMode::Custom("Bearer scimfuzz-wrong-token".into()),
            })
        }
    }
}

fn resource_path(kind: ResourceKind, slot: u8, ids: &IdMap) -> String {
    let id = ids.id(kind, slot).unwrap_or("scimfuzz-unassigned");
    format!("{}/{}", kind.endpoint(), encode_component(id))
}

/// The query of page `start_index` of a walk.
pub fn walk_query(page_size: u8, namespaced: bool, start_index: i64) -> ListQuery {
    ListQuery {
        filter: None,
        start_index: Some(start_index),
        count: Some(i64::from(page_size.max(1))),
        namespaced,
    }
}

/// Microsoft Entra's deactivation: `{"op":"Replace","path":"active","value":"False"}`.
pub fn string_boolean_patch(active: bool) -> Value {
    let text = if active { "True" } else { "False" };
    patch_body(vec![
        json!({"op": "Replace", "path": "active", "value": text}),
    ])
}

/// The same change with a JSON boolean: `{"op":"replace","path":"active","value":false}`.
pub fn boolean_patch(active: bool) -> Value {
    patch_body(vec![
        json!({"op": "replace", "path": "active", "value": active}),
    ])
}

/// A path-less PATCH replacing displayName.
pub fn display_name_patch(name: &str) -> Value {
    patch_body(vec![
        json!({"op": "replace", "value": {"displayName": name}}),
    ])
}

/// `/Users?filter=…&startIndex=…&count=…` for a generated query in this namespace.
pub fn list_path(state: &State, query: &ListQuery) -> String {
    let mut params = Vec::new();
    if let Some(filter) = effective_filter(state, query) {
        params.push(format!("filter={}", encode_component(&filter.to_string())));
    }
    if let Some(start) = query.start_index {
        params.push(format!("startIndex={start}"));
    }
    if let Some(count) = query.count {
        params.push(format!("count={count}"));
    }
    if params.is_empty() {
        "/Users".to_string()
    } else {
        format!("/Users?{}", params.join("&"))
    }
}

/// `[{"value": id, "display": userName}]` for the given users.
fn member_values(state: &State, users: &[UserHandle], ids: &IdMap) -> Vec<Value> {
    users
        .iter()
        .map(|user| {
            let display = state
                .live_user(*user)
                .map(|record| record.user_name.clone())
                .unwrap_or_default();
            json!({"value": ids.id(ResourceKind::User, user.0).unwrap_or_default(), "display": display})
        })
        .collect()
}

fn membership_operations(
    state: &State,
    group: GroupHandle,
    change: &MembershipChange,
    ids: &IdMap,
) -> Vec<Value> {
    let users = effective_members(state, group, change);
    match change {
        MembershipChange::Add { .. } => {
            vec![
                json!({"op": "add", "path": "members", "value": member_values(state, &users, ids)}),
            ]
        }
        MembershipChange::ReplaceAll { .. } => vec![
            json!({"op": "replace", "path": "members", "value": member_values(state, &users, ids)}),
        ],
        MembershipChange::Remove { .. } => users
            .iter()
            .map(|user| {
                let id = ids.id(ResourceKind::User, user.0).unwrap_or_default();
                json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")})
            })
            .collect(),
    }
}

/// Okta's PUT body: the GET response echoed whole (id, meta, groups included) with the change
/// applied (`after` is the record the PUT attempts); the write-only password is not echoed
/// because it is never returned.
pub fn replace_body(read: &Value, change: &UserChange, after: &UserRecord) -> Value {
    let mut body = read.clone();
    if let Some(object) = body.as_object_mut() {
        match change {
            UserChange::GivenNameSuffix(_) => {
                let name = object.entry("name").or_insert_with(|| json!({}));
                if let Some(name) = name.as_object_mut() {
                    name.insert("givenName".into(), json!(after.given_name));
                }
            }
            UserChange::DisplayName(_) => {
                object.insert("displayName".into(), json!(after.display_name));
            }
            UserChange::Active(active) => {
                object.insert("active".into(), json!(active));
            }
            UserChange::DropExternalId => {
                object.remove("externalId");
            }
            UserChange::DropSecondEmail => {
                if let Some(Value::Array(emails)) = object.get_mut("emails") {
                    emails.truncate(1);
                }
            }
            UserChange::TakeUserNameOf(_) => {
                object.insert("userName".into(), json!(after.user_name));
            }
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_percent_encoded_like_okta_does() {
        assert_eq!(
            encode_component("userName eq \"a@b\""),
            "userName%20eq%20%22a%40b%22"
        );
        assert_eq!(encode_component("ß"), "%C3%9F");
    }

    #[test]
    fn bogus_ids_have_okta_shapes() {
        assert_eq!(bogus_id(BogusId::OktaThirtyDigits, "1").len(), 30);
        assert_eq!(bogus_id(BogusId::OktaSeventeenDigits, "1").len(), 17);
        assert_eq!(bogus_id(BogusId::OneKilobyte, "1").len(), 1024);
    }
}
