//! The filter lexer: turns filter text into tokens with their byte positions.
//!
//! Words are runs of attribute-path characters (letters, digits, `-`, `_`, `$`, `:`, `.`), so a
//! URN-prefixed path such as `urn:ietf:params:scim:schemas:core:2.0:User:name.familyName` is one
//! word; keywords (`and`, `eq`, `true`...) are words too, recognised by the parser in context.
//! Strings follow JSON's escaping rules; numbers follow JSON's number grammar.

use serde_json::Number;

use super::error::FilterParseError;

/// One token of filter text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind<'a> {
    LParen,
    RParen,
    LBracket,
    RBracket,
    /// An attribute path or a keyword, exactly as written.
    Word(&'a str),
    /// A JSON string literal, unescaped.
    Str(String),
    /// A JSON number literal.
    Number(Number),
    /// The end of the input.
    End,
}

/// A token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token<'a> {
    pub kind: TokenKind<'a>,
    pub at: usize,
}

impl TokenKind<'_> {
    /// How the token is named in an error message ("found ...").
    pub fn describe(&self) -> String {
        match self {
            TokenKind::LParen => "`(`".to_owned(),
            TokenKind::RParen => "`)`".to_owned(),
            TokenKind::LBracket => "`[`".to_owned(),
            TokenKind::RBracket => "`]`".to_owned(),
            TokenKind::Word(word) => format!("`{}`", abbreviate(word)),
            TokenKind::Str(text) => format!("the string {}", quote(&abbreviate(text))),
            TokenKind::Number(number) => format!("the number {number}"),
            TokenKind::End => "the end of the filter".to_owned(),
        }
    }
}

/// The longest piece of input an error message quotes, in characters.
const QUOTED_MAX_CHARS: usize = 40;

/// `text`, cut to [`QUOTED_MAX_CHARS`] characters with an ellipsis, for error messages (a
/// server may echo them in a 400 `detail`; a megabyte-long token should not come back whole).
pub(crate) fn abbreviate(text: &str) -> String {
    match text.char_indices().nth(QUOTED_MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// `text` as a JSON string literal.
pub(crate) fn quote(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// Whether `c` may appear inside a word (an attribute path or a keyword).
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '$' | ':' | '.')
}

/// Splits `src` into tokens, ending with [`TokenKind::End`]. Linear in the input length.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token<'_>>, FilterParseError> {
    let mut tokens = Vec::new();
    let bytes = src.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let c = src[pos..].chars().next().unwrap_or(' ');
        let start = pos;
        let kind = match c {
            c if c.is_whitespace() => {
                pos += c.len_utf8();
                continue;
            }
            '(' => TokenKind::LParen,
            ')' => TokenKind::RParen,
            '[' => TokenKind::LBracket,
            ']' => TokenKind::RBracket,
            '"' => {
                let (text, end) = lex_string(src, start)?;
                pos = end;
                tokens.push(Token {
                    kind: TokenKind::Str(text),
                    at: start,
                });
                continue;
            }
            '-' | '0'..='9' => {
                let (number, end) = lex_number(src, start)?;
                pos = end;
                tokens.push(Token {
                    kind: TokenKind::Number(number),
                    at: start,
                });
                continue;
            }
            c if is_word_char(c) => {
                let end = src[start..]
                    .find(|c: char| !is_word_char(c))
                    .map_or(src.len(), |len| start + len);
                pos = end;
                tokens.push(Token {
                    kind: TokenKind::Word(&src[start..end]),
                    at: start,
                });
                continue;
            }
            other => {
                return Err(FilterParseError::UnexpectedChar {
                    ch: other,
                    at: start,
                })
            }
        };
        pos += 1;
        tokens.push(Token { kind, at: start });
    }
    tokens.push(Token {
        kind: TokenKind::End,
        at: src.len(),
    });
    Ok(tokens)
}

