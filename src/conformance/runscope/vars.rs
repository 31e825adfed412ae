//! Runscope variables: the name → text store that initial values (`--var`), the initial script,
//! extractions and step scripts write, and `{{name}}` substitution in URLs, headers, bodies and
//! expected values. An unknown `{{name}}` is left as written and reported, so a step aimed at a host
//! nobody configured (`{{oktaOrgUrl}}`) can be skipped with that reason.
//!
//! Runscope's built-in template functions that need no arguments beyond numbers are supported:
//! `{{timestamp}}` (Unix seconds), `{{utc_datetime}}` (ISO 8601), `{{random_int}}`,
//! `{{random_int(a,b)}}`, `{{random_string}}` and `{{random_string(n)}}`. A variable of the same
//! name wins over a built-in.

use std::cell::Cell;
use std::collections::BTreeMap;

/// The variables of one run. Values are text, as in Runscope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variables {
    values: BTreeMap<String, String>,
    /// State of the generator behind `{{random_*}}` (0 = not yet seeded from the clock).
    random: Cell<u64>,
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
            match self
                .get(name)
                .map(str::to_string)
                .or_else(|| self.builtin(name))
            {
                Some(value) => text.push_str(&value),
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

    /// The value of a Runscope built-in function, if `call` names one.
    fn builtin(&self, call: &str) -> Option<String> {
        let (name, arguments) = match call.split_once('(') {
            Some((name, rest)) => (name.trim(), rest.strip_suffix(')')?),
            None => (call, ""),
        };
        let numbers: Vec<u64> = arguments
            .split(',')
            .map(str::trim)
            .filter(|argument| !argument.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        match (name, numbers.as_slice()) {
            ("timestamp", []) => Some(now().as_secs().to_string()),
            ("utc_datetime", []) => Some(
                chrono::Utc::now()
                    .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                    .to_string(),
            ),
            ("random_int", []) => Some(self.next_random().to_string()),
            ("random_int", [low, high]) if low <= high => {
                let span = high - low;
                let offset = match span.checked_add(1) {
                    Some(size) => self.next_random() % size,
                    None => self.next_random(),
                };
                Some((low + offset).to_string())
            }
            ("random_string", []) => Some(self.random_letters(8)),
            ("random_string", [length]) if *length <= 1024 => {
                Some(self.random_letters(*length as usize))
            }
            _ => None,
        }
    }

    fn random_letters(&self, length: usize) -> String {
        const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        (0..length)
            .map(|_| LETTERS[(self.next_random() % LETTERS.len() as u64) as usize] as char)
            .collect()
    }

    /// splitmix64, seeded from the clock on first use.
    fn next_random(&self) -> u64 {
        let mut state = self.random.get();
        if state == 0 {
            state = now().as_nanos() as u64 | 1;
        }
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.random.set(state);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn now() -> std::time::Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
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
    fn runscope_builtins_fill_in_unless_a_variable_has_the_name() {
        let mut vars = Variables::new();
        let out = vars.substitute("{{timestamp}} {{random_int(5,7)}} {{random_string(12)}}");
        let parts: Vec<&str> = out.text.split(' ').collect();
        assert!(parts[0].parse::<u64>().expect("seconds") > 1_700_000_000);
        assert!((5..=7).contains(&parts[1].parse::<u64>().expect("int")));
        assert_eq!(parts[2].len(), 12);
        assert!(parts[2].chars().all(|c| c.is_ascii_alphabetic()));
        assert!(out.unresolved.is_empty());
        assert!(vars.substitute("{{utc_datetime}}").text.ends_with('Z'));
        vars.set("timestamp", "fixed");
        assert_eq!(vars.substitute("{{timestamp}}").text, "fixed");
        assert_eq!(
            vars.substitute("{{random_int(9,1)}}").unresolved,
            vec!["random_int(9,1)"]
        );
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
