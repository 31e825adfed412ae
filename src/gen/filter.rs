//! proptest strategies for the SCIM filter and PATCH path trees of `scim::filter` and
//! `scim::patch`: arbitrary attribute paths (with sub-attributes and schema URNs, including names
//! that are keywords), every operator, values (strings with quotes, backslashes, control
//! characters and case-folding hazards; integers; floats; booleans; null), nested
//! `and`/`or`/`not` and value paths. Every tree generated is one the parser can produce, so the
//! printer's output must parse back to it.

use proptest::prelude::*;
use serde_json::Number;

use crate::scim::filter::{AttrPath, CompValue, CompareOp, Filter};
use crate::scim::patch::PatchPath;
use crate::scim::urn;

/// Attribute names: real SCIM names, names that are also keywords, and random ATTRNAMEs.
pub fn attr_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "userName", "displayName", "emails", "members", "value", "type", "active", "meta",
            "name", "externalId", "id", "$ref", "primary", "employeeNumber",
        ])
        .prop_map(str::to_owned),
        1 => prop::sample::select(vec!["and", "or", "not", "pr", "eq", "true", "null", "urn"])
            .prop_map(str::to_owned),
        2 => "[a-zA-Z$][a-zA-Z0-9_$-]{0,10}",
    ]
}

/// Schema URN prefixes: the RFC's, case variants of them, and random well-formed URNs.
pub fn schema_urn() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![urn::USER, urn::GROUP, urn::ENTERPRISE_USER])
            .prop_map(str::to_owned),
        Just(urn::ENTERPRISE_USER.to_uppercase()),
        prop::collection::vec("[a-zA-Z0-9][a-zA-Z0-9.-]{0,7}", 1..5)
            .prop_map(|segments| format!("urn:{}", segments.join(":"))),
    ]
}

/// Attribute paths: `[schema:]name[.sub]`.
pub fn attr_path() -> impl Strategy<Value = AttrPath> {
    (
        prop::option::weighted(0.2, schema_urn()),
        attr_name(),
        prop::option::weighted(0.3, attr_name()),
    )
        .prop_map(|(schema, name, sub_attr)| AttrPath {
            schema,
            name,
            sub_attr,
        })
}

/// Characters that stress the string printer and the case-insensitive matcher.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        2 => prop::sample::select(vec![
            '"', '\\', '/', '\n', '\t', '\u{0}', '\u{1f}', '\u{7f}', '\u{2028}', 'ß', 'ς', 'Σ',
            '\u{212A}', 'İ', 'ı', '\u{301}', '😀', ' ', '[', ']', '(', ')',
        ]),
        3 => prop::char::range('a', 'z'),
    ]
}

/// Comparison values of every JSON literal kind.
pub fn comp_value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        1 => Just(CompValue::Null),
        1 => any::<bool>().prop_map(CompValue::Bool),
        2 => any::<i64>().prop_map(|value| CompValue::Number(value.into())),
        1 => any::<u64>().prop_map(|value| CompValue::Number(value.into())),
        1 => any::<f64>()
            .prop_filter_map("finite floats only", Number::from_f64)
            .prop_map(CompValue::Number),
        5 => prop::collection::vec(tricky_char(), 0..16)
            .prop_map(|chars| CompValue::String(chars.into_iter().collect())),
    ]
}

/// The comparison operators.
pub fn compare_op() -> impl Strategy<Value = CompareOp> {
    prop::sample::select(CompareOp::ALL.to_vec())
}

/// `attrPath op value` or `attrPath pr`.
pub fn attribute_expression() -> impl Strategy<Value = Filter> {
    prop_oneof![
        4 => (attr_path(), compare_op(), comp_value())
            .prop_map(|(path, op, value)| Filter::Compare { path, op, value }),
        1 => attr_path().prop_map(Filter::Present),
    ]
}

/// `and`/`or`/`not` trees over `leaf`, at most `depth` levels of nesting.
fn logical(leaf: BoxedStrategy<Filter>, depth: u32) -> BoxedStrategy<Filter> {
    leaf.prop_recursive(depth, 32, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone())
                .prop_map(|(left, right)| Filter::And(Box::new(left), Box::new(right))),
            (inner.clone(), inner.clone())
                .prop_map(|(left, right)| Filter::Or(Box::new(left), Box::new(right))),
            inner.prop_map(|inner| Filter::Not(Box::new(inner))),
        ]
    })
    .boxed()
}

