//! Runscope variables: the name → text store that initial values (`--var`), the initial script,
//! extractions and step scripts write, and `{{name}}` substitution in URLs, headers, bodies and
//! expected values. An unknown `{{name}}` is left as written and reported, so a step aimed at a host
//! nobody configured (`{{oktaOrgUrl}}`) can be skipped with that reason.

use std::collections::BTreeMap;

/// The variables of one run. Values are text, as in Runscope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variables {
    values: BTreeMap<String, String>,
}

/// A template with its variables filled in, and the names that had no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substituted {
    pub text: String,
    pub unresolved: Vec<String>,
}

impl Variables {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// All variables, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// Replaces every `{{ name }}` that has a value; leaves the others as written.
    pub fn substitute(&self, template: &str) -> Substituted {
        let mut text = String::with_capacity(template.len());
        let mut unresolved = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find("{{") {
            let Some(close) = rest[open + 2..].find("}}") else {
                break;
            };
            text.push_str(&rest[..open]);
            let name = rest[open + 2..open + 2 + close].trim();
            match self.get(name) {
                Some(value) => text.push_str(value),
                None => {
                    text.push_str(&rest[open..open + 4 + close]);
                    if !unresolved.iter().any(|known| known == name) {
                        unresolved.push(name.to_string());
                    }
                }
            }
            rest = &rest[open + 4 + close..];
        }
        text.push_str(rest);
        Substituted { text, unresolved }
    }
}

/// The `{{names}}` a template mentions, in order, without repeats.
pub fn mentioned(template: &str) -> Vec<String> {
    Variables::new().substitute(template).unresolved
}

/// Parses a `--var NAME=VALUE` argument.
pub fn parse_assignment(argument: &str) -> Result<(String, String), String> {
    match argument.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!(
            "`--var {argument}` is not NAME=VALUE (e.g. --var SCIMBaseURL=https://example.com/scim/v2)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_known_names_and_reports_unknown_ones() {
        let mut vars = Variables::new();
        vars.set("SCIMBaseURL", "http://h/scim/v2");
        vars.set("id", "42");
        let out = vars.substitute("{{SCIMBaseURL}}/Users/{{ id }}?x={{missing}}&y={{missing}}");
        assert_eq!(
            out.text,
            "http://h/scim/v2/Users/42?x={{missing}}&y={{missing}}"
        );
        assert_eq!(out.unresolved, vec!["missing".to_string()]);
    }

    #[test]
    fn an_unclosed_brace_is_left_alone() {
        let vars = Variables::new();
        assert_eq!(vars.substitute("a {{b").text, "a {{b");
        assert_eq!(mentioned("{{a}}{{b}}{{a}}"), vec!["a", "b"]);
    }

    #[test]
    fn assignments_split_at_the_first_equals_sign() {
        assert_eq!(
            parse_assignment("auth=Bearer a=b"),
            Ok(("auth".into(), "Bearer a=b".into()))
        );
        assert!(parse_assignment("novalue").is_err());
        assert!(parse_assignment("=x").is_err());
    }
}
