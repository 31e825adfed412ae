//! Load profiles: the `load-profiles/*.toml` format (`version = 1`, unknown keys rejected with
//! file, line and key), parsed into plain data that `plan` compiles into goose's test plan.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

/// The only profile format version this build reads.
pub const PROFILE_VERSION: u32 = 1;

/// A load profile as written in its TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub version: Spanned<u32>,
    pub name: String,
    pub description: String,
    /// What the profile assumes about Okta (Okta publishes no concurrency or rate figures).
    #[serde(default)]
    pub assumptions: Vec<String>,
    /// Seed for the run tag and every random choice; `--seed` overrides it.
    #[serde(default)]
    pub seed: Option<u64>,
    pub run: RunSection,
    #[serde(default)]
    pub retry: RetrySection,
    #[serde(default)]
    pub seed_data: SeedData,
    #[serde(rename = "scenario")]
    pub scenarios: Vec<ScenarioSpec>,
    /// SLO expressions such as `create.p99_ms<300`; `--slo` adds more.
    #[serde(default)]
    pub slos: Vec<Spanned<String>>,
}

/// How many provisioning workers, for how long, and at what pace.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// Peak concurrent provisioning workers (goose users). A knob: Okta publishes no figure.
    pub users: usize,
    /// Upper bound on the whole run.
    pub duration: Spanned<String>,
    /// Ramp stages ("ramp to `users` over `over`"); empty means: all users at once, hold, stop.
    #[serde(default)]
    pub stages: Vec<Stage>,
    /// Each worker intends to start one request every `pace` (`0ms`: as fast as answers come).
    #[serde(default = "zero_text")]
    pub pace: Spanned<String>,
    /// Per-request timeout; Okta gives up after 60 s without response bytes.
    #[serde(default = "sixty_seconds_text")]
    pub request_timeout: Spanned<String>,
    /// Length of one interval in the `.hlog` files and the time charts (default: adaptive).
    #[serde(default)]
    pub report_interval: Option<Spanned<String>>,
}

/// One goose test-plan step: move linearly to `users` over `over`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub users: usize,
    pub over: Spanned<String>,
}

/// Okta's 429 behaviour: integer `Retry-After` honoured, otherwise `backoff`, doubling each time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrySection {
    #[serde(default = "okta_backoff_text")]
    pub backoff: Spanned<String>,
    #[serde(default = "okta_max_tries")]
    pub max_tries: u32,
}

impl Default for RetrySection {
    fn default() -> Self {
        Self {
            backoff: okta_backoff_text(),
            max_tries: okta_max_tries(),
        }
    }
}

/// Data created through the driver before the measured run (an import needs a directory).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedData {
    #[serde(default)]
    pub users: usize,
}

/// Which Okta integration type's request shapes a scenario replays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IntegrationMode {
    /// OIN apps: (de)activation and group changes by PATCH.
    #[default]
    Oin,
    /// AIW apps: every update by PUT.
    Aiw,
}

/// The Okta task a scenario repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScenarioKind {
    /// Assignment: lookup by userName, then POST /Users.
    Onboarding,
    /// A full paging walk over /Users with `count = page_size`.
    Import,
    /// GET then PUT of the whole user.
    ProfileSync,
    /// Deactivate (PATCH or PUT) users of the worker's pool, reactivating them on the next pass.
    Deprovision,
    /// Group create, membership PATCHes (removes + add), rename, replace-all.
    GroupPush,
    /// `GET /Users/{id}` of one user, for raw throughput comparisons.
    GetUser,
}

/// One goose scenario: a kind of Okta task, its weight among workers, and its knobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    pub name: String,
    pub kind: ScenarioKind,
    /// Share of the workers that run this scenario.
    #[serde(default = "one")]
    pub weight: usize,
    #[serde(default)]
    pub mode: IntegrationMode,
    /// Total tasks across all workers (a burst of N assignments); none: until the run ends.
    #[serde(default)]
    pub tasks: Option<u64>,
    /// `count` of each import page (Okta: 100).
    #[serde(default = "okta_page_size")]
    pub page_size: usize,
    /// Users each worker creates at start for deprovision, profile-sync and group-push tasks.
    #[serde(default = "ten")]
    pub pool_per_worker: usize,
    /// Fraction (0..=1) of creates sent twice at once, as two racing Okta assignment tasks do.
    #[serde(default)]
    pub duplicate_rate: f64,
}

