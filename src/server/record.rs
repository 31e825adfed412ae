//! What the store holds: the two resource [`Kind`]s, a stored [`Record`] with its version and
//! timestamps, weak ETag matching for If-Match, and the error of a change that commits partly.

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
    fn weak_and_strong_forms_of_one_tag_match() {
        assert!(etag_matches("\"3\"", "W/\"3\""));
        assert!(etag_matches("*", "W/\"3\""));
        assert!(etag_matches("W/\"1\", W/\"3\"", "W/\"3\""));
        assert!(!etag_matches("W/\"2\"", "W/\"3\""));
    }
}
