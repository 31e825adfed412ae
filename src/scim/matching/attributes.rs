//! The attribute characteristics that matching depends on — type and `caseExact` — read from RFC
//! 7643's attribute table (`scim::schema`): the common attributes (§3.1), User and Group (§4,
//! §8.7.1) and the Enterprise User extension (§4.3).
//!
//! RFC 7643 makes `id`, `externalId`, `meta.resourceType` and `meta.version` case exact (§3.1);
//! every User, Group and Enterprise User attribute is `"caseExact": false` (§8.7.1), and so is any
//! attribute a schema does not define (§2.2: the default is false). `meta.created` and
//! `meta.lastModified` are dateTimes, compared as instants.

use serde_json::Value;

use super::super::filter::ast::AttrPath;
use super::super::filter::parser::attr_path_from_word;
use super::super::schema::AttributeTable;
use super::super::urn;

/// The data types of RFC 7643 §2.3 (the table's).
pub use crate::scim::schema::AttrType;

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
    let table = AttributeTable::rfc();
    let kind = schema.map_or(resource, SchemaKind::from_name);
    let attribute = match kind {
        SchemaKind::User => table.attribute(urn::USER, name),
        SchemaKind::Group => table.attribute(urn::GROUP, name),
        SchemaKind::EnterpriseUser => table.attribute(urn::ENTERPRISE_USER, name),
        SchemaKind::Unknown => table.common_attribute(name),
    }?;
    let attribute = match sub {
        Some(sub) => attribute.sub(sub)?,
        None => attribute,
    };
    Some(AttributeRule {
        attr_type: attribute.kind,
        case_exact: attribute.case_exact,
    })
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
