//! The discovery resources of RFC 7643 §5–§7 (served at /ServiceProviderConfig, /ResourceTypes
//! and /Schemas): what a server says it supports. Unknown members are kept in `extra`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::message::Meta;

/// The service provider's configuration (RFC 7643 §5).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceProviderConfig {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch: Option<Supported>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bulk: Option<BulkSupport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<FilterSupport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_password: Option<Supported>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<Supported>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<Supported>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authentication_schemes: Vec<AuthenticationScheme>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{"supported": bool}`, the shape of most feature entries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Supported {
    pub supported: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Bulk support and its limits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkSupport {
    pub supported: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_operations: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_payload_size: Option<u64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Filter support and the most results a query returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterSupport {
    pub supported: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One authentication scheme the server accepts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationScheme {
    /// `oauth`, `oauth2`, `oauthbearertoken`, `httpbasic` or `httpdigest`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A resource type the server exposes (RFC 7643 §6).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceType {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Relative endpoint, e.g. `/Users`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The core schema URN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_extensions: Option<Vec<SchemaExtension>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An extension schema of a resource type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SchemaExtension {
    pub schema: String,
    pub required: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A schema definition (RFC 7643 §7).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    /// The schema URN.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub attributes: Vec<SchemaAttribute>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One attribute definition in a [`Schema`], with its characteristics (RFC 7643 §7, §2.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaAttribute {
    pub name: String,
    /// `string`, `boolean`, `decimal`, `integer`, `dateTime`, `binary`, `reference`, `complex`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_valued: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_values: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_exact: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mutability: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returned: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uniqueness: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_types: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_attributes: Option<Vec<SchemaAttribute>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn round_trip<T>(text: &str) -> T
    where
        T: Serialize + for<'de> Deserialize<'de>,
    {
        let body: Value = serde_json::from_str(text).unwrap();
        let parsed: T = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), body);
        parsed
    }

    #[test]
    fn the_rfc_service_provider_config_round_trips() {
        let config: ServiceProviderConfig =
            round_trip(include_str!("examples/service_provider_config.json"));
        assert_eq!(
            config.filter.as_ref().and_then(|f| f.max_results),
            Some(200)
        );
        assert_eq!(config.authentication_schemes.len(), 2);
        assert_eq!(
            config.authentication_schemes[0].kind.as_deref(),
            Some("oauthbearertoken")
        );
    }

    #[test]
    fn the_rfc_resource_types_round_trip() {
        let types: Vec<ResourceType> = round_trip(include_str!("examples/resource_types.json"));
        assert_eq!(types[0].endpoint.as_deref(), Some("/Users"));
        assert_eq!(
            types[0]
                .schema_extensions
                .as_ref()
                .map(|extensions| extensions[0].required),
            Some(true)
        );
        assert_eq!(types[1].schema_extensions, None);
    }

    #[test]
    fn the_rfc_group_schema_round_trips() {
        let schema: Schema = round_trip(include_str!("examples/group_schema.json"));
        let members = &schema.attributes[1];
        let sub_attributes = members.sub_attributes.as_ref().unwrap();
        assert_eq!(sub_attributes[1].name, "$ref");
        assert_eq!(sub_attributes[0].case_exact, Some(false));
    }

    #[test]
    fn unknown_feature_members_are_preserved() {
        let body = json!({"patch": {"supported": true, "x-okta": 1}, "vendor": "acme"});
        let config: ServiceProviderConfig = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(config.extra.get("vendor"), Some(&json!("acme")));
        assert_eq!(serde_json::to_value(&config).unwrap(), body);
    }
}
