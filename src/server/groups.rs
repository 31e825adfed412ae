//! The `/Groups` endpoints: create, read, replace (PUT), PATCH (membership deltas and Okta's
//! rename), delete and list, plus how members are validated (they must be existing users or
//! groups), completed (`display`, `type`, `$ref`) and rendered.

use std::collections::HashSet;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::app::{
    if_match, read_response, resource_response, AppState, ResourceId, ScimBody, Shared,
};
use super::errors::ScimError;
use super::faults::{Fault, RACE_WINDOW_MILLIS};
use super::list::{self, QueryParams};
use super::patch;
use super::resource::{self, created_response, deleted_response, patched_version};
use super::store::{member_values, Kind, Record, View};
use super::users::shorten;
use crate::scim::urn;

/// The Group attributes of RFC 7643 §4.2 (canonical spelling).
pub const GROUP_ATTRIBUTES: &[&str] = &[
    "id",
    "externalId",
    "meta",
    "schemas",
    "displayName",
    "members",
];

/// `POST /Groups`.
pub async fn create(
    State(shared): State<Shared>,
    ScimBody(input): ScimBody,
) -> Result<Response, ScimError> {
    let mut body = resource::normalize_keys(input, GROUP_ATTRIBUTES)?;
    resource::strip_read_only(&mut body, &[]);
    let keep = !shared.faults.create_is_lost();
    let record = shared.store.prepare(body);
    let record = shared
        .store
        .insert_checked(Kind::Group, record, keep, |view, body| {
            validate(view, body, None)
        })?;
    if shared.faults.stored_create_fails(true) {
        return Err(ScimError::internal(
            "the server failed to process the request",
        ));
    }
    Ok(created_response(
        &shared,
        Kind::Group,
        true,
        &render(&shared, &record),
        &record,
    ))
}

/// `GET /Groups/{id}`.
pub async fn read(
    State(shared): State<Shared>,
    ResourceId(id): ResourceId,
    QueryParams(params): QueryParams,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    let record = shared
        .store
        .get(Kind::Group, &id)
        .ok_or_else(|| ScimError::not_found(format!("no Group with id `{}`", shorten(&id))))?;
    let body = list::Projection::from_params(&params).apply(render(&shared, &record));
    Ok(read_response(&headers, &body, &record.etag()))
}

/// `GET /Groups`.
pub async fn list(
    State(shared): State<Shared>,
    QueryParams(params): QueryParams,
) -> Result<Response, ScimError> {
    list::respond(&shared, Kind::Group, &params)
}

/// `PUT /Groups/{id}`: replaces name and the full member list; echoed read-only attributes are ignored.
pub async fn replace(
    State(shared): State<Shared>,
    ResourceId(id): ResourceId,
    headers: HeaderMap,
    ScimBody(input): ScimBody,
) -> Result<Response, ScimError> {
    let faults = &shared.faults;
    let input = resource::put_input(faults, input, GROUP_ATTRIBUTES, &[])?;
    let record = shared.store.update(
        Kind::Group,
        &id,
        if_match(&headers).as_deref(),
        |current, view| {
            let body = resource::replacement(faults, &current.body, input);
            Ok(validate(view, body, Some(current))?)
        },
    )?;
    Ok(resource_response(
        StatusCode::OK,
        &render(&shared, &record),
        &record.etag(),
    ))
}

/// `PATCH /Groups/{id}`: membership adds/removes/replaces and renames, all or none.
pub async fn patch(
    State(shared): State<Shared>,
    ResourceId(id): ResourceId,
    headers: HeaderMap,
    ScimBody(input): ScimBody,
) -> Result<Response, ScimError> {
    let faults = &shared.faults;
    let operations = patch::parse_request(faults, &input)?;
    if faults.has(Fault::GroupLostUpdate) {
        return patch_with_lost_update(&shared, &id, &operations).await;
    }
    let mut before = None;
    let after = shared.store.update(
        Kind::Group,
        &id,
        if_match(&headers).as_deref(),
        |current, view| {
            before = Some(current.clone());
            let mut body = current.body.clone();
            let applied =
                patch::apply_all(faults, Kind::Group, &current.id, &mut body, &operations);
            patch::settle(faults, applied, body, |body| {
                finish_patch(&shared, view, current, body)
            })
        },
    )?;
    let before = before.unwrap_or_else(|| after.clone());
    let shown = patched_version(faults, &before, &after);
    Ok(resource_response(
        StatusCode::OK,
        &render(&shared, shown),
        &shown.etag(),
    ))
}

