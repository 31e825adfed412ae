//! The discovery endpoints of RFC 7644 §4: `/ServiceProviderConfig`, `/ResourceTypes` and
//! `/Schemas`, describing exactly what this server supports (RFC 7643 §5–§7). The schemas are
//! RFC 7643's attribute table (`scim::schema`), the same facts the server validates with.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::app::{AppState, ResourceId, Shared};
use super::bulk::MAX_BULK_OPERATIONS;
use super::errors::{scim_json, ScimError};
use super::list::MAX_PAGE;
use super::partial;
use crate::scim::schema::AttributeTable;
use crate::scim::urn;

/// `GET /ServiceProviderConfig`.
pub async fn service_provider_config(State(shared): State<Shared>) -> Response {
    let body = json!({
        "schemas": [urn::SERVICE_PROVIDER_CONFIG],
        "documentationUri": "https://datatracker.ietf.org/doc/html/rfc7644",
        "patch": { "supported": true },
        "bulk": { "supported": true, "maxOperations": MAX_BULK_OPERATIONS, "maxPayloadSize": shared.max_body_bytes },
        "filter": { "supported": true, "maxResults": MAX_PAGE },
        "changePassword": { "supported": false },
        "sort": { "supported": true },
        "etag": { "supported": true },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "Send `Authorization: Bearer <token>` with the token the server printed.",
            "primary": true,
        }],
        "meta": { "resourceType": "ServiceProviderConfig", "location": format!("{}/ServiceProviderConfig", shared.base_url) },
    });
    scim_json(StatusCode::OK, &body)
}

/// `GET /ResourceTypes`.
pub async fn resource_types(State(shared): State<Shared>) -> Response {
    let types = all_resource_types(&shared);
    scim_json(StatusCode::OK, &list_of(types))
}

/// `GET /ResourceTypes/{name}`.
pub async fn resource_type(
    State(shared): State<Shared>,
    ResourceId(name): ResourceId,
) -> Result<Response, ScimError> {
    all_resource_types(&shared)
        .into_iter()
        .find(|t| t["id"] == name.as_str())
        .map(|t| scim_json(StatusCode::OK, &t))
        .ok_or_else(|| {
            ScimError::not_found(format!("no resource type `{name}`: use User or Group"))
        })
}

/// `GET /Schemas`.
pub async fn schemas(State(shared): State<Shared>) -> Response {
    scim_json(StatusCode::OK, &list_of(all_schemas(&shared)))
}

/// `GET /Schemas/{id}`.
pub async fn schema(
    State(shared): State<Shared>,
    ResourceId(id): ResourceId,
) -> Result<Response, ScimError> {
    all_schemas(&shared)
        .into_iter()
        .find(|s| s["id"] == id.as_str())
        .map(|s| scim_json(StatusCode::OK, &s))
        .ok_or_else(|| ScimError::not_found(format!("no schema `{id}`")))
}

fn list_of(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [urn::LIST_RESPONSE],
        "totalResults": resources.len(),
        "startIndex": 1,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

fn all_resource_types(state: &AppState) -> Vec<Value> {
    let resource_type = |id: &str, endpoint: &str, schema: &str, extensions: Value| {
        json!({
            "schemas": [urn::RESOURCE_TYPE],
            "id": id,
            "name": id,
            "endpoint": endpoint,
            "description": format!("{id} account"),
            "schema": schema,
            "schemaExtensions": extensions,
            "meta": { "resourceType": "ResourceType", "location": format!("{}/ResourceTypes/{id}", state.base_url) },
        })
    };
    vec![
        resource_type(
            "User",
            "/Users",
            urn::USER,
            if partial::enterprise_supported(&state.faults) {
                json!([{ "schema": urn::ENTERPRISE_USER, "required": false }])
            } else {
                json!([])
            },
        ),
        resource_type("Group", "/Groups", urn::GROUP, json!([])),
    ]
}

/// The schemas of RFC 7643's attribute table, as served (with `meta`).
fn all_schemas(state: &AppState) -> Vec<Value> {
    let extension_supported = partial::enterprise_supported(&state.faults);
    let extra_required = partial::extra_required(&state.faults);
    AttributeTable::rfc()
        .schemas
        .iter()
        .filter(|schema| extension_supported || schema.id != urn::ENTERPRISE_USER)
        .map(|schema| {
            let mut body = schema.to_json();
            if let (Some(name), true) = (extra_required, schema.id == urn::USER) {
                declare_required(&mut body, name);
            }
            if partial::derives_display_name(&state.faults) && schema.id == urn::USER {
                declare_read_only(&mut body, partial::DERIVED_ATTRIBUTE);
            }
            body["meta"] = json!({
                "resourceType": "Schema",
                "location": format!("{}/Schemas/{}", state.base_url, schema.id),
            });
            body
        })
        .collect()
}

/// Marks attribute `name` of a served schema `"mutability": "readOnly"`.
fn declare_read_only(schema: &mut Value, name: &str) {
    let attributes = schema["attributes"].as_array_mut().into_iter().flatten();
    for attribute in attributes.filter(|a| a["name"] == name) {
        attribute["mutability"] = json!("readOnly");
    }
}

/// Marks attribute `name` of a served schema `"required": true`.
fn declare_required(schema: &mut Value, name: &str) {
    let attributes = schema["attributes"].as_array_mut().into_iter().flatten();
    for attribute in attributes.filter(|a| a["name"] == name) {
        attribute["required"] = json!(true);
    }
}
