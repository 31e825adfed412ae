//! Executes a parsed Runscope export step by step: substitutes variables, runs before-scripts,
//! sends each request through the driver, captures variables, runs scripts, judges assertions (in
//! Runscope's documented order), and waits out pauses only when asked. Steps aimed at a host
//! nobody configured (the CRUD suite's Okta org) are skipped with the reason, and so is every
//! later step once a skipped step would have changed state, since later steps may check its effect.

use std::time::{Duration, Instant};

use super::assertions::{judge, observe, text_form, Observed};
use super::export::{Export, RequestStep, Step};
use super::script::{run_script, EngineError};
use super::vars::Variables;
use crate::conformance::outcome::{Failure, StepResult, SuiteResult, Verdict};
use crate::conformance::url::encode_url;
use crate::conformance::wire::Wire;
use crate::driver::{AuthMode, Body, Method, RequestSpec, TransportError};

/// What a script is expected to do, in failure lines (`script: expected its assertions to hold, got …`).
pub const SCRIPT_PASSES: &str = "its assertions to hold";

/// How to run an export.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Wait out pause steps (Okta's 5–40 s) instead of skipping them.
    pub pauses: bool,
    /// JavaScript run once before the first step (Okta's `Initial_Script_*.txt`).
    pub initial_script: Option<String>,
}

/// Why a run stopped without a verdict.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Transport(#[from] TransportError),
    #[error("{0}")]
    Engine(#[from] EngineError),
    #[error("the initial script failed: {0} (fix the script or leave --initial-script out)")]
    InitialScript(String),
}

/// Runs every step of `export` with `vars` and returns one result per non-pause step. Request
/// steps are numbered from 1 in file order, pauses not counted (Okta's "step 8"). After Ctrl-C
/// (the wire's interrupt) it returns the steps run so far.
pub fn run_export(
    export: &Export,
    vars: &mut Variables,
    options: &RunOptions,
    wire: &mut Wire,
) -> Result<SuiteResult, RunError> {
    if let Some(source) = &options.initial_script {
        let run = run_script(source, vars, None)?;
        if let Some(error) = run.error {
            return Err(RunError::InitialScript(error));
        }
    }
    let mut suite = SuiteResult::new(export.name.clone());
    let mut number = 0;
    let mut blocked_by: Option<String> = None;
    let mut extracted: Vec<String> = Vec::new();
    for step in &export.steps {
        match step {
            Step::Pause { seconds, skipped } => {
                if options.pauses && !skipped {
                    wire.sleep(Duration::from_secs_f64(*seconds));
                }
            }
            Step::Unsupported { step_type } => {
                number += 1;
                suite.steps.push(StepResult::new(
                    number.to_string(),
                    format!("{step_type} step"),
                    Verdict::Skipped {
                        reason: format!("step type `{step_type}` is not supported by this runner"),
                    },
                ));
            }
            Step::Request(request) => {
                number += 1;
                let id = number.to_string();
                let name = step_name(request);
                let result = match skip_reason(request, vars, &extracted, blocked_by.as_deref()) {
                    Some(reason) => {
                        if blocked_by.is_none() && request.method != "GET" {
                            blocked_by = Some(format!(
                                "step {id} ({} {}) could not run, and this step may depend on it",
                                request.method, request.url
                            ));
                        }
                        StepResult::new(id, name, Verdict::Skipped { reason })
                    }
                    None => match run_request(&id, name, request, vars, wire) {
                        // Ctrl-C: the steps so far are the (partial) result.
                        Err(RunError::Transport(TransportError::Interrupted)) => {
                            suite.mark_interrupted();
                            break;
                        }
                        result => result?,
                    },
                };
                extracted.extend(request.extractions.iter().map(|e| e.name.clone()));
                suite.steps.push(result);
            }
        }
    }
    Ok(suite)
}

/// The note, or `METHOD url` when the step has none.
fn step_name(request: &RequestStep) -> String {
    if request.note.is_empty() {
        format!("{} {}", request.method, request.url)
    } else {
        request.note.clone()
    }
}

/// Why a request step cannot run, if it cannot.
fn skip_reason(
    request: &RequestStep,
    vars: &Variables,
    extracted: &[String],
    blocked_by: Option<&str>,
) -> Option<String> {
    if request.skipped {
        return Some("marked skipped in the export".into());
    }
    if let Some(reason) = &request.unsendable {
        return Some(reason.clone());
    }
    if parse_method(&request.method).is_none() {
        return Some(format!("method {} is not supported", request.method));
    }
    let url = vars.substitute(&request.url);
    let missing: Vec<&String> = url
        .unresolved
        .iter()
        .filter(|name| !extracted.contains(name))
        .collect();
    if !missing.is_empty() {
        let names: Vec<String> = missing
            .iter()
            .map(|name| format!("{{{{{name}}}}}"))
            .collect();
        let flags: Vec<String> = missing
            .iter()
            .map(|name| format!("--var {name}=…"))
            .collect();
        let hint = if missing.iter().any(|name| name.starts_with("okta")) {
            " (an Okta org's API; `scimfuzz okta` runs the CRUD lifecycle natively)"
        } else {
            ""
        };
        return Some(format!(
            "needs {} to be set{hint}: give {}",
            names.join(", "),
            flags.join(" ")
        ));
    }
    if !url.text.starts_with("http://") && !url.text.starts_with("https://") {
        return Some(format!("`{}` is not an http(s) URL", url.text));
    }
    blocked_by.map(str::to_string)
}