/// The group-lost-update fault: read, wait, write back, so a concurrent PATCH is overwritten.
async fn patch_with_lost_update(
    shared: &AppState,
    id: &str,
    operations: &[patch::Operation],
) -> Result<Response, ScimError> {
    let current = shared
        .store
        .get(Kind::Group, id)
        .ok_or_else(|| ScimError::not_found(format!("no Group with id `{}`", shorten(id))))?;
    tokio::time::sleep(Duration::from_millis(RACE_WINDOW_MILLIS)).await;
    let mut body = current.body.clone();
    patch::apply_all(&shared.faults, Kind::Group, id, &mut body, operations)?;
    let body = shared
        .store
        .read(|view| finish_patch(shared, view, &current, body))?;
    let record = shared.store.overwrite(Kind::Group, id, body)?;
    Ok(resource_response(
        StatusCode::OK,
        &render(shared, &record),
        &record.etag(),
    ))
}

/// Validation after a PATCH, plus the group-rename-ignored fault (the old name is kept).
fn finish_patch(
    shared: &AppState,
    view: &View<'_>,
    current: &Record,
    mut body: Map<String, Value>,
) -> Result<Map<String, Value>, ScimError> {
    if shared.faults.has(Fault::GroupRenameIgnored) {
        if let Some(old_name) = current.body.get("displayName") {
            body.insert("displayName".into(), old_name.clone());
        }
    }
    validate(view, body, Some(current))
}

/// `DELETE /Groups/{id}`.
pub async fn delete(
    State(shared): State<Shared>,
    ResourceId(id): ResourceId,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    let removed = shared
        .store
        .delete(Kind::Group, &id, if_match(&headers).as_deref())?;
    Ok(deleted_response(
        &shared.faults,
        || render(&shared, &removed),
        &removed.etag(),
    ))
}

/// Checks a group and completes its members: each new one must name an existing user or group
/// (members the group already had are kept as they are); `type` and `display` are filled in
/// when missing; a member listed twice is kept once.
pub fn validate(
    view: &View<'_>,
    mut body: Map<String, Value>,
    previous: Option<&Record>,
) -> Result<Map<String, Value>, ScimError> {
    resource::require_text(&body, "displayName")?;
    resource::require_array(&body, "members")?;
    let Some(Value::Array(members)) = body.remove("members") else {
        return Ok(body);
    };
    let mut seen = HashSet::new();
    let mut completed = Vec::with_capacity(members.len());
    let known: HashSet<&str> = previous
        .map(|p| member_values(&p.body).collect())
        .unwrap_or_default();
    for member in members {
        let value = member
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let member = if known.contains(value) && member.get("type").is_some() {
            member
        } else {
            complete_member(view, member)?
        };
        if seen.insert(member["value"].as_str().unwrap_or_default().to_string()) {
            completed.push(member);
        }
    }
    body.insert("members".into(), Value::Array(completed));
    Ok(body)
}

fn complete_member(view: &View<'_>, member: Value) -> Result<Value, ScimError> {
    let Value::Object(member) = member else {
        return Err(ScimError::invalid_value(
            "each member must be an object with a `value`",
        ));
    };
    let member = resource::normalize_keys(member, &["value", "display", "type", "$ref"])?;
    let Some(value) = member.get("value").and_then(Value::as_str) else {
        return Err(ScimError::invalid_value(
            "each member needs a string `value`: the member's id",
        ));
    };
    let (kind, target) = if let Some(user) = view.get(Kind::User, value) {
        (Kind::User, user)
    } else if let Some(group) = view.get(Kind::Group, value) {
        (Kind::Group, group)
    } else {
        return Err(ScimError::invalid_value(format!(
            "member `{}` is not an existing user or group",
            shorten(value)
        )));
    };
    let display = member
        .get("display")
        .and_then(Value::as_str)
        .or_else(|| target.text("displayName"))
        .or_else(|| target.text("userName"))
        .unwrap_or_default();
    Ok(json!({ "value": value, "display": display, "type": kind.resource_type() }))
}

/// The full JSON of a group; every member carries `value`, `display`, `type` and `$ref`.
pub fn render(state: &AppState, record: &Record) -> Value {
    let mut out = Map::new();
    out.insert("schemas".into(), json!([urn::GROUP]));
    out.insert("id".into(), json!(record.id));
    for (key, value) in &record.body {
        out.insert(key.clone(), value.clone());
    }
    if let Some(Value::Array(members)) = out.get_mut("members") {
        for member in members.iter_mut() {
            let kind = if member["type"] == "Group" {
                Kind::Group
            } else {
                Kind::User
            };
            let reference = resource::location(
                &state.base_url,
                kind,
                member["value"].as_str().unwrap_or_default(),
            );
            member["$ref"] = json!(reference);
        }
    } else {
        out.insert("members".into(), json!([]));
    }
    out.insert(
        "meta".into(),
        resource::meta(&state.base_url, Kind::Group, record),
    );
    Value::Object(out)
}
