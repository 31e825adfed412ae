//! The one redactor every writer goes through (terminal, JSON reports, JUnit, traces, curl
//! scripts, load reports, error messages). It knows every secret of the run, registered by the
//! CLI as it resolves them: the Authorization value (`--auth`, `--auth-file`, the environment,
//! URL userinfo turned into Basic auth), each `--header` value, and the runscope `--var`s whose
//! names mark them as secret. Every occurrence of a secret — raw, JSON-escaped or
//! percent-encoded — becomes `***` (an Authorization value keeps its scheme: `Bearer ***`).
//!
//! The secrets of a run live in one process-wide [`Redactor`] ([`register_authorization`],
//! [`register_header`], [`register_secret`]); [`redact`] and [`redact_json`] apply it.

use std::borrow::Cow;
use std::sync::RwLock;

use serde_json::Value;

/// What stands in for a secret.
pub const MASK: &str = "***";

/// Secrets shorter than this are only masked where they are known to stand (header values):
/// masking two-letter strings everywhere would mangle every report.
const MIN_FREE_TEXT_LEN: usize = 4;

/// Secrets and what replaces each, longest first (so a whole value wins over its parts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redactor {
    needles: Vec<(String, String)>,
    /// Custom headers by name (lowercase), with the environment variable a curl script reads
    /// their value from (`SCIM_HEADER_1`, …).
    headers: Vec<(String, String)>,
}

/// The variable names a runscope `--var` is secret by: `auth`, or containing one of these.
const SECRET_NAME_PARTS: [&str; 4] = ["token", "secret", "password", "key"];

/// Whether a runscope variable named `name` holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "auth" || SECRET_NAME_PARTS.iter().any(|part| lower.contains(part))
}

impl Redactor {
    /// An Authorization value: the whole value becomes `Scheme ***`, its credential `***`, and
    /// a Basic credential's decoded `user:password` and password `***` too.
    pub fn add_authorization(&mut self, value: &str) {
        let value = value.trim();
        match value.split_once(' ') {
            Some((scheme, credential)) if !scheme.is_empty() && scheme.len() < 16 => {
                self.add(value, format!("{scheme} {MASK}"));
                let credential = credential.trim();
                self.add_secret(credential);
                if scheme.eq_ignore_ascii_case("basic") {
                    if let Some(decoded) = decode_basic(credential) {
                        if let Some((_, password)) = decoded.split_once(':') {
                            self.add_secret(password);
                        }
                        self.add_secret(&decoded);
                    }
                }
            }
            _ => self.add_secret(value),
        }
    }

    /// A custom header sent on every request: its value is secret, and a curl script reads it
    /// from `$SCIM_HEADER_<n>` (n counts from 1 in the order given).
    pub fn add_header(&mut self, name: &str, value: &str) {
        let variable = format!("SCIM_HEADER_{}", self.headers.len() + 1);
        self.headers.push((name.to_ascii_lowercase(), variable));
        self.add_secret(value);
    }

    /// Any other secret text.
    pub fn add_secret(&mut self, secret: &str) {
        self.add(secret, MASK.to_string());
    }

    fn add(&mut self, secret: &str, replacement: String) {
        let secret = secret.trim();
        if secret.is_empty() || self.needles.iter().any(|(known, _)| known == secret) {
            return;
        }
        let escaped = serde_json::to_string(secret).unwrap_or_default();
        let escaped = escaped.trim_matches('"').to_string();
        let encoded = percent_encode(secret);
        for form in [escaped, encoded] {
            if form != secret && !self.needles.iter().any(|(known, _)| *known == form) {
                self.needles.push((form, replacement.clone()));
            }
        }
        self.needles.push((secret.to_string(), replacement));
        self.needles
            .sort_by_key(|(secret, _)| std::cmp::Reverse(secret.len()));
    }

    /// The environment variable a curl script takes the custom header `name`'s value from.
    pub fn header_variable(&self, name: &str) -> Option<&str> {
        let lower = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(known, _)| *known == lower)
            .map(|(_, variable)| variable.as_str())
    }

    /// The custom headers and their variables, in the order given.
    pub fn header_variables(&self) -> &[(String, String)] {
        &self.headers
    }

    /// `text` with every secret masked.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for (secret, replacement) in &self.needles {
            if secret.len() >= MIN_FREE_TEXT_LEN && out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), replacement));
            }
        }
        out
    }

    /// A header value as shown: masked whole when it is a secret, however short.
    pub fn redact_header_value(&self, name: &str, value: &str) -> String {
        let exact = self
            .needles
            .iter()
            .find(|(secret, _)| secret == value.trim());
        if let Some((_, replacement)) = exact {
            return replacement.clone();
        }
        if looks_secret_header(name) || self.header_variable(name).is_some() {
            return mask_authorization(value);
        }
        self.redact(value).into_owned()
    }

    /// Masks every secret in every string (keys too) of `value`.
    pub fn redact_json(&self, value: &mut Value) {
        match value {
            Value::String(text) => {
                if let Cow::Owned(masked) = self.redact(text) {
                    *text = masked;
                }
            }
            Value::Array(items) => {
                // A recorded header: `[name, value]`.
                if let [Value::String(name), Value::String(value)] = items.as_mut_slice() {
                    *value = self.redact_header_value(name, value);
                    return;
                }
                items.iter_mut().for_each(|item| self.redact_json(item));
            }
            Value::Object(object) => {
                let entries = std::mem::take(object);
                for (key, mut item) in entries {
                    self.redact_json(&mut item);
                    object.insert(self.redact(&key).into_owned(), item);
                }
            }
            _ => {}
        }
    }
}

