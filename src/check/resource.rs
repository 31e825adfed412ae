//! Resource content against the model: every attribute the model knows (userName with its case,
//! names, displayName, externalId, emails as an array, active as a boolean), id stability, no
//! password in output; for groups the displayName and the member ids. An attribute the server's
//! schema makes unjudgeable (readOnly, returned only on request: `AttributePolicy`) is skipped.

use std::collections::BTreeSet;

use serde_json::Value;

use super::catalogue as id;
use super::finding::{CheckContext, Finding};
use crate::driver::ResourceKind;
use crate::model::{eq_ignore_case, GroupRecord, Tri, UnicodeFolding, UserRecord};
use crate::scim::schema::{AttributePolicy, Tracked};
use crate::scim::urn;

/// Compares a user body with the model's record. `content_check` is the id used for attribute
/// mismatches (it differs for create, read, PATCH and PUT); `known_id` is the id the handle has;
/// `policy` says which attributes are judged.
pub fn user_findings(
    body: &Value,
    record: &UserRecord,
    known_id: Option<&str>,
    content_check: &str,
    policy: &AttributePolicy,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(id_findings(body, known_id));
    if body.get("password").is_some_and(|p| !p.is_null()) {
        findings.push(Finding::new(
            id::PASSWORD_NOT_RETURNED,
            "no password attribute",
            "the response carries `password`",
        ));
    }
    if !has_schema(body, urn::USER) {
        findings.push(mismatch(
            content_check,
            "schemas",
            &urn::USER.into(),
            body.get("schemas"),
        ));
    }
    let user_name = body.get("userName").and_then(Value::as_str);
    if user_name != Some(record.user_name.as_str()) {
        let case_only = user_name.is_some_and(|name| {
            eq_ignore_case(name, &record.user_name, UnicodeFolding::Simple) != Tri::No
        });
        let check = if case_only {
            id::CASE_PRESERVED
        } else {
            content_check
        };
        findings.push(mismatch(
            check,
            "userName",
            &record.user_name.clone().into(),
            body.get("userName"),
        ));
    }
    let text_attributes = [
        (
            Tracked::GivenName,
            pointer(body, "/name/givenName"),
            &record.given_name,
        ),
        (
            Tracked::FamilyName,
            pointer(body, "/name/familyName"),
            &record.family_name,
        ),
        (
            Tracked::DisplayName,
            body.get("displayName"),
            &record.display_name,
        ),
    ];
    for (tracked, actual, wanted) in text_attributes {
        if policy.judged(tracked) && !holds_text(actual, wanted) {
            let name = tracked.filter_name();
            findings.push(mismatch(
                content_check,
                name,
                &wanted.clone().into(),
                actual,
            ));
        }
    }
    // Null, missing and "" are one state: unassigned (RFC 7643 §2.5).
    let external_id = body
        .get("externalId")
        .filter(|v| !v.is_null() && v.as_str() != Some(""));
    if policy.judged(Tracked::ExternalId)
        && external_id.and_then(Value::as_str) != record.external_id.as_deref()
    {
        let wanted = record
            .external_id
            .clone()
            .map_or(Value::Null, Value::String);
        findings.push(mismatch(content_check, "externalId", &wanted, external_id));
    }
    let number = body
        .get(urn::ENTERPRISE_USER)
        .and_then(|ext| ext.get("employeeNumber"));
    if policy.judged(Tracked::EmployeeNumber)
        && number.and_then(Value::as_str) != record.employee_number.as_deref()
    {
        let wanted = record
            .employee_number
            .clone()
            .map_or(Value::Null, Value::String);
        let name = format!("{}:employeeNumber", urn::ENTERPRISE_USER);
        findings.push(mismatch(content_check, &name, &wanted, number));
    }
    if policy.judged(Tracked::Active) && body.get("active") != Some(&Value::Bool(record.active)) {
        findings.push(mismatch(
            content_check,
            "active",
            &Value::Bool(record.active),
            body.get("active"),
        ));
    }
    if policy.judged(Tracked::Emails) {
        findings.extend(email_findings(body, record, content_check));
    }
    findings.extend(meta_findings(body, "User"));
    findings
}

