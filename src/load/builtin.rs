//! The load profiles built into the binary (`load-profiles/*.toml`, embedded like the behaviour
//! models), and how `--profile` finds one: a path to a file, or a built-in name, or a usage error
//! that lists the built-in names and suggests the nearest.

use std::path::{Path, PathBuf};

use super::profile::{Profile, ProfileError};

/// The built-in load profiles: name → TOML text, in the order `--list-profiles` prints them.
pub const BUILT_IN: [(&str, &str); 8] = [
    ("smoke", include_str!("../../load-profiles/smoke.toml")),
    (
        "okta-onboarding-burst",
        include_str!("../../load-profiles/okta-onboarding-burst.toml"),
    ),
    (
        "okta-import",
        include_str!("../../load-profiles/okta-import.toml"),
    ),
    (
        "okta-profile-sync",
        include_str!("../../load-profiles/okta-profile-sync.toml"),
    ),
    (
        "okta-deprovision-wave",
        include_str!("../../load-profiles/okta-deprovision-wave.toml"),
    ),
    (
        "okta-group-push",
        include_str!("../../load-profiles/okta-group-push.toml"),
    ),
    (
        "okta-mixed-day",
        include_str!("../../load-profiles/okta-mixed-day.toml"),
    ),
    (
        "bench-get-user",
        include_str!("../../load-profiles/bench-get-user.toml"),
    ),
];

/// Why `--profile` named nothing usable.
#[derive(Debug, thiserror::Error)]
pub enum FindError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error("unknown load profile `{given}`{hint}; built-in profiles: {names} (or give a path to a .toml file; `scimfuzz load --list-profiles` describes them)")]
    Unknown {
        given: String,
        hint: String,
        names: String,
    },
}

/// The profile `given` names: a file when it exists or looks like a path (contains `/` or ends in
/// `.toml`), else a built-in profile.
pub fn find_profile(given: &str) -> Result<Profile, FindError> {
    let path = Path::new(given);
    if path.exists() || given.contains('/') || given.ends_with(".toml") {
        return Ok(Profile::load(path)?);
    }
    match BUILT_IN.iter().find(|(name, _)| *name == given) {
        Some((name, text)) => Ok(Profile::parse(text, &built_in_label(name))?),
        None => Err(FindError::Unknown {
            given: given.to_string(),
            hint: nearest(given)
                .map(|name| format!(" (did you mean `{name}`?)"))
                .unwrap_or_default(),
            names: BUILT_IN
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// How errors in a built-in profile name it: the file it was built from.
fn built_in_label(name: &str) -> PathBuf {
    Path::new("load-profiles").join(format!("{name}.toml"))
}

/// The built-in name closest to `given` when it is close enough to be a typo, or one of the two
/// starts with the other (`okta-import-users`, `okta-mixed`).
fn nearest(given: &str) -> Option<&'static str> {
    BUILT_IN
        .iter()
        .map(|(name, _)| {
            let prefix = name.starts_with(given) || given.starts_with(name);
            let distance = if prefix && given.len() >= 4 {
                0
            } else {
                edit_distance(given, name)
            };
            (*name, distance)
        })
        .filter(|(name, distance)| *distance <= 2.max(name.len() / 4))
        .min_by_key(|(_, distance)| *distance)
        .map(|(name, _)| name)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, left) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, right) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(left != *right);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// `--list-profiles`: one line per built-in profile with its description.
pub fn profiles_table() -> String {
    let width = BUILT_IN
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    let mut table = String::from(
        "built-in load profiles (--profile NAME; a path to a .toml file works too):\n",
    );
    for (name, text) in BUILT_IN {
        let description = Profile::parse(text, &built_in_label(name))
            .map(|profile| profile.description)
            .unwrap_or_else(|err| format!("(invalid: {err})"));
        table.push_str(&format!("{name:<width$}  {description}\n"));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_profile_parses_and_matches_its_file() {
        for (name, text) in BUILT_IN {
            let profile = Profile::parse(text, &built_in_label(name)).expect(name);
            assert_eq!(profile.name, name);
        }
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("load-profiles");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("load-profiles/")
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter_map(|file| file.strip_suffix(".toml").map(str::to_string))
            .collect();
        files.sort();
        let mut names: Vec<String> = BUILT_IN.iter().map(|(n, _)| n.to_string()).collect();
        names.sort();
        assert_eq!(files, names, "every file in load-profiles/ is built in");
    }

    #[test]
    fn a_built_in_name_is_found_without_the_directory() {
        let profile = find_profile("smoke").expect("built in");
        assert_eq!(profile.name, "smoke");
    }

    #[test]
    fn an_unknown_name_lists_the_built_ins_and_suggests_the_nearest() {
        let err = find_profile("smoek").expect_err("unknown").to_string();
        assert!(
            err.starts_with("unknown load profile `smoek` (did you mean `smoke`?)"),
            "{err}"
        );
        assert!(err.contains("okta-mixed-day"), "{err}");
        let err = find_profile("nope").expect_err("unknown").to_string();
        assert!(!err.contains("did you mean"), "{err}");
    }

    #[test]
    fn a_path_is_read_as_a_file() {
        let err = find_profile("no/such/profile.toml").expect_err("missing file");
        assert!(
            err.to_string().contains("could not read load profile"),
            "{err}"
        );
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("smoke", "smoke"), 0);
        assert_eq!(edit_distance("smoek", "smoke"), 2);
        assert_eq!(edit_distance("okta-import", "okta-imports"), 1);
    }
}
