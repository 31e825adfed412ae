//! The PATCH `path` grammar of RFC 7644 §3.5.2 (`PATH = attrPath / valuePath [subAttr]`):
//! parser and canonical printer for [`PatchPath`].
//!
//! The value filter inside brackets is the filter grammar of `scim::filter` and reuses its
//! lexer and parser, so positions and messages read the same in both.

use std::fmt::{self, Display, Formatter};

use super::ast::PatchPath;
use crate::scim::filter::lexer::abbreviate;
use crate::scim::filter::parser::{is_attr_name, Parser};
use crate::scim::filter::FilterParseError;

/// Why a PATCH path could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathParseError {
    /// A lexical or grammatical error, reported as for filters (position + what was expected).
    #[error("invalid PATCH path: {0}")]
    Syntax(#[from] FilterParseError),
    /// The text after `]` is not `.subAttribute`.
    #[error("invalid PATCH path: expected `.subAttribute` after `]` at {at}, found `{text}`")]
    InvalidSubAttr { text: String, at: usize },
}

impl PathParseError {
    /// The byte offset in the path where the problem was found.
    pub fn position(&self) -> usize {
        match self {
            PathParseError::Syntax(error) => error.position(),
            PathParseError::InvalidSubAttr { at, .. } => *at,
        }
    }
}

/// Parses a PATCH `path`, e.g. `name.givenName`, `members[value eq "2819c223"]`,
/// `emails[type eq "work"].value` or `urn:...:enterprise:2.0:User:employeeNumber`.
pub fn parse_path(src: &str) -> Result<PatchPath, PathParseError> {
    use crate::scim::filter::lexer::TokenKind;

    let mut parser = Parser::new(src)?;
    let attr = parser.parse_attr_path()?;
    let open = parser.peek().clone();
    if open.kind != TokenKind::LBracket {
        parser.expect_end("`[` or the end of the path")?;
        return Ok(PatchPath {
            attr,
            filter: None,
            sub_attr: None,
        });
    }
    parser.advance();
    let (filter, _) = parser.parse_bracketed(open.at)?;
    let after = parser.peek().clone();
    let sub_attr = match after.kind {
        TokenKind::End => None,
        TokenKind::Word(word) => {
            let sub = word.strip_prefix('.').filter(|sub| is_attr_name(sub));
            let Some(sub) = sub else {
                return Err(PathParseError::InvalidSubAttr {
                    text: abbreviate(word),
                    at: after.at,
                });
            };
            parser.advance();
            Some(sub.to_owned())
        }
        _ => {
            return Err(parser
                .expected("`.subAttribute` or the end of the path")
                .into())
        }
    };
    parser.expect_end("the end of the path")?;
    Ok(PatchPath {
        attr,
        filter: Some(filter),
        sub_attr,
    })
}

impl Display for PatchPath {
    /// `attr[filter].sub` in canonical form; parses back to the same path.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub_attr) = &self.sub_attr {
            write!(f, ".{sub_attr}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::{parse, AttrPath};
    use crate::scim::urn;

    fn round_trip(src: &str) -> PatchPath {
        let path = parse_path(src).unwrap_or_else(|error| panic!("{src}: {error}"));
        assert_eq!(parse_path(&path.to_string()), Ok(path.clone()), "{path}");
        path
    }

    #[test]
    fn a_sub_attribute_path_has_no_filter() {
        let path = round_trip("name.givenName");
        assert_eq!(path.attr, AttrPath::with_sub("name", "givenName"));
        assert_eq!((path.filter, path.sub_attr), (None, None));
    }

    #[test]
    fn a_value_filter_selects_members() {
        let path = round_trip(r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#);
        assert_eq!(path.attr, AttrPath::simple("members"));
        assert_eq!(
            path.filter,
            Some(parse(r#"value eq "2819c223-7f76-453a-919d-413861904646""#).unwrap())
        );
        assert_eq!(path.sub_attr, None);
    }

    #[test]
    fn a_value_filter_can_be_followed_by_a_sub_attribute() {
        let path = round_trip(r#"emails[type eq "work"].value"#);
        assert_eq!(path.attr, AttrPath::simple("emails"));
        assert_eq!(path.sub_attr.as_deref(), Some("value"));
        assert_eq!(path.to_string(), r#"emails[type eq "work"].value"#);
    }

    #[test]
    fn urn_prefixed_paths_keep_their_schema() {
        let path = round_trip(&format!("{}:manager.value", urn::ENTERPRISE_USER));
        assert_eq!(path.attr.schema.as_deref(), Some(urn::ENTERPRISE_USER));
        assert_eq!(path.attr.name, "manager");
        assert_eq!(path.attr.sub_attr.as_deref(), Some("value"));
    }

    #[test]
    fn complex_value_filters_parse() {
        let path =
            round_trip(r#"addresses[type eq "work" and not (primary eq false)].streetAddress"#);
        assert!(path.filter.is_some());
    }

    #[test]
    fn an_empty_path_is_an_error() {
        let error = parse_path("").unwrap_err();
        assert_eq!(error.position(), 0);
        assert!(
            error.to_string().contains("expected an attribute path"),
            "{error}"
        );
    }

    #[test]
    fn junk_after_the_path_is_an_error() {
        let error = parse_path("name.givenName x").unwrap_err();
        assert_eq!(error.position(), 15);
        let error = parse_path(r#"emails[type eq "work"]value"#).unwrap_err();
        assert!(
            matches!(error, PathParseError::InvalidSubAttr { at: 22, .. }),
            "{error}"
        );
        let error = parse_path(r#"emails[type eq "work"].value.x"#).unwrap_err();
        assert!(
            matches!(error, PathParseError::InvalidSubAttr { .. }),
            "{error}"
        );
        let error = parse_path(r#"emails[type eq "work"].value ]"#).unwrap_err();
        assert_eq!(error.position(), 29);
    }

    #[test]
    fn broken_filters_report_their_position() {
        let error = parse_path(r#"emails[type xx "work"]"#).unwrap_err();
        assert_eq!(error.position(), 12);
        assert!(error.to_string().contains("comparison operator"), "{error}");
        let error = parse_path(r#"emails[type eq "work""#).unwrap_err();
        assert!(error.to_string().contains("`]`"), "{error}");
    }

    #[test]
    fn an_invalid_attribute_is_an_error() {
        assert!(matches!(
            parse_path("name..givenName"),
            Err(PathParseError::Syntax(FilterParseError::InvalidAttrPath {
                at: 0,
                ..
            }))
        ));
    }
}
