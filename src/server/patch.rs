//! PATCH (RFC 7644 §3.5.2) applied to a resource's JSON attributes: parsing the PatchOp message,
//! then `add`, `remove` and `replace` with and without `path`, sub-attribute paths, value-filter
//! paths (`members[value eq "x"]`, `emails[type eq "work"].value`) and extension URN paths.
//! Applying is all-or-nothing: the caller works on a copy and keeps it only if every operation
//! succeeded (the PATCH faults live here).

use serde_json::{Map, Value};

use super::errors::ScimError;
use super::faults::{Fault, FaultSet};
use super::groups::GROUP_ATTRIBUTES;
use super::partial;
use super::resource::canonical_name;
use super::store::{ChangeError, Kind};
use super::users::USER_ATTRIBUTES;
use crate::scim::filter::{self, AttrPath, Filter};
use crate::scim::patch::ast::{PatchOpKind, PatchPath};
use crate::scim::patch::parse_path;
use crate::scim::schema::AttributeTable;
use crate::scim::urn;

/// Whether `name` is a writable multi-valued attribute of User or Group (RFC 7643's table): a
/// single object given for one of them becomes a one-element array.
fn is_multi_valued(name: &str) -> bool {
    let table = AttributeTable::rfc();
    table
        .user(name)
        .or_else(|| table.group(name))
        .is_some_and(|attribute| attribute.multi_valued && attribute.writable())
}

/// One parsed PATCH operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub kind: PatchOpKind,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

/// Parses a PatchOp message: the PatchOp schema, a non-empty `Operations` array, and for each
/// operation a case-insensitive `op`, an optional `path` and a `value` where one is required.
pub fn parse_request(
    faults: &FaultSet,
    body: &Map<String, Value>,
) -> Result<Vec<Operation>, ScimError> {
    let has_schema = field(body, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|schemas| {
            schemas.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(urn::PATCH_OP))
            })
        });
    if !has_schema {
        return Err(ScimError::invalid_syntax(format!(
            "a PATCH body needs \"schemas\": [\"{}\"]",
            urn::PATCH_OP
        )));
    }
    let operations = match field(body, "Operations") {
        Some(Value::Array(ops)) if !ops.is_empty() => ops,
        _ => {
            return Err(ScimError::invalid_syntax(
                "a PATCH body needs a non-empty `Operations` array",
            ))
        }
    };
    operations
        .iter()
        .map(|op| parse_operation(faults, op))
        .collect()
}

fn parse_operation(faults: &FaultSet, op: &Value) -> Result<Operation, ScimError> {
    let Value::Object(op) = op else {
        return Err(ScimError::invalid_syntax(
            "each PATCH operation must be an object",
        ));
    };
    let name = field(op, "op").and_then(Value::as_str).unwrap_or_default();
    let kind = PatchOpKind::from_name(name).ok_or_else(|| {
        ScimError::invalid_syntax(format!(
            "unknown PATCH op `{name}`: use add, remove or replace"
        ))
    })?;
    if faults.has(Fault::PatchOpCaseSensitive) && name != kind.name() {
        return Err(ScimError::invalid_syntax(format!(
            "unknown PATCH op `{name}`"
        )));
    }
    let path = match field(op, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(parse_path(text).map_err(|err| {
            ScimError::invalid_path(format!("PATCH path `{text}` does not parse: {err}"))
        })?),
        Some(_) => return Err(ScimError::invalid_path("a PATCH `path` must be a string")),
    };
    partial::refuse_patch_path(faults, path.is_some())?;
    if path.is_none() && faults.has(Fault::PathlessPatchRejected) {
        return Err(ScimError::invalid_path("a PATCH operation needs a `path`"));
    }
    let value = field(op, "value").filter(|v| !v.is_null()).cloned();
    match (kind, &path, &value) {
        (PatchOpKind::Remove, None, _) => {
            Err(ScimError::no_target("a `remove` operation needs a `path`"))
        }
        (PatchOpKind::Add | PatchOpKind::Replace, _, None) => Err(ScimError::invalid_value(
            format!("a `{}` operation needs a `value`", kind.name()),
        )),
        _ => Ok(Operation { kind, path, value }),
    }
}

/// A member of a JSON object by case-insensitive name.
fn field<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// The resource being patched.
struct Target<'a> {
    faults: &'a FaultSet,
    kind: Kind,
    id: &'a str,
}

