//! The User resource of RFC 7643 §4.1 with the Enterprise User extension of §4.3.
//!
//! Every attribute is optional (a server's reply may lack what the RFC requires, and the harness
//! must still read it), absent attributes are not serialized, and members this type does not
//! model — custom extensions, misspelt or differently-cased names — are kept in `extra` and
//! written back unchanged. An explicit `null` reads as absent.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::message::Meta;
use crate::scim::urn;

/// A SCIM User.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The schema URNs; omitted on output when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<MultiValued>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_numbers: Option<Vec<MultiValued>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ims: Option<Vec<MultiValued>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photos: Option<Vec<MultiValued>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<Address>>,
    /// The groups the user belongs to (read-only, maintained by the server).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<MultiValued>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entitlements: Option<Vec<MultiValued>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<MultiValued>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x509_certificates: Option<Vec<MultiValued>>,
    /// The Enterprise User extension object.
    #[serde(
        rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        skip_serializing_if = "Option::is_none"
    )]
    pub enterprise: Option<EnterpriseUser>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Attributes this type does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl User {
    /// A user with the core User schema and `user_name`, everything else absent.
    pub fn new(user_name: impl Into<String>) -> Self {
        Self {
            schemas: vec![urn::USER.to_owned()],
            user_name: Some(user_name.into()),
            ..Self::default()
        }
    }
}

/// The components of a user's name (RFC 7643 §4.1.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One element of a multi-valued attribute (RFC 7643 §2.4): emails, phoneNumbers, ims, photos,
/// groups, entitlements, roles, x509Certificates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MultiValued {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    #[serde(rename = "$ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MultiValued {
    /// An element with `value` and `type`.
    pub fn typed(value: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            value: Some(value.into()),
            kind: Some(kind.into()),
            ..Self::default()
        }
    }
}

/// A physical mailing address (RFC 7643 §4.1.2 "addresses").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The Enterprise User extension (RFC 7643 §4.3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<Manager>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The user's manager (RFC 7643 §4.3 "manager").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manager {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(rename = "$ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn round_trip(text: &str) -> User {
        let body: Value = serde_json::from_str(text).unwrap();
        let user: User = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(serde_json::to_value(&user).unwrap(), body);
        user
    }

    #[test]
    fn the_rfc_full_user_round_trips() {
        let user = round_trip(include_str!("examples/full_user.json"));
        assert_eq!(user.user_name.as_deref(), Some("bjensen@example.com"));
        assert_eq!(user.emails.as_ref().map(Vec::len), Some(2));
        assert_eq!(
            user.groups
                .as_ref()
                .and_then(|groups| groups[0].reference.as_deref()),
            Some("https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a")
        );
        assert!(user.extra.is_empty(), "{:?}", user.extra);
    }

    #[test]
    fn the_rfc_enterprise_user_round_trips_with_its_extension() {
        let user = round_trip(include_str!("examples/enterprise_user.json"));
        let enterprise = user.enterprise.expect("extension");
        assert_eq!(enterprise.employee_number.as_deref(), Some("701984"));
        assert_eq!(
            enterprise.manager.and_then(|manager| manager.display_name),
            Some("John Smith".to_owned())
        );
    }

    #[test]
    fn unknown_attributes_and_extensions_are_preserved() {
        let body = json!({
            "schemas": [urn::USER, "urn:okta:custom"],
            "userName": "a",
            "urn:okta:custom": {"badge": 7},
            "emails": [{"value": "a@x", "verified": true}],
            "name": {"givenName": "A", "nickname2": "x"},
            "UserName": "differently cased"
        });
        let user: User = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(
            user.extra.get("urn:okta:custom"),
            Some(&json!({"badge": 7}))
        );
        assert_eq!(
            user.emails.as_ref().unwrap()[0].extra.get("verified"),
            Some(&json!(true))
        );
        assert_eq!(serde_json::to_value(&user).unwrap(), body);
    }

    #[test]
    fn absent_attributes_are_not_serialized() {
        let user = User::new("bjensen");
        assert_eq!(
            serde_json::to_value(&user).unwrap(),
            json!({"schemas": [urn::USER], "userName": "bjensen"})
        );
    }

    #[test]
    fn an_empty_list_is_kept_distinct_from_an_absent_one() {
        let user: User = serde_json::from_value(json!({"userName": "a", "emails": []})).unwrap();
        assert_eq!(user.emails, Some(vec![]));
        assert_eq!(
            serde_json::to_value(&user).unwrap(),
            json!({"userName": "a", "emails": []})
        );
    }

    #[test]
    fn a_wrongly_typed_known_attribute_is_an_error() {
        let error =
            serde_json::from_value::<User>(json!({"userName": "a", "active": "yes"})).unwrap_err();
        assert!(error.to_string().contains("invalid type"), "{error}");
    }

    #[test]
    fn multi_valued_builder_sets_value_and_type() {
        assert_eq!(
            serde_json::to_value(MultiValued::typed("a@x", "work")).unwrap(),
            json!({"value": "a@x", "type": "work"})
        );
    }
}
