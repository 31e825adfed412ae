//! Runscope's assertions: where a value comes from ([`Source`]: status, JSON body path, header,
//! text, time, size), how it is compared ([`Comparison`]), and the dotted JSON paths
//! (`Resources[0].emails[0].value`). Semantics follow our reading of the exported format: `equal` compares the
//! value's text form (JSON `true` equals `"true"`, `401` equals `"401"`), `equal_number` compares
//! numerically, `not_empty` means present and not null/""/[]/{} (boolean `false` counts as present),
//! `is_a_number` wants a JSON number (a numeric string fails), `has_value` looks for an array
//! element, `contains` searches the text form, and times are milliseconds.

use std::str::FromStr;

use serde_json::Value;

use crate::conformance::outcome::Failure;

/// Where an assertion or a variable reads its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    ResponseStatus,
    ResponseJson,
    ResponseHeaders,
    ResponseText,
    ResponseTime,
    ResponseSize,
}

impl FromStr for Source {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Ok(match text {
            "response_status" => Source::ResponseStatus,
            "response_json" => Source::ResponseJson,
            "response_headers" | "response_header" => Source::ResponseHeaders,
            "response_text" => Source::ResponseText,
            "response_time" => Source::ResponseTime,
            "response_size" => Source::ResponseSize,
            other => return Err(format!("unsupported assertion source `{other}`")),
        })
    }
}

/// How the observed value is compared with the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Equal,
    NotEqual,
    EqualNumber,
    Empty,
    NotEmpty,
    IsANumber,
    IsNull,
    HasValue,
    HasKey,
    Contains,
    DoesNotContain,
    IsLessThan,
    IsLessThanOrEqual,
    IsGreaterThan,
    IsGreaterThanOrEqual,
}

impl FromStr for Comparison {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Ok(match text {
            "equal" => Comparison::Equal,
            "not_equal" => Comparison::NotEqual,
            "equal_number" => Comparison::EqualNumber,
            "empty" => Comparison::Empty,
            "not_empty" => Comparison::NotEmpty,
            "is_a_number" => Comparison::IsANumber,
            "is_null" => Comparison::IsNull,
            "has_value" => Comparison::HasValue,
            "has_key" => Comparison::HasKey,
            "contains" => Comparison::Contains,
            "does_not_contain" => Comparison::DoesNotContain,
            "is_less_than" => Comparison::IsLessThan,
            "is_less_than_or_equal" => Comparison::IsLessThanOrEqual,
            "is_greater_than" => Comparison::IsGreaterThan,
            "is_greater_than_or_equal" => Comparison::IsGreaterThanOrEqual,
            other => return Err(format!("unsupported assertion comparison `{other}`")),
        })
    }
}

impl Comparison {
    /// Whether the comparison needs an expected value.
    pub fn needs_value(self) -> bool {
        !matches!(
            self,
            Comparison::Empty | Comparison::NotEmpty | Comparison::IsANumber | Comparison::IsNull
        )
    }

    fn name(self) -> &'static str {
        match self {
            Comparison::Equal => "equal",
            Comparison::NotEqual => "not_equal",
            Comparison::EqualNumber => "equal_number",
            Comparison::Empty => "empty",
            Comparison::NotEmpty => "not_empty",
            Comparison::IsANumber => "is_a_number",
            Comparison::IsNull => "is_null",
            Comparison::HasValue => "has_value",
            Comparison::HasKey => "has_key",
            Comparison::Contains => "contains",
            Comparison::DoesNotContain => "does_not_contain",
            Comparison::IsLessThan => "is_less_than",
            Comparison::IsLessThanOrEqual => "is_less_than_or_equal",
            Comparison::IsGreaterThan => "is_greater_than",
            Comparison::IsGreaterThanOrEqual => "is_greater_than_or_equal",
        }
    }
}

/// The parts of a response assertions and extractions read.
#[derive(Debug, Clone, Copy)]
pub struct Observed<'a> {
    pub status: u16,
    /// Header names lowercase.
    pub headers: &'a [(String, String)],
    pub body: &'a str,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<&'a Value>,
    pub elapsed_ms: f64,
}