/// Headers whose values are credentials whatever the run registered: `Authorization`, cookies,
/// and names with token, key, secret or auth in them.
fn looks_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["authorization", "cookie", "token", "key", "secret", "auth"]
        .iter()
        .any(|word| name.contains(word))
}

/// The headers of a recorded request as shown: credentials masked.
pub fn redact_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    with_global(|redactor| {
        headers
            .iter()
            .map(|(name, value)| (name.clone(), redactor.redact_header_value(name, value)))
            .collect()
    })
}

/// `Scheme ***` for an Authorization-like value, `***` when it has no scheme.
fn mask_authorization(value: &str) -> String {
    match value.trim().split_once(' ') {
        Some((scheme, _)) if scheme.len() < 16 => format!("{scheme} {MASK}"),
        _ => MASK.to_string(),
    }
}

fn decode_basic(credential: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(credential)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

static GLOBAL: RwLock<Redactor> = RwLock::new(Redactor {
    needles: Vec::new(),
    headers: Vec::new(),
});

fn with_global<T>(read: impl FnOnce(&Redactor) -> T) -> T {
    let guard = GLOBAL
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    read(&guard)
}

fn update_global(change: impl FnOnce(&mut Redactor)) {
    let mut guard = GLOBAL
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    change(&mut guard);
}

/// Registers the run's Authorization value.
pub fn register_authorization(value: &str) {
    update_global(|redactor| redactor.add_authorization(value));
}

/// Registers a custom header sent on every request.
pub fn register_header(name: &str, value: &str) {
    update_global(|redactor| redactor.add_header(name, value));
}

/// Registers any other secret.
pub fn register_secret(secret: &str) {
    update_global(|redactor| redactor.add_secret(secret));
}

/// A copy of the run's redactor.
pub fn current() -> Redactor {
    with_global(Redactor::clone)
}

/// `text` with every registered secret masked.
pub fn redact(text: &str) -> String {
    with_global(|redactor| redactor.redact(text).into_owned())
}

/// Every string of `value` with every registered secret masked.
pub fn redact_json(value: &mut Value) {
    with_global(|redactor| redactor.redact_json(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authorization_value_keeps_its_scheme_and_loses_its_credential_everywhere() {
        let mut redactor = Redactor::default();
        redactor.add_authorization("Bearer s3cr3t-token");
        assert_eq!(
            redactor.redact("Authorization: Bearer s3cr3t-token"),
            "Authorization: Bearer ***"
        );
        assert_eq!(redactor.redact("echo s3cr3t-token back"), "echo *** back");
        assert_eq!(redactor.redact("nothing here"), "nothing here");
    }

    #[test]
    fn basic_credentials_are_masked_encoded_and_decoded() {
        let mut redactor = Redactor::default();
        // "alice:pa55word"
        redactor.add_authorization("Basic YWxpY2U6cGE1NXdvcmQ=");
        let shown = redactor.redact("Basic YWxpY2U6cGE1NXdvcmQ= alice:pa55word pa55word");
        assert!(!shown.contains("YWxpY2U6cGE1NXdvcmQ"), "{shown}");
        assert!(!shown.contains("pa55word"), "{shown}");
    }

    #[test]
    fn json_escaped_and_percent_encoded_forms_are_masked_too() {
        let mut redactor = Redactor::default();
        redactor.add_secret("we\"ird/key value");
        let mut json =
            serde_json::json!({"a": "x we\"ird/key value y", "b": ["we%22ird%2Fkey%20value"]});
        redactor.redact_json(&mut json);
        let text = json.to_string();
        assert!(!text.contains("ird"), "{text}");
        let rendered = r#"{"x":"we\"ird/key value"}"#;
        assert!(!redactor.redact(rendered).contains("ird"));
    }

    #[test]
    fn custom_headers_get_numbered_variables_and_masked_values() {
        let mut redactor = Redactor::default();
        redactor.add_header("X-Api-Key", "k3y-value");
        redactor.add_header("X-Tenant", "t1");
        assert_eq!(redactor.header_variable("x-api-key"), Some("SCIM_HEADER_1"));
        assert_eq!(redactor.header_variable("X-Tenant"), Some("SCIM_HEADER_2"));
        assert_eq!(redactor.redact_header_value("X-Tenant", "t1"), MASK);
        assert_eq!(
            redactor.redact_header_value("Accept", "application/json"),
            "application/json"
        );
        assert_eq!(redactor.redact("k3y-value"), MASK);
    }

    #[test]
    fn the_authorization_header_is_masked_even_when_it_was_not_registered() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.redact_header_value("Authorization", "Bearer other"),
            "Bearer ***"
        );
    }

    #[test]
    fn secret_variable_names_follow_the_rule() {
        for name in [
            "auth",
            "AUTH",
            "apiToken",
            "client_secret",
            "Password",
            "apiKey",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["SCIMBaseURL", "author", "userName"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
