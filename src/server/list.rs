//! Listing: query parameters, filtering with the `scim::filter` parser and evaluator, sorting
//! (`server::sort`), 1-based paging in creation order, attribute projection, and the ListResponse (where the pagination
//! and filter faults apply).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::app::AppState;
use super::errors::{scim_json, ScimError};
use super::faults::{Fault, FaultSet};
use super::partial;
use super::sort::SortSpec;
use super::store::{Kind, Record, Stored, View};
use super::{groups, users};
use crate::scim::filter::{self, CompValue, CompareOp, Filter};
use crate::scim::matching::SchemaKind;
use crate::scim::urn;

/// The most resources one page holds, and the page size when `count` is not given.
pub const MAX_PAGE: usize = 1000;

/// The decoded query string (`+` and `%20` both decode to a space), in order.
#[derive(Debug, Default)]
pub struct QueryParams(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ScimError> {
        Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map(|Query(pairs)| QueryParams(pairs))
            .map_err(|err| {
                ScimError::invalid_value(format!("the query string does not decode: {err}"))
            })
    }
}

/// A query parameter by name; names compare case-insensitively.
pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// Answers `GET /Users` or `GET /Groups`.
pub fn respond(
    state: &AppState,
    kind: Kind,
    params: &[(String, String)],
) -> Result<Response, ScimError> {
    let filter = requested_filter(state, kind, params)?;
    let start_index = integer_param(params, "startIndex")?.unwrap_or(1).max(1) as usize;
    let count = integer_param(params, "count")?.map(|c| c.max(0) as usize);
    let projection = Projection::from_params(params);
    let sort = SortSpec::from_params(params)?;
    let faults = &state.faults;
    let body = state.store.read(|view| {
        let mut matched = select(state, view, kind, filter.as_ref())?;
        if let (Some(sort), false) = (&sort, faults.has(Fault::SortIgnored)) {
            let keyed = matched
                .into_iter()
                .map(|stored| (render(state, view, kind, &stored.to_record()), stored))
                .collect();
            matched = sort.apply(keyed).into_iter().map(|(_, s)| s).collect();
        }
        if faults.has(Fault::UnstableOrder) {
            unstable_order(faults, kind, params, start_index, &mut matched);
        }
        let offset = if faults.has(Fault::ZeroBasedPaging) {
            start_index
        } else {
            start_index - 1
        };
        let page_size = if faults.has(Fault::CountIgnored) {
            usize::MAX
        } else {
            count.unwrap_or(MAX_PAGE).min(MAX_PAGE)
        };
        let resources: Vec<Value> = matched
            .iter()
            .skip(offset)
            .take(page_size)
            .map(|stored| projection.apply(render(state, view, kind, &stored.to_record())))
            .collect();
        let total = if faults.has(Fault::WrongTotal) {
            resources.len()
        } else {
            matched.len()
        };
        Ok(list_response(state, total, start_index, resources))
    })?;
    Ok(scim_json(StatusCode::OK, &body))
}

/// The visible resources the filter selects, in list order. A `userName eq "…"` filter looks
/// its candidates up in the userName index instead of scanning every user.
fn select<'v>(
    state: &AppState,
    view: &'v View<'_>,
    kind: Kind,
    filter: Option<&Filter>,
) -> Result<Vec<&'v Stored>, ScimError> {
    let faults = &state.faults;
    let candidates: Vec<&Stored> = match (kind, filter.and_then(user_name_equals)) {
        (Kind::User, Some(user_name)) => view.users_named(user_name),
        _ => view.iter(kind).collect(),
    };
    let needs_groups = filter.is_some_and(mentions_groups);
    let matched: Vec<&Stored> = candidates
        .into_iter()
        .filter(|stored| kind == Kind::Group || users::is_visible(faults, stored.active))
        .filter(|stored| {
            filter.is_none_or(|f| {
                let record = stored.to_record();
                let resource = match (kind, needs_groups) {
                    (Kind::User, false) => users::render_without_groups(state, &record),
                    _ => render(state, view, kind, &record),
                };
                matches(state, f, &resource)
            })
        })
        .collect();
    if faults.has(Fault::NoMatch404) && filter.is_some() && matched.is_empty() {
        return Err(ScimError::not_found("no resource matches the filter"));
    }
    Ok(matched)
}

/// The value of a filter that is exactly `userName eq "value"`.
fn user_name_equals(filter: &Filter) -> Option<&str> {
    match filter {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::String(value),
        } if path.name.eq_ignore_ascii_case("userName")
            && path.sub_attr.is_none()
            && path
                .schema
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case(urn::USER)) =>
        {
            Some(value)
        }
        _ => None,
    }
}