/// Reads `source[property]` from a response: the value, or why there is none.
pub fn observe(source: Source, property: &str, observed: &Observed<'_>) -> Result<Value, String> {
    match source {
        Source::ResponseStatus => Ok(Value::from(observed.status)),
        Source::ResponseTime => Ok(Value::from(observed.elapsed_ms.round() as u64)),
        Source::ResponseSize => Ok(Value::from(observed.body.len())),
        Source::ResponseText => Ok(Value::String(observed.body.to_string())),
        Source::ResponseHeaders => observed
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(property))
            .map(|(_, value)| Value::String(value.clone()))
            .ok_or_else(|| format!("no `{property}` header")),
        Source::ResponseJson => {
            let json = observed
                .json
                .ok_or_else(|| "a body that is not JSON".to_string())?;
            json_path(json, property)
                .cloned()
                .ok_or_else(|| format!("no `{property}` in the body"))
        }
    }
}

/// Follows a dotted path with `[n]` indexes (`Resources[0].name.givenName`); `""` is the root.
pub fn json_path<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = root;
    for segment in path.split('.').filter(|segment| !segment.is_empty()) {
        let (key, indexes) = match segment.find('[') {
            Some(at) => (&segment[..at], &segment[at..]),
            None => (segment, ""),
        };
        if !key.is_empty() {
            current = current.get(key)?;
        }
        for index in indexes.split('[').filter(|part| !part.is_empty()) {
            let index: usize = index.strip_suffix(']')?.trim().parse().ok()?;
            current = current.get(index)?;
        }
    }
    Some(current)
}

