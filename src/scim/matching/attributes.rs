//! The attribute characteristics that matching depends on — type and `caseExact` — for the
//! schemas of RFC 7643: the common attributes (§3.1), User and Group (§4, §8.7.1) and the
//! Enterprise User extension (§4.3).
//!
//! RFC 7643 makes `id`, `externalId`, `meta.resourceType` and `meta.version` case exact (§3.1);
//! every User, Group and Enterprise User attribute is `"caseExact": false` (§8.7.1), and so is any
//! attribute a schema does not define (§2.2: the default is false). `meta.created` and
//! `meta.lastModified` are dateTimes, compared as instants.

use serde_json::Value;

use super::super::filter::ast::AttrPath;
use super::super::filter::parser::attr_path_from_word;
use super::super::urn;

/// The data types of RFC 7643 §2.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttrType {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Binary,
    Reference,
    Complex,
}

/// What matching needs to know about one attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AttributeRule {
    pub attr_type: AttrType,
    /// Whether string values compare code point by code point (true) or ignoring case.
    pub case_exact: bool,
}

/// The schemas whose attributes this module knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaKind {
    User,
    Group,
    EnterpriseUser,
    /// Any other resource type or schema: only the common attributes are known.
    Unknown,
}

impl SchemaKind {
    /// From a resource type name (`User`, `Group`, case-insensitive) or a schema URN.
    pub fn from_name(resource_type_or_schema: &str) -> Self {
        let name = resource_type_or_schema;
        if name.eq_ignore_ascii_case("User") || name.eq_ignore_ascii_case(urn::USER) {
            SchemaKind::User
        } else if name.eq_ignore_ascii_case("Group") || name.eq_ignore_ascii_case(urn::GROUP) {
            SchemaKind::Group
        } else if name.eq_ignore_ascii_case(urn::ENTERPRISE_USER) {
            SchemaKind::EnterpriseUser
        } else {
            SchemaKind::Unknown
        }
    }

    /// The core kind of a resource's JSON: from its `schemas` (the core schema URN), else its
    /// `meta.resourceType`.
    pub fn of_resource(resource: &Value) -> Self {
        let from_schemas = resource
            .get("schemas")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(SchemaKind::from_name)
            .find(|kind| matches!(kind, SchemaKind::User | SchemaKind::Group));
        from_schemas.unwrap_or_else(|| {
            resource
                .get("meta")
                .and_then(|meta| meta.get("resourceType"))
                .and_then(Value::as_str)
                .map_or(SchemaKind::Unknown, SchemaKind::from_name)
        })
    }
}

/// Whether string values of `attr_path` compare case-exactly in resources of
/// `resource_type_or_schema` (`User`, `Group` or a schema URN). `attr_path` is written as in a
/// filter: `userName`, `emails.value`, `urn:...:enterprise:2.0:User:employeeNumber`.
/// Unknown or malformed paths get the RFC default, false.
pub fn case_exact(resource_type_or_schema: &str, attr_path: &str) -> bool {
    let Ok(path) = attr_path_from_word(attr_path, 0) else {
        return false;
    };
    attribute_rule(SchemaKind::from_name(resource_type_or_schema), &path, None)
        .is_some_and(|rule| rule.case_exact)
}

/// The rule for `path` in a resource of kind `resource`. Inside a value filter such as
/// `emails[type eq "work"]`, `parent` is the filtered attribute (`emails`) and `path` names
/// its sub-attribute (`type`). `None` when the schema does not define the attribute.
pub fn attribute_rule(
    resource: SchemaKind,
    path: &AttrPath,
    parent: Option<&AttrPath>,
) -> Option<AttributeRule> {
    let (schema, name, sub) = match parent {
        Some(parent) => (
            parent.schema.as_deref(),
            &parent.name,
            Some(path.name.as_str()),
        ),
        None => (path.schema.as_deref(), &path.name, path.sub_attr.as_deref()),
    };
    let mut buffer = [0u8; MAX_KEY_LEN];
    let key = lowercase_key(&mut buffer, name, sub)?;
    let kind = schema.map_or(resource, SchemaKind::from_name);
    let common = matches!(
        kind,
        SchemaKind::User | SchemaKind::Group | SchemaKind::Unknown
    );
    if common {
        if let Some(rule) = common_attribute(key) {
            return Some(rule);
        }
    }
    let attr_type = match kind {
        SchemaKind::User => user_attribute(key),
        SchemaKind::Group => group_attribute(key),
        SchemaKind::EnterpriseUser => enterprise_attribute(key),
        SchemaKind::Unknown => None,
    }?;
    Some(AttributeRule {
        attr_type,
        case_exact: false,
    })
}

