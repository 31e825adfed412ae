//! The table as RFC 7643 defines it: the common attributes of §3.1, User (§4.1, §8.7.1), Group
//! (§4.2, §8.7.1) and the Enterprise User extension (§4.3, §8.7.1). `displayName` of Group is
//! required here as §4.2 says ("REQUIRED"), although the §8.7.1 example marks it optional. Every
//! User, Group and Enterprise User attribute is `caseExact: false` as §8.7.1 writes them
//! (references included); `id`, `externalId`, `meta.resourceType` and `meta.version` are case
//! exact (§3.1).

use std::sync::LazyLock;

use super::table::{
    AttrType, Attribute, AttributeTable, Mutability, Returned, SchemaDef, Uniqueness,
};
use crate::scim::urn;

static RFC7643: LazyLock<AttributeTable> = LazyLock::new(build);

impl AttributeTable {
    /// The table of RFC 7643 (a fresh copy, e.g. to overlay a server's `/Schemas` on).
    pub fn rfc7643() -> Self {
        RFC7643.clone()
    }

    /// The shared, never-overlaid table of RFC 7643.
    pub fn rfc() -> &'static AttributeTable {
        &RFC7643
    }
}

fn string(name: &str) -> Attribute {
    Attribute::new(name, AttrType::String)
}

fn typed(name: &str, kind: AttrType) -> Attribute {
    Attribute::new(name, kind)
}

fn complex(name: &str, multi_valued: bool, subs: Vec<Attribute>) -> Attribute {
    Attribute {
        multi_valued,
        sub_attributes: subs,
        ..Attribute::new(name, AttrType::Complex)
    }
}

fn read_only(mut attribute: Attribute) -> Attribute {
    attribute.mutability = Mutability::ReadOnly;
    for sub in &mut attribute.sub_attributes {
        sub.mutability = Mutability::ReadOnly;
    }
    attribute
}

fn case_exact(mut attribute: Attribute) -> Attribute {
    attribute.case_exact = true;
    attribute
}

/// `value`, `display`, `type`, `primary`: the sub-attributes of most multi-valued attributes
/// (RFC 7643 §2.4), with `value` of the given type.
fn multi_valued(name: &str, value: AttrType) -> Attribute {
    complex(
        name,
        true,
        vec![
            typed("value", value),
            string("display"),
            string("type"),
            typed("primary", AttrType::Boolean),
        ],
    )
}

fn common() -> Vec<Attribute> {
    let id = Attribute {
        case_exact: true,
        mutability: Mutability::ReadOnly,
        returned: Returned::Always,
        uniqueness: Uniqueness::Server,
        ..string("id")
    };
    let meta = read_only(complex(
        "meta",
        false,
        vec![
            case_exact(string("resourceType")),
            typed("created", AttrType::DateTime),
            typed("lastModified", AttrType::DateTime),
            typed("location", AttrType::Reference),
            case_exact(string("version")),
        ],
    ));
    let schemas = Attribute {
        multi_valued: true,
        mutability: Mutability::ReadOnly,
        returned: Returned::Always,
        ..typed("schemas", AttrType::Reference)
    };
    vec![id, case_exact(string("externalId")), meta, schemas]
}

fn user() -> Vec<Attribute> {
    let user_name = Attribute {
        required: true,
        uniqueness: Uniqueness::Server,
        ..string("userName")
    };
    let name = complex(
        "name",
        false,
        [
            "formatted",
            "familyName",
            "givenName",
            "middleName",
            "honorificPrefix",
            "honorificSuffix",
        ]
        .map(string)
        .to_vec(),
    );
    let password = Attribute {
        mutability: Mutability::WriteOnly,
        returned: Returned::Never,
        ..string("password")
    };
    let mut addresses = complex(
        "addresses",
        true,
        [
            "formatted",
            "streetAddress",
            "locality",
            "region",
            "postalCode",
            "country",
            "type",
        ]
        .map(string)
        .to_vec(),
    );
    addresses
        .sub_attributes
        .push(typed("primary", AttrType::Boolean));
    let groups = read_only(complex(
        "groups",
        true,
        vec![
            string("value"),
            typed("$ref", AttrType::Reference),
            string("display"),
            string("type"),
        ],
    ));
    vec![
        user_name,
        name,
        string("displayName"),
        string("nickName"),
        typed("profileUrl", AttrType::Reference),
        string("title"),
        string("userType"),
        string("preferredLanguage"),
        string("locale"),
        string("timezone"),
        typed("active", AttrType::Boolean),
        password,
        multi_valued("emails", AttrType::String),
        multi_valued("phoneNumbers", AttrType::String),
        multi_valued("ims", AttrType::String),
        multi_valued("photos", AttrType::Reference),
        addresses,
        groups,
        multi_valued("entitlements", AttrType::String),
        multi_valued("roles", AttrType::String),
        multi_valued("x509Certificates", AttrType::Binary),
    ]
}

fn group() -> Vec<Attribute> {
    let immutable = |attribute: Attribute| Attribute {
        mutability: Mutability::Immutable,
        ..attribute
    };
    let members = complex(
        "members",
        true,
        vec![
            immutable(string("value")),
            immutable(typed("$ref", AttrType::Reference)),
            immutable(string("type")),
            // Not in §8.7.1, but sent by every client that names its members (Okta does).
            string("display"),
        ],
    );
    let display_name = Attribute {
        required: true,
        ..string("displayName")
    };
    vec![display_name, members]
}

fn enterprise() -> Vec<Attribute> {
    let mut attributes: Vec<Attribute> = [
        "employeeNumber",
        "costCenter",
        "organization",
        "division",
        "department",
    ]
    .map(string)
    .to_vec();
    attributes.push(complex(
        "manager",
        false,
        vec![
            string("value"),
            typed("$ref", AttrType::Reference),
            read_only(string("displayName")),
        ],
    ));
    attributes
}

fn build() -> AttributeTable {
    let schema = |id: &str, name: &str, attributes| SchemaDef {
        id: id.to_string(),
        name: name.to_string(),
        attributes,
    };
    AttributeTable {
        schemas: vec![
            schema(urn::USER, "User", user()),
            schema(urn::GROUP, "Group", group()),
            schema(urn::ENTERPRISE_USER, "EnterpriseUser", enterprise()),
        ],
        common: common(),
    }
}