/// `meta.resourceType` names the type and `meta.location`, when given, ends with the id.
pub fn meta_findings(body: &Value, resource_type: &str) -> Vec<Finding> {
    let Some(meta) = body.get("meta").filter(|m| !m.is_null()) else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    if let Some(kind) = meta
        .get("resourceType")
        .filter(|k| k.as_str() != Some(resource_type))
    {
        findings.push(Finding::new(
            id::META,
            format!("meta.resourceType \"{resource_type}\""),
            format!("meta.resourceType {kind}"),
        ));
    }
    let own_id = body.get("id").and_then(Value::as_str).unwrap_or_default();
    if let Some(location) = meta.get("location").and_then(Value::as_str) {
        if !own_id.is_empty() && !location.trim_end_matches('/').ends_with(own_id) {
            findings.push(Finding::new(
                id::META,
                format!("meta.location ending in /{own_id}"),
                format!("meta.location {location}"),
            ));
        }
    }
    findings
}

/// A user's `groups` (when returned) lists exactly the case's groups that have it as a member.
pub fn groups_findings(body: &Value, ctx: &CheckContext) -> Vec<Finding> {
    let (Some(user_id), Some(groups)) =
        (body.get("id").and_then(Value::as_str), body.get("groups"))
    else {
        return Vec::new();
    };
    let Some(items) = groups.as_array() else {
        return vec![Finding::new(
            id::MULTI_VALUED_ARRAY,
            "groups as a JSON array",
            groups.to_string(),
        )];
    };
    let actual: BTreeSet<String> = items
        .iter()
        .filter_map(|g| g.get("value").and_then(Value::as_str))
        .filter(|group_id| ctx.ids.created_here(ResourceKind::Group, group_id))
        .map(str::to_string)
        .collect();
    let wanted: BTreeSet<String> = ctx
        .memberships
        .iter()
        .find(|(id, _)| id == user_id)
        .map(|(_, groups)| groups.iter().cloned().collect())
        .unwrap_or_default();
    if actual == wanted {
        return Vec::new();
    }
    let show = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(", ");
    vec![Finding::new(
        id::GROUPS_CONSISTENT,
        format!("groups [{}]", show(&wanted)),
        format!("groups [{}]", show(&actual)),
    )]
}

fn email_findings(body: &Value, record: &UserRecord, content_check: &str) -> Vec<Finding> {
    let emails = body.get("emails").filter(|emails| !emails.is_null());
    if record.emails.is_empty() && emails.is_none_or(|e| e.as_array().is_some_and(Vec::is_empty)) {
        return Vec::new();
    }
    let Some(emails) = emails else {
        return vec![mismatch(
            content_check,
            "emails",
            &record.emails.clone().into(),
            None,
        )];
    };
    let Some(items) = emails.as_array() else {
        return vec![Finding::new(
            id::MULTI_VALUED_ARRAY,
            "emails as a JSON array",
            format!("emails = {emails}"),
        )];
    };
    let actual: BTreeSet<&str> = items
        .iter()
        .filter_map(|item| item.get("value").and_then(Value::as_str))
        .collect();
    let wanted: BTreeSet<&str> = record.emails.iter().map(String::as_str).collect();
    if actual != wanted || items.len() != record.emails.len() {
        // The actual in the expected's shape: each email's value, not the whole object.
        let values: Vec<Value> = items
            .iter()
            .map(|item| item.get("value").cloned().unwrap_or(Value::Null))
            .collect();
        return vec![mismatch(
            content_check,
            "emails[].value",
            &record.emails.clone().into(),
            Some(&Value::Array(values)),
        )];
    }
    Vec::new()
}

/// The body's `id` must be a non-empty string, equal to the handle's id when one is known.
fn id_findings(body: &Value, known_id: Option<&str>) -> Vec<Finding> {
    match body.get("id").and_then(Value::as_str) {
        Some(actual) if known_id.is_some_and(|known| known != actual) => vec![Finding::new(
            id::ID_STABLE,
            format!("id {}", known_id.unwrap_or_default()),
            format!("id {actual}"),
        )],
        Some(actual) if !actual.is_empty() && !actual.contains("bulkId") => Vec::new(),
        other => vec![Finding::new(
            id::CONTENT,
            "a non-empty string id without `bulkId`",
            format!("id = {}", other.unwrap_or("(missing)")),
        )],
    }
}