/// A profile file that could not be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("could not read load profile {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl Profile {
    /// Reads and checks a profile file.
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Profile::parse(&text, path)
    }

    /// Parses and checks profile text; `path` only labels the errors.
    pub fn parse(text: &str, path: &Path) -> Result<Profile, ProfileError> {
        let invalid = |span: Option<Range<usize>>, message: String| {
            let (line, column) = line_and_column(text, span.map(|range| range.start).unwrap_or(0));
            ProfileError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let profile: Profile = toml::from_str(text)
            .map_err(|err| invalid(err.span(), err.message().trim().to_string()))?;
        profile
            .check()
            .map_err(|(span, message)| invalid(Some(span), message))?;
        Ok(profile)
    }

    /// Semantic checks serde cannot express; the error carries the offending value's span.
    fn check(&self) -> Result<(), (Range<usize>, String)> {
        if *self.version.get_ref() != PROFILE_VERSION {
            return Err((
                self.version.span(),
                format!(
                    "version {} is not supported: this build reads version = {PROFILE_VERSION}",
                    self.version.get_ref()
                ),
            ));
        }
        let mut durations = vec![
            ("run.duration", &self.run.duration),
            ("run.pace", &self.run.pace),
            ("run.request_timeout", &self.run.request_timeout),
            ("retry.backoff", &self.retry.backoff),
        ];
        if let Some(interval) = &self.run.report_interval {
            durations.push(("run.report_interval", interval));
        }
        for stage in &self.run.stages {
            durations.push(("run.stages.over", &stage.over));
        }
        for (key, value) in durations {
            parse_duration(value.get_ref())
                .map_err(|message| (value.span(), format!("{key}: {message}")))?;
        }
        let at_start = || self.version.span();
        if self.run.users == 0 {
            return Err((at_start(), "run.users must be at least 1".into()));
        }
        if self.scenarios.is_empty() {
            return Err((
                at_start(),
                "a profile needs at least one [[scenario]]".into(),
            ));
        }
        for scenario in &self.scenarios {
            if !(0.0..=1.0).contains(&scenario.duplicate_rate) || scenario.weight == 0 {
                return Err((
                    at_start(),
                    format!(
                        "scenario `{}`: weight must be ≥ 1 and duplicate_rate within 0..=1",
                        scenario.name
                    ),
                ));
            }
            if scenario.page_size == 0 {
                return Err((
                    at_start(),
                    format!("scenario `{}`: page_size must be ≥ 1", scenario.name),
                ));
            }
        }
        Ok(())
    }

    /// The profile's SLO expressions, without their spans.
    pub fn slo_texts(&self) -> Vec<String> {
        self.slos.iter().map(|slo| slo.get_ref().clone()).collect()
    }
}

/// Parses `500ms`, `3s`, `5m`, `1h` (or a bare number of seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|character: char| !(character.is_ascii_digit() || character == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (write it like 500ms, 3s, 5m or 1h)"))?;
    let seconds = match unit.trim().to_ascii_lowercase().as_str() {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "`{text}` has an unknown unit `{other}` (use ms, s, m or h)"
            ))
        }
    };
    if !seconds.is_finite() || seconds > 7.0 * 24.0 * 3600.0 {
        return Err(format!("`{text}` is longer than a week"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// 1-based line and column of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map(|at| at + 1).unwrap_or(0) + 1;
    (line, column)
}

fn zero_text() -> Spanned<String> {
    Spanned::new(0..0, "0ms".to_string())
}
fn sixty_seconds_text() -> Spanned<String> {
    Spanned::new(0..0, "60s".to_string())
}
fn okta_backoff_text() -> Spanned<String> {
    Spanned::new(0..0, "300s".to_string())
}
fn okta_max_tries() -> u32 {
    10
}
fn okta_page_size() -> usize {
    100
}
fn one() -> usize {
    1
}
fn ten() -> usize {
    10
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
version = 1
name = "t"
description = "d"
[run]
users = 2
duration = "3s"
[[scenario]]
name = "onboard"
kind = "onboarding"
"#;

    #[test]
    fn a_minimal_profile_gets_okta_defaults() {
        let profile = Profile::parse(MINIMAL, Path::new("t.toml")).unwrap();
        assert_eq!(profile.retry.max_tries, 10);
        assert_eq!(profile.retry.backoff.get_ref(), "300s");
        assert_eq!(profile.scenarios[0].page_size, 100);
        assert_eq!(profile.scenarios[0].mode, IntegrationMode::Oin);
    }

    #[test]
    fn an_unknown_key_is_rejected_with_file_line_and_key() {
        let text = MINIMAL.replace("users = 2", "users = 2\nconcurrency = 9");
        let err = Profile::parse(&text, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("p.toml:7:"), "{err}");
        assert!(err.contains("concurrency"), "{err}");
    }

    #[test]
    fn a_bad_duration_names_its_key_and_line() {
        let text = MINIMAL.replace("\"3s\"", "\"3 fortnights\"");
        let err = Profile::parse(&text, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("p.toml:7:"), "{err}");
        assert!(err.contains("run.duration"), "{err}");
    }

    #[test]
    fn another_version_is_refused() {
        let text = MINIMAL.replace("version = 1", "version = 2");
        let err = Profile::parse(&text, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("version 2 is not supported"), "{err}");
    }

    #[test]
    fn durations_take_the_usual_units() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("5 parsecs").is_err());
    }
}

#[cfg(test)]
mod shipped_profiles {
    use super::*;

    #[test]
    fn every_shipped_profile_parses_and_states_its_assumptions() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("load-profiles");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|ext| ext.to_str()) != Some("toml") {
                continue;
            }
            let profile = Profile::load(&path).unwrap_or_else(|err| panic!("{err}"));
            assert!(
                !profile.assumptions.is_empty(),
                "{} states no assumptions",
                path.display()
            );
            for slo in profile.slo_texts() {
                slo.parse::<crate::load::Slo>()
                    .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            }
            seen += 1;
        }
        assert!(seen >= 7, "only {seen} profiles in load-profiles/");
    }
}