/// Applies every operation in order to `body`, stopping at the first failure (the body then holds
/// the operations before it; [`settle`] decides whether that partial state is kept).
pub fn apply_all(
    faults: &FaultSet,
    kind: Kind,
    id: &str,
    body: &mut Map<String, Value>,
    ops: &[Operation],
) -> Result<(), ScimError> {
    let target = Target { faults, kind, id };
    for op in ops {
        match &op.path {
            None => apply_pathless(&target, body, op.kind, op.value.as_ref())?,
            Some(path) => apply_at(&target, body, op.kind, path, op.value.as_ref())?,
        }
    }
    Ok(())
}

/// Turns the outcome of [`apply_all`] into the store's answer: on success the finished body; on
/// failure nothing, or under patch-not-atomic the operations that did apply.
pub fn settle(
    faults: &FaultSet,
    applied: Result<(), ScimError>,
    body: Map<String, Value>,
    finish: impl FnOnce(Map<String, Value>) -> Result<Map<String, Value>, ScimError>,
) -> Result<Map<String, Value>, ChangeError> {
    match applied {
        Ok(()) => Ok(finish(body)?),
        Err(error) if faults.has(Fault::PatchNotAtomic) => Err(ChangeError {
            error,
            commit: finish(body).ok(),
        }),
        Err(error) => Err(error.into()),
    }
}

/// `add`/`replace` without a path: each attribute of the value object is an operation on that
/// attribute. Read-only attributes are ignored (Okta's rename echoes the group's own `id`).
fn apply_pathless(
    target: &Target<'_>,
    body: &mut Map<String, Value>,
    kind: PatchOpKind,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let Some(Value::Object(attributes)) = value else {
        return Err(ScimError::invalid_value(
            "an operation without `path` needs an object `value`",
        ));
    };
    for (name, value) in attributes {
        if name.eq_ignore_ascii_case("id") {
            if value.as_str() == Some(target.id) {
                continue;
            }
            return Err(ScimError::mutability(
                "`id` is read-only and differs from the resource's id",
            ));
        }
        if is_read_only(target.kind, name) {
            continue;
        }
        if let (Some(schema), Value::Object(extension)) = (extension_urn(name), value) {
            for (sub_name, sub_value) in extension {
                let attr = AttrPath {
                    schema: Some(schema.clone()),
                    name: sub_name.clone(),
                    sub_attr: None,
                };
                apply_at(
                    target,
                    body,
                    kind,
                    &PatchPath {
                        attr,
                        filter: None,
                        sub_attr: None,
                    },
                    Some(sub_value),
                )?;
            }
            continue;
        }
        let path = parse_path(name).map_err(|err| {
            ScimError::invalid_path(format!("attribute `{name}` is not a valid path: {err}"))
        })?;
        apply_at(target, body, kind, &path, Some(value))?;
    }
    Ok(())
}

/// An operation on an explicit path.
fn apply_at(
    target: &Target<'_>,
    body: &mut Map<String, Value>,
    kind: PatchOpKind,
    path: &PatchPath,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let extension = path
        .attr
        .schema
        .as_deref()
        .filter(|schema| !is_core_schema(target.kind, schema));
    if extension.is_none() && is_read_only(target.kind, &path.attr.name) {
        return Err(ScimError::mutability(format!(
            "`{}` is read-only",
            path.attr.name
        )));
    }
    let container = match extension {
        Some(schema) => match extension_container(body, schema, kind)? {
            Some(container) => container,
            None => return Ok(()),
        },
        None => body,
    };
    let known: &[&str] = match (extension, target.kind) {
        (Some(_), _) => &[],
        (None, Kind::User) => USER_ATTRIBUTES,
        (None, Kind::Group) => GROUP_ATTRIBUTES,
    };
    let name =
        resolve_name(container, &path.attr.name, known, extension.is_some()).ok_or_else(|| {
            ScimError::invalid_path(format!(
                "`{}` is not an attribute of a {}",
                path.attr.name,
                target.kind.resource_type()
            ))
        })?;
    match (&path.filter, &path.attr.sub_attr) {
        (Some(filter), _) => apply_selected(
            target,
            container,
            &name,
            filter,
            path.sub_attr.as_deref(),
            kind,
            value,
        ),
        (None, Some(sub)) => apply_sub_attribute(container, &name, sub, kind, value),
        (None, None) => apply_attribute(target, container, &name, kind, value),
    }
}

fn is_core_schema(kind: Kind, schema: &str) -> bool {
    let core = match kind {
        Kind::User => urn::USER,
        Kind::Group => urn::GROUP,
    };
    schema.eq_ignore_ascii_case(core)
}