/// Sends one request step and judges it.
fn run_request(
    id: &str,
    name: String,
    request: &RequestStep,
    vars: &mut Variables,
    wire: &mut Wire,
) -> Result<StepResult, RunError> {
    let started = Instant::now();
    let mut result = StepResult::new(id, name, Verdict::Passed);
    let mut failures = Vec::new();
    for source in &request.before_scripts {
        let run = run_script(source, vars, None)?;
        result.notes.extend(run.logs);
        if let Some(error) = run.error {
            failures.push(Failure::new("before script", SCRIPT_PASSES, error));
        }
    }
    let url = vars.substitute(&request.url).text;
    let (base, path) = split_url(&url);
    let spec = build_spec(request, vars, path);
    let call = wire.send_to(base, &spec)?;
    if let Some(oversized) = call.response.oversized {
        failures.push(Failure::new(
            "response size",
            format!("a body of at most {} bytes", oversized.limit),
            oversized.describe(),
        ));
    }
    let json = call.response.json();
    let observed = Observed {
        status: call.response.status,
        headers: &call.response.headers,
        body: &call.response.body,
        json: json.as_ref(),
        elapsed_ms: call.timings.total_us as f64 / 1000.0,
    };
    // Runscope's order: extract variables, run scripts, then judge the editor's assertions (so
    // assertion values may use variables the scripts set).
    for extraction in &request.extractions {
        if let Ok(value) = observe(extraction.source, &extraction.property, &observed) {
            vars.set(extraction.name.clone(), text_form(&value));
        }
    }
    for source in &request.scripts {
        let run = run_script(source, vars, Some(&call))?;
        result.notes.extend(run.logs);
        if let Some(error) = run.error {
            failures.push(Failure::new("script", SCRIPT_PASSES, error));
        }
    }
    failures.extend(judge_assertions(request, vars, &observed));
    result.verdict = Verdict::from_failures(failures);
    result.calls.push(call);
    result.seconds = started.elapsed().as_secs_f64();
    Ok(result)
}

/// The failures among a step's assertions, expected values substituted.
fn judge_assertions(
    request: &RequestStep,
    vars: &Variables,
    observed: &Observed<'_>,
) -> Vec<Failure> {
    request
        .assertions
        .iter()
        .filter_map(|assertion| {
            let expected = assertion
                .value
                .as_deref()
                .map(|value| vars.substitute(value).text);
            judge(
                assertion.source,
                &assertion.property,
                assertion.comparison,
                expected.as_deref(),
                observed,
            )
            .err()
        })
        .collect()
}

/// The request the driver sends: the step's own headers (auth included, none added from a target),
/// the body as written, the URL's path and query percent-encoded where Runscope would encode it.
fn build_spec(request: &RequestStep, vars: &Variables, path: &str) -> RequestSpec {
    let method = parse_method(&request.method).unwrap_or(Method::Get);
    let mut spec = RequestSpec::new(method, encode_url(path)).auth(AuthMode::Omit);
    for (name, value) in &request.headers {
        spec = spec.header(name.clone(), vars.substitute(value).text);
    }
    if let Some((user, password)) = &request.basic_auth {
        let user = vars.substitute(user).text;
        let password = vars.substitute(password).text;
        spec = spec.header("Authorization", basic_authorization(&user, &password));
    }
    let content_type = request
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| vars.substitute(value).text);
    if let Some(body) = &request.body {
        spec.body = Some(Body::Raw {
            content_type: content_type.unwrap_or_else(|| "text/plain".into()),
            text: vars.substitute(body).text,
        });
    } else if !request.form.is_empty() {
        let text = request
            .form
            .iter()
            .map(|(name, value)| {
                let value = vars.substitute(value).text;
                format!("{}={}", encode_form(name), encode_form(&value))
            })
            .collect::<Vec<_>>()
            .join("&");
        spec.body = Some(Body::Raw {
            content_type: "application/x-www-form-urlencoded".into(),
            text,
        });
    }
    spec
}

/// Splits an absolute URL into its origin (`http://host:port`) and the rest (`/path?query`).
fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map(|at| at + 3).unwrap_or(0);
    match url[after_scheme..].find(['/', '?']) {
        Some(at) => url.split_at(after_scheme + at),
        None => (url, ""),
    }
}

fn encode_form(text: &str) -> String {
    encode_url(text)
        .replace('&', "%26")
        .replace('=', "%3D")
        .replace('+', "%2B")
}

/// `Basic base64(user:password)`, from a step's `auth` block.
fn basic_authorization(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// The driver's method for an export's method name.
fn parse_method(name: &str) -> Option<Method> {
    [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ]
    .into_iter()
    .find(|method| method.as_str() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_origin_and_path() {
        assert_eq!(
            split_url("http://127.0.0.1:80/scim/v2/Users?x=1"),
            ("http://127.0.0.1:80", "/scim/v2/Users?x=1")
        );
        assert_eq!(split_url("https://h"), ("https://h", ""));
        assert_eq!(split_url("http://h?q"), ("http://h", "?q"));
    }

    #[test]
    fn basic_auth_is_base64_of_user_colon_password() {
        assert_eq!(
            basic_authorization("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic_authorization("a", ""), "Basic YTo=");
    }
}
