//! The errors of the filter parser: each names the byte offset where the filter went wrong and,
//! where it can, what the grammar expected there.

/// Why a filter could not be parsed. Every variant carries the byte offset (`at`, 0-based) in
/// the filter text where the problem was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterParseError {
    /// A token that the grammar does not allow at this point.
    #[error("expected {expected} at {at}, found {found}")]
    Expected {
        /// What the grammar allows here, e.g. "a comparison operator".
        expected: &'static str,
        /// The token that was there instead, e.g. "`xx`" or "the end of the filter".
        found: String,
        at: usize,
    },
    /// A string literal with no closing double quote.
    #[error("unterminated string starting at {at}: close it with a double quote")]
    UnterminatedString { at: usize },
    /// A backslash escape that JSON does not define, or a broken `\uXXXX`.
    #[error(
        "invalid escape in a string at {at}: use \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX \
         (surrogates in pairs)"
    )]
    InvalidEscape { at: usize },
    /// A number that is not a JSON number (`01`, `1.`, `5abc`) or is out of range.
    #[error("invalid number `{text}` at {at}: write a JSON number such as 42, -1.5 or 2e3")]
    InvalidNumber { text: String, at: usize },
    /// A character that starts no token (`'`, `=`, `!`...).
    #[error("unexpected character `{ch}` at {at}: string values need double quotes")]
    UnexpectedChar { ch: char, at: usize },
    /// A word where an attribute path belongs that is not one (`a..b`, `1x`, `urn:x:`).
    #[error(
        "invalid attribute path `{text}` at {at}: write name, name.subAttribute or urn:...:name"
    )]
    InvalidAttrPath { text: String, at: usize },
    /// A `[` inside a value filter: RFC 7644 does not allow value paths to nest.
    #[error("nested value filter at {at}: a filter inside [ ] cannot contain another [ ]")]
    NestedValuePath { at: usize },
    /// Parentheses nested, or `and`/`or` chained, beyond what the parser accepts.
    #[error("filter too deeply nested at {at}: more than {limit} levels; split it into several requests")]
    TooDeep { at: usize, limit: usize },
}

impl FilterParseError {
    /// The byte offset in the filter text where the problem was found.
    pub fn position(&self) -> usize {
        match self {
            FilterParseError::Expected { at, .. }
            | FilterParseError::UnterminatedString { at }
            | FilterParseError::InvalidEscape { at }
            | FilterParseError::InvalidNumber { at, .. }
            | FilterParseError::UnexpectedChar { at, .. }
            | FilterParseError::InvalidAttrPath { at, .. }
            | FilterParseError::NestedValuePath { at }
            | FilterParseError::TooDeep { at, .. } => *at,
        }
    }
}