fn is_read_only(kind: Kind, name: &str) -> bool {
    let read_only: &[&str] = match kind {
        Kind::User => &["id", "meta", "schemas", "groups"],
        Kind::Group => &["id", "meta", "schemas"],
    };
    read_only.iter().any(|r| r.eq_ignore_ascii_case(name))
}

fn extension_urn(name: &str) -> Option<String> {
    name.to_ascii_lowercase()
        .starts_with("urn:")
        .then(|| canonical_name(name, &[]).unwrap_or_else(|| name.to_string()))
}

/// The extension object a path with a schema URN points into (created for add/replace).
fn extension_container<'a>(
    body: &'a mut Map<String, Value>,
    schema: &str,
    kind: PatchOpKind,
) -> Result<Option<&'a mut Map<String, Value>>, ScimError> {
    let existing = body
        .keys()
        .find(|key| key.eq_ignore_ascii_case(schema))
        .cloned();
    let key = match (existing, canonical_name(schema, &[])) {
        (Some(key), _) | (None, Some(key)) => key,
        (None, None) => {
            return Err(ScimError::invalid_path(format!(
                "unknown schema `{schema}`"
            )))
        }
    };
    if kind == PatchOpKind::Remove && !body.contains_key(&key) {
        return Ok(None);
    }
    match body.entry(key).or_insert_with(|| Value::Object(Map::new())) {
        Value::Object(map) => Ok(Some(map)),
        _ => Err(ScimError::invalid_value(format!(
            "`{schema}` must be an object"
        ))),
    }
}

/// The key an attribute name refers to: an existing key in any case, else its canonical
/// spelling if the schema knows it (any name inside an extension).
fn resolve_name(
    container: &Map<String, Value>,
    name: &str,
    known: &[&str],
    open: bool,
) -> Option<String> {
    container
        .keys()
        .find(|key| key.eq_ignore_ascii_case(name))
        .cloned()
        .or_else(|| {
            known
                .iter()
                .find(|k| k.eq_ignore_ascii_case(name))
                .map(|k| k.to_string())
        })
        .or_else(|| open.then(|| name.to_string()))
}

/// The member-removal-ignored fault: removals from `members` do nothing.
fn removal_ignored(target: &Target<'_>, name: &str) -> bool {
    name == "members" && target.faults.has(Fault::MemberRemovalIgnored)
}

/// A `remove` whose target holds no value: nothing to do (RFC 7644 §3.5.2.2), unless the
/// remove-absent-500 fault crashes on the missing value.
fn nothing_to_remove(target: &Target<'_>, name: &str) -> Result<(), ScimError> {
    if target.faults.has(Fault::RemoveAbsent500) {
        return Err(ScimError::internal(format!(
            "cannot read property 'filter' of undefined ({name})"
        )));
    }
    Ok(())
}

fn apply_attribute(
    target: &Target<'_>,
    container: &mut Map<String, Value>,
    name: &str,
    kind: PatchOpKind,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let multi = is_multi_valued(name);
    let value = value.cloned().unwrap_or(Value::Null);
    match kind {
        PatchOpKind::Remove if removal_ignored(target, name) => {}
        PatchOpKind::Remove => match (container.get_mut(name), value) {
            (None | Some(Value::Null), _) => nothing_to_remove(target, name)?,
            (Some(Value::Array(existing)), Value::Array(unwanted)) => {
                existing.retain(|element| !unwanted.iter().any(|u| same_element(u, element)));
            }
            _ => {
                container.remove(name);
            }
        },
        PatchOpKind::Replace
            if container.get(name).is_some_and(Value::is_array)
                && target.faults.has(Fault::ReplaceAppends) =>
        {
            append(target, container, name, value);
        }
        PatchOpKind::Add if multi || container.get(name).is_some_and(Value::is_array) => {
            append(target, container, name, value)
        }
        PatchOpKind::Add | PatchOpKind::Replace => match (container.get_mut(name), value) {
            (Some(Value::Object(existing)), Value::Object(update)) => merge(existing, update),
            (_, Value::Object(single)) if multi => {
                container.insert(name.to_string(), Value::Array(vec![Value::Object(single)]));
            }
            (_, value) => {
                container.insert(name.to_string(), value);
            }
        },
    }
    Ok(())
}

