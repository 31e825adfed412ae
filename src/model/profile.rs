//! Behaviour profiles (`models/*.toml`): which rules a server is held to. A profile declares its
//! capabilities (groups, PATCH, DELETE, ETags, filter operators, page size, Unicode folding,
//! media types, latency) and a level per check id (error / warning / note / allowed), and may
//! `extends` another profile (a built-in name or a path relative to the file). Unknown keys are
//! errors that name the file, line and key. `okta`, `rfc-strict` and `entra` are built in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::text::UnicodeFolding;

/// The built-in profiles: name → TOML text.
pub const BUILT_IN: [(&str, &str); 3] = [
    ("okta", include_str!("../../models/okta.toml")),
    ("rfc-strict", include_str!("../../models/rfc-strict.toml")),
    ("entra", include_str!("../../models/entra.toml")),
];

/// The level a profile gives a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
    /// An allowed deviation: not reported at all.
    Allowed,
}

/// What a server may do with a boolean sent as the string `"True"` / `"False"` (Microsoft Entra's
/// habit in PATCH; Okta always sends JSON booleans).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StringBooleans {
    /// Never sent (the client never does it).
    #[default]
    Off,
    /// Sent; the server may store the boolean the string names or refuse with 400 invalidValue,
    /// but never store the string or the wrong value.
    Either,
    /// Sent; the server must store the boolean the string names (the client depends on it).
    Accept,
}

/// What a server may answer to a PATCH `remove` whose target holds no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemoveAbsent {
    /// 200/204 with nothing changed, or 400 `noTarget` (RFC 7644 §3.12 defines noTarget for a
    /// filter that selects nothing; §3.5.2.2 does not demand it for remove).
    #[default]
    Either,
    /// Only 200/204 with nothing changed: removal is idempotent.
    Succeed,
}

/// Whether ETag/If-Match behaviour is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum EtagSupport {
    Declared(bool),
    /// `"auto"`: judged when the server sends ETags.
    Auto(AutoWord),
}

/// The word `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AutoWord {
    Auto,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CapabilitiesFile {
    groups: Option<bool>,
    patch: Option<bool>,
    delete: Option<bool>,
    etag: Option<EtagSupport>,
    filter_operators: Option<Vec<String>>,
    max_page_size: Option<u32>,
    unicode_folding: Option<UnicodeFolding>,
    accept_plain_json: Option<bool>,
    latency_budget_ms: Option<u64>,
    string_booleans: Option<StringBooleans>,
    remove_absent: Option<RemoveAbsent>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    version: u32,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    capabilities: CapabilitiesFile,
    #[serde(default)]
    checks: BTreeMap<String, Level>,
}

/// A resolved profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behaviour {
    /// The profile's name (built-in name or file path).
    pub name: String,
    pub description: String,
    pub groups: bool,
    pub patch: bool,
    pub delete: bool,
    /// `None` = auto (judged when the server sends ETags), `Some(false)` = never generated.
    pub etag: Option<bool>,
    pub filter_operators: Vec<String>,
    pub max_page_size: u32,
    pub unicode_folding: UnicodeFolding,
    pub accept_plain_json: bool,
    /// `None`: latency is not judged.
    pub latency_budget_ms: Option<u64>,
    /// What may happen to `"True"`/`"False"` strings sent for booleans.
    pub string_booleans: StringBooleans,
    /// What may answer a remove of a value that is not there.
    pub remove_absent: RemoveAbsent,
    /// Check id → level, after `extends`.
    pub checks: BTreeMap<String, Level>,
}

/// Why a profile could not be loaded. Messages name the file, line and key.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: `extends` forms a cycle through {through}")]
    Cycle { path: String, through: String },
    #[error("unknown profile `{0}`: use okta, rfc-strict, entra or a path to a .toml file")]
    Unknown(String),
}