/// Lexes the JSON string starting at the `"` at `start`; returns its text and the end offset.
fn lex_string(src: &str, start: usize) -> Result<(String, usize), FilterParseError> {
    let mut text = String::new();
    let mut chars = src[start + 1..].char_indices();
    while let Some((offset, c)) = chars.next() {
        let at = start + 1 + offset;
        match c {
            '"' => return Ok((text, at + 1)),
            '\\' => {
                let Some((_, escape)) = chars.next() else {
                    break;
                };
                match escape {
                    '"' => text.push('"'),
                    '\\' => text.push('\\'),
                    '/' => text.push('/'),
                    'b' => text.push('\u{8}'),
                    'f' => text.push('\u{c}'),
                    'n' => text.push('\n'),
                    'r' => text.push('\r'),
                    't' => text.push('\t'),
                    'u' => text.push(lex_unicode_escape(at, &mut chars)?),
                    _ => return Err(FilterParseError::InvalidEscape { at }),
                }
            }
            c => text.push(c),
        }
    }
    Err(FilterParseError::UnterminatedString { at: start })
}

/// Reads the `XXXX` of a `\uXXXX` escape at `at` (and a low surrogate's escape after a high one).
fn lex_unicode_escape(
    at: usize,
    chars: &mut std::str::CharIndices<'_>,
) -> Result<char, FilterParseError> {
    let invalid = FilterParseError::InvalidEscape { at };
    let first = read_hex4(chars).ok_or_else(|| invalid.clone())?;
    if !(0xD800..0xDC00).contains(&first) {
        return char::from_u32(first).ok_or(invalid);
    }
    // A high surrogate must be followed by `\u` and a low surrogate.
    let rest = chars.as_str();
    if !rest.starts_with("\\u") {
        return Err(invalid);
    }
    chars.next();
    chars.next();
    let second = read_hex4(chars).ok_or_else(|| invalid.clone())?;
    if !(0xDC00..0xE000).contains(&second) {
        return Err(invalid);
    }
    let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
    char::from_u32(code).ok_or(invalid)
}

/// Reads exactly four hex digits.
fn read_hex4(chars: &mut std::str::CharIndices<'_>) -> Option<u32> {
    let mut value = 0;
    for _ in 0..4 {
        let (_, c) = chars.next()?;
        value = value * 16 + c.to_digit(16)?;
    }
    Some(value)
}

/// Lexes the JSON number starting at `start`: `-? int frac? exp?`.
fn lex_number(src: &str, start: usize) -> Result<(Number, usize), FilterParseError> {
    let bytes = src.as_bytes();
    let digits_from = |mut pos: usize| {
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        pos
    };
    let mut pos = start;
    if bytes[pos] == b'-' {
        pos += 1;
    }
    let int_start = pos;
    pos = digits_from(pos);
    let mut valid = pos > int_start && !(bytes[int_start] == b'0' && pos - int_start > 1);
    if pos < bytes.len() && bytes[pos] == b'.' {
        let frac_start = pos + 1;
        pos = digits_from(frac_start);
        valid &= pos > frac_start;
    }
    if pos < bytes.len() && matches!(bytes[pos], b'e' | b'E') {
        pos += 1;
        if pos < bytes.len() && matches!(bytes[pos], b'+' | b'-') {
            pos += 1;
        }
        let exp_start = pos;
        pos = digits_from(exp_start);
        valid &= pos > exp_start;
    }
    // A number runs into a word (`5abc`): take the whole run into the error.
    let end = src[pos..]
        .find(|c: char| !is_word_char(c))
        .map_or(src.len(), |len| pos + len);
    let text = &src[start..end];
    let invalid = || FilterParseError::InvalidNumber {
        text: abbreviate(text),
        at: start,
    };
    if !valid || end != pos {
        return Err(invalid());
    }
    number_from_json_text(text)
        .map(|number| (number, end))
        .ok_or_else(invalid)
}

