//! Semantic checks that the grammar cannot make: RFC 7644 §3.4.2.2 (Table 3) says `gt`, `ge`,
//! `lt` and `le` on a boolean or binary attribute SHALL fail with 400 `invalidFilter`. A server
//! calls [`validate`] after [`super::parse`] and before evaluating.

use super::ast::{AttrPath, CompValue, CompareOp, Filter};
use crate::scim::matching::{attribute_rule, AttrType, SchemaKind};

/// A filter that parses but asks for something RFC 7644 forbids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidFilter {
    /// An ordering operator on a boolean or binary attribute or value.
    #[error(
        "`{op}` cannot order {what} `{path}`: use eq or ne for booleans, and no ordering on binary"
    )]
    OrderingNotAllowed {
        op: CompareOp,
        path: String,
        /// "the boolean attribute", "the binary attribute" or "the boolean value of".
        what: &'static str,
    },
}

/// Checks `filter` for resources of kind `resource` (use [`SchemaKind::from_name`] with the
/// endpoint's resource type). Attributes the schema does not define are not judged.
pub fn validate(filter: &Filter, resource: SchemaKind) -> Result<(), InvalidFilter> {
    validate_at(filter, resource, None)
}

fn validate_at(
    filter: &Filter,
    resource: SchemaKind,
    parent: Option<&AttrPath>,
) -> Result<(), InvalidFilter> {
    match filter {
        Filter::Compare { path, op, value } => check_ordering(resource, path, *op, value, parent),
        Filter::Present(_) => Ok(()),
        Filter::And(left, right) | Filter::Or(left, right) => {
            validate_at(left, resource, parent)?;
            validate_at(right, resource, parent)
        }
        Filter::Not(inner) => validate_at(inner, resource, parent),
        Filter::ValuePath { path, filter } => validate_at(filter, resource, Some(path)),
    }
}

fn check_ordering(
    resource: SchemaKind,
    path: &AttrPath,
    op: CompareOp,
    value: &CompValue,
    parent: Option<&AttrPath>,
) -> Result<(), InvalidFilter> {
    if !matches!(
        op,
        CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
    ) {
        return Ok(());
    }
    let attr_type = attribute_rule(resource, path, parent).map(|rule| rule.attr_type);
    let what = match (attr_type, value) {
        (Some(AttrType::Boolean), _) => "the boolean attribute",
        (Some(AttrType::Binary), _) => "the binary attribute",
        (_, CompValue::Bool(_)) => "a boolean value of",
        _ => return Ok(()),
    };
    let path = match parent {
        Some(parent) => format!("{parent}[{path}]"),
        None => path.to_string(),
    };
    Err(InvalidFilter::OrderingNotAllowed { op, path, what })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::parse;

    fn check(text: &str, resource: SchemaKind) -> Result<(), InvalidFilter> {
        validate(&parse(text).unwrap(), resource)
    }

    #[test]
    fn ordering_a_boolean_attribute_is_invalid() {
        let error = check("active gt false", SchemaKind::User).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`gt` cannot order the boolean attribute `active`: use eq or ne for booleans, and no \
             ordering on binary"
        );
    }

    #[test]
    fn ordering_inside_a_value_filter_is_checked_through_the_parent() {
        let error = check(r#"emails[primary le true]"#, SchemaKind::User).unwrap_err();
        assert!(error.to_string().contains("`emails[primary]`"), "{error}");
    }

    #[test]
    fn ordering_a_binary_attribute_is_invalid() {
        assert!(check(r#"x509Certificates.value ge "MII""#, SchemaKind::User).is_err());
    }

    #[test]
    fn ordering_against_a_boolean_literal_is_invalid_even_for_unknown_attributes() {
        assert!(check("custom lt true", SchemaKind::Unknown).is_err());
    }

    #[test]
    fn equality_on_booleans_and_ordering_on_strings_dates_and_numbers_are_valid() {
        for text in [
            "active eq true",
            "not (active ne false)",
            r#"userName gt "a""#,
            r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
            "custom lt 3",
            "active pr",
        ] {
            assert_eq!(check(text, SchemaKind::User), Ok(()), "{text}");
        }
    }

    #[test]
    fn errors_deep_in_the_tree_are_found() {
        assert!(check(
            r#"userName eq "a" or (title pr and not (active lt true))"#,
            SchemaKind::User
        )
        .is_err());
    }
}
