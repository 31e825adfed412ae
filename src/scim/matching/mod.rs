//! Matching semantics shared by the reference server and the harness: Unicode-aware
//! case-insensitive comparison, `caseExact` per attribute (RFC 7643), and dateTime ordering.

mod attributes;
mod datetime;
mod text;

pub use attributes::{attribute_rule, case_exact, AttrType, AttributeRule, SchemaKind};
pub use datetime::{cmp_datetimes, parse_datetime, Instant};
pub use text::{
    cmp_ignore_case, contains_ignore_case, ends_with_ignore_case, eq_ignore_case, fold,
    starts_with_ignore_case, TextRule,
};