/// A value filter (the part inside brackets): no nested value paths, as RFC 7644 requires.
pub fn value_filter() -> BoxedStrategy<Filter> {
    logical(attribute_expression().boxed(), 3)
}

/// Whole filters: logical trees over attribute expressions and value paths.
pub fn filter_ast() -> BoxedStrategy<Filter> {
    let value_path = (attr_path(), value_filter()).prop_map(|(path, filter)| Filter::ValuePath {
        path,
        filter: Box::new(filter),
    });
    let leaf = prop_oneof![4 => attribute_expression(), 1 => value_path].boxed();
    logical(leaf, 4)
}

/// PATCH paths: `attrPath`, `attrPath[valFilter]` and `attrPath[valFilter].sub`.
pub fn patch_path() -> impl Strategy<Value = PatchPath> {
    prop_oneof![
        attr_path().prop_map(|attr| PatchPath {
            attr,
            filter: None,
            sub_attr: None,
        }),
        (attr_path(), value_filter(), prop::option::of(attr_name())).prop_map(
            |(attr, filter, sub_attr)| PatchPath {
                attr,
                filter: Some(filter),
                sub_attr,
            }
        ),
    ]
}

/// Text made of filter tokens in random order: mostly invalid, sometimes valid, for testing that
/// the parser fails cleanly and that whatever parses prints stably.
pub fn token_soup() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "(",
        ")",
        "[",
        "]",
        "and",
        "OR",
        "Not",
        "not (",
        "eq",
        "CO",
        "pr",
        "gt",
        "\"x\"",
        "\"a\\\"b\"",
        "\"\\u00e9\"",
        "1",
        "-2.5e3",
        "true",
        "NULL",
        "userName",
        "name.givenName",
        "emails",
        "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName",
        ".value",
        "\"",
        "'",
        "\\",
        "01",
        "=",
    ]);
    prop::collection::vec((token, prop::sample::select(vec![" ", "", "  "])), 0..12).prop_map(
        |tokens| {
            tokens
                .into_iter()
                .map(|(token, space)| format!("{token}{space}"))
                .collect()
        },
    )
}

/// A filter and a spelling of it that a lenient reader must accept as the same tree: keywords,
/// operators and literals in random case, random whitespace (spaces, tabs, newlines) and
/// redundant parentheses. Attribute names and string values are left exactly as they are.
pub fn filter_and_noisy_text() -> impl Strategy<Value = (Filter, String)> {
    (filter_ast(), any::<u64>()).prop_map(|(filter, seed)| {
        let mut noise = Noise(seed | 1);
        let mut text = String::new();
        write_noisy(&mut text, &filter, Precedence::Or, &mut noise);
        (filter, text)
    })
}