/// Longer than any attribute key the tables know; longer keys are unknown attributes.
const MAX_KEY_LEN: usize = 64;

/// `name` or `name.sub`, ASCII-lowercased into `buffer` (no allocation: this runs for every
/// comparison of every resource a filter scans). `None` if it does not fit.
fn lowercase_key<'b>(
    buffer: &'b mut [u8; MAX_KEY_LEN],
    name: &str,
    sub: Option<&str>,
) -> Option<&'b str> {
    let len = name.len() + sub.map_or(0, |sub| sub.len() + 1);
    if len > MAX_KEY_LEN {
        return None;
    }
    buffer[..name.len()].copy_from_slice(name.as_bytes());
    if let Some(sub) = sub {
        buffer[name.len()] = b'.';
        buffer[name.len() + 1..len].copy_from_slice(sub.as_bytes());
    }
    buffer[..len].make_ascii_lowercase();
    std::str::from_utf8(&buffer[..len]).ok()
}

/// RFC 7643 §3.1: the attributes every resource has.
fn common_attribute(key: &str) -> Option<AttributeRule> {
    let (attr_type, case_exact) = match key {
        "id" | "externalid" | "meta.resourcetype" | "meta.version" => (AttrType::String, true),
        "meta.created" | "meta.lastmodified" => (AttrType::DateTime, false),
        "meta.location" | "schemas" => (AttrType::Reference, false),
        "meta" => (AttrType::Complex, false),
        _ => return None,
    };
    Some(AttributeRule {
        attr_type,
        case_exact,
    })
}

/// RFC 7643 §4.1 / §8.7.1: the User attributes (all `"caseExact": false`).
fn user_attribute(key: &str) -> Option<AttrType> {
    let attr_type = match key {
        "username" | "displayname" | "nickname" | "title" | "usertype" | "preferredlanguage"
        | "locale" | "timezone" | "password" => AttrType::String,
        "name.formatted"
        | "name.familyname"
        | "name.givenname"
        | "name.middlename"
        | "name.honorificprefix"
        | "name.honorificsuffix" => AttrType::String,
        "profileurl" | "photos.value" | "groups.$ref" => AttrType::Reference,
        "active" => AttrType::Boolean,
        "name" | "emails" | "phonenumbers" | "ims" | "photos" | "addresses" | "groups"
        | "entitlements" | "roles" | "x509certificates" => AttrType::Complex,
        "x509certificates.value" => AttrType::Binary,
        "addresses.formatted"
        | "addresses.streetaddress"
        | "addresses.locality"
        | "addresses.region"
        | "addresses.postalcode"
        | "addresses.country" => AttrType::String,
        _ => return multi_valued_sub_attribute(key),
    };
    Some(attr_type)
}

/// The sub-attributes every multi-valued User attribute has (RFC 7643 §2.4).
fn multi_valued_sub_attribute(key: &str) -> Option<AttrType> {
    let (parent, sub) = key.split_once('.')?;
    let multi_valued = matches!(
        parent,
        "emails"
            | "phonenumbers"
            | "ims"
            | "photos"
            | "addresses"
            | "groups"
            | "entitlements"
            | "roles"
            | "x509certificates"
    );
    if !multi_valued {
        return None;
    }
    match sub {
        "value" | "display" | "type" => Some(AttrType::String),
        "primary" => Some(AttrType::Boolean),
        _ => None,
    }
}

