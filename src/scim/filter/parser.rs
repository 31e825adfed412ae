//! The filter parser: RFC 7644 §3.4.2.2 text → [`Filter`] tree.
//!
//! A recursive-descent parser over the lexer's tokens, one function per precedence level
//! (`or` < `and` < `not`/grouping/attribute expression). `and` and `or` are left-associative, so
//! `a or b or c` is `Or(Or(a, b), c)`. Keywords, operators and the literals `true`, `false`,
//! `null` are case-insensitive (ABNF strings are). Nesting is bounded so hostile input cannot
//! exhaust the stack of the parser or of anything that later walks the tree.

use super::ast::{AttrPath, CompValue, CompareOp, Filter};
use super::error::FilterParseError;
use super::lexer::{abbreviate, tokenize, Token, TokenKind};

/// The deepest parenthesis / `not` / value-path nesting the parser accepts.
pub const MAX_NESTING: usize = 64;
/// The deepest tree the parser builds (a chain of 1,000 `or`s is 1,000 deep).
pub const MAX_TREE_DEPTH: usize = 1000;

/// What the grammar allows after an attribute path.
const EXPECTED_OPERATOR: &str =
    "a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le), `pr` or `[`";
const EXPECTED_VALUE: &str = "a value: a \"string\", a number, true, false or null";
const EXPECTED_EXPRESSION: &str = "an attribute path, `not (` or `(`";

/// Parses a whole filter, e.g. `userName eq "bjensen" and emails[type eq "work"]`.
pub fn parse(src: &str) -> Result<Filter, FilterParseError> {
    let mut parser = Parser::new(src)?;
    let filter = parser.parse_expression(false)?;
    parser.expect_end("`and`, `or` or the end of the filter")?;
    Ok(filter)
}

/// A filter tree and its depth (a comparison is 1 deep).
type Parsed = (Filter, usize);

/// A cursor over the tokens of one filter (or of a PATCH path, which embeds filters).
pub(crate) struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    next: usize,
    nesting: usize,
}

impl<'a> Parser<'a> {
    /// Tokenizes `src`; fails on the first lexical error.
    pub fn new(src: &'a str) -> Result<Self, FilterParseError> {
        Ok(Self {
            tokens: tokenize(src)?,
            next: 0,
            nesting: 0,
        })
    }

