//! The filter abstract syntax tree of RFC 7644 §3.4.2.2, shared by the parser, the printer,
//! the reference server's evaluator and the fuzzer's generators.
//!
//! The tree holds no parentheses: grouping is implied by the nesting, and the printer adds
//! parentheses where precedence (`not` > `and` > `or`) needs them.

use serde_json::Number;

/// A whole filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attrPath op value`, e.g. `userName eq "bjensen"`.
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: CompValue,
    },
    /// `attrPath pr`.
    Present(AttrPath),
    /// `left and right`.
    And(Box<Filter>, Box<Filter>),
    /// `left or right`.
    Or(Box<Filter>, Box<Filter>),
    /// `not (inner)`.
    Not(Box<Filter>),
    /// `attrPath[valFilter]`, e.g. `emails[type eq "work" and value co "@"]`. Attribute paths
    /// inside `filter` name sub-attributes of `path`.
    ValuePath { path: AttrPath, filter: Box<Filter> },
}

/// An attribute path: optional schema URN prefix, attribute name, optional sub-attribute.
/// Names keep the case they were written in; comparisons of names are case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrPath {
    /// The schema URN before the attribute, without the trailing colon, e.g.
    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`.
    pub schema: Option<String>,
    /// The attribute name, e.g. `userName` or `emails`.
    pub name: String,
    /// The sub-attribute after a dot, e.g. `familyName` in `name.familyName`.
    pub sub_attr: Option<String>,
}

impl AttrPath {
    /// A path to a top-level attribute with no schema prefix.
    pub fn simple(name: impl Into<String>) -> Self {
        Self {
            schema: None,
            name: name.into(),
            sub_attr: None,
        }
    }

    /// A path to `name.sub_attr` with no schema prefix.
    pub fn with_sub(name: impl Into<String>, sub_attr: impl Into<String>) -> Self {
        Self {
            schema: None,
            name: name.into(),
            sub_attr: Some(sub_attr.into()),
        }
    }
}

/// The comparison operators of RFC 7644 Table 3 (`pr` is [`Filter::Present`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, arbitrary::Arbitrary)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    /// Every operator, in the RFC's order.
    pub const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ];

    /// The lowercase keyword, e.g. `"eq"`.
    pub fn keyword(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    /// Parses a keyword case-insensitively (`EQ`, `Eq`, `eq`).
    pub fn from_keyword(word: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|op| op.keyword().eq_ignore_ascii_case(word))
    }
}

/// A comparison value: a JSON literal (`compValue` in the RFC grammar).
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
}
