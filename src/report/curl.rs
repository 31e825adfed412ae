//! A finding as a shell script of curl commands that replays the minimal case against any server:
//! the base URL, the Authorization value and each custom header are variables (`$SCIM_BASE_URL`,
//! `$SCIM_AUTH`, `$SCIM_HEADER_1`…, never the secret; the rest goes through the run's redactor), the namespace tag is fresh on every run (`$TAG`), and ids the server assigns are
//! captured from create responses and substituted where they stand as ids (see
//! [`super::curl_template`]).

use std::fmt::Write;

use super::curl_template::{shell_quote, Templater};
use super::curl_verdict::{call_name, render_verdict, Quoting, HELPERS};
use super::redact::{self, Redactor};
use super::witness::witnesses;
use crate::driver::Call;
use crate::fuzz::{CaseOutcome, Trace};

/// The id a create response carried, if any.
fn created_id(call: &Call) -> Option<String> {
    if call.request.method != "POST" || !(200..300).contains(&call.response.status) {
        return None;
    }
    call.response
        .json()?
        .get("id")?
        .as_str()
        .map(str::to_string)
}

/// The whole script for a trace: the minimal case replayed, then its verdict. `clean` is the same
/// ops run on a correct server (the reference server, same namespace): the exchanges that differ
/// from it are what the script checks (see [`witnesses`]). Exit 1 when the defect reproduces, 0
/// when it does not, 2 when it cannot judge (no response, or neither jq nor python3 for a JSON check).
pub fn render_curl_script(trace: &Trace, clean: Option<&CaseOutcome>) -> String {
    let redactor = redact::current();
    let mut out = header(trace, &redactor);
    out.push_str(&cleanup_function(&redactor));
    out.push_str(HELPERS);
    let mut words = Templater::new(&trace.recorded.tag);
    let mut next_id = 0;
    for (index, step) in trace.steps().iter().enumerate() {
        let marker = if index == trace.finding.op_index {
            " (the finding)"
        } else {
            ""
        };
        let _ = writeln!(out, "\necho '== op {index}: {}{marker}'", step.op.kind());
        let concurrent = step
            .op
            .race_branches()
            .map_or(0, |branches| branches.len())
            .min(step.calls.len());
        if concurrent > 0 {
            let _ = writeln!(
                out,
                "echo '-- {concurrent} requests sent at once; the read waits for all of them'"
            );
        }
        let mut captured = Vec::new();
        for (call_index, call) in step.calls.iter().enumerate() {
            let name = call_name(index, call_index);
            let command = curl_command(call, &trace.target, &words, &redactor);
            let _ = writeln!(
                out,
                "echo '-> {}' \"$SCIM_BASE_URL\"{}",
                call.request.method,
                words.url(&request_path(call, &trace.target, &redactor))
            );
            if call_index < concurrent {
                let _ = writeln!(out, "send {name} {command} &");
            } else {
                let _ = writeln!(out, "send {name} {command}");
                let _ = writeln!(out, "show {name}");
            }
            if let Some(id) = created_id(call) {
                let variable = format!("ID{next_id}");
                next_id += 1;
                captured.push((name.clone(), variable.clone(), endpoint_of(call)));
                words.add_id(id, variable);
            }
            if call_index + 1 == concurrent {
                let _ = writeln!(out, "wait");
                for branch in 0..concurrent {
                    let _ = writeln!(out, "show {}", call_name(index, branch));
                }
            }
            if call_index + 1 >= concurrent {
                for (from, variable, endpoint) in captured.drain(..) {
                    let _ = writeln!(out, "{variable}=$(id_of {from})");
                    let _ = writeln!(
                        out,
                        "[ -n \"${variable}\" ] && created=\"{endpoint}/${variable} $created\""
                    );
                }
            }
        }
    }
    let found = witnesses(&trace.finding, &trace.recorded, clean);
    let headline = format!(
        "[{}] {}",
        trace.finding.severity.name(),
        trace.finding.check_id
    );
    // Witnesses hold no server ids but the one an id-stable finding names, matched whole.
    let quoting = Quoting {
        text: &|text: &str| words.text(text),
        id: &|text: &str| words.id(text),
    };
    out.push_str(&render_verdict(&found, &headline, &quoting));
    out
}

