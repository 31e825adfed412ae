//! The PATCH request body of RFC 7644 §3.5.2 (`urn:ietf:params:scim:api:messages:2.0:PatchOp`)
//! as serde types that keep what was sent: the op name as the raw string (so `Replace` and bogus
//! ops survive for the server to judge), an explicit `"value": null` distinct from no value, and
//! every unknown member.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::ast::{PatchOpKind, PatchPath};
use super::path::{parse_path, PathParseError};
use crate::scim::urn;

/// A PATCH request: `{"schemas": [PatchOp URN], "Operations": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchRequest {
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The operations, applied in order and atomically. `operations` is accepted on input.
    #[serde(rename = "Operations", alias = "operations", default)]
    pub operations: Vec<PatchOperation>,
    /// Members this type does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PatchRequest {
    /// A request with the PatchOp schema and `operations`.
    pub fn new(operations: Vec<PatchOperation>) -> Self {
        Self {
            schemas: vec![urn::PATCH_OP.to_owned()],
            operations,
            extra: Map::new(),
        }
    }
}

/// One PATCH operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchOperation {
    /// The op name exactly as sent (`add`, `Replace`, ...); see [`PatchOperation::kind`].
    pub op: String,
    /// The target path; absent for Okta's path-less `{"op":"replace","value":{"active":false}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The value; `Some(Value::Null)` when the body said `"value": null`, `None` when absent.
    #[serde(
        default,
        deserialize_with = "present_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<Value>,
    /// Members this type does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PatchOperation {
    /// An operation of `kind` with an optional path and value.
    pub fn new(kind: PatchOpKind, path: Option<&str>, value: Option<Value>) -> Self {
        Self {
            op: kind.name().to_owned(),
            path: path.map(str::to_owned),
            value,
            extra: Map::new(),
        }
    }

    /// The operation kind, parsed case-insensitively; `None` for an unknown op name.
    pub fn kind(&self) -> Option<PatchOpKind> {
        PatchOpKind::from_name(&self.op)
    }

    /// The parsed path, or `None` when the operation has no path.
    pub fn parsed_path(&self) -> Option<Result<PatchPath, PathParseError>> {
        self.path.as_deref().map(parse_path)
    }
}

/// Deserializes a member that is present, keeping an explicit `null` as `Some(Value::Null)`.
fn present_value<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scim::filter::AttrPath;

    #[test]
    fn the_rfc_example_round_trips() {
        let body = json!({
            "schemas": [urn::PATCH_OP],
            "Operations": [
                {"op": "add", "path": "members", "value": [{"display": "Babs Jensen", "value": "2819c223"}]},
                {"op": "remove", "path": "members[value eq \"2819c223\"]"}
            ]
        });
        let request: PatchRequest = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(request.operations.len(), 2);
        assert_eq!(request.operations[1].value, None);
        assert_eq!(serde_json::to_value(&request).unwrap(), body);
    }

    #[test]
    fn op_names_are_kept_raw_and_parsed_case_insensitively() {
        let operation: PatchOperation =
            serde_json::from_value(json!({"op": "Replace", "value": {"active": false}})).unwrap();
        assert_eq!(operation.op, "Replace");
        assert_eq!(operation.kind(), Some(PatchOpKind::Replace));
        assert!(operation.parsed_path().is_none());
        let bogus: PatchOperation = serde_json::from_value(json!({"op": "merge"})).unwrap();
        assert_eq!(bogus.kind(), None);
    }

    #[test]
    fn an_explicit_null_value_differs_from_no_value() {
        let with_null: PatchOperation =
            serde_json::from_value(json!({"op": "replace", "path": "title", "value": null}))
                .unwrap();
        assert_eq!(with_null.value, Some(Value::Null));
        assert_eq!(
            serde_json::to_value(&with_null).unwrap(),
            json!({"op": "replace", "path": "title", "value": null})
        );
    }

    #[test]
    fn unknown_members_are_preserved() {
        let body = json!({
            "schemas": [urn::PATCH_OP],
            "Operations": [{"op": "add", "path": "title", "value": "x", "x-trace": 7}],
            "x-request": "abc"
        });
        let request: PatchRequest = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(request.extra.get("x-request"), Some(&json!("abc")));
        assert_eq!(request.operations[0].extra.get("x-trace"), Some(&json!(7)));
        assert_eq!(serde_json::to_value(&request).unwrap(), body);
    }

    #[test]
    fn lowercase_operations_is_accepted_on_input() {
        let request: PatchRequest =
            serde_json::from_value(json!({"operations": [{"op": "remove", "path": "title"}]}))
                .unwrap();
        assert_eq!(request.operations.len(), 1);
        let path = request.operations[0].parsed_path().unwrap().unwrap();
        assert_eq!(path.attr, AttrPath::simple("title"));
    }

    #[test]
    fn new_builds_a_request_with_the_patch_op_schema() {
        let request = PatchRequest::new(vec![PatchOperation::new(
            PatchOpKind::Replace,
            None,
            Some(json!({"active": false})),
        )]);
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({
                "schemas": [urn::PATCH_OP],
                "Operations": [{"op": "replace", "value": {"active": false}}]
            })
        );
    }
}
