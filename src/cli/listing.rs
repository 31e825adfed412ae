//! The tables of `fuzz --list-models` and `fuzz --list-checks` (text or JSON): the built-in
//! behaviour profiles, and every check with its level under a profile.

use super::CliError;
use crate::check::catalogue;
use crate::fuzz::load_behaviour;
use crate::model::{Level, BUILT_IN};

/// `--list-models`: one line per built-in behaviour profile with its description.
pub(crate) fn models_table() -> Result<String, CliError> {
    let width = BUILT_IN
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    let mut table = String::from(
        "built-in behaviour profiles (--model NAME; a path to a .toml file works too):\n",
    );
    for (name, _) in BUILT_IN {
        let behaviour = load_behaviour(name)
            .map_err(|err| CliError::CouldNotRun(format!("built-in profile {name}: {err}")))?;
        table.push_str(&format!("{name:<width$}  {}\n", behaviour.description));
    }
    Ok(table)
}

/// `--list-checks`: one line per check with its level under `behaviour`.
pub(crate) fn checks_table(behaviour: &crate::model::Behaviour) -> String {
    let width = catalogue::ALL.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let mut table = format!("checks under profile {}:\n", behaviour.name);
    for check in catalogue::ALL {
        let level = level_of(behaviour, check);
        table.push_str(&format!(
            "{:<width$}  {level:<7}  {}  ({})\n",
            check.id, check.summary, check.citation
        ));
    }
    table
}

/// `--list-checks --format json`: the profile and every check with its level under it.
pub(crate) fn checks_json(behaviour: &crate::model::Behaviour) -> String {
    let checks: Vec<serde_json::Value> = catalogue::ALL
        .iter()
        .map(|check| {
            serde_json::json!({
                "id": check.id,
                "level": level_of(behaviour, check),
                "default_severity": check.severity.name(),
                "citation": check.citation,
                "summary": check.summary,
            })
        })
        .collect();
    let document = serde_json::json!({"profile": behaviour.name, "checks": checks});
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

/// A check's level under `behaviour`: the profile's override, else its catalogue severity.
fn level_of(behaviour: &crate::model::Behaviour, check: &catalogue::CheckInfo) -> &'static str {
    match behaviour.checks.get(check.id) {
        Some(Level::Allowed) => "allowed",
        Some(Level::Error) => "error",
        Some(Level::Warning) => "warning",
        Some(Level::Note) => "note",
        None => check.severity.name(),
    }
}