/// Whether a filter reads the computed `groups` attribute anywhere.
fn mentions_groups(filter: &Filter) -> bool {
    match filter {
        Filter::And(left, right) | Filter::Or(left, right) => {
            mentions_groups(left) || mentions_groups(right)
        }
        Filter::Not(inner) => mentions_groups(inner),
        Filter::Compare { path, .. } | Filter::Present(path) | Filter::ValuePath { path, .. } => {
            path.name.eq_ignore_ascii_case("groups")
        }
    }
}

fn list_response(
    state: &AppState,
    total: usize,
    start_index: usize,
    resources: Vec<Value>,
) -> Value {
    let items = resources.len();
    let number = |n: usize| {
        if state.faults.has(Fault::StringTotals) {
            json!(n.to_string())
        } else {
            json!(n)
        }
    };
    json!({
        "schemas": [urn::LIST_RESPONSE],
        "totalResults": number(total),
        "startIndex": number(start_index),
        "itemsPerPage": number(items),
        "Resources": resources,
    })
}

fn render(state: &AppState, view: &View<'_>, kind: Kind, record: &Record) -> Value {
    match kind {
        Kind::User => users::render(state, view, record),
        Kind::Group => groups::render(state, record),
    }
}

fn integer_param(params: &[(String, String)], name: &str) -> Result<Option<i64>, ScimError> {
    param(params, name)
        .map(|text| {
            text.trim().parse::<i64>().map_err(|_| {
                ScimError::invalid_value(format!("`{name}` must be an integer, got `{text}`"))
            })
        })
        .transpose()
}

/// The parsed `filter` parameter, rewritten by the filter faults that change its meaning.
fn requested_filter(
    state: &AppState,
    kind: Kind,
    params: &[(String, String)],
) -> Result<Option<Filter>, ScimError> {
    let Some(text) = param(params, "filter") else {
        return Ok(None);
    };
    let parsed = filter::parse(text)
        .map_err(|err| ScimError::invalid_filter(format!("the filter does not parse: {err}")))?;
    partial::refuse_operators(&state.faults, &parsed)?;
    if !state.faults.has(Fault::InvalidFilterEvaluated) {
        let schema = match kind {
            Kind::User => SchemaKind::User,
            Kind::Group => SchemaKind::Group,
        };
        filter::validate(&parsed, schema)
            .map_err(|err| ScimError::invalid_filter(err.to_string()))?;
    }
    if state.faults.has(Fault::FilterIgnored) {
        return Ok(None);
    }
    let and_as_or = state.faults.has(Fault::AndAsOr);
    let co_as_sw = state.faults.has(Fault::CoAsSw);
    Ok(Some(rewrite(parsed, and_as_or, co_as_sw)))
}

fn rewrite(filter: Filter, and_as_or: bool, co_as_sw: bool) -> Filter {
    let again = |inner: Box<Filter>| Box::new(rewrite(*inner, and_as_or, co_as_sw));
    match filter {
        Filter::And(left, right) if and_as_or => Filter::Or(again(left), again(right)),
        Filter::And(left, right) => Filter::And(again(left), again(right)),
        Filter::Or(left, right) => Filter::Or(again(left), again(right)),
        Filter::Not(inner) => Filter::Not(again(inner)),
        Filter::ValuePath { path, filter } => Filter::ValuePath {
            path,
            filter: again(filter),
        },
        Filter::Compare {
            path,
            op: CompareOp::Co,
            value,
        } if co_as_sw => Filter::Compare {
            path,
            op: CompareOp::Sw,
            value,
        },
        other => other,
    }
}

/// Evaluates a filter against a rendered resource, with the case and emails filter faults.
fn matches(state: &AppState, filter: &Filter, resource: &Value) -> bool {
    let mut seen = resource.clone();
    if state.faults.has(Fault::EmailsFilterFirstOnly) {
        if let Some(Value::Array(emails)) = seen.get_mut("emails") {
            emails.truncate(1);
        }
    }
    filter::eval::matches(filter, &seen)
        && (!state.faults.has(Fault::CaseSensitiveFilter) || exact_case_agrees(filter, &seen))
}

/// For the case-sensitive-filter fault: every top-level string `eq` must also match exactly.
fn exact_case_agrees(filter: &Filter, resource: &Value) -> bool {
    match filter {
        Filter::And(left, right) => {
            exact_case_agrees(left, resource) && exact_case_agrees(right, resource)
        }
        Filter::Or(left, right) => {
            exact_case_agrees(left, resource) || exact_case_agrees(right, resource)
        }
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::String(wanted),
        } if path.sub_attr.is_none() => resource
            .as_object()
            .and_then(|map| {
                map.iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(&path.name))
            })
            .is_none_or(|(_, actual)| actual.as_str().is_none_or(|actual| actual == wanted)),
        _ => true,
    }
}

