//! What the store holds: the two resource [`Kind`]s, a [`Record`] with its version and
//! timestamps, its compact [`Stored`] form, weak ETag matching for If-Match, and the error of a
//! change that commits partly.

use chrono::{SecondsFormat, Utc};
use serde_json::{Map, Value};

use super::errors::ScimError;

/// The two resource types the server stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    User,
    Group,
}

impl Kind {
    /// The `meta.resourceType` and endpoint name: `User` or `Group`.
    pub fn resource_type(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }

    /// The endpoint path segment: `Users` or `Groups`.
    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::User => "Users",
            Kind::Group => "Groups",
        }
    }
}

/// One stored resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: String,
    /// Creation sequence number: the stable list order.
    pub seq: u64,
    /// Incremented on every write; rendered as the weak ETag `W/"n"`.
    pub version: u64,
    pub created: String,
    pub last_modified: String,
    /// The client-supplied attributes (no id, meta or groups).
    pub body: Map<String, Value>,
}

impl Record {
    /// The weak entity tag of this version, e.g. `W/"3"`.
    pub fn etag(&self) -> String {
        format!("W/\"{}\"", self.version)
    }

    /// The userName (users) or displayName (groups), if it is a string.
    pub fn text(&self, attribute: &str) -> Option<&str> {
        self.body.get(attribute).and_then(Value::as_str)
    }
}

/// A record as the store keeps it: the attributes as compact JSON text (a parsed map of an
/// Okta user costs about ten times the memory), plus the few fields the indexes, list order and
/// renders need without parsing.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: String,
    pub seq: u64,
    pub version: u64,
    pub created: String,
    pub last_modified: String,
    /// The userName (users) or displayName (groups).
    pub name: Box<str>,
    /// Whether `active` is anything but `false`.
    pub active: bool,
    /// The `value`s of the members (groups; empty for users).
    pub members: Box<[Box<str>]>,
    body: Box<str>,
}

impl Stored {
    /// The compact form of a record.
    pub fn from_record(record: &Record) -> Self {
        let name = record
            .text("userName")
            .or_else(|| record.text("displayName"));
        Self {
            id: record.id.clone(),
            seq: record.seq,
            version: record.version,
            created: record.created.clone(),
            last_modified: record.last_modified.clone(),
            name: name.unwrap_or_default().into(),
            active: record.body.get("active") != Some(&Value::Bool(false)),
            members: member_values(&record.body).map(Into::into).collect(),
            body: serde_json::to_string(&record.body)
                .unwrap_or_else(|_| "{}".to_string())
                .into_boxed_str(),
        }
    }

    /// The full record, attributes parsed back.
    pub fn to_record(&self) -> Record {
        Record {
            id: self.id.clone(),
            seq: self.seq,
            version: self.version,
            created: self.created.clone(),
            last_modified: self.last_modified.clone(),
            body: serde_json::from_str(&self.body).unwrap_or_default(),
        }
    }

    /// The weak entity tag of this version, e.g. `W/"3"`.
    pub fn etag(&self) -> String {
        format!("W/\"{}\"", self.version)
    }
}

/// The `value`s of a group's `members`.
pub fn member_values(body: &Map<String, Value>) -> impl Iterator<Item = &str> {
    body.get("members")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|member| member.get("value").and_then(Value::as_str))
}

/// A change that failed but, under a fault, still commits part of its work.
#[derive(Debug)]
pub struct ChangeError {
    pub error: ScimError,
    pub commit: Option<Map<String, Value>>,
}

impl From<ScimError> for ChangeError {
    fn from(error: ScimError) -> Self {
        Self {
            error,
            commit: None,
        }
    }
}

/// Whether an If-Match header value accepts the current entity tag (`*` or a listed tag; weak
/// comparison, so `"3"` matches `W/"3"`).
pub fn etag_matches(if_match: &str, current: &str) -> bool {
    let strip = |tag: &str| tag.trim().trim_start_matches("W/").to_string();
    if_match
        .split(',')
        .any(|candidate| candidate.trim() == "*" || strip(candidate) == strip(current))
}

/// The 404 for an id that names no resource of this kind.
pub fn not_found(kind: Kind, id: &str) -> ScimError {
    let shown: String = id.chars().take(80).collect();
    ScimError::not_found(format!("no {} with id `{shown}`", kind.resource_type()))
}

/// The current time in RFC 3339 with milliseconds, UTC.
pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compact_form_round_trips_and_keeps_name_active_and_members() {
        let body = serde_json::json!({ "displayName": "g", "active": false, "members": [{ "value": "u1" }] });
        let record = Record {
            id: "id".into(),
            seq: 3,
            version: 2,
            created: now(),
            last_modified: now(),
            body: body.as_object().cloned().unwrap(),
        };
        let stored = Stored::from_record(&record);
        assert_eq!(stored.to_record(), record);
        assert_eq!(
            (&*stored.name, stored.active, stored.members.len()),
            ("g", false, 1)
        );
        assert_eq!(stored.etag(), record.etag());
    }

    #[test]
    fn weak_and_strong_forms_of_one_tag_match() {
        assert!(etag_matches("\"3\"", "W/\"3\""));
        assert!(etag_matches("*", "W/\"3\""));
        assert!(etag_matches("W/\"1\", W/\"3\"", "W/\"3\""));
        assert!(!etag_matches("W/\"2\"", "W/\"3\""));
    }
}
