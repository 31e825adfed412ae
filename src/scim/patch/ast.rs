//! The PATCH request vocabulary of RFC 7644 §3.5.2: the operation list and the `path` grammar
//! (`attrPath / valuePath [subAttr]`), shared by the reference server and the fuzzer.

use super::super::filter::ast::{AttrPath, Filter};

/// A parsed PATCH `path`.
///
/// - `name.givenName`: `attr` with a sub-attribute, no filter.
/// - `members[value eq "2819c223"]`: `attr` = members, `filter` set, no `sub_attr`.
/// - `emails[type eq "work"].value`: `attr` = emails, `filter` set, `sub_attr` = value.
/// - `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`: `attr` with a schema.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The attribute the operation targets (with its optional schema and sub-attribute).
    pub attr: AttrPath,
    /// The value filter in brackets, selecting elements of a multi-valued attribute.
    pub filter: Option<Filter>,
    /// The sub-attribute after the brackets (`.value` in `emails[type eq "work"].value`).
    pub sub_attr: Option<String>,
}

/// The three PATCH operations. Parsing is case-insensitive (`Replace` is Entra's habit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, arbitrary::Arbitrary)]
pub enum PatchOpKind {
    Add,
    Remove,
    Replace,
}

impl PatchOpKind {
    /// The lowercase name, as sent on the wire.
    pub fn name(self) -> &'static str {
        match self {
            PatchOpKind::Add => "add",
            PatchOpKind::Remove => "remove",
            PatchOpKind::Replace => "replace",
        }
    }

    /// Parses an op name case-insensitively.
    pub fn from_name(name: &str) -> Option<Self> {
        [PatchOpKind::Add, PatchOpKind::Remove, PatchOpKind::Replace]
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(name))
    }
}
