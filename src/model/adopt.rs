//! Adoption: how the model takes the server's word after a divergence that is already reported.
//!
//! When an op's only blocking findings are defects the run has already recorded (and shrunk), the
//! case goes on instead of ending, so the next, different defect can be found. The harness then
//! reads back every resource the op touched ([`touched`]) and the model adopts what it read:
//! a user or group the server answers 200 for becomes `Live` with the server's attribute values
//! ([`adopt_user`], [`adopt_group`]), one it answers 404 for becomes `Deleted`, and a create the
//! server did not perform leaves its slot empty. An attribute the server holds no value for is
//! adopted as empty (missing, null and `""` are one state, RFC 7643 §2.5), so reading it again
//! raises nothing.
//!
//! Why this never blames a later op for an earlier divergence: every later op is predicted from
//! the state the server really holds, not from what the model had predicted before the
//! divergence. A later finding is therefore about what that later op did. Resources the op did
//! not touch are unchanged in the model and on a correct server alike.

use serde_json::Value;

use super::op::{GroupHandle, Op, UserHandle};
use super::state::{GroupRecord, UserRecord};
use crate::scim::urn;

/// The users and groups `op` (or any branch of a race) names: the ones adoption reads back.
pub fn touched(op: &Op) -> (Vec<UserHandle>, Vec<GroupHandle>) {
    let mut users = Vec::new();
    let mut groups = Vec::new();
    let branches = op.race_branches().unwrap_or_else(|| vec![op.clone()]);
    for branch in &branches {
        let (user, group) = named(branch);
        users.extend(user.filter(|u| !users.contains(u)));
        groups.extend(group.filter(|g| !groups.contains(g)));
    }
    (users, groups)
}

/// The user and the group one single-request op names.
fn named(op: &Op) -> (Option<UserHandle>, Option<GroupHandle>) {
    match op {
        Op::CreateUser { user, .. }
        | Op::GetUser { user }
        | Op::LookupUser { user, .. }
        | Op::SetActive { user, .. }
        | Op::ReplaceUser { user, .. }
        | Op::DeleteUser { user }
        | Op::PatchAtomicity { user }
        | Op::InvalidPatch { user, .. }
        | Op::StaleWrite { user }
        | Op::RemoveAbsent { user, .. }
        | Op::SetActiveString { user, .. }
        | Op::AddExistingEmail { user }
        | Op::CreateUnicodeEmail { user } => (Some(*user), None),
        Op::CreateGroup { group, .. }
        | Op::GetGroup { group }
        | Op::RenameGroup { group, .. }
        | Op::PatchMembers { group, .. }
        | Op::DeleteGroup { group } => (None, Some(*group)),
        Op::RemoveAbsentMember { group, user } => (Some(*user), Some(*group)),
        _ => (None, None),
    }
}

/// The user the server holds, as the model records it. `template` gives what the body does not
/// say and the record cannot leave open (`active`).
pub fn adopt_user(template: &UserRecord, body: &Value) -> UserRecord {
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_string);
    let mut emails: Vec<(bool, String)> = body
        .get("emails")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    let value = item.get("value")?.as_str()?.to_string();
                    let primary = item.get("primary").and_then(Value::as_bool) == Some(true);
                    Some((!primary, value))
                })
                .collect()
        })
        .unwrap_or_default();
    emails.sort_by_key(|(not_primary, _)| *not_primary);
    UserRecord {
        user_name: text(body.get("userName")).unwrap_or_else(|| template.user_name.clone()),
        given_name: text(body.pointer("/name/givenName")).unwrap_or_default(),
        family_name: text(body.pointer("/name/familyName")).unwrap_or_default(),
        display_name: text(body.get("displayName")).unwrap_or_default(),
        // "" is unassigned, like null (RFC 7643 §2.5).
        external_id: text(body.get("externalId")).filter(|id| !id.is_empty()),
        emails: emails.into_iter().map(|(_, value)| value).collect(),
        active: body
            .get("active")
            .and_then(Value::as_bool)
            .unwrap_or(template.active),
        employee_number: text(
            body.get(urn::ENTERPRISE_USER)
                .and_then(|ext| ext.get("employeeNumber")),
        ),
    }
}

/// The group the server holds: its displayName and those members that are the case's users
/// (`slot_of` maps a user id to its handle).
pub fn adopt_group(body: &Value, slot_of: impl Fn(&str) -> Option<u8>) -> GroupRecord {
    let members = body
        .get("members")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|member| member.get("value")?.as_str())
                .filter_map(&slot_of)
                .map(UserHandle)
                .collect()
        })
        .unwrap_or_default();
    GroupRecord {
        display_name: body
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        members,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{MembershipChange, ModelRules, Spelling, State};

    fn template() -> UserRecord {
        State::new("7", ModelRules::default()).new_user_record(UserHandle(0), Spelling::Base)
    }

    #[test]
    fn a_user_is_adopted_as_the_server_holds_it_with_left_out_attributes_empty() {
        let body = json!({
            "id": "u1", "userName": "7.ann.lee@example.com",
            "name": {"givenName": "Ann"},
            "emails": [{"value": "home@example.org"}, {"value": "work@example.com", "primary": true}],
            "active": false
        });
        let adopted = adopt_user(&template(), &body);
        assert_eq!(adopted.user_name, "7.ann.lee@example.com");
        assert_eq!(adopted.given_name, "Ann");
        assert_eq!(adopted.family_name, "", "left out: adopted as unassigned");
        assert_eq!(adopted.display_name, "");
        assert_eq!(adopted.external_id, None);
        assert_eq!(adopted.emails, ["work@example.com", "home@example.org"]);
        assert!(!adopted.active);
        assert_eq!(adopted.employee_number, None);
    }

    #[test]
    fn active_left_out_keeps_what_the_model_knew() {
        let adopted = adopt_user(&template(), &json!({"userName": "x"}));
        assert!(adopted.active);
    }

    #[test]
    fn a_group_keeps_only_members_that_are_the_cases_users() {
        let body = json!({"displayName": "7 Sales", "members": [{"value": "a"}, {"value": "zz"}]});
        let adopted = adopt_group(&body, |id| (id == "a").then_some(2));
        assert_eq!(adopted.display_name, "7 Sales");
        assert_eq!(
            adopted.members.into_iter().collect::<Vec<_>>(),
            [UserHandle(2)]
        );
    }

    #[test]
    fn a_race_touches_every_resource_its_branches_name() {
        let race = Op::Race {
            branches: vec![
                Op::DeleteUser {
                    user: UserHandle(1),
                },
                Op::PatchMembers {
                    group: GroupHandle(0),
                    change: MembershipChange::Add {
                        users: vec![UserHandle(1)],
                    },
                },
                Op::GetUser {
                    user: UserHandle(1),
                },
            ],
        };
        assert_eq!(touched(&race), (vec![UserHandle(1)], vec![GroupHandle(0)]));
    }
}
