//! "Did you mean …?" for an unknown key in a profile file: serde names the unknown field and the
//! ones it expected; this adds the expected one nearest to the typo, when one is close.

use crate::load::builtin::edit_distance;

/// `message` with `; did you mean `key`?` appended when it is serde's "unknown field `x`, expected
/// one of `a`, `b`…" and one of the expected keys is within a typo of `x`.
pub fn with_suggestion(message: String) -> String {
    match nearest_expected(&message) {
        Some(key) => format!("{message}; did you mean `{key}`?"),
        None => message,
    }
}

fn nearest_expected(message: &str) -> Option<String> {
    let rest = &message[message.find("unknown field `")? + "unknown field `".len()..];
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected ")?.1;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|key| (key, edit_distance(unknown, key)))
        .filter(|(key, distance)| *distance <= 2.max(key.len() / 3))
        .min_by_key(|(_, distance)| *distance)
        .map(|(key, _)| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::with_suggestion;

    #[test]
    fn a_typo_of_an_expected_key_is_suggested() {
        let message =
            "m.toml:4:1: unknown field `patchh`, expected one of `groups`, `patch`, `delete`";
        assert_eq!(
            with_suggestion(message.into()),
            format!("{message}; did you mean `patch`?")
        );
        let far = "x.toml:1:1: unknown field `zzzzzzzz`, expected one of `users`, `pace`";
        assert_eq!(with_suggestion(far.into()), far);
        assert_eq!(with_suggestion("other error".into()), "other error");
    }

    #[test]
    fn concurency_suggests_nothing_far_but_a_near_key_is_found() {
        let message =
            "t.toml:11:1: unknown field `durtion`, expected one of `users`, `duration`, `stages`";
        assert!(with_suggestion(message.into()).ends_with("did you mean `duration`?"));
    }
}
