//! The Runscope API-test export format (the JSON Okta publishes its tests in): steps, request
//! steps with headers, body, assertions, variable extractions and scripts, and pause steps.
//! Parsing validates every assertion source and comparison up front, so an unsupported file is a
//! clear usage error (exit 2) instead of a half-run.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::assertions::{Comparison, Source};

/// A parsed export.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub name: String,
    pub description: String,
    pub steps: Vec<Step>,
}

/// One step of the test, in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Request(Box<RequestStep>),
    /// Wait `seconds` (Okta puts 5–40 s between steps for its asynchronous provisioning).
    Pause {
        seconds: f64,
        skipped: bool,
    },
    /// A step type this runner does not execute (conditions, subtests); reported as skipped.
    Unsupported {
        step_type: String,
    },
}

/// One HTTP request with what to assert and what to capture.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestStep {
    pub note: String,
    pub method: String,
    /// The URL template, `{{variables}}` unresolved, query written raw.
    pub url: String,
    /// Header name and value templates, in file order (a name repeats for multi-valued headers).
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// Form fields (sent `application/x-www-form-urlencoded` when there is no body).
    pub form: Vec<(String, String)>,
    /// Basic auth from the step's `auth` block, if any.
    pub basic_auth: Option<(String, String)>,
    pub assertions: Vec<Assertion>,
    pub extractions: Vec<Extraction>,
    pub scripts: Vec<String>,
    pub before_scripts: Vec<String>,
    pub skipped: bool,
    /// Why the step cannot be sent as exported (multipart or binary bodies), if so.
    pub unsendable: Option<String>,
}

/// One assertion: `source[property] comparison value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assertion {
    pub source: Source,
    pub property: String,
    pub comparison: Comparison,
    /// The expected value template (`None` for `not_empty`, `is_a_number`, …).
    pub value: Option<String>,
}

/// One variable captured from the response.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    pub name: String,
    pub source: Source,
    pub property: String,
}

/// Why a file is not a usable Runscope export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the file is not JSON: {0} (export the test from Runscope as JSON)")]
    NotJson(serde_json::Error),
    #[error(
        "the file is JSON but {0}; a Runscope export is one test as an object \
         ({{\"name\": …, \"steps\": […]}}): export a single test from Runscope as JSON"
    )]
    NotAnObject(&'static str),
    #[error("the file is not a Runscope export: {0}")]
    BadShape(serde_json::Error),
    #[error("the file has no `steps` array; is it a Runscope API-test export?")]
    NoSteps,
    #[error("step {index}: {reason}")]
    BadStep { index: usize, reason: String },
}

#[derive(Deserialize)]
struct RawExport {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    steps: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct RawRequest {
    #[serde(default)]
    note: Option<String>,
    method: String,
    url: String,
    #[serde(default)]
    headers: Option<Map<String, Value>>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    form: Option<Map<String, Value>>,
    #[serde(default)]
    multipart_form: Option<Vec<Value>>,
    #[serde(default)]
    binary_body: Option<Value>,
    #[serde(default)]
    auth: Option<Map<String, Value>>,
    #[serde(default)]
    assertions: Vec<RawAssertion>,
    #[serde(default)]
    variables: Vec<RawExtraction>,
    #[serde(default)]
    scripts: Vec<String>,
    #[serde(default)]
    before_scripts: Vec<String>,
    #[serde(default)]
    skipped: bool,
}

#[derive(Deserialize)]
struct RawAssertion {
    source: String,
    comparison: String,
    #[serde(default)]
    property: Option<String>,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize)]
struct RawExtraction {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    property: Option<String>,
}

