//! `POST /Bulk` (RFC 7644 §3.7): the operations of a BulkRequest run in order, each as the
//! ordinary request it describes (dispatched through the server's own router, so every rule and
//! fault applies as it would to that request alone), and the BulkResponse lists each one's
//! status, `location` and `bulkId`. A value `"bulkId:<id>"` anywhere in an operation's `data` or
//! `path` stands for the id of the resource an earlier POST with that `bulkId` created (§3.7.2);
//! under the bulk-id-unresolved fault it is passed on as is. `failOnErrors` stops the run after
//! that many errors; more than [`MAX_BULK_OPERATIONS`] operations is 413.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::app::{router, ScimBody, Shared};
use super::errors::{scim_json, ScimError};
use super::faults::Fault;
use crate::scim::urn;

/// The most operations one BulkRequest may carry (`bulk.maxOperations`).
pub const MAX_BULK_OPERATIONS: usize = 100;

/// `POST /Bulk`.
pub async fn post(
    State(shared): State<Shared>,
    headers: HeaderMap,
    ScimBody(request): ScimBody,
) -> Result<Response, ScimError> {
    let operations = request
        .get("Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| ScimError::invalid_syntax("a BulkRequest needs an `Operations` array"))?;
    if operations.len() > MAX_BULK_OPERATIONS {
        return Err(ScimError::payload_too_large_count(
            operations.len(),
            MAX_BULK_OPERATIONS,
        ));
    }
    let fail_on_errors = request
        .get("failOnErrors")
        .and_then(Value::as_u64)
        .filter(|n| *n > 0);
    let mut created: HashMap<String, String> = HashMap::new();
    let mut results = Vec::new();
    let mut errors = 0u64;
    for operation in operations {
        if fail_on_errors.is_some_and(|limit| errors >= limit) {
            break;
        }
        let resolve = !shared.faults.has(Fault::BulkIdUnresolved);
        let result = run_operation(&shared, &headers, operation, &mut created, resolve).await;
        if result["status"]
            .as_str()
            .and_then(|s| s.parse::<u16>().ok())
            .is_none_or(|status| status >= 400)
        {
            errors += 1;
        }
        results.push(result);
    }
    let body = json!({ "schemas": [urn::BULK_RESPONSE], "Operations": results });
    Ok(scim_json(StatusCode::OK, &body))
}

/// Runs one operation; its BulkResponse entry.
async fn run_operation(
    shared: &Shared,
    headers: &HeaderMap,
    operation: &Value,
    created: &mut HashMap<String, String>,
    resolve: bool,
) -> Value {
    let method_name = operation["method"].as_str().unwrap_or_default();
    let bulk_id = operation["bulkId"].as_str().map(str::to_string);
    let mut entry = json!({ "method": method_name });
    if let Some(bulk_id) = &bulk_id {
        entry["bulkId"] = json!(bulk_id);
    }
    let spec = match OperationSpec::read(operation, created, resolve) {
        Ok(spec) => spec,
        Err(error) => return failed(entry, &error),
    };
    let response = dispatch(shared, headers, &spec).await;
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let version = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = axum::body::to_bytes(response.into_body(), shared.max_body_bytes)
        .await
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .unwrap_or(Value::Null);
    entry["status"] = json!(status.as_u16().to_string());
    if status.is_success() {
        if let (Some(bulk_id), Some(id)) = (&bulk_id, body["id"].as_str()) {
            created.insert(bulk_id.clone(), id.to_string());
        }
        let location = location.or_else(|| body["meta"]["location"].as_str().map(str::to_string));
        if let Some(location) = location {
            entry["location"] = json!(location);
        }
        if let Some(version) = version {
            entry["version"] = json!(version);
        }
    } else {
        entry["response"] = body;
    }
    entry
}

fn failed(mut entry: Value, error: &ScimError) -> Value {
    entry["status"] = json!(error.status.as_u16().to_string());
    entry["response"] = error.body();
    entry
}

/// One operation, checked and with its bulkId references resolved.
struct OperationSpec {
    method: Method,
    path: String,
    data: Option<Value>,
}

impl OperationSpec {
    fn read(
        operation: &Value,
        created: &HashMap<String, String>,
        resolve: bool,
    ) -> Result<Self, ScimError> {
        let method = match operation["method"].as_str().map(str::to_ascii_uppercase) {
            Some(name) if name == "POST" => Method::POST,
            Some(name) if name == "PUT" => Method::PUT,
            Some(name) if name == "PATCH" => Method::PATCH,
            Some(name) if name == "DELETE" => Method::DELETE,
            _ => {
                return Err(ScimError::invalid_value(
                    "each bulk operation needs a `method`: POST, PUT, PATCH or DELETE",
                ))
            }
        };
        if method == Method::POST && operation["bulkId"].as_str().is_none() {
            return Err(ScimError::invalid_value(
                "a bulk POST needs a `bulkId` (RFC 7644 §3.7)",
            ));
        }
        let mut path = Value::String(operation["path"].as_str().unwrap_or_default().to_string());
        let mut data = operation.get("data").cloned().filter(|d| !d.is_null());
        if resolve {
            resolve_references(&mut path, created);
            if let Some(data) = &mut data {
                resolve_references(data, created);
            }
        }
        let path = path.as_str().unwrap_or_default().to_string();
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if !(under("/Users") || under("/Groups")) {
            return Err(ScimError::invalid_value(format!(
                "bulk operation path `{path}` is not under /Users or /Groups"
            )));
        }
        if matches!(method, Method::POST | Method::PUT | Method::PATCH) && data.is_none() {
            return Err(ScimError::invalid_syntax(format!(
                "a bulk {method} needs `data`"
            )));
        }
        Ok(Self { method, path, data })
    }
}

/// Replaces every string `"bulkId:<id>"` (and `/bulkId:<id>` at the end of a path) whose
/// `<id>` an earlier operation created.
fn resolve_references(value: &mut Value, created: &HashMap<String, String>) {
    match value {
        Value::String(text) => {
            let (head, reference) = match text.rsplit_once("/bulkId:") {
                Some((head, id)) => (format!("{head}/"), id),
                None => match text.strip_prefix("bulkId:") {
                    Some(id) => (String::new(), id),
                    None => return,
                },
            };
            if let Some(id) = created.get(reference) {
                *text = format!("{head}{id}");
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| resolve_references(item, created)),
        Value::Object(object) => object
            .values_mut()
            .for_each(|item| resolve_references(item, created)),
        _ => {}
    }
}

/// Sends the operation through the server's own router with the bulk request's credentials.
async fn dispatch(shared: &Shared, headers: &HeaderMap, spec: &OperationSpec) -> Response {
    let mut builder = Request::builder()
        .method(spec.method.clone())
        .uri(format!("/scim/v2{}", spec.path))
        .header(header::CONTENT_TYPE, urn::MEDIA_TYPE);
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        builder = builder.header(header::AUTHORIZATION, auth.clone());
    }
    let body = match &spec.data {
        Some(data) => Body::from(data.to_string()),
        None => Body::empty(),
    };
    let request = match builder.body(body) {
        Ok(request) => request,
        Err(_) => {
            return scim_json(
                StatusCode::BAD_REQUEST,
                &ScimError::invalid_value("the bulk operation's path is not a valid URL").body(),
            )
        }
    };
    match router(shared.clone()).oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_id_references_resolve_in_values_and_paths_only_when_created() {
        let created = HashMap::from([("u1".to_string(), "abc".to_string())]);
        let mut data = json!({"members": [{"value": "bulkId:u1"}, {"value": "bulkId:u2"}],
            "note": "a bulkId:u1 inside text stays"});
        resolve_references(&mut data, &created);
        assert_eq!(data["members"][0]["value"], "abc");
        assert_eq!(data["members"][1]["value"], "bulkId:u2");
        assert_eq!(data["note"], "a bulkId:u1 inside text stays");
        let mut path = json!("/Users/bulkId:u1");
        resolve_references(&mut path, &created);
        assert_eq!(path, "/Users/abc");
    }

    #[test]
    fn operations_outside_users_and_groups_or_without_a_method_are_refused() {
        let none = HashMap::new();
        let read = |op: Value| OperationSpec::read(&op, &none, true).map(|s| s.path);
        assert!(
            read(json!({"method": "POST", "path": "/Bulk", "bulkId": "x", "data": {}})).is_err()
        );
        assert!(read(json!({"method": "GET", "path": "/Users"})).is_err());
        assert!(read(json!({"method": "POST", "path": "/Users", "data": {}})).is_err());
        assert!(read(json!({"method": "DELETE", "path": "/UsersX/1"})).is_err());
        assert_eq!(
            read(json!({"method": "delete", "path": "/Groups/1"}))
                .ok()
                .as_deref(),
            Some("/Groups/1")
        );
    }
}
