//! Text rules of the model: spelling variants of a name, and three-valued case-insensitive
//! comparison. "Yes" means every correct server must treat the strings as equal (or the substring as
//! contained), "No" means none may, "Maybe" means the outcome depends on how far a server's Unicode
//! case folding goes (ß/SS, Kelvin sign, full-width letters, combining accents), so it is not judged.

use serde::{Deserialize, Serialize};

use super::op::Spelling;

/// A three-valued truth: the model's verdict when Unicode folding makes an answer server-dependent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Maybe,
}

impl Tri {
    /// `Yes` for true, `No` for false.
    pub fn from_bool(value: bool) -> Tri {
        if value {
            Tri::Yes
        } else {
            Tri::No
        }
    }

    /// Kleene conjunction.
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Maybe,
        }
    }

    /// Kleene disjunction.
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::No, Tri::No) => Tri::No,
            _ => Tri::Maybe,
        }
    }
}

impl std::ops::Not for Tri {
    type Output = Tri;

    /// Kleene negation.
    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Maybe => Tri::Maybe,
        }
    }
}

/// How much Unicode case folding a profile demands for `caseExact=false` attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnicodeFolding {
    /// Only ASCII letters must compare case-insensitively; anything beyond is not judged.
    #[default]
    Ascii,
    /// One-to-one Unicode case mappings (`é`/`É`, `ö`/`Ö`, Greek, Cyrillic) must also match.
    Simple,
}

/// `text` spelled as `spelling`.
pub fn spell(text: &str, spelling: Spelling) -> String {
    match spelling {
        Spelling::Base => text.to_string(),
        Spelling::Upper => text.to_uppercase(),
        Spelling::Lower => text.to_lowercase(),
        Spelling::SwapAscii => text
            .chars()
            .map(|c| {
                if c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect(),
        Spelling::UnicodeSimpleUpper => text.chars().map(simple_upper).collect(),
        Spelling::UnicodeLookalike => text.chars().map(lookalike).collect(),
        Spelling::UnicodeDecomposed => text.chars().flat_map(decompose).collect(),
    }
}

/// Case-insensitive equality of two strings under `folding`.
pub fn eq_ignore_case(a: &str, b: &str, folding: UnicodeFolding) -> Tri {
    if a == b || a.eq_ignore_ascii_case(b) {
        return Tri::Yes;
    }
    if folding == UnicodeFolding::Simple && simple_fold(a) == simple_fold(b) {
        return Tri::Yes;
    }
    if loose_key(a) == loose_key(b) {
        Tri::Maybe
    } else {
        Tri::No
    }
}

/// Case-insensitive substring tests (`co`, `sw`, `ew`) under `folding`.
pub fn contains_ignore_case(
    haystack: &str,
    needle: &str,
    how: Substring,
    folding: UnicodeFolding,
) -> Tri {
    let ascii = how.test(&haystack.to_ascii_lowercase(), &needle.to_ascii_lowercase());
    if ascii {
        return Tri::Yes;
    }
    if folding == UnicodeFolding::Simple && how.test(&simple_fold(haystack), &simple_fold(needle)) {
        return Tri::Yes;
    }
    if how.test(&loose_key(haystack), &loose_key(needle)) {
        Tri::Maybe
    } else {
        Tri::No
    }
}

/// Exact (case-sensitive) substring tests, for `caseExact=true` attributes.
pub fn contains_exact(haystack: &str, needle: &str, how: Substring) -> Tri {
    Tri::from_bool(how.test(haystack, needle))
}

/// Which substring relation an operator asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Substring {
    Contains,
    StartsWith,
    EndsWith,
}

impl Substring {
    fn test(self, haystack: &str, needle: &str) -> bool {
        match self {
            Substring::Contains => haystack.contains(needle),
            Substring::StartsWith => haystack.starts_with(needle),
            Substring::EndsWith => haystack.ends_with(needle),
        }
    }
}

/// Case-insensitive ordering (`gt`, `ge`, `lt`, `le`): certain only for ASCII text without the
/// characters between `Z` and `a` (whose order depends on whether a server folds up or down).
pub fn compare_ignore_case(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    let plain = |s: &str| s.is_ascii() && !s.chars().any(|c| ('['..='`').contains(&c));
    if plain(a) && plain(b) {
        Some(a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()))
    } else {
        None
    }
}

/// Each character mapped to its lowercase when that is a single character.
fn simple_fold(text: &str) -> String {
    text.chars()
        .map(|c| {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(single), None) => single,
                _ => c,
            }
        })
        .collect()
}

/// The most aggressive comparison key any server might use: full lowercase, compatibility forms
/// folded, accents stripped, `ß`→`ss`, dotless `ı`→`i`, final `ς`→`σ`.
pub fn loose_key(text: &str) -> String {
    let mut key = String::new();
    let lowered = text.chars().flat_map(char::to_lowercase);
    for c in lowered.flat_map(decompose) {
        if ('\u{0300}'..='\u{036f}').contains(&c) {
            continue;
        }
        let c = match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        for lower in c.to_lowercase() {
            match lower {
                'ß' => key.push_str("ss"),
                'ı' => key.push('i'),
                'ς' => key.push('σ'),
                'ſ' => key.push('s'),
                other => key.push(other),
            }
        }
    }
    key
}