    /// The next token, not consumed. The token list always ends with `End`, which is never
    /// consumed, so this never runs off the end.
    pub fn peek(&self) -> &Token<'a> {
        &self.tokens[self.next.min(self.tokens.len() - 1)]
    }

    /// Consumes and returns the next token (the final `End` stays put).
    pub fn advance(&mut self) -> Token<'a> {
        let token = self.peek().clone();
        if token.kind != TokenKind::End {
            self.next += 1;
        }
        token
    }

    /// An [`FilterParseError::Expected`] naming the next token.
    pub fn expected(&self, expected: &'static str) -> FilterParseError {
        let token = self.peek();
        FilterParseError::Expected {
            expected,
            found: token.kind.describe(),
            at: token.at,
        }
    }

    /// Consumes `kind` or fails with "expected `what`".
    pub fn expect(
        &mut self,
        kind: &TokenKind<'_>,
        what: &'static str,
    ) -> Result<(), FilterParseError> {
        if &self.peek().kind == kind {
            self.advance();
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    /// Fails unless all input has been consumed.
    pub fn expect_end(&self, what: &'static str) -> Result<(), FilterParseError> {
        match self.peek().kind {
            TokenKind::End => Ok(()),
            _ => Err(self.expected(what)),
        }
    }

    /// `or`-level expression: `and_expr ("or" and_expr)*`. Inside a value filter
    /// (`in_value_path`), `[` is refused.
    pub fn parse_expression(&mut self, in_value_path: bool) -> Result<Filter, FilterParseError> {
        self.parse_or(in_value_path).map(|(filter, _)| filter)
    }

    fn parse_or(&mut self, in_value_path: bool) -> Result<Parsed, FilterParseError> {
        let (mut filter, mut depth) = self.parse_and(in_value_path)?;
        while self.next_is_keyword("or") {
            let at = self.advance().at;
            let (right, right_depth) = self.parse_and(in_value_path)?;
            depth = join_depth(depth, right_depth, at)?;
            filter = Filter::Or(Box::new(filter), Box::new(right));
        }
        Ok((filter, depth))
    }

    fn parse_and(&mut self, in_value_path: bool) -> Result<Parsed, FilterParseError> {
        let (mut filter, mut depth) = self.parse_unary(in_value_path)?;
        while self.next_is_keyword("and") {
            let at = self.advance().at;
            let (right, right_depth) = self.parse_unary(in_value_path)?;
            depth = join_depth(depth, right_depth, at)?;
            filter = Filter::And(Box::new(filter), Box::new(right));
        }
        Ok((filter, depth))
    }

    /// `not (expr)`, `(expr)` or an attribute expression.
    fn parse_unary(&mut self, in_value_path: bool) -> Result<Parsed, FilterParseError> {
        let token = self.peek().clone();
        match token.kind {
            TokenKind::Word(word)
                if word.eq_ignore_ascii_case("not") && self.not_starts_negation() =>
            {
                self.advance();
                self.expect(&TokenKind::LParen, "`(` after `not`")?;
                let (inner, depth) = self.parse_grouped(token.at, in_value_path)?;
                let depth = join_depth(depth, 0, token.at)?;
                Ok((Filter::Not(Box::new(inner)), depth))
            }
            TokenKind::LParen => {
                self.advance();
                self.parse_grouped(token.at, in_value_path)
            }
            TokenKind::Word(_) => self.parse_attr_expression(in_value_path),
            _ => Err(self.expected(EXPECTED_EXPRESSION)),
        }
    }

    /// Whether the `not` at the cursor negates (rather than naming an attribute called `not`,
    /// as in `not pr`). A `not` followed by anything but an operator, `pr` or `[` is a negation.
    fn not_starts_negation(&self) -> bool {
        match self.tokens.get(self.next + 1).map(|token| &token.kind) {
            Some(TokenKind::Word(word)) => {
                !(word.eq_ignore_ascii_case("pr") || CompareOp::from_keyword(word).is_some())
            }
            Some(TokenKind::LBracket) => false,
            _ => true,
        }
    }

    /// The expression after an opening `(` at `open_at`, up to and including its `)`.
    fn parse_grouped(
        &mut self,
        open_at: usize,
        in_value_path: bool,
    ) -> Result<Parsed, FilterParseError> {
        self.enter(open_at)?;
        let parsed = self.parse_or(in_value_path)?;
        self.expect(&TokenKind::RParen, "`and`, `or` or `)`")?;
        self.nesting -= 1;
        Ok(parsed)
    }

    /// `attrPath pr`, `attrPath op value` or `attrPath [valFilter]`.
    fn parse_attr_expression(&mut self, in_value_path: bool) -> Result<Parsed, FilterParseError> {
        let path = self.parse_attr_path()?;
        let token = self.advance();
        match token.kind {
            TokenKind::Word(word) if word.eq_ignore_ascii_case("pr") => {
                Ok((Filter::Present(path), 1))
            }
            TokenKind::Word(word) => match CompareOp::from_keyword(word) {
                Some(op) => {
                    let value = self.parse_value()?;
                    Ok((Filter::Compare { path, op, value }, 1))
                }
                None => Err(FilterParseError::Expected {
                    expected: EXPECTED_OPERATOR,
                    found: token.kind.describe(),
                    at: token.at,
                }),
            },
            TokenKind::LBracket if in_value_path => {
                Err(FilterParseError::NestedValuePath { at: token.at })
            }
            TokenKind::LBracket => {
                let (filter, depth) = self.parse_bracketed(token.at)?;
                let depth = join_depth(depth, 0, token.at)?;
                Ok((
                    Filter::ValuePath {
                        path,
                        filter: Box::new(filter),
                    },
                    depth,
                ))
            }
            _ => Err(FilterParseError::Expected {
                expected: EXPECTED_OPERATOR,
                found: token.kind.describe(),
                at: token.at,
            }),
        }
    }

    /// The value filter after a `[` at `open_at`, up to and including its `]`.
    pub fn parse_bracketed(&mut self, open_at: usize) -> Result<Parsed, FilterParseError> {
        self.enter(open_at)?;
        let parsed = self.parse_or(true)?;
        self.expect(&TokenKind::RBracket, "`and`, `or` or `]`")?;
        self.nesting -= 1;
        Ok(parsed)
    }

    /// An attribute path word, e.g. `name.familyName` or `urn:...:User:employeeNumber`.
    pub fn parse_attr_path(&mut self) -> Result<AttrPath, FilterParseError> {
        let token = self.peek().clone();
        match token.kind {
            TokenKind::Word(word) => {
                self.advance();
                attr_path_from_word(word, token.at)
            }
            _ => Err(self.expected("an attribute path")),
        }
    }

    /// A comparison value: a string, a number, `true`, `false` or `null`.
    fn parse_value(&mut self) -> Result<CompValue, FilterParseError> {
        let token = self.advance();
        let value = match token.kind {
            TokenKind::Str(text) => CompValue::String(text),
            TokenKind::Number(number) => CompValue::Number(number),
            TokenKind::Word(word) if word.eq_ignore_ascii_case("true") => CompValue::Bool(true),
            TokenKind::Word(word) if word.eq_ignore_ascii_case("false") => CompValue::Bool(false),
            TokenKind::Word(word) if word.eq_ignore_ascii_case("null") => CompValue::Null,
            other => {
                return Err(FilterParseError::Expected {
                    expected: EXPECTED_VALUE,
                    found: other.describe(),
                    at: token.at,
                })
            }
        };
        Ok(value)
    }

    fn next_is_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek().kind, TokenKind::Word(word) if word.eq_ignore_ascii_case(keyword))
    }

    /// Enters one more level of nesting, refusing to go past [`MAX_NESTING`].
    fn enter(&mut self, at: usize) -> Result<(), FilterParseError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(FilterParseError::TooDeep {
                at,
                limit: MAX_NESTING,
            });
        }
        Ok(())
    }
}

