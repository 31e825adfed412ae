//! Specification tests of the filter parser and printer: one test per construct of RFC 7644
//! §3.4.2.2 and one per error, plus the RFC's own example filters round-tripping.

use serde_json::Number;

use super::ast::{AttrPath, CompValue, CompareOp, Filter};
use super::error::FilterParseError;
use super::eval::matches;
use super::parser::{parse, MAX_NESTING, MAX_TREE_DEPTH};

fn string(text: &str) -> CompValue {
    CompValue::String(text.to_owned())
}

fn compare(path: AttrPath, op: CompareOp, value: CompValue) -> Filter {
    Filter::Compare { path, op, value }
}

fn eq(name: &str, text: &str) -> Filter {
    compare(AttrPath::simple(name), CompareOp::Eq, string(text))
}

fn and(left: Filter, right: Filter) -> Filter {
    Filter::And(Box::new(left), Box::new(right))
}

fn or(left: Filter, right: Filter) -> Filter {
    Filter::Or(Box::new(left), Box::new(right))
}

fn not(inner: Filter) -> Filter {
    Filter::Not(Box::new(inner))
}

/// Parses, checks the printed form parses back to the same tree, and returns the tree.
fn parse_round_trip(src: &str) -> Filter {
    let filter = parse(src).unwrap_or_else(|error| panic!("{src}: {error}"));
    let printed = filter.to_string();
    assert_eq!(parse(&printed), Ok(filter.clone()), "printed as {printed}");
    filter
}