/// [`Fault::UnstableOrder`]: rotates the matches by how often this exact query was asked
/// before, plus one on every page after the first. A repeated list changes order, and a paging
/// walk always skips the resource at the first page boundary and repeats the first one:
/// deterministic, so a failure found by fuzzing shrinks as well as any other.
fn unstable_order(
    faults: &FaultSet,
    kind: Kind,
    params: &[(String, String)],
    start_index: usize,
    matched: &mut [&Stored],
) {
    if matched.is_empty() {
        return;
    }
    let mut hasher = DefaultHasher::new();
    (kind == Kind::User, params).hash(&mut hasher);
    let repeat = faults.list_repeat(hasher.finish());
    let later_page = u64::from(start_index > 1);
    let rotation = (repeat + later_page) % matched.len() as u64;
    matched.rotate_left(rotation as usize);
}

/// The `attributes` / `excludedAttributes` parameters (RFC 7644 §3.4.2.5), on top-level names.
#[derive(Debug, Default)]
pub struct Projection {
    only: Option<Vec<String>>,
    excluded: Vec<String>,
}

impl Projection {
    /// Reads the two parameters; `name.givenName` selects its top-level attribute `name`.
    pub fn from_params(params: &[(String, String)]) -> Self {
        let names = |name: &str| -> Option<Vec<String>> {
            param(params, name).map(|list| {
                list.split(',')
                    .map(|item| top_level_name(item.trim()))
                    .filter(|item| !item.is_empty())
                    .collect()
            })
        };
        Self {
            only: names("attributes"),
            excluded: names("excludedAttributes").unwrap_or_default(),
        }
    }

    /// Keeps or drops attributes; `id` and `schemas` are always returned.
    pub fn apply(&self, mut resource: Value) -> Value {
        let Some(map) = resource.as_object_mut() else {
            return resource;
        };
        let always = |key: &str| key == "id" || key == "schemas";
        let listed =
            |names: &[String], key: &str| names.iter().any(|name| name.eq_ignore_ascii_case(key));
        if let Some(only) = &self.only {
            map.retain(|key, _| always(key) || listed(only, key));
        }
        map.retain(|key, _| always(key) || !listed(&self.excluded, key));
        resource
    }
}

/// `name.givenName` → `name`; `urn:…:User:employeeNumber` → the extension URN.
fn top_level_name(path: &str) -> String {
    if path.to_ascii_lowercase().starts_with("urn:") {
        return path
            .rsplit_once(':')
            .map(|(urn, _)| urn.to_string())
            .unwrap_or_default();
    }
    path.split('.').next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn projection_keeps_id_and_schemas_and_the_listed_top_level_attributes() {
        let resource = json!({"schemas": [], "id": "1", "userName": "a", "name": {"givenName": "b"}, "emails": []});
        let only = Projection::from_params(&params(&[("attributes", "userName,name.givenName")]));
        assert_eq!(
            only.apply(resource.clone()),
            json!({"schemas": [], "id": "1", "userName": "a", "name": {"givenName": "b"}})
        );
        let without = Projection::from_params(&params(&[("excludedAttributes", "emails,id")]));
        assert_eq!(
            without.apply(resource),
            json!({"schemas": [], "id": "1", "userName": "a", "name": {"givenName": "b"}})
        );
    }

    #[test]
    fn parameter_names_are_case_insensitive() {
        assert_eq!(
            param(&params(&[("STARTINDEX", "3")]), "startIndex"),
            Some("3")
        );
    }

    #[test]
    fn the_and_as_or_and_co_as_sw_rewrites_change_only_their_operator() {
        let parsed = filter::parse("userName co \"x\" and active eq true").unwrap();
        let rewritten = rewrite(parsed, true, true);
        assert_eq!(rewritten.to_string(), "userName sw \"x\" or active eq true");
    }

    #[test]
    fn only_a_plain_username_eq_takes_the_index_path() {
        let plain = filter::parse("USERNAME eq \"a@b\"").unwrap();
        assert_eq!(user_name_equals(&plain), Some("a@b"));
        for other in [
            "userName ne \"a\"",
            "userName eq \"a\" and active eq true",
            "name.userName eq \"a\"",
        ] {
            assert_eq!(
                user_name_equals(&filter::parse(other).unwrap()),
                None,
                "{other}"
            );
        }
    }

    #[test]
    fn an_extension_attribute_projects_to_its_schema() {
        assert_eq!(
            top_level_name(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"
            ),
            urn::ENTERPRISE_USER
        );
    }
}
