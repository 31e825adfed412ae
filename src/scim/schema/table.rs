//! The table's types and lookups: an [`Attribute`] with its characteristics (RFC 7643 §2.2, §7),
//! a [`SchemaDef`] per schema URN, and the [`AttributeTable`] that answers "is `emails`
//! multi-valued?", "is `userName` caseExact?", "which attributes are required?". Names and URNs
//! are matched case-insensitively (RFC 7643 §2.1).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::scim::urn;

/// An attribute's data type (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
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

/// When an attribute may be written (RFC 7643 §7, `mutability`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

/// When an attribute is returned (RFC 7643 §7, `returned`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

/// How unique a value must be (RFC 7643 §7, `uniqueness`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Uniqueness {
    None,
    Server,
    Global,
}

macro_rules! keywords {
    ($ty:ident { $($variant:ident = $word:literal),* $(,)? }) => {
        impl $ty {
            /// The keyword as RFC 7643 spells it.
            pub fn keyword(self) -> &'static str {
                match self { $($ty::$variant => $word),* }
            }
            /// Parses the keyword (case-insensitively); `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                [$($ty::$variant),*].into_iter().find(|v| v.keyword().eq_ignore_ascii_case(text))
            }
        }
    };
}

keywords!(AttrType { String = "string", Boolean = "boolean", Decimal = "decimal",
    Integer = "integer", DateTime = "dateTime", Binary = "binary", Reference = "reference",
    Complex = "complex" });
keywords!(Mutability { ReadOnly = "readOnly", ReadWrite = "readWrite",
    Immutable = "immutable", WriteOnly = "writeOnly" });
keywords!(Returned { Always = "always", Never = "never", Default = "default",
    Request = "request" });
keywords!(Uniqueness { None = "none", Server = "server", Global = "global" });

/// One attribute and its characteristics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attribute {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: AttrType,
    pub multi_valued: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub required: bool,
    pub uniqueness: Uniqueness,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_attributes: Vec<Attribute>,
}

impl Attribute {
    /// An attribute with RFC 7643 §2.2's defaults: single-valued, optional, case-insensitive,
    /// read-write, returned by default, not unique.
    pub fn new(name: &str, kind: AttrType) -> Self {
        Self {
            name: name.to_string(),
            kind,
            multi_valued: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            required: false,
            uniqueness: Uniqueness::None,
            sub_attributes: Vec::new(),
        }
    }

    /// The sub-attribute `name`, if any (case-insensitive).
    pub fn sub(&self, name: &str) -> Option<&Attribute> {
        find(&self.sub_attributes, name)
    }

    /// Whether a client may send it in a create or replace.
    pub fn writable(&self) -> bool {
        matches!(
            self.mutability,
            Mutability::ReadWrite | Mutability::Immutable | Mutability::WriteOnly
        )
    }

    /// The attribute definition as RFC 7643 §7 writes it (what `/Schemas` serves).
    pub fn to_json(&self) -> Value {
        let mut out = json!({
            "name": self.name,
            "type": self.kind.keyword(),
            "multiValued": self.multi_valued,
            "description": self.name,
            "required": self.required,
            "caseExact": self.case_exact,
            "mutability": self.mutability.keyword(),
            "returned": self.returned.keyword(),
            "uniqueness": self.uniqueness.keyword(),
        });
        if !self.sub_attributes.is_empty() {
            out["subAttributes"] = self.sub_attributes.iter().map(Attribute::to_json).collect();
        }
        out
    }
}

/// One schema: its URN, a short name and its attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaDef {
    pub id: String,
    pub name: String,
    pub attributes: Vec<Attribute>,
}

impl SchemaDef {
    /// The schema as RFC 7643 §7 writes it, without `meta`.
    pub fn to_json(&self) -> Value {
        json!({
            "schemas": [urn::SCHEMA],
            "id": self.id,
            "name": self.name,
            "description": format!("{} schema", self.name),
            "attributes": self.attributes.iter().map(Attribute::to_json).collect::<Vec<_>>(),
        })
    }
}

/// The attributes of every schema the table knows, plus the common attributes (`id`,
/// `externalId`, `meta`) of RFC 7643 §3.1 that every core resource has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeTable {
    pub schemas: Vec<SchemaDef>,
    pub common: Vec<Attribute>,
}

pub(super) fn find<'a>(attributes: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attributes
        .iter()
        .find(|attribute| attribute.name.eq_ignore_ascii_case(name))
}

impl AttributeTable {
    /// The schema with URN `id`, if known.
    pub fn schema(&self, id: &str) -> Option<&SchemaDef> {
        self.schemas
            .iter()
            .find(|schema| schema.id.eq_ignore_ascii_case(id))
    }

