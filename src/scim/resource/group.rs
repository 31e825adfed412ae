//! The Group resource of RFC 7643 §4.2 and its members. Unknown members are kept in `extra`;
//! absent attributes are not serialized.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::message::Meta;
use crate::scim::urn;

/// A SCIM Group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// The schema URNs; omitted on output when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `None` when the body had no `members`; `Some(vec![])` for `"members": []`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<Member>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Attributes this type does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Group {
    /// A group with the core Group schema and `display_name`, no members.
    pub fn new(display_name: impl Into<String>) -> Self {
        Self {
            schemas: vec![urn::GROUP.to_owned()],
            display_name: Some(display_name.into()),
            ..Self::default()
        }
    }
}

/// One member of a group: a User or Group by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// The member's `id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(rename = "$ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The member's display name (Okta sends it; servers often echo it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// `User` or `Group`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Member {
    /// A member by id with an optional display name.
    pub fn new(value: impl Into<String>, display: Option<&str>) -> Self {
        Self {
            value: Some(value.into()),
            display: display.map(str::to_owned),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_rfc_group_round_trips() {
        let body: Value = serde_json::from_str(include_str!("examples/group.json")).unwrap();
        let group: Group = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(group.display_name.as_deref(), Some("Tour Guides"));
        let members = group.members.as_ref().unwrap();
        assert_eq!(members[1].display.as_deref(), Some("Mandy Pepperidge"));
        assert_eq!(
            group.meta.as_ref().and_then(|meta| meta.version.as_deref()),
            Some("W/\"3694e05e9dff592\"")
        );
        assert_eq!(serde_json::to_value(&group).unwrap(), body);
    }

    #[test]
    fn okta_group_push_body_keeps_unknown_member_fields() {
        let body = json!({
            "schemas": [urn::GROUP],
            "displayName": "Test SCIMv2",
            "members": [{"value": "b1", "display": "a@example.com", "operation": "add"}]
        });
        let group: Group = serde_json::from_value(body.clone()).unwrap();
        let members = group.members.as_ref().unwrap();
        assert_eq!(members[0].extra.get("operation"), Some(&json!("add")));
        assert_eq!(serde_json::to_value(&group).unwrap(), body);
    }

    #[test]
    fn new_builds_an_empty_group() {
        let mut group = Group::new("Admins");
        group.members = Some(vec![Member::new("u1", Some("Babs"))]);
        assert_eq!(
            serde_json::to_value(&group).unwrap(),
            json!({
                "schemas": [urn::GROUP],
                "displayName": "Admins",
                "members": [{"value": "u1", "display": "Babs"}]
            })
        );
    }
}
