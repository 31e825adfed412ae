//! The shared pieces of SCIM messages: resource metadata (RFC 7643 §3.1 `meta`), the list
//! response (RFC 7644 §3.4.2) and the error response (RFC 7644 §3.12).

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::scim::urn;

/// Resource metadata, assigned by the service provider.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// xsd:dateTime; compare with `scim::matching::parse_datetime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The entity tag, e.g. `W/"3694e05e9dff591"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A page of query results (`urn:ietf:params:scim:api:messages:2.0:ListResponse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListResponse<T> {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    pub total_results: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items_per_page: Option<u64>,
    /// 1-based index of the first result in this page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_index: Option<u64>,
    /// The results; an absent `Resources` reads as empty and is always written (Okta expects
    /// `"Resources": []` on an empty page).
    #[serde(rename = "Resources", default = "Vec::new")]
    pub resources: Vec<T>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<T> ListResponse<T> {
    /// A page with the ListResponse schema: `resources` starting at 1-based `start_index`, out of
    /// `total_results`.
    pub fn new(resources: Vec<T>, total_results: u64, start_index: u64) -> Self {
        Self {
            schemas: vec![urn::LIST_RESPONSE.to_owned()],
            total_results,
            items_per_page: Some(resources.len() as u64),
            start_index: Some(start_index),
            resources,
            extra: Map::new(),
        }
    }
}

/// An error response (`urn:ietf:params:scim:api:messages:2.0:Error`). `status` is written as a
/// string, as RFC 7644 §3.12 shows it; on input a number is accepted too (many servers send one),
/// and [`ErrorResponse::status_was_number`] tells which it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    /// The HTTP status code as text, e.g. `"404"`.
    #[serde(deserialize_with = "status_text")]
    pub status: String,
    /// The SCIM detail error keyword, e.g. `uniqueness`, `invalidFilter`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scim_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Whether `status` arrived as a JSON number (not serialized).
    #[serde(skip)]
    pub status_was_number: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ErrorResponse {
    /// An error body with the Error schema, `status` and a human-readable `detail`.
    pub fn new(status: u16, scim_type: Option<&str>, detail: impl Into<String>) -> Self {
        Self {
            schemas: vec![urn::ERROR.to_owned()],
            status: status.to_string(),
            scim_type: scim_type.map(str::to_owned),
            detail: Some(detail.into()),
            status_was_number: false,
            extra: Map::new(),
        }
    }

    /// `status` as an HTTP status code, if it is one.
    pub fn status_code(&self) -> Option<u16> {
        self.status.trim().parse().ok()
    }

    /// Parses an error body, recording whether `status` was a number.
    pub fn from_json(body: &Value) -> Result<Self, serde_json::Error> {
        let mut error = ErrorResponse::deserialize(body)?;
        error.status_was_number = body.get("status").is_some_and(Value::is_number);
        Ok(error)
    }
}

/// Reads `status` from a string or a number.
fn status_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        other => Err(de::Error::invalid_type(
            de::Unexpected::Other(&other.to_string()),
            &"an HTTP status as a string or a number",
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_rfc_error_example_round_trips() {
        let body = json!({
            "schemas": [urn::ERROR],
            "scimType": "mutability",
            "detail": "Attribute 'id' is readOnly",
            "status": "400"
        });
        let error = ErrorResponse::from_json(&body).unwrap();
        assert_eq!(error.status_code(), Some(400));
        assert!(!error.status_was_number);
        assert_eq!(serde_json::to_value(&error).unwrap(), body);
    }

    #[test]
    fn a_numeric_status_is_accepted_and_written_back_as_a_string() {
        let body = json!({"schemas": [urn::ERROR], "status": 404, "detail": "no such user"});
        let error = ErrorResponse::from_json(&body).unwrap();
        assert_eq!(error.status, "404");
        assert!(error.status_was_number);
        assert_eq!(
            serde_json::to_value(&error).unwrap()["status"],
            json!("404")
        );
    }

    #[test]
    fn a_status_of_another_type_is_an_error() {
        let error = ErrorResponse::from_json(&json!({"status": true})).unwrap_err();
        assert!(error.to_string().contains("an HTTP status"), "{error}");
    }

    #[test]
    fn new_errors_carry_the_error_schema() {
        let error = ErrorResponse::new(409, Some("uniqueness"), "userName is taken");
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({
                "schemas": [urn::ERROR],
                "status": "409",
                "scimType": "uniqueness",
                "detail": "userName is taken"
            })
        );
    }

    #[test]
    fn a_list_response_round_trips_and_keeps_extras() {
        let body = json!({
            "schemas": [urn::LIST_RESPONSE],
            "totalResults": 2,
            "itemsPerPage": 1,
            "startIndex": 1,
            "Resources": [{"id": "a", "userName": "x"}],
            "nextCursor": "abc"
        });
        let page: ListResponse<Value> = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(page.resources.len(), 1);
        assert_eq!(page.extra.get("nextCursor"), Some(&json!("abc")));
        assert_eq!(serde_json::to_value(&page).unwrap(), body);
    }

    #[test]
    fn an_empty_page_may_omit_resources_but_always_writes_them() {
        let body = json!({"schemas": [urn::LIST_RESPONSE], "totalResults": 0});
        let page: ListResponse<Value> = serde_json::from_value(body).unwrap();
        assert!(page.resources.is_empty());
        let written = serde_json::to_value(ListResponse::<Value>::new(vec![], 0, 1)).unwrap();
        assert_eq!(written["Resources"], json!([]));
        assert_eq!(written["startIndex"], json!(1));
    }

    #[test]
    fn meta_keeps_unknown_members() {
        let body =
            json!({"resourceType": "User", "created": "2010-01-23T04:56:22Z", "tenant": "t1"});
        let meta: Meta = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(meta.extra.get("tenant"), Some(&json!("t1")));
        assert_eq!(serde_json::to_value(&meta).unwrap(), body);
    }
}