#[test]
fn a_simple_equality_parses_and_prints_canonically() {
    let filter = parse_round_trip(r#"userName eq "bjensen""#);
    assert_eq!(filter, eq("userName", "bjensen"));
    assert_eq!(filter.to_string(), r#"userName eq "bjensen""#);
}

#[test]
fn every_operator_parses_case_insensitively() {
    for op in CompareOp::ALL {
        let upper = op.keyword().to_uppercase();
        let filter = parse_round_trip(&format!("title {upper} \"x\""));
        assert_eq!(filter, compare(AttrPath::simple("title"), op, string("x")));
    }
}

#[test]
fn present_parses_in_any_case() {
    assert_eq!(
        parse_round_trip("title PR"),
        Filter::Present(AttrPath::simple("title"))
    );
}

#[test]
fn sub_attributes_are_split_at_the_dot() {
    assert_eq!(
        parse_round_trip(r#"name.familyName co "O'Malley""#),
        compare(
            AttrPath::with_sub("name", "familyName"),
            CompareOp::Co,
            string("O'Malley")
        )
    );
}

#[test]
fn schema_urn_prefixes_keep_their_version_dots() {
    let filter = parse_round_trip(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
    );
    let path = AttrPath {
        schema: Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".to_owned()),
        name: "employeeNumber".to_owned(),
        sub_attr: None,
    };
    assert_eq!(filter, compare(path, CompareOp::Eq, string("701984")));

    let filter =
        parse_round_trip(r#"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName sw "J""#);
    let Filter::Compare { path, .. } = filter else {
        panic!("not a comparison");
    };
    assert_eq!(
        path.schema.as_deref(),
        Some("urn:ietf:params:scim:schemas:core:2.0:User")
    );
    assert_eq!(
        (path.name.as_str(), path.sub_attr.as_deref()),
        ("name", Some("familyName"))
    );
}

#[test]
fn literals_true_false_null_and_numbers_parse_case_insensitively() {
    assert_eq!(
        parse_round_trip("active eq TRUE"),
        compare(
            AttrPath::simple("active"),
            CompareOp::Eq,
            CompValue::Bool(true)
        )
    );
    assert_eq!(
        parse_round_trip("active ne False"),
        compare(
            AttrPath::simple("active"),
            CompareOp::Ne,
            CompValue::Bool(false)
        )
    );
    assert_eq!(
        parse_round_trip("manager eq null"),
        compare(AttrPath::simple("manager"), CompareOp::Eq, CompValue::Null)
    );
    let number: Number = serde_json::from_str("-2.5e3").unwrap();
    assert_eq!(
        parse_round_trip("x gt -2.5e3"),
        compare(
            AttrPath::simple("x"),
            CompareOp::Gt,
            CompValue::Number(number)
        )
    );
}

#[test]
fn string_escapes_are_decoded_and_reprinted() {
    let filter = parse_round_trip(r#"displayName eq "say \"hi\" \\ \u00e9\t""#);
    assert_eq!(filter, eq("displayName", "say \"hi\" \\ é\t"));
    assert_eq!(filter.to_string(), r#"displayName eq "say \"hi\" \\ é\t""#);
}

#[test]
fn and_binds_tighter_than_or() {
    let filter = parse_round_trip(r#"a eq "1" or b eq "2" and c eq "3""#);
    assert_eq!(filter, or(eq("a", "1"), and(eq("b", "2"), eq("c", "3"))));
}

#[test]
fn and_and_or_are_left_associative_and_right_nesting_keeps_parentheses() {
    let left = parse_round_trip(r#"a eq "1" or b eq "2" or c eq "3""#);
    assert_eq!(left, or(or(eq("a", "1"), eq("b", "2")), eq("c", "3")));
    let right = parse_round_trip(r#"a eq "1" or (b eq "2" or c eq "3")"#);
    assert_eq!(right, or(eq("a", "1"), or(eq("b", "2"), eq("c", "3"))));
    assert_eq!(right.to_string(), r#"a eq "1" or (b eq "2" or c eq "3")"#);
}

#[test]
fn parentheses_override_precedence() {
    let filter = parse_round_trip(r#"(a eq "1" or b eq "2") and c eq "3""#);
    assert_eq!(filter, and(or(eq("a", "1"), eq("b", "2")), eq("c", "3")));
    assert_eq!(filter.to_string(), r#"(a eq "1" or b eq "2") and c eq "3""#);
    assert_eq!(
        parse_round_trip(r#"((a eq "1"))"#).to_string(),
        r#"a eq "1""#
    );
}

#[test]
fn not_binds_tightest_and_always_prints_with_parentheses() {
    let filter = parse_round_trip(r#"NOT (a eq "1") and b eq "2""#);
    assert_eq!(filter, and(not(eq("a", "1")), eq("b", "2")));
    assert_eq!(filter.to_string(), r#"not (a eq "1") and b eq "2""#);
}

#[test]
fn an_attribute_called_not_is_still_an_attribute() {
    assert_eq!(
        parse_round_trip("not pr"),
        Filter::Present(AttrPath::simple("not"))
    );
}

#[test]
fn value_paths_filter_multi_valued_attributes() {
    let filter = parse_round_trip(r#"emails[type eq "work" and value co "@example.com"]"#);
    let inner = and(
        eq("type", "work"),
        compare(
            AttrPath::simple("value"),
            CompareOp::Co,
            string("@example.com"),
        ),
    );
    assert_eq!(
        filter,
        Filter::ValuePath {
            path: AttrPath::simple("emails"),
            filter: Box::new(inner)
        }
    );
}

#[test]
fn the_rfc_example_filters_round_trip() {
    let examples = [
        r#"userName Eq "john""#,
        r#"title pr and userType eq "Employee""#,
        r#"title pr or userType eq "Intern""#,
        r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
        r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
        r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
        r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
        r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
        r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
    ];
    for example in examples {
        parse_round_trip(example);
    }
}

#[test]
fn whitespace_is_flexible() {
    assert_eq!(parse("  userName   eq\t\"x\"  "), Ok(eq("userName", "x")));
    assert_eq!(
        parse(r#"(a eq "1")and(b eq "2")"#),
        Ok(and(eq("a", "1"), eq("b", "2")))
    );
}

fn error_of(src: &str) -> FilterParseError {
    parse(src).expect_err(src)
}

#[test]
fn a_missing_operator_names_its_position() {
    let error = error_of(r#"userName xx "bjensen""#);
    assert_eq!(error.position(), 9);
    assert!(
        error
            .to_string()
            .starts_with("expected a comparison operator"),
        "{error}"
    );
    assert!(error.to_string().contains("at 9, found `xx`"), "{error}");
}

#[test]
fn a_missing_value_is_reported_at_the_end() {
    let error = error_of("userName eq");
    assert_eq!(error.position(), 11);
    assert!(error.to_string().contains("expected a value"), "{error}");
    assert!(
        error.to_string().contains("the end of the filter"),
        "{error}"
    );
}

#[test]
fn an_unquoted_string_value_is_rejected() {
    let error = error_of("userName eq bjensen");
    assert!(error.to_string().contains("expected a value"), "{error}");
    assert_eq!(error.position(), 12);
}

#[test]
fn an_empty_filter_is_rejected() {
    let error = error_of("   ");
    assert_eq!(error.position(), 3);
    assert!(error.to_string().contains("an attribute path"), "{error}");
}

#[test]
fn trailing_tokens_are_rejected() {
    let error = error_of(r#"a eq "1" b eq "2""#);
    assert_eq!(error.position(), 9);
    assert!(error.to_string().contains("`and`, `or`"), "{error}");
}

#[test]
fn unbalanced_parentheses_and_brackets_are_rejected() {
    let error = error_of(r#"(a eq "1""#);
    assert!(error.to_string().contains("`)`"), "{error}");
    let error = error_of(r#"emails[type eq "work""#);
    assert!(error.to_string().contains("`]`"), "{error}");
    let error = error_of(r#"a eq "1")"#);
    assert_eq!(error.position(), 8);
}

#[test]
fn not_without_parentheses_is_rejected() {
    let error = error_of(r#"not a eq "1""#);
    assert_eq!(error.position(), 4);
    assert!(error.to_string().contains("`(` after `not`"), "{error}");
}

#[test]
fn nested_value_paths_are_rejected() {
    assert_eq!(
        error_of(r#"groups[members[value eq "1"]]"#),
        FilterParseError::NestedValuePath { at: 14 }
    );
}

#[test]
fn malformed_attribute_paths_are_rejected() {
    for (src, at) in [
        ("a..b pr", 0),
        ("a.b.c pr", 0),
        ("x:y pr", 0),
        ("urn:x: pr", 0),
        ("urn::a pr", 0),
        (".a pr", 0),
    ] {
        assert!(
            matches!(error_of(src), FilterParseError::InvalidAttrPath { at: found, .. } if found == at),
            "{src}: {}",
            error_of(src)
        );
    }
}

#[test]
fn lexical_errors_surface_from_parse() {
    assert_eq!(
        error_of(r#"a eq "x"#),
        FilterParseError::UnterminatedString { at: 5 }
    );
    assert_eq!(
        error_of("a = 1"),
        FilterParseError::UnexpectedChar { ch: '=', at: 2 }
    );
}

#[test]
fn deep_nesting_is_refused_instead_of_overflowing_the_stack() {
    let deep = format!(
        "{}a pr{}",
        "(".repeat(MAX_NESTING + 1),
        ")".repeat(MAX_NESTING + 1)
    );
    assert!(matches!(error_of(&deep), FilterParseError::TooDeep { .. }));
    let ok = format!("{}a pr{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    assert_eq!(parse(&ok), Ok(Filter::Present(AttrPath::simple("a"))));
    let long_chain = vec!["a pr"; 5_000].join(" or ");
    assert!(matches!(
        error_of(&long_chain),
        FilterParseError::TooDeep { .. }
    ));
    let fine_chain = vec!["a pr"; 500].join(" or ");
    assert!(parse(&fine_chain).is_ok());
}

#[test]
fn the_deepest_accepted_tree_prints_evaluates_and_drops_on_a_small_stack() {
    let chain = vec![r#"a eq "x""#; MAX_TREE_DEPTH].join(" or ");
    let worker = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let filter = parse(&chain).expect("accepted");
            let printed = filter.to_string();
            let resource = serde_json::json!({"a": "y"});
            (printed.len(), matches(&filter, &resource))
        })
        .unwrap();
    let (printed_len, matched) = worker.join().expect("no stack overflow");
    assert!(printed_len > 0);
    assert!(!matched);
}
