//! Runscope scripts (the initial script, before-scripts and step scripts) run in an embedded
//! QuickJS engine (rquickjs). Each script gets a fresh context holding the Runscope API from
//! `prelude.js` (`variables`, `response`, `request`, `log`, chai-style `assert`/`expect`), the
//! run's variables in, the variables it set back out. A thrown error (a failed assertion, a
//! TypeError, a syntax error) is the script's failure message. Scripts are bounded in time and
//! memory, so a runaway loop in a user's file ends instead of hanging the run.

use std::time::{Duration, Instant};

use rquickjs::{Context, Runtime};
use serde_json::{json, Map, Value};

use super::vars::Variables;
use crate::driver::Call;

/// The Runscope API, evaluated before every script.
const PRELUDE: &str = include_str!("prelude.js");
/// How long one script may run.
const SCRIPT_TIME_LIMIT: Duration = Duration::from_secs(5);
/// How much memory one script may use.
const SCRIPT_MEMORY_LIMIT: usize = 64 * 1024 * 1024;

/// What a script did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRun {
    /// Lines passed to `log`/`console.log`.
    pub logs: Vec<String>,
    /// The error that ended the script (a failed assertion's message), or `None` when it completed.
    pub error: Option<String>,
}

/// The engine itself could not run (not the script's fault).
#[derive(Debug, thiserror::Error)]
#[error("the JavaScript engine failed: {0}")]
pub struct EngineError(String);

/// Runs `source` with the run's variables and, for step scripts, the step's exchange. Variables
/// the script sets are written back to `vars`, also when it fails part-way.
pub fn run_script(
    source: &str,
    vars: &mut Variables,
    exchange: Option<&Call>,
) -> Result<ScriptRun, EngineError> {
    run_script_within(source, vars, exchange, SCRIPT_TIME_LIMIT)
}

fn run_script_within(
    source: &str,
    vars: &mut Variables,
    exchange: Option<&Call>,
    limit: Duration,
) -> Result<ScriptRun, EngineError> {
    let input = json!({
        "source": source,
        "vars": vars.iter().map(|(k, v)| (k.to_string(), Value::from(v))).collect::<Map<_, _>>(),
        "response": exchange.map(response_object),
        "request": exchange.map(request_object),
    });
    let output = evaluate(&input.to_string(), limit)?;
    let output: Value = serde_json::from_str(&output)
        .map_err(|err| EngineError(format!("unreadable script result: {err}")))?;
    if let Some(Value::Object(updated)) = output.get("vars") {
        for (name, value) in updated {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            vars.set(name.clone(), text);
        }
    }
    let logs = output
        .get("logs")
        .and_then(Value::as_array)
        .map(|lines| {
            lines
                .iter()
                .map(|line| line.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    let error = match output.get("ok") {
        Some(Value::Bool(true)) => None,
        _ => Some(
            output
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("the script failed")
                .to_string(),
        ),
    };
    Ok(ScriptRun { logs, error })
}

/// Evaluates the prelude (which runs the script) and returns the JSON text it produces.
fn evaluate(input: &str, limit: Duration) -> Result<String, EngineError> {
    let runtime = Runtime::new().map_err(|err| EngineError(err.to_string()))?;
    runtime.set_memory_limit(SCRIPT_MEMORY_LIMIT);
    runtime.set_max_stack_size(1024 * 1024);
    let deadline = Instant::now() + limit;
    runtime.set_interrupt_handler(Some(Box::new(move || Instant::now() >= deadline)));
    let context = Context::full(&runtime).map_err(|err| EngineError(err.to_string()))?;
    context.with(|ctx| {
        ctx.globals()
            .set("__input", input)
            .map_err(|err| EngineError(err.to_string()))?;
        match ctx.eval::<String, _>(PRELUDE) {
            Ok(text) => Ok(text),
            Err(rquickjs::Error::Exception) => {
                let thrown = ctx.catch();
                let message = thrown
                    .as_exception()
                    .and_then(|exception| exception.message())
                    .unwrap_or_else(|| format!("{thrown:?}"));
                if Instant::now() >= deadline {
                    Ok(failure_output(&format!(
                        "the script ran longer than {} ms and was stopped",
                        limit.as_millis()
                    )))
                } else {
                    Ok(failure_output(&message))
                }
            }
            Err(err) => Err(EngineError(err.to_string())),
        }
    })
}

/// The result text of a script stopped outside the prelude's own error handling (time limit,
/// out of memory): variables are unknown, so none are reported back.
fn failure_output(message: &str) -> String {
    json!({"ok": false, "error": message, "logs": []}).to_string()
}

/// Header pairs as Runscope shows them: name → array of values.
fn header_dictionary(pairs: &[(String, String)]) -> Map<String, Value> {
    let mut headers = Map::new();
    for (name, value) in pairs {
        let entry = headers
            .entry(name.clone())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(values) = entry {
            values.push(Value::from(value.clone()));
        }
    }
    headers
}

/// Runscope's `response` object.
fn response_object(call: &Call) -> Value {
    json!({
        "status": call.response.status,
        "body": call.response.body,
        "headers": header_dictionary(&call.response.headers),
        "content_type": call.response.header("content-type").unwrap_or_default(),
        "response_time_ms": call.timings.total_us / 1000,
        "size_bytes": call.response.body.len(),
    })
}

/// Runscope's `request` object: method, url and its parts (scheme, host, path, query `params`
/// as name → array of decoded values), headers and body.
fn request_object(call: &Call) -> Value {
    let url = &call.request.url;
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url.as_str()));
    let (host, path_and_query) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, "/"),
    };
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut params = Map::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let entry = params
            .entry(percent_decode(name))
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(values) = entry {
            values.push(Value::from(percent_decode(value)));
        }
    }
    json!({
        "method": call.request.method,
        "url": url,
        "scheme": scheme,
        "host": host,
        "path": path,
        "params": params,
        "headers": header_dictionary(&call.request.headers),
        "body": call.request.body.clone().unwrap_or_default(),
    })
}

