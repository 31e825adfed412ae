//! The `/Users` endpoints: create (with atomic userName uniqueness), read, replace (PUT), PATCH,
//! delete and list, plus how a user is validated and rendered (computed `groups`, write-only
//! `password`, `meta`).

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::app::{
    if_match, read_response, resource_response, AppState, ResourceId, ScimBody, Shared,
};
use super::errors::ScimError;
use super::faults::{Fault, FaultSet, RACE_WINDOW_MILLIS};
use super::list::{self, QueryParams};
use super::partial;
use super::patch;
use super::resource::{self, created_response, deleted_response, patched_version};
use super::store::{Kind, Record, View};
use crate::scim::schema::AttributeTable;
use crate::scim::urn;

/// The User attributes of RFC 7643 §4.1 (canonical spelling).
pub const USER_ATTRIBUTES: &[&str] = &[
    "id",
    "externalId",
    "meta",
    "schemas",
    "userName",
    "name",
    "displayName",
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "password",
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509Certificates",
];

/// `POST /Users`.
pub async fn create(
    State(shared): State<Shared>,
    ScimBody(input): ScimBody,
) -> Result<Response, ScimError> {
    let mut body = resource::normalize_keys(input, USER_ATTRIBUTES)?;
    resource::strip_read_only(&mut body, &["groups"]);
    body.entry("active").or_insert(Value::Bool(true));
    let body = validate(&shared.faults, body)?;
    let (created_now, record) = store_new_user(&shared, shared.store.prepare(body)).await?;
    if created_now && shared.faults.stored_create_fails(false) {
        return Err(ScimError::internal(
            "the server failed to process the request",
        ));
    }
    let rendered = shared.store.read(|view| render(&shared, view, &record));
    Ok(created_response(
        &shared,
        Kind::User,
        created_now,
        &rendered,
        &record,
    ))
}

/// Stores a new user, enforcing uniqueness; says whether it was created now (false: an upsert
/// fault answered with the existing holder).
async fn store_new_user(shared: &AppState, record: Record) -> Result<(bool, Record), ScimError> {
    if shared.faults.create_is_lost() {
        return Ok((true, record));
    }
    if shared.faults.has(Fault::DuplicateRace) {
        let user_name = record.text("userName").unwrap_or_default().to_string();
        if let Some(holder) = shared.store.find_user_by_username(&user_name) {
            return answer_duplicate(&shared.faults, holder);
        }
        tokio::time::sleep(Duration::from_millis(RACE_WINDOW_MILLIS)).await;
        let stored = shared
            .store
            .insert(Kind::User, record, false)
            .unwrap_or_else(|holder| *holder);
        return Ok((true, stored));
    }
    match shared.store.insert(Kind::User, record, true) {
        Ok(stored) => Ok((true, stored)),
        Err(holder) => answer_duplicate(&shared.faults, *holder),
    }
}

fn answer_duplicate(faults: &FaultSet, holder: Record) -> Result<(bool, Record), ScimError> {
    if faults.has(Fault::DuplicateUpsert) {
        Ok((true, holder))
    } else if faults.has(Fault::Duplicate200) {
        Ok((false, holder))
    } else {
        Err(ScimError::uniqueness(format!(
            "a user with userName `{}` already exists",
            holder.text("userName").unwrap_or_default()
        )))
    }
}

/// `GET /Users/{id}`.
pub async fn read(
    State(shared): State<Shared>,
    ResourceId(id): ResourceId,
    QueryParams(params): QueryParams,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    let projection = list::Projection::from_params(&params);
    shared
        .store
        .read(|view| {
            let record = view
                .get(Kind::User, &id)
                .filter(|r| is_visible(&shared.faults, !is_inactive(&r.body)))?;
            Some((
                projection.apply(render(&shared, view, &record)),
                record.etag(),
            ))
        })
        .map(|(body, etag)| read_response(&headers, &body, &etag))
        .ok_or_else(|| ScimError::not_found(format!("no User with id `{}`", shorten(&id))))
}

/// `GET /Users`.
pub async fn list(
    State(shared): State<Shared>,
    QueryParams(params): QueryParams,
) -> Result<Response, ScimError> {
    list::respond(&shared, Kind::User, &params)
}