/// The value of a valid JSON number literal, as serde_json would hold it (an integer when it
/// fits `i64`/`u64`, else an `f64`), but parsed with std's correctly rounded float parser so that
/// printing and re-parsing gives back the same number. `None` if out of `f64` range.
fn number_from_json_text(text: &str) -> Option<Number> {
    let is_integer = !text.contains(['.', 'e', 'E']);
    if is_integer {
        if let Ok(value) = text.parse::<i64>() {
            return Some(value.into());
        }
        if let Ok(value) = text.parse::<u64>() {
            return Some(value.into());
        }
    }
    let value: f64 = text.parse().ok()?;
    if value.is_finite() {
        Number::from_f64(value)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind<'_>> {
        tokenize(src)
            .unwrap()
            .into_iter()
            .map(|token| token.kind)
            .collect()
    }

    #[test]
    fn a_urn_prefixed_path_with_version_dots_is_one_word() {
        let src = "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName pr";
        assert_eq!(
            kinds(src),
            vec![
                TokenKind::Word("urn:ietf:params:scim:schemas:core:2.0:User:name.familyName"),
                TokenKind::Word("pr"),
                TokenKind::End
            ]
        );
    }

    #[test]
    fn strings_unescape_json_escapes_including_surrogate_pairs() {
        let src = r#""a\"b\\c\/\n\u00e9\ud83d\ude00""#;
        assert_eq!(
            kinds(src),
            vec![TokenKind::Str("a\"b\\c/\né😀".to_owned()), TokenKind::End]
        );
    }

    #[test]
    fn numbers_follow_the_json_grammar() {
        assert_eq!(
            kinds("-12.5e3 0 7"),
            vec![
                TokenKind::Number(Number::from_f64(-12.5e3).unwrap()),
                TokenKind::Number(0.into()),
                TokenKind::Number(7.into()),
                TokenKind::End
            ]
        );
        for bad in ["01", "1.", "-", "1e", "5abc", "1e999", "-1e400"] {
            assert!(
                matches!(
                    tokenize(bad),
                    Err(FilterParseError::InvalidNumber { at: 0, .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn big_integers_and_awkward_floats_keep_their_exact_value() {
        assert_eq!(
            kinds("18446744073709551615"),
            vec![TokenKind::Number(u64::MAX.into()), TokenKind::End]
        );
        let tricky = 2.2250738585072014e-308_f64;
        let text = Number::from_f64(tricky).unwrap().to_string();
        assert_eq!(
            kinds(&text),
            vec![
                TokenKind::Number(Number::from_f64(tricky).unwrap()),
                TokenKind::End
            ]
        );
    }

    #[test]
    fn long_tokens_are_abbreviated_in_descriptions() {
        let long = "é".repeat(100);
        let described = TokenKind::Str(long).describe();
        assert!(described.ends_with("…\""), "{described}");
        assert_eq!(
            described.chars().filter(|&c| c == 'é').count(),
            QUOTED_MAX_CHARS
        );
        assert_eq!(TokenKind::Word("short").describe(), "`short`");
    }

    #[test]
    fn token_positions_are_byte_offsets() {
        let tokens = tokenize("a eq \"é\" or b pr").unwrap();
        let positions: Vec<usize> = tokens.iter().map(|token| token.at).collect();
        assert_eq!(positions, vec![0, 2, 5, 10, 13, 15, 17]);
    }

    #[test]
    fn broken_strings_are_reported_where_they_start_or_break() {
        assert_eq!(
            tokenize(r#"a eq "open"#),
            Err(FilterParseError::UnterminatedString { at: 5 })
        );
        assert_eq!(
            tokenize(r#"a eq "x\q""#),
            Err(FilterParseError::InvalidEscape { at: 7 })
        );
        assert_eq!(
            tokenize(r#""\ud800x""#),
            Err(FilterParseError::InvalidEscape { at: 1 })
        );
        assert_eq!(
            tokenize(r#""\u12""#),
            Err(FilterParseError::InvalidEscape { at: 1 })
        );
        assert_eq!(
            tokenize("a eq 'x'"),
            Err(FilterParseError::UnexpectedChar { ch: '\'', at: 5 })
        );
    }
}