    pub(super) fn schema_mut(&mut self, id: &str) -> Option<&mut SchemaDef> {
        self.schemas
            .iter_mut()
            .find(|schema| schema.id.eq_ignore_ascii_case(id))
    }

    /// Attribute `name` of schema `schema` (its own attributes first, then the common ones for
    /// the core User and Group schemas).
    pub fn attribute(&self, schema: &str, name: &str) -> Option<&Attribute> {
        let own = self
            .schema(schema)
            .and_then(|def| find(&def.attributes, name));
        let is_core =
            schema.eq_ignore_ascii_case(urn::USER) || schema.eq_ignore_ascii_case(urn::GROUP);
        own.or_else(|| is_core.then(|| find(&self.common, name)).flatten())
    }

    /// A common attribute (`id`, `externalId`, `meta`, `schemas`), whatever the resource type.
    pub fn common_attribute(&self, name: &str) -> Option<&Attribute> {
        find(&self.common, name)
    }

    /// A User attribute.
    pub fn user(&self, name: &str) -> Option<&Attribute> {
        self.attribute(urn::USER, name)
    }

    /// A Group attribute.
    pub fn group(&self, name: &str) -> Option<&Attribute> {
        self.attribute(urn::GROUP, name)
    }

    /// Whether attribute `name` of `schema` is multi-valued (unknown attributes are not).
    pub fn is_multi_valued(&self, schema: &str, name: &str) -> bool {
        self.attribute(schema, name).is_some_and(|a| a.multi_valued)
    }

    /// Whether attribute `name` of `schema` is compared case-exactly (unknown ones are not,
    /// RFC 7643 §2.2).
    pub fn is_case_exact(&self, schema: &str, name: &str) -> bool {
        self.attribute(schema, name).is_some_and(|a| a.case_exact)
    }

    /// The multi-valued attributes of `schema` a client may write, in table order.
    pub fn writable_multi_valued(&self, schema: &str) -> Vec<&str> {
        self.schema(schema)
            .map(|def| {
                def.attributes
                    .iter()
                    .filter(|a| a.multi_valued && a.writable())
                    .map(|a| a.name.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The required attributes of `schema` that RFC 7643 does not require (what a server adds:
    /// `userName` for User and `displayName` for Group are the RFC's own).
    pub fn required_beyond_rfc(&self, schema: &str) -> Vec<&Attribute> {
        let rfc = Self::rfc7643();
        self.schema(schema)
            .map(|def| {
                def.attributes
                    .iter()
                    .filter(|a| a.required && a.writable())
                    .filter(|a| !rfc.attribute(schema, &a.name).is_some_and(|r| r.required))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_table_knows_the_facts_the_code_relies_on() {
        let table = AttributeTable::rfc();
        assert_eq!(
            table.writable_multi_valued(urn::USER),
            [
                "emails",
                "phoneNumbers",
                "ims",
                "photos",
                "addresses",
                "entitlements",
                "roles",
                "x509Certificates"
            ]
        );
        assert_eq!(table.writable_multi_valued(urn::GROUP), ["members"]);
        assert!(!table.is_case_exact(urn::USER, "USERNAME"));
        assert!(table.is_case_exact(urn::USER, "externalId"));
        assert!(table.is_case_exact(urn::GROUP, "id"));
        assert!(!table.is_case_exact(urn::ENTERPRISE_USER, "id"));
        let password = table.user("password").unwrap();
        assert_eq!(
            (password.mutability, password.returned),
            (Mutability::WriteOnly, Returned::Never)
        );
        assert_eq!(
            table.user("groups").unwrap().mutability,
            Mutability::ReadOnly
        );
        assert!(table.user("userName").unwrap().required);
        assert!(table.group("displayName").unwrap().required);
        assert!(table.required_beyond_rfc(urn::USER).is_empty());
        assert!(table.required_beyond_rfc(urn::GROUP).is_empty());
        assert_eq!(
            table
                .attribute(urn::ENTERPRISE_USER, "employeeNumber")
                .map(|a| a.kind),
            Some(AttrType::String)
        );
    }

    #[test]
    fn keywords_parse_case_insensitively_and_round_trip() {
        for kind in [AttrType::DateTime, AttrType::Reference, AttrType::Complex] {
            assert_eq!(AttrType::parse(&kind.keyword().to_uppercase()), Some(kind));
        }
        assert_eq!(Mutability::parse("writeonly"), Some(Mutability::WriteOnly));
        assert_eq!(Returned::parse("sometimes"), None);
        let json = AttributeTable::rfc().user("emails").unwrap().to_json();
        assert_eq!(json["subAttributes"][3]["type"], "boolean");
        assert_eq!(json["multiValued"], true);
    }
}