/// Adds values to a multi-valued attribute, skipping ones already there (RFC 7644 §3.5.2.1), unless
/// the add-duplicates-values fault appends them again.
fn append(target: &Target<'_>, container: &mut Map<String, Value>, name: &str, value: Value) {
    let duplicates = target.faults.has(Fault::AddDuplicatesValues);
    let new = match value {
        Value::Array(values) => values,
        single => vec![single],
    };
    let slot = container
        .entry(name.to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    if let Value::Array(existing) = slot {
        for value in new {
            if duplicates || !existing.iter().any(|e| same_element(&value, e)) {
                existing.push(value);
            }
        }
    }
}

/// Two values of a multi-valued attribute are the same if their `value` (and `type`, if
/// either has one) agree; plain values compare as JSON.
fn same_element(a: &Value, b: &Value) -> bool {
    match (a.get("value"), b.get("value")) {
        (Some(va), Some(vb)) => {
            let type_of = |v: &Value| {
                v.get("type")
                    .and_then(Value::as_str)
                    .map(str::to_ascii_lowercase)
            };
            let types_agree = match (type_of(a), type_of(b)) {
                (Some(ta), Some(tb)) => ta == tb,
                _ => true,
            };
            va == vb && types_agree
        }
        _ => a == b,
    }
}

/// Sets sub-attributes of a complex value, matching existing keys case-insensitively.
fn merge(existing: &mut Map<String, Value>, update: Map<String, Value>) {
    for (key, value) in update {
        let key = existing
            .keys()
            .find(|k| k.eq_ignore_ascii_case(&key))
            .cloned()
            .unwrap_or(key);
        if value.is_null() {
            existing.remove(&key);
        } else {
            existing.insert(key, value);
        }
    }
}

/// `name.givenName`: a sub-attribute of a complex attribute (or of every value of a
/// multi-valued one, e.g. `emails.value`).
fn apply_sub_attribute(
    container: &mut Map<String, Value>,
    name: &str,
    sub: &str,
    kind: PatchOpKind,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let set = |object: &mut Map<String, Value>| {
        let mut update = Map::new();
        update.insert(sub.to_string(), value.cloned().unwrap_or(Value::Null));
        merge(object, update);
    };
    match container.get_mut(name) {
        None if kind == PatchOpKind::Remove => {}
        None if is_multi_valued(name) => {
            return Err(ScimError::no_target(format!("`{name}` has no values")))
        }
        None => {
            let mut object = Map::new();
            set(&mut object);
            container.insert(name.to_string(), Value::Object(object));
        }
        Some(Value::Object(object)) => set(object),
        Some(Value::Array(values)) => values
            .iter_mut()
            .filter_map(Value::as_object_mut)
            .for_each(set),
        Some(_) => {
            return Err(ScimError::invalid_path(format!(
                "`{name}` has no sub-attributes"
            )))
        }
    }
    Ok(())
}

/// `members[value eq "x"]` and `emails[type eq "work"].value`: the values a filter selects.
fn apply_selected(
    target: &Target<'_>,
    container: &mut Map<String, Value>,
    name: &str,
    selector: &Filter,
    sub: Option<&str>,
    kind: PatchOpKind,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let Some(Value::Array(values)) = container.get_mut(name) else {
        return match kind {
            PatchOpKind::Remove => nothing_to_remove(target, name),
            _ => Err(ScimError::no_target(format!(
                "`{name}` has no values for the filter to select"
            ))),
        };
    };
    let selected: Vec<bool> = values
        .iter()
        .map(|v| filter::eval::matches(selector, v))
        .collect();
    if kind == PatchOpKind::Remove && sub.is_none() {
        if target.faults.has(Fault::RemoveFilterRemovesAll) {
            values.clear();
        } else if !selected.contains(&true) {
            return nothing_to_remove(target, name);
        } else if !removal_ignored(target, name) {
            let mut keep = selected.iter().map(|s| !s);
            values.retain(|_| keep.next().unwrap_or(true));
        }
        return Ok(());
    }
    if kind != PatchOpKind::Remove && !selected.contains(&true) {
        return Err(ScimError::no_target(format!(
            "the filter on `{name}` selects no value"
        )));
    }
    for (element, _) in values.iter_mut().zip(&selected).filter(|(_, s)| **s) {
        let Some(object) = element.as_object_mut() else {
            return Err(ScimError::invalid_path(format!(
                "the values of `{name}` have no sub-attributes"
            )));
        };
        let update = match (sub, value) {
            (Some(sub), value) => {
                Map::from_iter([(sub.to_string(), value.cloned().unwrap_or(Value::Null))])
            }
            (None, Some(Value::Object(update))) => update.clone(),
            (None, _) => {
                return Err(ScimError::invalid_value(format!(
                    "a value of `{name}` must be an object"
                )))
            }
        };
        merge(object, update);
    }
    Ok(())
}
