//! A finding as a shell script of curl commands that replays the minimal case against any server:
//! the base URL, the Authorization value and each custom header are variables (`$SCIM_BASE_URL`,
//! `$SCIM_AUTH`, `$SCIM_HEADER_1`…, never the secret; the rest goes through the run's redactor), the namespace tag is fresh on every run (`$TAG`), and ids the server assigns are
//! captured from create responses and substituted into later requests.

use std::fmt::Write;

use super::redact::{self, Redactor};
use crate::driver::Call;
use crate::fuzz::Trace;

/// Single-quotes `text` for a POSIX shell, keeping `$VAR`s in `vars` expanded.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\"'\"'"))
}

/// `text` as a shell word with the recorded ids and tag replaced by variables.
fn templated(text: &str, substitutions: &[(String, String)]) -> String {
    let mut quoted = shell_quote(text);
    for (literal, variable) in substitutions {
        quoted = quoted.replace(literal.as_str(), &format!("'\"${{{variable}}}\"'"));
    }
    quoted.replace("''", "")
}

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

/// The whole script for a trace.
pub fn render_curl_script(trace: &Trace) -> String {
    let redactor = redact::current();
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
        trace.finding.expected.replace('\n', " ")
    );
    let _ = writeln!(
        out,
        "#   actual (recorded): {}",
        clip(&trace.finding.actual.replace('\n', " "), 300)
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
    let _ = writeln!(out, "set -u");
    let _ = writeln!(out, ": \"${{SCIM_BASE_URL:={}}}\"", trace.target);
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
    let _ = writeln!(out, "id_of() {{ grep -o '\"id\" *: *\"[^\"]*\"' | head -n 1 | sed 's/.*\"\\([^\"]*\\)\"$/\\1/'; }}");
    let mut substitutions: Vec<(String, String)> = vec![(trace.recorded.tag.clone(), "TAG".into())];
    let mut next_id = 0;
    for (index, step) in trace.steps().iter().enumerate() {
        let marker = if index == trace.finding.op_index {
            " (the finding)"
        } else {
            ""
        };
        let _ = writeln!(out, "\necho '== op {index}: {}{marker}'", step.op.kind());
        let concurrent = step
            .calls
            .iter()
            .filter(|c| c.request.method == "POST")
            .count()
            > 1;
        for call in &step.calls {
            let command = curl_command(call, &trace.target, &substitutions, &redactor);
            match created_id(call) {
                Some(id) if !concurrent => {
                    let variable = format!("ID{next_id}");
                    next_id += 1;
                    let _ = writeln!(out, "{variable}=$({command} | tee /dev/stderr | id_of)");
                    substitutions.push((id, variable));
                }
                _ if concurrent && call.request.method == "POST" => {
                    let _ = writeln!(out, "{command} &");
                }
                _ => {
                    let _ = writeln!(out, "{command}");
                }
            }
        }
        if concurrent {
            let _ = writeln!(out, "wait");
        }
    }
    out
}

fn curl_command(
    call: &Call,
    base_url: &str,
    substitutions: &[(String, String)],
    redactor: &Redactor,
) -> String {
    let request = &call.request;
    let path = request.url.strip_prefix(base_url).unwrap_or(&request.url);
    let mut parts = vec![
        "curl -sS".to_string(),
        format!("-X {}", request.method),
        format!(
            "\"$SCIM_BASE_URL\"{}",
            templated(&redactor.redact(path), substitutions)
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
            parts.push(format!(
                "-H {}",
                templated(&format!("{name}: {shown}"), substitutions)
            ));
        }
    }
    if let Some(body) = &request.body {
        let body = redactor.redact(body);
        parts.push(format!("--data-binary {}", templated(&body, substitutions)));
    }
    parts.push("-w '\\n<- HTTP %{http_code}\\n'".to_string());
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

    #[test]
    fn recorded_literals_become_shell_variables() {
        let subs = vec![
            ("123".to_string(), "TAG".to_string()),
            ("abc-id".to_string(), "ID0".to_string()),
        ];
        let word = templated("/Users/abc-id?x=123.a", &subs);
        assert_eq!(word, "'/Users/'\"${ID0}\"'?x='\"${TAG}\"'.a'");
    }

    #[test]
    fn single_quotes_survive_quoting() {
        assert_eq!(shell_quote("it's"), "'it'\"'\"'s'");
    }
}