/// RFC 7643 §4.2 / §8.7.1: the Group attributes.
fn group_attribute(key: &str) -> Option<AttrType> {
    match key {
        "displayname" | "members.value" | "members.type" | "members.display" => {
            Some(AttrType::String)
        }
        "members.$ref" => Some(AttrType::Reference),
        "members" => Some(AttrType::Complex),
        _ => None,
    }
}

/// RFC 7643 §4.3: the Enterprise User extension's attributes.
fn enterprise_attribute(key: &str) -> Option<AttrType> {
    match key {
        "employeenumber"
        | "costcenter"
        | "organization"
        | "division"
        | "department"
        | "manager.value"
        | "manager.displayname" => Some(AttrType::String),
        "manager.$ref" => Some(AttrType::Reference),
        "manager" => Some(AttrType::Complex),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn id_and_external_id_are_case_exact_for_every_resource_type() {
        for resource in ["User", "Group", urn::USER, urn::GROUP, "Device"] {
            assert!(case_exact(resource, "id"), "{resource}");
            assert!(case_exact(resource, "externalId"), "{resource}");
            assert!(case_exact(resource, "meta.version"), "{resource}");
            assert!(case_exact(resource, "META.resourceType"), "{resource}");
        }
    }

    #[test]
    fn user_names_emails_and_display_names_are_not_case_exact() {
        for path in [
            "userName",
            "displayName",
            "emails.value",
            "name.familyName",
            "title",
        ] {
            assert!(!case_exact("User", path), "{path}");
        }
        assert!(!case_exact("Group", "displayName"));
        assert!(!case_exact("Group", "members.value"));
    }

    #[test]
    fn enterprise_attributes_are_known_and_not_case_exact() {
        let path = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber";
        assert!(!case_exact("User", path));
        let parsed = attr_path_from_word(path, 0).unwrap();
        assert_eq!(
            attribute_rule(SchemaKind::User, &parsed, None).map(|rule| rule.attr_type),
            Some(AttrType::String)
        );
        // The extension has no `id` of its own.
        let ext_id = attr_path_from_word(&format!("{}:id", urn::ENTERPRISE_USER), 0).unwrap();
        assert_eq!(attribute_rule(SchemaKind::User, &ext_id, None), None);
    }

    #[test]
    fn core_urn_prefixes_resolve_to_the_core_table() {
        let path = format!("{}:id", urn::USER);
        assert!(case_exact("Group", &path));
    }

    #[test]
    fn meta_timestamps_are_datetimes() {
        let path = AttrPath::with_sub("meta", "lastModified");
        let rule = attribute_rule(SchemaKind::User, &path, None).unwrap();
        assert_eq!(rule.attr_type, AttrType::DateTime);
    }

    #[test]
    fn sub_attributes_inside_value_filters_resolve_through_their_parent() {
        let parent = AttrPath::simple("emails");
        let rule = attribute_rule(
            SchemaKind::User,
            &AttrPath::simple("primary"),
            Some(&parent),
        );
        assert_eq!(rule.map(|rule| rule.attr_type), Some(AttrType::Boolean));
    }

    #[test]
    fn unknown_and_malformed_paths_default_to_not_case_exact() {
        assert!(!case_exact("User", "favouriteColour"));
        assert!(!case_exact("User", &format!("{}.x", "y".repeat(100))));
        assert!(!case_exact("User", "not a path"));
    }

    #[test]
    fn a_resource_kind_comes_from_schemas_or_meta() {
        assert_eq!(
            SchemaKind::of_resource(&json!({"schemas": [urn::ENTERPRISE_USER, urn::USER]})),
            SchemaKind::User
        );
        assert_eq!(
            SchemaKind::of_resource(&json!({"meta": {"resourceType": "Group"}})),
            SchemaKind::Group
        );
        assert_eq!(SchemaKind::of_resource(&json!({})), SchemaKind::Unknown);
    }
}
