//! What users and groups share: attribute-name normalisation (names are case-insensitive),
//! read-only attributes, `meta` rendering, and the create and PATCH response rules (where the
//! create-status, Location and stale-PATCH faults apply).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::app::{resource_response, with_location, AppState};
use super::errors::ScimError;
use super::faults::{Fault, FaultSet};
use super::store::{Kind, Record};
use crate::scim::urn;

/// Attributes the server owns: never stored from a request body.
pub const READ_ONLY: &[&str] = &["id", "meta", "schemas"];

/// Rewrites the top-level keys of a request body to their canonical spelling (`USERNAME` →
/// `userName`, an extension URN in any case → its canonical URN), drops JSON `null`s (which mean
/// "unassigned"), and refuses a body that names one attribute twice.
pub fn normalize_keys(
    input: Map<String, Value>,
    known: &[&str],
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::new();
    for (key, value) in input {
        let canonical = canonical_name(&key, known).unwrap_or(key);
        if value.is_null() {
            continue;
        }
        if out.contains_key(&canonical) {
            return Err(ScimError::invalid_syntax(format!(
                "attribute `{canonical}` appears more than once (attribute names are case-insensitive)"
            )));
        }
        out.insert(canonical, value);
    }
    Ok(out)
}

/// The canonical spelling of an attribute name or extension URN, if the server knows it.
pub fn canonical_name(name: &str, known: &[&str]) -> Option<String> {
    known
        .iter()
        .chain([urn::ENTERPRISE_USER].iter())
        .find(|candidate| candidate.eq_ignore_ascii_case(name))
        .map(|candidate| candidate.to_string())
}

/// Removes the server-owned attributes from a body (PUT and POST echo them; they are ignored).
pub fn strip_read_only(body: &mut Map<String, Value>, also: &[&str]) {
    for name in READ_ONLY.iter().chain(also) {
        body.remove(*name);
    }
}

/// A PUT body ready to replace a resource: names normalised, echoed read-only attributes
/// (`id`, `meta`, `schemas` and `also`) dropped, or refused under put-rejects-readonly.
pub fn put_input(
    faults: &FaultSet,
    input: Map<String, Value>,
    known: &[&str],
    also: &[&str],
) -> Result<Map<String, Value>, ScimError> {
    let echoed: Vec<&str> = ["id", "meta"].iter().chain(also).copied().collect();
    if faults.has(Fault::PutRejectsReadOnly) && mentions_any(&input, &echoed) {
        return Err(ScimError::mutability(format!(
            "{} are read-only",
            echoed.join(", ")
        )));
    }
    let mut input = normalize_keys(input, known)?;
    strip_read_only(&mut input, also);
    Ok(input)
}

/// What a PUT stores: the new attributes (or, under put-merges, the old ones overlaid by them;
/// under put-drops-extension, without the schema-URN attributes).
pub fn replacement(
    faults: &FaultSet,
    current: &Map<String, Value>,
    input: Map<String, Value>,
) -> Map<String, Value> {
    let mut body = if faults.has(Fault::PutMerges) {
        let mut merged = current.clone();
        merged.extend(input);
        merged
    } else {
        input
    };
    if faults.has(Fault::PutDropsExtension) {
        body.retain(|key, _| !key.to_ascii_lowercase().starts_with("urn:"));
    }
    body
}

/// Whether a raw body carries any of these attributes (case-insensitively).
pub fn mentions_any(body: &Map<String, Value>, names: &[&str]) -> bool {
    body.keys()
        .any(|key| names.iter().any(|name| name.eq_ignore_ascii_case(key)))
}

/// The URL of a resource.
pub fn location(base_url: &str, kind: Kind, id: &str) -> String {
    format!("{base_url}/{}/{id}", kind.endpoint())
}

/// The `meta` object of a record.
pub fn meta(base_url: &str, kind: Kind, record: &Record) -> Value {
    json!({
        "resourceType": kind.resource_type(),
        "created": record.created,
        "lastModified": record.last_modified,
        "location": location(base_url, kind, &record.id),
        "version": record.etag(),
    })
}

/// The answer to a successful create: 201 with Location, body and ETag (or what the faults say).
pub fn created_response(
    state: &AppState,
    kind: Kind,
    created_now: bool,
    body: &Value,
    record: &Record,
) -> Response {
    let status = if created_now && !state.faults.has(Fault::Create200) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let response = resource_response(status, body, &record.etag());
    if state.faults.has(Fault::MissingLocation) {
        return response;
    }
    with_location(response, &location(&state.base_url, kind, &record.id))
}

/// Which version a PATCH answers with: the new one, or the old one under patch-stale-response.
pub fn patched_version<'a>(faults: &FaultSet, before: &'a Record, after: &'a Record) -> &'a Record {
    if faults.has(Fault::PatchStaleResponse) {
        before
    } else {
        after
    }
}

/// The answer to a successful DELETE: 204, or 200 with the resource under delete-200-body.
pub fn deleted_response(faults: &FaultSet, body: impl FnOnce() -> Value, etag: &str) -> Response {
    if faults.has(Fault::Delete200Body) {
        resource_response(StatusCode::OK, &body(), etag)
    } else {
        axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT)
    }
}

/// Checks that an attribute, if present, is a JSON array (multi-valued attributes always are).
pub fn require_array(body: &Map<String, Value>, name: &str) -> Result<(), ScimError> {
    match body.get(name) {
        None | Some(Value::Array(_)) => Ok(()),
        Some(_) => Err(ScimError::invalid_value(format!(
            "`{name}` is multi-valued: send a JSON array, even for one value"
        ))),
    }
}

/// Checks that an attribute, if present, is a JSON object.
pub fn require_object(body: &Map<String, Value>, name: &str) -> Result<(), ScimError> {
    match body.get(name) {
        None | Some(Value::Object(_)) => Ok(()),
        Some(_) => Err(ScimError::invalid_value(format!(
            "`{name}` must be a JSON object"
        ))),
    }
}

/// A required, non-empty string attribute.
pub fn require_text<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a str, ScimError> {
    match body.get(name) {
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text),
        Some(Value::String(_)) | None => {
            Err(ScimError::invalid_value(format!("`{name}` is required")))
        }
        Some(_) => Err(ScimError::invalid_value(format!(
            "`{name}` must be a string"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn attribute_names_are_normalized_case_insensitively_and_nulls_dropped() {
        let body = normalize_keys(
            map(json!({"USERNAME": "a", "Active": true, "nickName": null, "custom": 1})),
            &["userName", "active", "nickName"],
        )
        .unwrap();
        assert_eq!(
            body,
            map(json!({"userName": "a", "active": true, "custom": 1}))
        );
    }

    #[test]
    fn one_attribute_named_twice_in_different_case_is_refused() {
        let err = normalize_keys(
            map(json!({"userName": "a", "username": "b"})),
            &["userName"],
        )
        .unwrap_err();
        assert_eq!(err.scim_type, Some("invalidSyntax"));
    }

    #[test]
    fn the_enterprise_urn_is_recognised_in_any_case() {
        let lower = urn::ENTERPRISE_USER.to_ascii_lowercase();
        assert_eq!(
            canonical_name(&lower, &[]).as_deref(),
            Some(urn::ENTERPRISE_USER)
        );
    }
}
