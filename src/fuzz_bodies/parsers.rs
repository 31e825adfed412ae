//! Fuzz bodies for the parsers of untrusted input that only have to fail cleanly: SCIM JSON
//! shapes a server sends, Runscope exports, model and load profiles, traces and `.hlog` files.
//! The path-based readers get the bytes through a file in a directory of this process.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::scim::resource::{ErrorResponse, Group, ListResponse, User};

/// Any bytes as the JSON body of a server's answer: an error, a list of users, a user, a group.
pub fn scim_shapes(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let _ = ErrorResponse::from_json(&value);
    let _ = serde_json::from_value::<ListResponse<User>>(value.clone());
    let _ = serde_json::from_value::<User>(value.clone());
    let _ = serde_json::from_value::<Group>(value);
}

/// Any bytes as a Runscope export.
pub fn runscope_export(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::conformance::runscope::parse_export(&text);
}

/// Any bytes as a load profile and as a model (behaviour) profile.
pub fn profiles(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::load::Profile::parse(&text, Path::new("fuzzed.toml"));
    if let Some(path) = scratch_file("model.toml", data) {
        let _ = crate::model::load_profile(&path.to_string_lossy(), &|_| true);
    }
}

/// Any bytes as a fuzz trace (`scimfuzz replay`).
pub fn trace(data: &[u8]) {
    if let Some(path) = scratch_file("trace.json", data) {
        let _ = crate::fuzz::read_trace(&path);
    }
}

/// Any bytes as an HdrHistogram interval log (`scimfuzz report merge`).
pub fn hlog(data: &[u8]) {
    if let Some(path) = scratch_file("create.hlog", data) {
        let _ = crate::load::report::hlog::read_hlog(&path);
    }
}

/// `data` written to `name` in this process's scratch directory, or `None` if it cannot be
/// written (then there is nothing to parse).
fn scratch_file(name: &str, data: &[u8]) -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(format!("scimfuzz-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(name);
    std::fs::write(&path, data).ok()?;
    Some(path)
}