/// Parses an export from its JSON text.
pub fn parse_export(text: &str) -> Result<Export, ExportError> {
    let value: Value = serde_json::from_str(text).map_err(ExportError::NotJson)?;
    let found = match &value {
        Value::Object(_) => None,
        Value::Array(_) => Some("an array"),
        Value::String(_) => Some("a string"),
        Value::Number(_) => Some("a number"),
        Value::Bool(_) => Some("a boolean"),
        Value::Null => Some("null"),
    };
    if let Some(found) = found {
        return Err(ExportError::NotAnObject(found));
    }
    let raw: RawExport = serde_json::from_value(value).map_err(ExportError::BadShape)?;
    let steps = raw.steps.ok_or(ExportError::NoSteps)?;
    let steps = steps
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            parse_step(value).map_err(|reason| ExportError::BadStep {
                index: index + 1,
                reason,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Export {
        name: raw.name.unwrap_or_else(|| "Runscope test".into()),
        description: raw.description.unwrap_or_default(),
        steps,
    })
}

fn parse_step(value: Value) -> Result<Step, String> {
    let step_type = value
        .get("step_type")
        .and_then(Value::as_str)
        .unwrap_or("request")
        .to_string();
    match step_type.as_str() {
        "request" => {
            let raw: RawRequest =
                serde_json::from_value(value).map_err(|err| format!("bad request step: {err}"))?;
            Ok(Step::Request(Box::new(convert_request(raw)?)))
        }
        "pause" => {
            let seconds = value.get("duration").and_then(Value::as_f64).unwrap_or(0.0);
            if !(0.0..=3600.0).contains(&seconds) {
                return Err(format!("pause of {seconds} s is outside 0–3600 s"));
            }
            let skipped = value
                .get("skipped")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            Ok(Step::Pause { seconds, skipped })
        }
        _ => Ok(Step::Unsupported { step_type }),
    }
}

fn convert_request(raw: RawRequest) -> Result<RequestStep, String> {
    let assertions = raw
        .assertions
        .into_iter()
        .map(convert_assertion)
        .collect::<Result<Vec<_>, _>>()?;
    let extractions = raw
        .variables
        .into_iter()
        .filter_map(convert_extraction)
        .collect::<Result<Vec<_>, _>>()?;
    let unsendable = if raw.multipart_form.as_ref().is_some_and(|m| !m.is_empty()) {
        Some("multipart form bodies are not supported".to_string())
    } else if raw.binary_body.as_ref().is_some_and(|b| !b.is_null()) {
        Some("binary bodies are not supported".to_string())
    } else {
        None
    };
    Ok(RequestStep {
        note: raw.note.unwrap_or_default().trim().to_string(),
        method: raw.method.to_ascii_uppercase(),
        url: raw.url,
        headers: flatten_headers(raw.headers.unwrap_or_default())?,
        body: raw.body.filter(|body| !body.is_empty()),
        form: flatten_headers(raw.form.unwrap_or_default())?,
        basic_auth: basic_auth(raw.auth.as_ref()),
        assertions,
        extractions,
        scripts: non_blank(raw.scripts),
        before_scripts: non_blank(raw.before_scripts),
        skipped: raw.skipped,
        unsendable,
    })
}

fn convert_assertion(raw: RawAssertion) -> Result<Assertion, String> {
    let source: Source = raw.source.parse()?;
    let comparison: Comparison = raw.comparison.parse()?;
    let value = match raw.value {
        Value::Null => None,
        Value::String(text) => Some(text),
        other => Some(other.to_string()),
    };
    if comparison.needs_value() && value.is_none() {
        return Err(format!(
            "assertion `{} {}` has no value to compare with",
            raw.source, raw.comparison
        ));
    }
    Ok(Assertion {
        source,
        property: raw.property.unwrap_or_default(),
        comparison,
        value,
    })
}

/// An extraction, or `None` for Runscope's empty placeholder rows (no name).
fn convert_extraction(raw: RawExtraction) -> Option<Result<Extraction, String>> {
    let name = raw.name.filter(|name| !name.trim().is_empty())?;
    let source = match raw.source.as_deref().unwrap_or("response_json").parse() {
        Ok(source) => source,
        Err(err) => return Some(Err(format!("variable `{name}`: {err}"))),
    };
    Some(Ok(Extraction {
        name,
        source,
        property: raw.property.unwrap_or_default(),
    }))
}

/// `{"Accept": ["a", "b"]}` → `[("Accept","a"), ("Accept","b")]`; a plain string value is one value.
fn flatten_headers(map: Map<String, Value>) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for (name, values) in map {
        match values {
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::String(text) => pairs.push((name.clone(), text)),
                        other => pairs.push((name.clone(), other.to_string())),
                    }
                }
            }
            Value::String(text) => pairs.push((name, text)),
            Value::Null => {}
            other => return Err(format!("`{name}` has an unexpected value {other}")),
        }
    }
    Ok(pairs)
}