/// The comment block and the variables.
fn header(trace: &Trace, redactor: &Redactor) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "#!/bin/sh");
    let _ = writeln!(
        out,
        "# scimfuzz repro: [{}] {}",
        trace.finding.check_id, trace.finding.citation
    );
    let _ = writeln!(
        out,
        "#   expected: {}",
        redactor.redact(&trace.finding.expected.replace('\n', " "))
    );
    let _ = writeln!(
        out,
        "#   actual (recorded): {}",
        clip(
            &redactor.redact(&trace.finding.actual.replace('\n', " ")),
            300
        )
    );
    let _ = writeln!(
        out,
        "# seed {} · profile {} · recorded against {}",
        trace.seed,
        trace.profile,
        redactor.redact(&trace.target)
    );
    let _ = writeln!(
        out,
        "# usage: SCIM_BASE_URL=https://host/scim/v2 SCIM_AUTH='Bearer …' sh this-file.sh"
    );
    let _ = writeln!(
        out,
        "# exit status: 1 when the defect reproduces, 0 when it does not, 2 when it cannot judge"
    );
    let _ = writeln!(out, "set -u");
    let _ = writeln!(
        out,
        ": \"${{SCIM_BASE_URL:={}}}\"",
        redactor.redact(&trace.target)
    );
    let _ = writeln!(
        out,
        ": \"${{SCIM_AUTH:?set SCIM_AUTH to the full Authorization header value}}\""
    );
    for (name, variable) in redactor.header_variables() {
        let _ = writeln!(
            out,
            ": \"${{{variable}:?set {variable} to the value of the {name} header}}\""
        );
    }
    let _ = writeln!(
        out,
        "TAG=\"${{TAG:-$(date +%s%N | cut -c8-18)}}\"  # a fresh namespace for names"
    );
    out
}

/// `cleanup`: deletes what the script created, latest first, so the server is left as found.
fn cleanup_function(redactor: &Redactor) -> String {
    let mut headers = String::from("-H \"Authorization: $SCIM_AUTH\"");
    for (name, variable) in redactor.header_variables() {
        let _ = write!(headers, " -H \"{name}: ${variable}\"");
    }
    format!(
        "# cleanup: deletes what this script created (the server is left as found)\n\
         cleanup() {{ for r in $created; do curl -sS -o /dev/null -X DELETE \"$SCIM_BASE_URL/$r\" {headers} || true; done; }}\n"
    )
}

/// `Users` or `Groups`: where a create was sent.
fn endpoint_of(call: &Call) -> &'static str {
    if call.request.url.contains("/Groups") {
        "Groups"
    } else {
        "Users"
    }
}

fn request_path(call: &Call, base_url: &str, redactor: &Redactor) -> String {
    let url = &call.request.url;
    redactor
        .redact(url.strip_prefix(base_url).unwrap_or(url))
        .into_owned()
}

fn curl_command(call: &Call, base_url: &str, words: &Templater, redactor: &Redactor) -> String {
    let request = &call.request;
    let mut parts = vec![
        format!("-X {}", request.method),
        format!(
            "\"$SCIM_BASE_URL\"{}",
            words.url(&request_path(call, base_url, redactor))
        ),
    ];
    for (name, value) in &request.headers {
        if name.eq_ignore_ascii_case("authorization") {
            let recorded_target_auth = !value.contains("non-token") && !value.contains("wrong");
            if recorded_target_auth {
                parts.push("-H \"Authorization: $SCIM_AUTH\"".to_string());
            } else {
                let shown = redactor.redact_header_value(name, value);
                parts.push(format!("-H {}", shell_quote(&format!("{name}: {shown}"))));
            }
        } else if let Some(variable) = redactor.header_variable(name) {
            parts.push(format!("-H \"{name}: ${variable}\""));
        } else {
            let shown = redactor.redact_header_value(name, value);
            parts.push(format!("-H {}", words.text(&format!("{name}: {shown}"))));
        }
    }
    if let Some(body) = &request.body {
        let body = redactor.redact(body);
        parts.push(format!("--data-binary {}", words.body(&body)));
    }
    parts.join(" ")
}

fn clip(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let cut = (0..=limit)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    format!("{}…", &text[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::{RecordedRequest, RecordedResponse, Timings};

    #[test]
    fn a_curl_command_replaces_numeric_ids_only_where_they_are_ids() {
        let mut words = Templater::new("t42");
        words.add_id("1".into(), "ID0".into());
        let call = Call {
            request: RecordedRequest {
                method: "PUT".into(),
                url: "http://127.0.0.1:8081/scim/v2/Users/1".into(),
                headers: vec![("Content-Type".into(), "application/scim+json".into())],
                body: Some(r#"{"id":"1","userName":"user1.t42","active":true}"#.into()),
            },
            response: RecordedResponse::new(200, Vec::new(), ""),
            timings: Timings {
                started_at_us: 0,
                headers_us: 0,
                total_us: 0,
            },
        };
        let command = curl_command(
            &call,
            "http://127.0.0.1:8081/scim/v2",
            &words,
            &redact::current(),
        );
        assert_eq!(
            command,
            "-X PUT \"$SCIM_BASE_URL\"'/Users/'\"${ID0}\" -H 'Content-Type: application/scim+json' \
             --data-binary '{\"id\":\"'\"${ID0}\"'\",\"userName\":\"user1.'\"${TAG}\"'\",\"active\":true}'"
        );
    }
}