fn simple_upper(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(single), None) => single,
        _ => c,
    }
}

/// Compatibility look-alikes: Kelvin sign for `k`/`K`, dotted capital `İ` for `i`, full-width
/// forms for the other ASCII letters.
fn lookalike(c: char) -> char {
    match c {
        'k' | 'K' => '\u{212A}',
        'i' => '\u{0130}',
        'a'..='z' | 'A'..='Z' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// The canonical decomposition of the precomposed Latin letters the model's names use.
fn decompose(c: char) -> Vec<char> {
    const TABLE: [(char, char, char); 26] = [
        ('à', 'a', '\u{0300}'),
        ('á', 'a', '\u{0301}'),
        ('ä', 'a', '\u{0308}'),
        ('ç', 'c', '\u{0327}'),
        ('è', 'e', '\u{0300}'),
        ('é', 'e', '\u{0301}'),
        ('ë', 'e', '\u{0308}'),
        ('í', 'i', '\u{0301}'),
        ('ï', 'i', '\u{0308}'),
        ('ñ', 'n', '\u{0303}'),
        ('ó', 'o', '\u{0301}'),
        ('ö', 'o', '\u{0308}'),
        ('ş', 's', '\u{0327}'),
        ('ú', 'u', '\u{0301}'),
        ('ü', 'u', '\u{0308}'),
        ('É', 'E', '\u{0301}'),
        ('Ö', 'O', '\u{0308}'),
        ('Ü', 'U', '\u{0308}'),
        ('Ç', 'C', '\u{0327}'),
        ('ά', 'α', '\u{0301}'),
        ('έ', 'ε', '\u{0301}'),
        ('ή', 'η', '\u{0301}'),
        ('ί', 'ι', '\u{0301}'),
        ('ό', 'ο', '\u{0301}'),
        ('ύ', 'υ', '\u{0301}'),
        ('ώ', 'ω', '\u{0301}'),
    ];
    match TABLE.iter().find(|(precomposed, _, _)| *precomposed == c) {
        Some((_, base, mark)) => vec![*base, *mark],
        None => vec![c],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_case_variants_are_certainly_equal() {
        assert_eq!(
            eq_ignore_case("Ann.Lee@x", "ANN.LEE@X", UnicodeFolding::Ascii),
            Tri::Yes
        );
    }

    #[test]
    fn sharp_s_against_double_s_is_left_to_the_server() {
        let upper = spell("Jörg.Weiß", Spelling::Upper);
        assert_eq!(upper, "JÖRG.WEISS");
        assert_eq!(
            eq_ignore_case("Jörg.Weiß", &upper, UnicodeFolding::Simple),
            Tri::Maybe
        );
    }

    #[test]
    fn simple_unicode_case_must_match_only_when_the_profile_says_so() {
        let upper = spell("Zoë", Spelling::UnicodeSimpleUpper);
        assert_eq!(upper, "ZOË");
        assert_eq!(
            eq_ignore_case("Zoë", &upper, UnicodeFolding::Simple),
            Tri::Yes
        );
        assert_eq!(
            eq_ignore_case("Zoë", &upper, UnicodeFolding::Ascii),
            Tri::Maybe
        );
    }

    #[test]
    fn lookalikes_and_decompositions_are_maybe_and_other_names_are_no() {
        for spelling in [Spelling::UnicodeLookalike, Spelling::UnicodeDecomposed] {
            let variant = spell("Zoë.Kilic", spelling);
            assert_ne!(variant, "Zoë.Kilic");
            assert_eq!(
                eq_ignore_case("Zoë.Kilic", &variant, UnicodeFolding::Simple),
                Tri::Maybe
            );
        }
        assert_eq!(
            eq_ignore_case("Ann.Lee", "Ann.Leeds", UnicodeFolding::Simple),
            Tri::No
        );
    }

    #[test]
    fn substring_tests_are_case_insensitive_and_three_valued() {
        let how = Substring::StartsWith;
        assert_eq!(
            contains_ignore_case("Ann.Leeds", "ANN.LEE", how, UnicodeFolding::Ascii),
            Tri::Yes
        );
        assert_eq!(
            contains_ignore_case("Weiß", "WEISS", how, UnicodeFolding::Simple),
            Tri::Maybe
        );
        assert_eq!(
            contains_ignore_case("Ann", "Bob", how, UnicodeFolding::Simple),
            Tri::No
        );
    }

    #[test]
    fn every_spelling_of_every_slot_name_is_at_least_maybe_equal() {
        for (given, family) in crate::model::USER_WORDS {
            let base = format!("{given}.{family}@example.com");
            for spelling in Spelling::ALL {
                let variant = spell(&base, spelling);
                let verdict = eq_ignore_case(&base, &variant, UnicodeFolding::Ascii);
                assert_ne!(verdict, Tri::No, "{base} vs {variant}");
            }
        }
    }

    #[test]
    fn kleene_logic_keeps_certainty_where_it_can() {
        assert_eq!(Tri::No.and(Tri::Maybe), Tri::No);
        assert_eq!(Tri::Yes.or(Tri::Maybe), Tri::Yes);
        assert_eq!(!Tri::Maybe, Tri::Maybe);
    }
}