/// Compares a group body with the model's record. Members are compared when present, or always
/// when `members_required` (a GET; a PATCH answer may omit them, as Okta allows).
pub fn group_findings(
    body: &Value,
    record: &GroupRecord,
    known_id: Option<&str>,
    member_ids: &BTreeSet<String>,
    members_required: bool,
    ctx: &CheckContext,
) -> Vec<Finding> {
    let mut findings = id_findings(body, known_id);
    findings.extend(meta_findings(body, "Group"));
    let policy = &ctx.rules.attributes;
    let name = body.get("displayName");
    if policy.judged(Tracked::GroupDisplayName) && !holds_text(name, &record.display_name) {
        findings.push(mismatch(
            id::GROUP_NAME,
            "displayName",
            &record.display_name.clone().into(),
            name,
        ));
    }
    let members = match body.get("members") {
        _ if !policy.judged(Tracked::Members) => return findings,
        None | Some(Value::Null) if !members_required => return findings,
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(other) => {
            findings.push(Finding::new(
                id::MULTI_VALUED_ARRAY,
                "members as a JSON array",
                other.to_string(),
            ));
            return findings;
        }
    };
    let actual: Vec<String> = members
        .iter()
        .filter_map(|m| m.get("value").and_then(Value::as_str).map(str::to_string))
        .collect();
    let actual_set: BTreeSet<String> = actual.iter().cloned().collect();
    if &actual_set != member_ids || actual.len() != actual_set.len() {
        let describe = |ids: &mut dyn Iterator<Item = &String>| {
            ids.map(|id| describe_user(ctx, id))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Only users this case deleted are extra: a dangling reference, not a lost PATCH.
        let is_deleted_user = |user_id: &String| {
            ctx.ids.created_here(ResourceKind::User, user_id)
                && !ctx.memberships.iter().any(|(live, _)| live == user_id)
        };
        let only_deleted_extra = actual.len() == actual_set.len()
            && member_ids.is_subset(&actual_set)
            && actual_set.difference(member_ids).all(is_deleted_user);
        let check = if only_deleted_extra {
            id::GROUP_DELETED_MEMBER
        } else {
            id::GROUP_MEMBERSHIP
        };
        findings.push(Finding::new(
            check,
            format!("members [{}]", describe(&mut member_ids.iter())),
            format!("members [{}]", describe(&mut actual.iter())),
        ));
    }
    findings
}

/// A user id as `user#<slot> (<id>)` when it is one of the case's handles.
pub fn describe_user(ctx: &CheckContext, user_id: &str) -> String {
    match ctx.ids.slot_of(ResourceKind::User, user_id) {
        Some(slot) => format!("user#{slot} ({user_id})"),
        None => user_id.to_string(),
    }
}

/// Whether `actual` holds the text `wanted`. An empty `wanted` is an attribute the server holds
/// no value for (the model adopted a server that left it out): missing, null and `""` are the
/// same state then (RFC 7643 §2.5).
fn holds_text(actual: Option<&Value>, wanted: &str) -> bool {
    match actual {
        None | Some(Value::Null) => wanted.is_empty(),
        Some(value) => value.as_str() == Some(wanted),
    }
}

fn pointer<'a>(body: &'a Value, path: &str) -> Option<&'a Value> {
    body.pointer(path)
}

fn has_schema(body: &Value, schema: &str) -> bool {
    body.get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|schemas| schemas.iter().any(|s| s.as_str() == Some(schema)))
}

fn mismatch(check: &str, attribute: &str, wanted: &Value, actual: Option<&Value>) -> Finding {
    let actual = actual.map_or_else(|| "(missing)".to_string(), Value::to_string);
    Finding::new(
        check,
        format!("{attribute} = {wanted}"),
        format!("{attribute} = {actual}"),
    )
    .about(attribute)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A duplicated email is shown as the values the model holds against the values returned,
    /// not strings against whole objects.
    #[test]
    fn emails_are_compared_and_shown_as_their_values() {
        let record = UserRecord {
            user_name: "a".into(),
            given_name: "A".into(),
            family_name: "B".into(),
            display_name: "A B".into(),
            external_id: None,
            emails: vec!["a@example.com".into()],
            active: true,
            employee_number: None,
        };
        let body = serde_json::json!({"emails": [
            {"value": "a@example.com", "primary": true, "type": "work"},
            {"value": "a@example.com", "type": "work"},
        ]});
        let findings = email_findings(&body, &record, id::PATCH_ADD_EXISTING);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].expected, "emails[].value = [\"a@example.com\"]");
        assert_eq!(
            findings[0].actual,
            "emails[].value = [\"a@example.com\",\"a@example.com\"]"
        );
    }
}