/// Loads a profile by built-in name or path. `known_check` validates check ids in `[checks]`.
pub fn load_profile(
    name_or_path: &str,
    known_check: &dyn Fn(&str) -> bool,
) -> Result<Behaviour, ProfileError> {
    let mut chain = Vec::new();
    let (name, text, base) = locate(name_or_path, None)?;
    collect(&name, &text, base, known_check, &mut chain)?;
    let mut behaviour = Behaviour {
        name: name.clone(),
        description: String::new(),
        groups: true,
        patch: true,
        delete: true,
        etag: None,
        filter_operators: Vec::new(),
        max_page_size: 100,
        unicode_folding: UnicodeFolding::Ascii,
        accept_plain_json: true,
        latency_budget_ms: None,
        string_booleans: StringBooleans::Off,
        remove_absent: RemoveAbsent::Either,
        checks: BTreeMap::new(),
    };
    for (_, file) in chain.into_iter().rev() {
        merge(&mut behaviour, file);
    }
    behaviour.name = name;
    Ok(behaviour)
}

fn locate(
    name_or_path: &str,
    base: Option<&Path>,
) -> Result<(String, String, Option<PathBuf>), ProfileError> {
    if let Some((name, text)) = BUILT_IN.iter().find(|(name, _)| *name == name_or_path) {
        return Ok((name.to_string(), text.to_string(), None));
    }
    if !name_or_path.ends_with(".toml") {
        return Err(ProfileError::Unknown(name_or_path.to_string()));
    }
    let path = match base {
        Some(dir) => dir.join(name_or_path),
        None => PathBuf::from(name_or_path),
    };
    let text = std::fs::read_to_string(&path).map_err(|err| ProfileError::Read {
        path: path.display().to_string(),
        reason: err.to_string(),
    })?;
    let dir = path.parent().map(Path::to_path_buf);
    Ok((path.display().to_string(), text, dir))
}

fn collect(
    name: &str,
    text: &str,
    base: Option<PathBuf>,
    known_check: &dyn Fn(&str) -> bool,
    chain: &mut Vec<(String, ProfileFile)>,
) -> Result<(), ProfileError> {
    if chain.iter().any(|(seen, _)| seen == name) || chain.len() > 8 {
        let through = chain
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(" → ");
        return Err(ProfileError::Cycle {
            path: name.to_string(),
            through,
        });
    }
    let file = parse(name, text, known_check)?;
    let parent = file.extends.clone();
    chain.push((name.to_string(), file));
    if let Some(parent) = parent {
        let (parent_name, parent_text, parent_base) = locate(&parent, base.as_deref())?;
        collect(&parent_name, &parent_text, parent_base, known_check, chain)?;
    }
    Ok(())
}

fn parse(
    name: &str,
    text: &str,
    known_check: &dyn Fn(&str) -> bool,
) -> Result<ProfileFile, ProfileError> {
    let invalid = |offset: usize, message: String| {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        ProfileError::Invalid {
            path: name.to_string(),
            line,
            column,
            message,
        }
    };
    let file: ProfileFile = toml::from_str(text).map_err(|err| {
        let offset = err.span().map_or(0, |span| span.start);
        invalid(offset, err.message().trim().to_string())
    })?;
    if file.version != 1 {
        let offset = text.find("version").unwrap_or(0);
        return Err(invalid(
            offset,
            format!("version {} is not supported; use version = 1", file.version),
        ));
    }
    for check in file.checks.keys() {
        if !known_check(check) {
            let offset = text
                .find(&format!("\"{check}\""))
                .or_else(|| text.find(check.as_str()))
                .unwrap_or(0);
            return Err(invalid(
                offset,
                format!("unknown check id `{check}` in [checks]"),
            ));
        }
    }
    if let Some(operators) = &file.capabilities.filter_operators {
        const KNOWN: [&str; 10] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"];
        if let Some(bad) = operators.iter().find(|op| !KNOWN.contains(&op.as_str())) {
            let offset = text.find("filter_operators").unwrap_or(0);
            return Err(invalid(
                offset,
                format!("unknown filter operator `{bad}`; use {}", KNOWN.join(", ")),
            ));
        }
    }
    Ok(file)
}