/// Decodes `%XX` escapes and `+` (form-encoded space); invalid escapes stay as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                index += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                index += 1;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::{RecordedRequest, RecordedResponse, Timings};

    fn call_with_body(body: &str) -> Call {
        Call {
            request: RecordedRequest {
                method: "GET".into(),
                url: "http://127.0.0.1/scim/v2/Groups".into(),
                headers: vec![],
                body: None,
            },
            response: RecordedResponse {
                status: 200,
                headers: vec![("content-type".into(), "application/scim+json".into())],
                body: body.into(),
                oversized: None,
            },
            timings: Timings {
                started_at_us: 0,
                headers_us: 1000,
                total_us: 2000,
            },
        }
    }

    #[test]
    fn the_initial_script_sets_variables() {
        let mut vars = Variables::new();
        let source = "variables.set('a', 'x' + 1); variables.set('caps', 'ab@c'.toUpperCase());";
        let run = run_script(source, &mut vars, None).expect("engine runs");
        assert_eq!(run.error, None);
        assert_eq!(vars.get("a"), Some("x1"));
        assert_eq!(vars.get("caps"), Some("AB@C"));
    }

    #[test]
    fn okta_groups_script_passes_on_an_empty_list_and_on_an_array() {
        let script = "var data = JSON.parse(response.body);\nvar max = data.totalResults;\n\
            var res = data.Resources;\nvar exists = false;\nif (max === 0)\n\
            \tassert(\"nogroups\", \"No Groups found in the endpoint\");\n\
            else if (max >= 1 && Array.isArray(res)) {\n exists = true;\n\
            assert.ok(exists, \"Resources is of type Array\");\n\tlog(exists);\n}";
        let mut vars = Variables::new();
        let empty = call_with_body(r#"{"totalResults":0}"#);
        assert_eq!(
            run_script(script, &mut vars, Some(&empty)).unwrap().error,
            None
        );
        let listed = call_with_body(r#"{"totalResults":1,"Resources":[{}]}"#);
        let run = run_script(script, &mut vars, Some(&listed)).unwrap();
        assert_eq!(run.error, None);
        assert_eq!(run.logs, vec!["true"]);
    }

    #[test]
    fn a_failed_assertion_is_the_scripts_error() {
        let mut vars = Variables::new();
        vars.set("randomUsername", "abc@x");
        let script = "var data = JSON.parse(response.body);\n\
            assert.notEqual(data.userName.toLowerCase(),variables.get(\"randomUsername\"),'lower matches');";
        let call = call_with_body(r#"{"userName":"ABC@x"}"#);
        let run = run_script(script, &mut vars, Some(&call)).unwrap();
        assert_eq!(run.error.as_deref(), Some("lower matches"));
    }

    #[test]
    fn expect_to_be_empty_handles_arrays_and_reports_non_empty_ones() {
        let mut vars = Variables::new();
        let script = "var data = JSON.parse(response.body); expect(data.members).to.be.empty;";
        let empty = call_with_body(r#"{"members":[]}"#);
        assert_eq!(
            run_script(script, &mut vars, Some(&empty)).unwrap().error,
            None
        );
        let full = call_with_body(r#"{"members":[{"value":"1"}]}"#);
        let error = run_script(script, &mut vars, Some(&full)).unwrap().error;
        assert_eq!(
            error.as_deref(),
            Some("expected [{\"value\":\"1\"}] to be empty")
        );
        let negated = "expect([1]).not.to.be.empty; expect(3).to.be.above(2).and.below(4);";
        assert_eq!(run_script(negated, &mut vars, None).unwrap().error, None);
    }

    #[test]
    fn syntax_errors_and_type_errors_fail_with_their_name() {
        let mut vars = Variables::new();
        let syntax = run_script("var = ;", &mut vars, None).unwrap();
        assert!(syntax.error.unwrap().starts_with("SyntaxError"));
        let type_error = run_script("undefined.x", &mut vars, None).unwrap();
        assert!(type_error.error.unwrap().starts_with("TypeError"));
    }

    #[test]
    fn the_request_object_exposes_url_parts_and_decoded_params() {
        let mut call = call_with_body("{}");
        call.request.url =
            "http://127.0.0.1:8080/scim/v2/Users?filter=userName%20eq%20%22a%40b%22&count=1".into();
        let mut vars = Variables::new();
        let script = "assert.equal(request.host, '127.0.0.1:8080'); \
            assert.equal(request.path, '/scim/v2/Users'); assert.equal(request.scheme, 'http'); \
            assert.equal(request.params.filter[0], 'userName eq \"a@b\"'); \
            assert.equal(request.params.count[0], '1');";
        assert_eq!(
            run_script(script, &mut vars, Some(&call)).unwrap().error,
            None
        );
        assert_eq!(percent_decode("a+b%2x%41"), "a b%2xA");
    }

    #[test]
    fn a_runaway_script_is_stopped() {
        let mut vars = Variables::new();
        let started = Instant::now();
        let limit = Duration::from_millis(200);
        let run = run_script_within("while (true) {}", &mut vars, None, limit).unwrap();
        assert_eq!(
            run.error.as_deref(),
            Some("the script ran longer than 200 ms and was stopped")
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