fn basic_auth(auth: Option<&Map<String, Value>>) -> Option<(String, String)> {
    let auth = auth?;
    if auth.get("auth_type").and_then(Value::as_str) != Some("basic") {
        return None;
    }
    let field = |name: &str| {
        auth.get(name)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    Some((field("username"), field("password")))
}

fn non_blank(scripts: Vec<String>) -> Vec<String> {
    scripts
        .into_iter()
        .filter(|script| !script.trim().is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = r#"{"name": "T", "steps": [
        {"step_type": "request", "note": " Required: list ", "method": "get",
         "url": "{{SCIMBaseURL}}/Users?count=1", "headers": {"Accept": ["application/scim+json"],
         "Authorization": ["{{auth}}"]}, "assertions": [
           {"comparison": "equal_number", "source": "response_status", "value": 200},
           {"comparison": "not_empty", "source": "response_json", "value": null, "property": "Resources"}],
         "variables": [{"source": "response_json", "name": "id", "property": "Resources[0].id"},
                       {"source": "response_json", "name": null, "property": ""}],
         "scripts": [""], "before_scripts": []},
        {"step_type": "pause", "skipped": false, "duration": 5},
        {"step_type": "condition"}]}"#;

    #[test]
    fn json_that_is_not_an_object_says_what_it_is_and_what_is_expected() {
        let err = parse_export("[{\"steps\": []}]").unwrap_err().to_string();
        assert!(err.contains("is JSON but an array"), "{err}");
        assert!(err.contains("\"steps\""), "{err}");
        assert!(!err.contains("not JSON"), "{err}");
        let err = parse_export("{\"steps\": 3}").unwrap_err().to_string();
        assert!(err.contains("not a Runscope export"), "{err}");
        assert!(parse_export("{")
            .unwrap_err()
            .to_string()
            .contains("not JSON"));
    }

    #[test]
    fn parses_requests_pauses_and_unknown_step_types() {
        let export = parse_export(EXPORT).expect("valid export");
        assert_eq!(export.name, "T");
        assert_eq!(export.steps.len(), 3);
        let Step::Request(request) = &export.steps[0] else {
            panic!("first step is a request");
        };
        assert_eq!(request.note, "Required: list");
        assert_eq!(request.method, "GET");
        assert_eq!(
            request.headers[1],
            ("Authorization".into(), "{{auth}}".into())
        );
        assert_eq!(request.assertions[0].value.as_deref(), Some("200"));
        assert_eq!(request.extractions.len(), 1, "the nameless row is dropped");
        assert!(request.scripts.is_empty(), "blank scripts are dropped");
        assert_eq!(
            export.steps[1],
            Step::Pause {
                seconds: 5.0,
                skipped: false
            }
        );
        assert!(
            matches!(&export.steps[2], Step::Unsupported { step_type } if step_type == "condition")
        );
    }

    #[test]
    fn an_unknown_comparison_is_rejected_with_its_step_number() {
        let text = r#"{"steps": [{"step_type": "request", "method": "GET", "url": "x",
            "assertions": [{"source": "response_status", "comparison": "is_prime", "value": "7"}]}]}"#;
        let err = parse_export(text).expect_err("unknown comparison");
        assert!(err.to_string().starts_with("step 1:"), "{err}");
        assert!(err.to_string().contains("is_prime"), "{err}");
    }

    #[test]
    fn non_json_and_stepless_files_are_rejected() {
        assert!(matches!(parse_export("nope"), Err(ExportError::NotJson(_))));
        assert!(matches!(
            parse_export("{\"name\": \"x\"}"),
            Err(ExportError::NoSteps)
        ));
    }
}