/// The text form Runscope compares: strings as they are, everything else as JSON text.
pub fn text_form(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// What a check is called in a failure line: `status`, `response time (ms)`, `name.givenName`.
pub fn describe(source: Source, property: &str, comparison: Comparison) -> String {
    let subject = match source {
        Source::ResponseStatus => "status".to_string(),
        Source::ResponseTime => "response time (ms)".to_string(),
        Source::ResponseSize => "response size (bytes)".to_string(),
        Source::ResponseText => "body text".to_string(),
        Source::ResponseHeaders => format!("header {property}"),
        Source::ResponseJson if property.is_empty() => "body".to_string(),
        Source::ResponseJson => property.to_string(),
    };
    format!("{subject} {}", comparison.name())
}

/// Judges one assertion; `expected` is the already-substituted expected value.
pub fn judge(
    source: Source,
    property: &str,
    comparison: Comparison,
    expected: Option<&str>,
    observed: &Observed<'_>,
) -> Result<(), Failure> {
    let check = describe(source, property, comparison);
    let wanted = expected.unwrap_or("");
    let actual = match observe(source, property, observed) {
        Ok(value) => value,
        Err(missing) => {
            return match comparison {
                Comparison::Empty => Ok(()),
                _ => Err(Failure::new(
                    check,
                    expectation(comparison, wanted),
                    missing,
                )),
            }
        }
    };
    if holds(comparison, &actual, wanted) {
        Ok(())
    } else {
        Err(Failure::new(
            check,
            expectation(comparison, wanted),
            shown(&actual),
        ))
    }
}

fn holds(comparison: Comparison, actual: &Value, wanted: &str) -> bool {
    let number = |value: &Value| match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    let wanted_number = wanted.trim().parse::<f64>().ok();
    let ordered = |test: fn(f64, f64) -> bool| match (number(actual), wanted_number) {
        (Some(a), Some(b)) => test(a, b),
        _ => false,
    };
    match comparison {
        Comparison::Equal => text_form(actual) == wanted,
        Comparison::NotEqual => text_form(actual) != wanted,
        Comparison::EqualNumber => ordered(|a, b| a == b),
        Comparison::Empty => is_empty(actual),
        Comparison::NotEmpty => !is_empty(actual),
        Comparison::IsANumber => actual.is_number(),
        Comparison::IsNull => actual.is_null(),
        Comparison::HasValue => actual
            .as_array()
            .is_some_and(|items| items.iter().any(|item| text_form(item) == wanted)),
        Comparison::HasKey => actual
            .as_object()
            .is_some_and(|object| object.contains_key(wanted)),
        Comparison::Contains => text_form(actual).contains(wanted),
        Comparison::DoesNotContain => !text_form(actual).contains(wanted),
        Comparison::IsLessThan => ordered(|a, b| a < b),
        Comparison::IsLessThanOrEqual => ordered(|a, b| a <= b),
        Comparison::IsGreaterThan => ordered(|a, b| a > b),
        Comparison::IsGreaterThanOrEqual => ordered(|a, b| a >= b),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(object) => object.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

fn expectation(comparison: Comparison, wanted: &str) -> String {
    match comparison {
        Comparison::Equal => format!("\"{wanted}\""),
        Comparison::NotEqual => format!("anything but \"{wanted}\""),
        Comparison::EqualNumber => wanted.to_string(),
        Comparison::Empty => "empty".into(),
        Comparison::NotEmpty => "a non-empty value".into(),
        Comparison::IsANumber => "a JSON number".into(),
        Comparison::IsNull => "null".into(),
        Comparison::HasValue => format!("an array holding \"{wanted}\""),
        Comparison::HasKey => format!("an object with key \"{wanted}\""),
        Comparison::Contains => format!("text containing \"{wanted}\""),
        Comparison::DoesNotContain => format!("text without \"{wanted}\""),
        Comparison::IsLessThan => format!("< {wanted}"),
        Comparison::IsLessThanOrEqual => format!("<= {wanted}"),
        Comparison::IsGreaterThan => format!("> {wanted}"),
        Comparison::IsGreaterThanOrEqual => format!(">= {wanted}"),
    }
}

fn shown(value: &Value) -> String {
    crate::conformance::outcome::clip(&value.to_string(), 200)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn observed(status: u16, json: &Value) -> Observed<'_> {
        Observed {
            status,
            headers: &[],
            body: "",
            json: Some(json),
            elapsed_ms: 12.0,
        }
    }

    fn check(comparison: &str, property: &str, wanted: Option<&str>, body: &Value) -> bool {
        let comparison = comparison.parse().expect("known comparison");
        judge(
            Source::ResponseJson,
            property,
            comparison,
            wanted,
            &observed(200, body),
        )
        .is_ok()
    }

    #[test]
    fn json_paths_follow_keys_and_indexes() {
        let body = json!({"Resources": [{"emails": [{"value": "a@b"}]}]});
        assert_eq!(
            json_path(&body, "Resources[0].emails[0].value"),
            Some(&json!("a@b"))
        );
        assert_eq!(json_path(&body, "Resources[1]"), None);
        assert_eq!(json_path(&body, ""), Some(&body));
    }

    #[test]
    fn equal_compares_text_forms_so_booleans_and_numbers_match_strings() {
        let body = json!({"active": true, "status": 401, "text": "401", "zero": 0});
        assert!(check("equal", "active", Some("true"), &body));
        assert!(check("equal", "status", Some("401"), &body));
        assert!(check("equal", "text", Some("401"), &body));
        assert!(check("equal", "zero", Some("0"), &body));
        assert!(!check("equal", "active", Some("True"), &body));
    }

    #[test]
    fn not_empty_accepts_false_but_not_null_or_blank() {
        let body = json!({"active": false, "none": null, "blank": "", "list": []});
        assert!(check("not_empty", "active", None, &body));
        assert!(!check("not_empty", "none", None, &body));
        assert!(!check("not_empty", "blank", None, &body));
        assert!(!check("not_empty", "list", None, &body));
        assert!(!check("not_empty", "missing", None, &body));
    }

    #[test]
    fn is_a_number_rejects_numeric_strings_but_equal_number_accepts_them() {
        let body = json!({"n": 1, "s": "1"});
        assert!(check("is_a_number", "n", None, &body));
        assert!(!check("is_a_number", "s", None, &body));
        assert!(check("equal_number", "s", Some("1"), &body));
        assert!(!check("equal_number", "n", Some("2"), &body));
    }

    #[test]
    fn has_value_and_contains_search_arrays_and_text() {
        let body = json!({"schemas": ["urn:a", "urn:b"]});
        assert!(check("has_value", "schemas", Some("urn:b"), &body));
        assert!(!check("has_value", "schemas", Some("urn"), &body));
        assert!(check("contains", "schemas", Some("urn:a"), &body));
    }

    #[test]
    fn status_and_time_compare_numerically() {
        let body = json!({});
        let seen = observed(404, &body);
        let status = judge(
            Source::ResponseStatus,
            "",
            Comparison::EqualNumber,
            Some("200"),
            &seen,
        )
        .expect_err("404 is not 200");
        assert_eq!(
            status.to_string(),
            "status equal_number: expected 200, got 404"
        );
        assert!(judge(
            Source::ResponseTime,
            "",
            Comparison::IsLessThan,
            Some("600"),
            &seen
        )
        .is_ok());
    }

    #[test]
    fn a_missing_property_fails_with_a_reason() {
        let body = json!({"a": 1});
        let failure = judge(
            Source::ResponseJson,
            "detail",
            Comparison::NotEmpty,
            None,
            &observed(404, &body),
        )
        .expect_err("missing");
        assert_eq!(failure.actual, "no `detail` in the body");
    }
}