/// A small deterministic xorshift generator: the noise is a pure function of the seed, so
/// proptest can shrink and replay it.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// Whitespace that must separate two words.
    fn space(&mut self) -> &'static str {
        [" ", " ", "  ", "\t", "\n ", " \r\n"][(self.next() % 6) as usize]
    }

    /// Whitespace that may be empty (next to a parenthesis, bracket or string).
    fn optional_space(&mut self) -> &'static str {
        if self.chance(50) {
            ""
        } else {
            self.space()
        }
    }

    /// `word` with each letter's case chosen at random.
    fn keyword(&mut self, word: &str) -> String {
        word.chars()
            .map(|c| {
                if self.chance(50) {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Or,
    And,
    Operand,
}

/// Writes `filter` as the canonical printer would, plus noise; parenthesises where `context`
/// binds tighter than the node (as the printer must) and sometimes where it need not.
fn write_noisy(out: &mut String, filter: &Filter, context: Precedence, noise: &mut Noise) {
    let own = match filter {
        Filter::Or(..) => Precedence::Or,
        Filter::And(..) => Precedence::And,
        _ => Precedence::Operand,
    };
    let parenthesise = context > own || noise.chance(15);
    if parenthesise {
        out.push('(');
        out.push_str(noise.optional_space());
    }
    match filter {
        Filter::Compare { path, op, value } => {
            let value = match value {
                CompValue::Null | CompValue::Bool(_) => noise.keyword(&value.to_string()),
                other => other.to_string(),
            };
            let (space1, op, space2) = (noise.space(), noise.keyword(op.keyword()), noise.space());
            out.push_str(&format!("{path}{space1}{op}{space2}{value}"));
        }
        Filter::Present(path) => {
            let (space, pr) = (noise.space(), noise.keyword("pr"));
            out.push_str(&format!("{path}{space}{pr}"));
        }
        Filter::Or(left, right) | Filter::And(left, right) => {
            let (word, right_context) = match own {
                Precedence::Or => ("or", Precedence::And),
                _ => ("and", Precedence::Operand),
            };
            write_noisy(out, left, own, noise);
            let (space1, word, space2) = (noise.space(), noise.keyword(word), noise.space());
            out.push_str(&format!("{space1}{word}{space2}"));
            write_noisy(out, right, right_context, noise);
        }
        Filter::Not(inner) => {
            let (not, space) = (noise.keyword("not"), noise.optional_space());
            out.push_str(&format!("{not}{space}("));
            write_noisy(out, inner, Precedence::Or, noise);
            out.push(')');
        }
        Filter::ValuePath { path, filter } => {
            out.push_str(&format!("{path}["));
            out.push_str(noise.optional_space());
            write_noisy(out, filter, Precedence::Or, noise);
            out.push_str(noise.optional_space());
            out.push(']');
        }
    }
    if parenthesise {
        out.push_str(noise.optional_space());
        out.push(')');
    }
}

#[cfg(test)]
mod tests {
    use proptest::test_runner::Config;
    use serde_json::json;

    use super::*;
    use crate::scim::filter::{eval::matches, parse};
    use crate::scim::patch::parse_path;

    proptest! {
        #![proptest_config(Config::with_cases(384))]

        #[test]
        fn printed_filters_parse_back_to_the_same_tree(filter in filter_ast()) {
            let printed = filter.to_string();
            prop_assert_eq!(parse(&printed), Ok(filter), "printed as {}", printed);
        }

        #[test]
        fn noisy_spellings_parse_to_the_same_tree((filter, text) in filter_and_noisy_text()) {
            prop_assert_eq!(parse(&text), Ok(filter), "noisy text {:?}", text);
        }

        #[test]
        fn parse_print_parse_is_stable(text in token_soup()) {
            match parse(&text) {
                Ok(filter) => {
                    let printed = filter.to_string();
                    let reparsed = parse(&printed);
                    prop_assert_eq!(reparsed.as_ref(), Ok(&filter), "printed as {}", printed);
                    prop_assert_eq!(reparsed.unwrap().to_string(), printed);
                }
                Err(error) => prop_assert!(error.position() <= text.len(), "{}", error),
            }
        }

        #[test]
        fn printed_patch_paths_parse_back_to_the_same_path(path in patch_path()) {
            let printed = path.to_string();
            prop_assert_eq!(parse_path(&printed), Ok(path), "printed as {}", printed);
        }

        #[test]
        fn patch_path_errors_point_inside_the_text(text in token_soup()) {
            if let Err(error) = parse_path(&text) {
                prop_assert!(error.position() <= text.len(), "{}", error);
            }
        }

        #[test]
        fn not_negates_evaluation(filter in filter_ast()) {
            let resource = json!({
                "schemas": [urn::USER, urn::ENTERPRISE_USER],
                "userName": "Straße", "name": {"givenName": "x"}, "active": true,
                "emails": [{"value": "a\"b", "type": "work"}], "value": 3,
                "meta": {"lastModified": "2011-05-13T04:42:34Z"},
                urn::ENTERPRISE_USER: {"employeeNumber": "7"}
            });
            let negated = Filter::Not(Box::new(filter.clone()));
            prop_assert_eq!(matches(&negated, &resource), !matches(&filter, &resource));
        }
    }
}