fn merge(behaviour: &mut Behaviour, file: ProfileFile) {
    let caps = file.capabilities;
    if let Some(description) = file.description {
        behaviour.description = description;
    }
    behaviour.groups = caps.groups.unwrap_or(behaviour.groups);
    behaviour.patch = caps.patch.unwrap_or(behaviour.patch);
    behaviour.delete = caps.delete.unwrap_or(behaviour.delete);
    match caps.etag {
        Some(EtagSupport::Declared(value)) => behaviour.etag = Some(value),
        Some(EtagSupport::Auto(_)) => behaviour.etag = None,
        None => {}
    }
    if let Some(operators) = caps.filter_operators {
        behaviour.filter_operators = operators;
    }
    behaviour.max_page_size = caps.max_page_size.unwrap_or(behaviour.max_page_size);
    behaviour.unicode_folding = caps.unicode_folding.unwrap_or(behaviour.unicode_folding);
    behaviour.accept_plain_json = caps
        .accept_plain_json
        .unwrap_or(behaviour.accept_plain_json);
    if let Some(budget) = caps.latency_budget_ms {
        behaviour.latency_budget_ms = (budget > 0).then_some(budget);
    }
    behaviour.string_booleans = caps.string_booleans.unwrap_or(behaviour.string_booleans);
    behaviour.remove_absent = caps.remove_absent.unwrap_or(behaviour.remove_absent);
    behaviour.checks.extend(file.checks);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any_check(_: &str) -> bool {
        true
    }

    #[test]
    fn string_booleans_are_off_for_okta_either_way_for_the_rfc_and_required_for_entra() {
        let level = |name| {
            let profile = load_profile(name, &any_check).expect("a built-in profile");
            (profile.string_booleans, profile.remove_absent)
        };
        assert_eq!(level("okta"), (StringBooleans::Off, RemoveAbsent::Either));
        assert_eq!(
            level("rfc-strict"),
            (StringBooleans::Either, RemoveAbsent::Either)
        );
        assert_eq!(
            level("entra"),
            (StringBooleans::Accept, RemoveAbsent::Either)
        );
        let entra = load_profile("entra", &any_check).expect("entra");
        assert_eq!(entra.checks["patch.op-case-insensitive"], Level::Error);
        assert_eq!(entra.latency_budget_ms, Some(600), "inherited from okta");
    }

    #[test]
    fn a_bad_string_booleans_value_names_the_file_and_line() {
        let text = "version = 1\n[capabilities]\nstring_booleans = \"sometimes\"\n";
        let err = parse("mine.toml", text, &any_check).expect_err("rejected");
        assert!(err.to_string().starts_with("mine.toml:3:"), "{err}");
    }

    #[test]
    fn okta_extends_rfc_strict_and_relaxes_it() {
        let okta = load_profile("okta", &any_check).expect("okta loads");
        let strict = load_profile("rfc-strict", &any_check).expect("rfc-strict loads");
        assert_eq!(okta.checks["error.status-string"], Level::Note);
        assert_eq!(strict.checks["error.status-string"], Level::Error);
        assert_eq!(okta.unicode_folding, UnicodeFolding::Ascii);
        assert_eq!(strict.unicode_folding, UnicodeFolding::Simple);
        assert_eq!(
            okta.checks["media.content-type"],
            Level::Error,
            "inherited from rfc-strict"
        );
        assert_eq!(okta.latency_budget_ms, Some(600));
    }

    #[test]
    fn an_unknown_key_names_the_file_line_and_key() {
        let dir = std::env::temp_dir().join(format!("scimfuzz-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("mine.toml");
        std::fs::write(
            &path,
            "version = 1\nextends = \"okta\"\n\n[capabilities]\ngroupz = false\n",
        )
        .expect("write");
        let err = load_profile(path.to_str().expect("utf-8"), &any_check).expect_err("unknown key");
        let text = err.to_string();
        assert!(text.contains("mine.toml:5:"), "{text}");
        assert!(text.contains("groupz"), "{text}");
    }

    #[test]
    fn an_unknown_check_id_is_rejected() {
        let err = parse(
            "x.toml",
            "version = 1\n[checks]\n\"no.such\" = \"note\"\n",
            &|id| id != "no.such",
        )
        .expect_err("unknown check");
        assert!(err.to_string().starts_with("x.toml:3:"), "{err}");
    }

    #[test]
    fn an_unknown_profile_name_says_what_is_valid() {
        let err = load_profile("azure", &any_check).expect_err("unknown");
        assert!(err.to_string().contains("okta, rfc-strict"));
    }
}