/// `PUT /Users/{id}`: replaces the user; echoed read-only attributes are ignored and a password
/// left out keeps the stored one (it is write-only, so clients cannot echo it).
pub async fn replace(
    State(shared): State<Shared>,
    ResourceId(id): ResourceId,
    headers: HeaderMap,
    ScimBody(input): ScimBody,
) -> Result<Response, ScimError> {
    let faults = &shared.faults;
    let input = resource::put_input(faults, input, USER_ATTRIBUTES, &["groups"])?;
    let mut reactivated = false;
    let record = shared.store.update(
        Kind::User,
        &id,
        if_match(&headers).as_deref(),
        |current, _| {
            hidden_if_inactive(faults, current)?;
            let mut body = resource::replacement(faults, &current.body, input);
            if let (None, Some(password)) = (body.get("password"), current.body.get("password")) {
                body.insert("password".into(), password.clone());
            }
            body.entry("active").or_insert(Value::Bool(true));
            let body = finish_update(faults, current, body)?;
            reactivated = is_inactive(&current.body) && !is_inactive(&body);
            Ok(body)
        },
    )?;
    let record = after_reactivation(&shared, record, reactivated);
    Ok(respond_with(&shared, &record))
}

/// `PATCH /Users/{id}`: all operations apply, or none.
pub async fn patch(
    State(shared): State<Shared>,
    ResourceId(id): ResourceId,
    headers: HeaderMap,
    ScimBody(input): ScimBody,
) -> Result<Response, ScimError> {
    let faults = &shared.faults;
    let operations = patch::parse_request(faults, &input)?;
    let mut before = None;
    let mut reactivated = false;
    let after = shared.store.update(
        Kind::User,
        &id,
        if_match(&headers).as_deref(),
        |current, _| {
            hidden_if_inactive(faults, current)?;
            before = Some(current.clone());
            let mut body = current.body.clone();
            let applied = patch::apply_all(faults, Kind::User, &current.id, &mut body, &operations);
            let body = patch::settle(faults, applied, body, |body| {
                finish_update(faults, current, body)
            })?;
            reactivated = is_inactive(&current.body) && !is_inactive(&body);
            Ok(body)
        },
    )?;
    let after = after_reactivation(&shared, after, reactivated);
    let before = before.unwrap_or_else(|| after.clone());
    Ok(respond_with(
        &shared,
        patched_version(faults, &before, &after),
    ))
}

/// `DELETE /Users/{id}`: 204, and the user leaves every group.
pub async fn delete(
    State(shared): State<Shared>,
    ResourceId(id): ResourceId,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    let removed = shared
        .store
        .delete(Kind::User, &id, if_match(&headers).as_deref())?;
    let body = || shared.store.read(|view| render(&shared, view, &removed));
    Ok(deleted_response(&shared.faults, body, &removed.etag()))
}

fn respond_with(shared: &AppState, record: &Record) -> Response {
    let body = shared.store.read(|view| render(shared, view, record));
    resource_response(StatusCode::OK, &body, &record.etag())
}

/// Validation after PUT or PATCH, plus the deactivation-lost fault (active=false not kept).
fn finish_update(
    faults: &FaultSet,
    current: &Record,
    body: Map<String, Value>,
) -> Result<Map<String, Value>, ScimError> {
    let mut body = validate(faults, body)?;
    if faults.has(Fault::DeactivationLost) && is_inactive(&body) {
        body.insert(
            "active".into(),
            current
                .body
                .get("active")
                .cloned()
                .unwrap_or(Value::Bool(true)),
        );
    }
    Ok(body)
}

/// The reactivation-new-id fault: a reactivated user moves to a new id.
fn after_reactivation(shared: &AppState, record: Record, reactivated: bool) -> Record {
    if reactivated && shared.faults.has(Fault::ReactivationNewId) {
        shared
            .store
            .move_to_new_id(Kind::User, &record.id)
            .unwrap_or(record)
    } else {
        record
    }
}

/// Checks a user's attributes (after create, PUT or PATCH), applies lowercased-storage and the
/// partial-server rules (`partial::user_rules`).
pub fn validate(
    faults: &FaultSet,
    mut body: Map<String, Value>,
) -> Result<Map<String, Value>, ScimError> {
    let user_name = resource::require_text(&body, "userName")?.to_string();
    if faults.has(Fault::LowercasedStorage) {
        body.insert("userName".into(), Value::String(user_name.to_lowercase()));
    }
    coerce_active(faults, &mut body)?;
    if let Some(password) = body.get("password") {
        if !password.is_string() {
            return Err(ScimError::invalid_value("`password` must be a string"));
        }
    }
    for name in AttributeTable::rfc().writable_multi_valued(urn::USER) {
        resource::require_array(&body, name)?;
    }
    resource::require_object(&body, "name")?;
    resource::require_object(&body, urn::ENTERPRISE_USER)?;
    partial::user_rules(faults, &mut body)?;
    Ok(body)
}