/// The depth of a node joining subtrees of depths `left` and `right`, bounded by
/// [`MAX_TREE_DEPTH`].
fn join_depth(left: usize, right: usize, at: usize) -> Result<usize, FilterParseError> {
    let depth = 1 + left.max(right);
    if depth > MAX_TREE_DEPTH {
        return Err(FilterParseError::TooDeep {
            at,
            limit: MAX_TREE_DEPTH,
        });
    }
    Ok(depth)
}

/// Whether `name` is an RFC 7643 ATTRNAME (`ALPHA *(ALPHA / DIGIT / "-" / "_")`), also allowing
/// `$` as in `$ref`.
pub(crate) fn is_attr_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '$'))
}

/// Splits a word into schema URN, attribute name and sub-attribute.
///
/// `urn:a:b:name.sub` → schema `urn:a:b`, name `name`, sub `sub`: the schema is everything before
/// the last colon, which keeps the dots of versions such as `2.0` inside the URN.
pub(crate) fn attr_path_from_word(word: &str, at: usize) -> Result<AttrPath, FilterParseError> {
    let invalid = || FilterParseError::InvalidAttrPath {
        text: abbreviate(word),
        at,
    };
    let is_urn = word.len() > 4 && word[..4].eq_ignore_ascii_case("urn:");
    let (schema, rest) = match word.rfind(':') {
        Some(colon) if is_urn => (Some(&word[..colon]), &word[colon + 1..]),
        Some(_) => return Err(invalid()),
        None => (None, word),
    };
    if let Some(schema) = schema {
        let segments: Vec<&str> = schema.split(':').collect();
        if segments.len() < 2 || segments.iter().any(|segment| segment.is_empty()) {
            return Err(invalid());
        }
    }
    let (name, sub_attr) = match rest.split_once('.') {
        Some((name, sub)) => (name, Some(sub)),
        None => (rest, None),
    };
    if !is_attr_name(name) || sub_attr.is_some_and(|sub| !is_attr_name(sub)) {
        return Err(invalid());
    }
    Ok(AttrPath {
        schema: schema.map(str::to_owned),
        name: name.to_owned(),
        sub_attr: sub_attr.map(str::to_owned),
    })
}
