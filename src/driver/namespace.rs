//! Namespacing and cleanup: every fuzz case gets a fresh lowercase tag (digits only, so case
//! variants of a name keep it), and after a case the driver deletes what it created (or
//! deactivates users where the profile says DELETE is unsupported).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::client::{Driver, TransportError};
use super::ids::{IdMap, ResourceKind};
use super::request::{Method, RequestSpec};

/// Hands out the namespace tags of one run: `<run><case>`, digits only.
#[derive(Debug)]
pub struct Namespaces {
    run: String,
    next_case: AtomicU64,
}

impl Namespaces {
    /// A run prefix drawn from the clock (six digits), so reruns never collide with leftovers.
    pub fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos())
            .unwrap_or(0);
        Self::with_run_prefix(format!("{:06}", (nanos / 1000) % 1_000_000))
    }

    /// A run with a given prefix (digits).
    pub fn with_run_prefix(run: impl Into<String>) -> Self {
        Self {
            run: run.into(),
            next_case: AtomicU64::new(0),
        }
    }

    /// The prefix every tag of this run starts with.
    pub fn run_prefix(&self) -> &str {
        &self.run
    }

    /// A fresh tag for the next case (or shrink replay).
    pub fn next_tag(&self) -> String {
        let case = self.next_case.fetch_add(1, Ordering::Relaxed);
        format!("{}{case:05}", self.run)
    }
}

impl Default for Namespaces {
    fn default() -> Self {
        Self::new()
    }
}

/// How cleanup removes what a case created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CleanupMode {
    /// `DELETE` every resource.
    Delete,
    /// Delete groups, deactivate users (servers without user DELETE, as Okta assumes).
    DeactivateUsers,
}

/// Removes every resource `ids` recorded as created; returns how many requests were refused.
pub async fn cleanup(
    driver: &Driver,
    ids: &IdMap,
    mode: CleanupMode,
) -> Result<usize, TransportError> {
    let mut refused = 0;
    for (kind, id) in ids.created_for_cleanup() {
        let path = format!("{}/{}", kind.endpoint(), encode_component(&id));
        let spec = match (kind, mode) {
            (ResourceKind::User, CleanupMode::DeactivateUsers) => RequestSpec::with_json(
                Method::Patch,
                path,
                json!({"schemas": [crate::scim::urn::PATCH_OP],
                       "Operations": [{"op": "replace", "value": {"active": false}}]}),
            ),
            _ => RequestSpec::delete(path),
        };
        let mut status = driver.send(&spec).await?.response.status;
        // A delete is safe to send again: a server failing now and then must not keep what a
        // case made (it would stand in the way of every later case on an exclusive target).
        for _ in 0..CLEANUP_RETRIES {
            if !(500..600).contains(&status) || status == 501 {
                break;
            }
            status = driver.send(&spec).await?.response.status;
        }
        if status >= 400 && status != 404 {
            refused += 1;
        }
    }
    Ok(refused)
}

/// How often a cleanup request answered 5xx (but 501) is sent again.
const CLEANUP_RETRIES: usize = 2;

/// How many users and groups whose names start with `run_prefix` are still on the server (with
/// [`CleanupMode::DeactivateUsers`], only users still active count).
pub async fn leftovers(
    driver: &Driver,
    run_prefix: &str,
    mode: CleanupMode,
) -> Result<(u64, u64), TransportError> {
    let mut counts = [0u64; 2];
    let only_active = if mode == CleanupMode::DeactivateUsers {
        " and active eq true"
    } else {
        ""
    };
    let queries = [
        ("/Users", "userName", only_active),
        ("/Groups", "displayName", ""),
    ];
    for (index, (endpoint, attribute, extra)) in queries.into_iter().enumerate() {
        let filter = encode_component(&format!("{attribute} sw \"{run_prefix}\"{extra}"));
        let spec = RequestSpec::get(format!("{endpoint}?filter={filter}&count=0"));
        let call = driver.send(&spec).await?;
        counts[index] = call
            .response
            .json()
            .and_then(|body| body.get("totalResults").and_then(serde_json::Value::as_u64))
            .unwrap_or(0);
    }
    Ok((counts[0], counts[1]))
}

/// Percent-encodes a path or query component (RFC 3986 unreserved characters stay as they are).
pub fn encode_component(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_digits_unique_and_share_the_run_prefix() {
        let namespaces = Namespaces::with_run_prefix("123456");
        let first = namespaces.next_tag();
        let second = namespaces.next_tag();
        assert_ne!(first, second);
        assert!(first.starts_with("123456") && first.chars().all(|c| c.is_ascii_digit()));
    }
}