/// `active` must be a boolean. The strings `"True"`/`"False"` (any case), which Microsoft Entra
/// sends in PATCH, are stored as the boolean they name; under the string-boolean-truthy fault any
/// non-empty string counts as true (JavaScript truthiness).
fn coerce_active(faults: &FaultSet, body: &mut Map<String, Value>) -> Result<(), ScimError> {
    let text = match body.get("active") {
        None | Some(Value::Bool(_)) => return Ok(()),
        Some(Value::String(text)) => text.clone(),
        Some(_) => return Err(ScimError::invalid_value("`active` must be a JSON boolean")),
    };
    let active = if faults.has(Fault::StringBooleanTruthy) {
        !text.is_empty()
    } else if text.eq_ignore_ascii_case("true") {
        true
    } else if text.eq_ignore_ascii_case("false") {
        false
    } else {
        return Err(ScimError::invalid_value(format!(
            "`active` must be a boolean; \"{text}\" is not true or false"
        )));
    };
    body.insert("active".into(), Value::Bool(active));
    Ok(())
}

fn is_inactive(body: &Map<String, Value>) -> bool {
    body.get("active") == Some(&Value::Bool(false))
}

/// A 404 for an inactive user the deactivated-404 fault hides (so it cannot be reactivated).
fn hidden_if_inactive(faults: &FaultSet, current: &Record) -> Result<(), ScimError> {
    if is_visible(faults, !is_inactive(&current.body)) {
        Ok(())
    } else {
        Err(ScimError::not_found(format!(
            "no User with id `{}`",
            shorten(&current.id)
        )))
    }
}

/// Whether a user can be seen by reads, lists and writes (the deactivated-404 fault hides
/// inactive ones).
pub fn is_visible(faults: &FaultSet, active: bool) -> bool {
    active || !faults.has(Fault::Deactivated404)
}

/// The full JSON of a user: id, its attributes (never the password), computed groups, meta.
pub fn render(state: &AppState, view: &View<'_>, record: &Record) -> Value {
    render_parts(state, record, Some(view))
}

/// A user's JSON without the computed `groups` (for filters that do not read them).
pub fn render_without_groups(state: &AppState, record: &Record) -> Value {
    render_parts(state, record, None)
}

fn render_parts(state: &AppState, record: &Record, view: Option<&View<'_>>) -> Value {
    let mut out = Map::new();
    let mut schemas = vec![json!(urn::USER)];
    if record.body.contains_key(urn::ENTERPRISE_USER) {
        schemas.push(json!(urn::ENTERPRISE_USER));
    }
    out.insert("schemas".into(), Value::Array(schemas));
    out.insert("id".into(), json!(record.id));
    let show_password = state.faults.has(Fault::PasswordReturned);
    for (key, value) in &record.body {
        if key != "password" || show_password {
            out.insert(key.clone(), value.clone());
        }
    }
    let groups: Vec<Value> = view
        .map(|view| view.groups_of(&record.id))
        .unwrap_or_default()
        .into_iter()
        .map(|group| {
            json!({
                "value": group.id,
                "display": &*group.name,
                "$ref": resource::location(&state.base_url, Kind::Group, &group.id),
                "type": "direct",
            })
        })
        .collect();
    if !groups.is_empty() {
        out.insert("groups".into(), Value::Array(groups));
    }
    out.insert(
        "meta".into(),
        resource::meta(&state.base_url, Kind::User, record),
    );
    Value::Object(out)
}

/// Creates `count` complete users directly in the store (load tests; the default is none).
pub fn seed(state: &AppState, count: usize) {
    for n in 0..count {
        let body = json!({
            "userName": format!("seed.user{n}@example.com"),
            "name": { "givenName": "Seed", "familyName": format!("User{n}") },
            "emails": [{ "value": format!("seed.user{n}@example.com"), "type": "work", "primary": true }],
            "displayName": format!("Seed User{n}"),
            "active": true,
        });
        let body = body.as_object().cloned().unwrap_or_default();
        let _ = state
            .store
            .insert(Kind::User, state.store.prepare(body), true);
    }
}

/// At most 80 characters of an id, for error details.
pub fn shorten(id: &str) -> String {
    id.chars().take(80).collect()
}
