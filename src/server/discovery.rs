//! The discovery endpoints of RFC 7644 §4: `/ServiceProviderConfig`, `/ResourceTypes` and
//! `/Schemas`, describing exactly what this server supports (RFC 7643 §5–§7).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::app::{AppState, ResourceId, Shared};
use super::errors::{scim_json, ScimError};
use super::list::MAX_PAGE;
use crate::scim::urn;

/// `GET /ServiceProviderConfig`.
pub async fn service_provider_config(State(shared): State<Shared>) -> Response {
    let body = json!({
        "schemas": [urn::SERVICE_PROVIDER_CONFIG],
        "documentationUri": "https://datatracker.ietf.org/doc/html/rfc7644",
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_PAGE },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
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
            json!([{ "schema": urn::ENTERPRISE_USER, "required": false }]),
        ),
        resource_type("Group", "/Groups", urn::GROUP, json!([])),
    ]
}

/// One attribute definition (RFC 7643 §7): a single-valued, optional, case-insensitive,
/// read-write attribute unless [`with`] says otherwise.
fn attribute(name: &str, kind: &str) -> Value {
    json!({
        "name": name,
        "type": kind,
        "multiValued": false,
        "description": name,
        "required": false,
        "caseExact": false,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
    })
}

/// Overrides some characteristics of an attribute definition.
fn with(mut attribute: Value, changes: &[(&str, Value)]) -> Value {
    for (key, value) in changes {
        attribute[*key] = value.clone();
    }
    attribute
}

fn string(name: &str) -> Value {
    attribute(name, "string")
}

fn complex(name: &str, multi: bool, subs: Vec<Value>) -> Value {
    with(
        attribute(name, "complex"),
        &[
            ("multiValued", json!(multi)),
            ("subAttributes", Value::Array(subs)),
        ],
    )
}

fn strings(names: &[&str]) -> Vec<Value> {
    names.iter().map(|name| string(name)).collect()
}

fn multi_valued(name: &str) -> Value {
    let mut subs = strings(&["value", "display", "type"]);
    subs.push(attribute("primary", "boolean"));
    complex(name, true, subs)
}

fn user_attributes() -> Vec<Value> {
    let read_only = |name: &str| with(string(name), &[("mutability", json!("readOnly"))]);
    let groups = complex(
        "groups",
        true,
        ["value", "$ref", "display", "type"].map(read_only).to_vec(),
    );
    vec![
        with(
            string("userName"),
            &[("required", json!(true)), ("uniqueness", json!("server"))],
        ),
        complex(
            "name",
            false,
            strings(&[
                "formatted",
                "familyName",
                "givenName",
                "middleName",
                "honorificPrefix",
                "honorificSuffix",
            ]),
        ),
        string("displayName"),
        string("nickName"),
        attribute("profileUrl", "reference"),
        string("title"),
        string("userType"),
        string("preferredLanguage"),
        string("locale"),
        string("timezone"),
        attribute("active", "boolean"),
        with(
            string("password"),
            &[
                ("mutability", json!("writeOnly")),
                ("returned", json!("never")),
            ],
        ),
        multi_valued("emails"),
        multi_valued("phoneNumbers"),
        multi_valued("ims"),
        multi_valued("photos"),
        complex(
            "addresses",
            true,
            strings(&[
                "formatted",
                "streetAddress",
                "locality",
                "region",
                "postalCode",
                "country",
                "type",
            ]),
        ),
        with(groups, &[("mutability", json!("readOnly"))]),
        multi_valued("entitlements"),
        multi_valued("roles"),
        multi_valued("x509Certificates"),
        with(string("externalId"), &[("caseExact", json!(true))]),
    ]
}

fn group_attributes() -> Vec<Value> {
    let immutable = |name: &str| with(string(name), &[("mutability", json!("immutable"))]);
    let mut members = ["value", "$ref", "type"].map(immutable).to_vec();
    members.push(string("display"));
    vec![
        with(string("displayName"), &[("required", json!(true))]),
        complex("members", true, members),
        with(string("externalId"), &[("caseExact", json!(true))]),
    ]
}

fn enterprise_attributes() -> Vec<Value> {
    let mut attributes = strings(&[
        "employeeNumber",
        "costCenter",
        "organization",
        "division",
        "department",
    ]);
    attributes.push(complex(
        "manager",
        false,
        strings(&["value", "$ref", "displayName"]),
    ));
    attributes
}

fn all_schemas(state: &AppState) -> Vec<Value> {
    let schema = |id: &str, name: &str, attributes: Vec<Value>| {
        json!({
            "schemas": [urn::SCHEMA],
            "id": id,
            "name": name,
            "description": format!("{name} schema"),
            "attributes": attributes,
            "meta": { "resourceType": "Schema", "location": format!("{}/Schemas/{id}", state.base_url) },
        })
    };
    vec![
        schema(urn::USER, "User", user_attributes()),
        schema(urn::GROUP, "Group", group_attributes()),
        schema(
            urn::ENTERPRISE_USER,
            "EnterpriseUser",
            enterprise_attributes(),
        ),
    ]
}
