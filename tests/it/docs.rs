//! `docs/checks.md` is generated from the check catalogue and the built-in behaviour profiles, and
//! this test holds it to them: when a check is added or a level changes, the test fails until the
//! file is regenerated with `SCIMFUZZ_BLESS=1 cargo test --test it docs::`.

use scimfuzz::check::catalogue;
use scimfuzz::fuzz::load_behaviour;
use scimfuzz::model::{Level, BUILT_IN};

const PATH: &str = "docs/checks.md";

/// A level's word, or the check's default severity when the profile does not name it.
fn level_word(level: Option<&Level>, default: &str) -> String {
    match level {
        Some(Level::Error) => "error".into(),
        Some(Level::Warning) => "warning".into(),
        Some(Level::Note) => "note".into(),
        Some(Level::Allowed) => "allowed".into(),
        None => default.into(),
    }
}

/// Escapes a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The whole of docs/checks.md.
fn render() -> String {
    let profiles: Vec<_> = BUILT_IN
        .iter()
        .map(|(name, _)| load_behaviour(name).expect("a built-in profile loads"))
        .collect();
    let mut text = String::from(
        "<!-- Generated from the check catalogue (src/check/catalogue.rs) and the built-in profiles\n\
         (models/*.toml). Do not edit: after adding a check or changing a level, regenerate with\n\
         `SCIMFUZZ_BLESS=1 cargo test --test it docs::` (tests/it/docs.rs fails until you do). -->\n\n\
         # Checks\n\n\
         Every check `scimfuzz fuzz` makes, with its stable id, its level under each built-in behaviour\n\
         profile (`error` fails the run, `warning` and `note` are reported, `allowed` is not reported),\n\
         what it means and the rule it cites. RFC sections are RFC 7643 (schema) and RFC 7644\n\
         (protocol); \"Okta SCIM 2.0 reference\" is\n\
         <https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20/>; \"Okta SPEC/CRUD\n\
         test\" are the Runscope tests of Okta's \"Test your SCIM API\" guide. `scimfuzz fuzz\n\
         --list-checks --model NAME` prints the same for any profile, your own included.\n\n",
    );
    text.push_str("| id |");
    for profile in &profiles {
        text.push_str(&format!(" {} |", profile.name));
    }
    text.push_str(" meaning | rule |\n|---|");
    for _ in &profiles {
        text.push_str("---|");
    }
    text.push_str("---|---|\n");
    for check in catalogue::ALL {
        text.push_str(&format!("| `{}` |", check.id));
        for profile in &profiles {
            let word = level_word(profile.checks.get(check.id), check.severity.name());
            text.push_str(&format!(" {word} |"));
        }
        text.push_str(&format!(
            " {} | {} |\n",
            cell(check.summary),
            cell(check.citation)
        ));
    }
    text
}

#[test]
fn docs_checks_md_lists_every_check_as_the_catalogue_and_profiles_say() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(PATH);
    let expected = render();
    if std::env::var_os("SCIMFUZZ_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("docs/")).expect("docs/ can be created");
        std::fs::write(&path, &expected).expect("docs/checks.md can be written");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{PATH} is out of date with the check catalogue: regenerate it with \
         `SCIMFUZZ_BLESS=1 cargo test --test it docs::` and commit it"
    );
    for check in catalogue::ALL {
        assert!(
            actual.contains(&format!("| `{}` |", check.id)),
            "{}",
            check.id
        );
    }
}
