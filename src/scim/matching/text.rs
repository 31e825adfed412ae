//! Case-insensitive string comparison for attributes whose `caseExact` is false (RFC 7643 §2.2,
//! RFC 7644 §3.4.2.2).
//!
//! "Case-insensitive" here is Unicode's *canonical caseless match* (The Unicode Standard, D145):
//! both strings are decomposed (NFD), fully case-folded (CaseFolding.txt status C+F, so
//! `ß`~`SS`, Kelvin sign `K`~`k`, final sigma `ς`~`σ`), and recomposed (NFC). Normalising is a
//! deliberate choice: without it `"é"` typed precomposed (U+00E9) and decomposed
//! (`e` U+0301) would be two different userNames that look identical, and case-insensitive
//! equality would not even be an equivalence across normalisation forms. Recomposing (NFC rather
//! than D145's final NFD) gives the same equality but keeps `co`/`sw`/`ew` from matching a base
//! letter inside an accented one (`"é" co "e"` is false).
//!
//! Compatibility equivalents are *not* merged (no NFKC): full-width `ＢＪＥＮＳＥＮ` stays
//! different from `bjensen`, as it looks different and compatibility folding would make distinct
//! userNames collide. (Ligatures such as `ﬁ` do fold to `fi`: full case folding says so.)
//!
//! `caseExact` attributes are compared code point by code point, without normalisation: exact
//! means exact. Pure-ASCII input takes a fast path that allocates nothing for equality.

use std::borrow::Cow;
use std::cmp::Ordering;

use caseless::Caseless;
use unicode_normalization::UnicodeNormalization;

/// The caseless key of `text`: two strings are equal ignoring case exactly when their keys are
/// equal, so the key can index a uniqueness map. ASCII text without capitals is returned as is.
pub fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        if text.bytes().any(|byte| byte.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        }
    } else {
        Cow::Owned(text.chars().nfd().default_case_fold().nfc().collect())
    }
}

/// Whether `a` and `b` are equal ignoring case (canonical caseless match).
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    fold(a) == fold(b)
}

/// Whether `haystack` contains `needle`, ignoring case.
pub fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    fold(haystack).contains(fold(needle).as_ref())
}

/// Whether `text` starts with `prefix`, ignoring case.
pub fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    if text.is_ascii() && prefix.is_ascii() {
        return text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix);
    }
    fold(text).starts_with(fold(prefix).as_ref())
}

/// Whether `text` ends with `suffix`, ignoring case.
pub fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    if text.is_ascii() && suffix.is_ascii() {
        return text.len() >= suffix.len()
            && text[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix);
    }
    fold(text).ends_with(fold(suffix).as_ref())
}

/// Orders `a` and `b` ignoring case: by the code points of their caseless keys.
pub fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    fold(a).cmp(&fold(b))
}

/// A string comparison under an attribute's `caseExact` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    /// Compare code point by code point (true) or ignoring case (false).
    pub case_exact: bool,
}

impl TextRule {
    /// Whether `a` equals `b` under this rule.
    pub fn eq(self, a: &str, b: &str) -> bool {
        if self.case_exact {
            a == b
        } else {
            eq_ignore_case(a, b)
        }
    }

    /// Whether `haystack` contains `needle` under this rule.
    pub fn contains(self, haystack: &str, needle: &str) -> bool {
        if self.case_exact {
            haystack.contains(needle)
        } else {
            contains_ignore_case(haystack, needle)
        }
    }

    /// Whether `text` starts with `prefix` under this rule.
    pub fn starts_with(self, text: &str, prefix: &str) -> bool {
        if self.case_exact {
            text.starts_with(prefix)
        } else {
            starts_with_ignore_case(text, prefix)
        }
    }

    /// Whether `text` ends with `suffix` under this rule.
    pub fn ends_with(self, text: &str, suffix: &str) -> bool {
        if self.case_exact {
            text.ends_with(suffix)
        } else {
            ends_with_ignore_case(text, suffix)
        }
    }

    /// Orders `a` and `b` under this rule (code point order; caseless keys if not case exact).
    pub fn cmp(self, a: &str, b: &str) -> Ordering {
        if self.case_exact {
            a.cmp(b)
        } else {
            cmp_ignore_case(a, b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharp_s_matches_double_s_in_either_case() {
        assert!(eq_ignore_case("Straße", "STRASSE"));
        assert!(eq_ignore_case("straße", "strasse"));
        assert!(contains_ignore_case("GROSSE Straße", "sse str"));
    }

    #[test]
    fn kelvin_sign_matches_the_letter_k() {
        assert!(eq_ignore_case("\u{212A}elvin", "kelvin"));
        assert!(eq_ignore_case("KELVIN", "\u{212A}elvin"));
        assert!(starts_with_ignore_case("\u{212A}elvin", "k"));
    }

    #[test]
    fn final_and_medial_sigma_match_each_other_and_capital_sigma() {
        assert!(eq_ignore_case("ΟΔΥΣΣΕΥΣ", "οδυσσευς"));
        assert!(eq_ignore_case("σ", "ς"));
        assert!(ends_with_ignore_case("Ὀδυσσεύς", "ΎΣ"));
    }

    #[test]
    fn precomposed_and_decomposed_accents_are_the_same_text() {
        assert!(eq_ignore_case("Zoë", "ZOE\u{308}"));
        assert_eq!(fold("E\u{301}"), fold("é"));
    }

    #[test]
    fn a_base_letter_is_not_found_inside_an_accented_one() {
        assert!(!contains_ignore_case("café", "cafe"));
        assert!(!starts_with_ignore_case("É", "e"));
    }

    #[test]
    fn compatibility_variants_are_not_merged() {
        assert!(!eq_ignore_case("ＢＪＥＮＳＥＮ", "bjensen"));
        assert!(!eq_ignore_case("x\u{2460}", "x1"));
        assert!(eq_ignore_case("\u{FB01}le", "FILE"));
    }

    #[test]
    fn dotted_and_dotless_i_are_not_conflated() {
        assert!(!eq_ignore_case("ı", "i"));
        assert!(eq_ignore_case("İ", "i\u{307}"));
    }

    #[test]
    fn ascii_fast_paths_agree_with_folding() {
        for (a, b) in [("BJensen", "bjensen"), ("abc", "abd"), ("", ""), ("a", "")] {
            assert_eq!(eq_ignore_case(a, b), fold(a) == fold(b), "{a} {b}");
            assert_eq!(
                starts_with_ignore_case(a, b),
                fold(a).starts_with(fold(b).as_ref())
            );
            assert_eq!(
                ends_with_ignore_case(a, b),
                fold(a).ends_with(fold(b).as_ref())
            );
        }
        assert!(matches!(fold("already lower"), Cow::Borrowed(_)));
    }

    #[test]
    fn ordering_ignores_case_but_not_letters() {
        assert_eq!(cmp_ignore_case("ALPHA", "alpha"), Ordering::Equal);
        assert_eq!(cmp_ignore_case("Alpha", "beta"), Ordering::Less);
        assert_eq!(cmp_ignore_case("alpha", "BETA"), Ordering::Less);
    }

    #[test]
    fn case_exact_rule_compares_code_points_without_normalising() {
        let exact = TextRule { case_exact: true };
        assert!(!exact.eq("ABC", "abc"));
        assert!(!exact.eq("é", "e\u{301}"));
        assert!(exact.contains("xABCx", "ABC"));
        assert_eq!(exact.cmp("B", "a"), Ordering::Less);
        let caseless = TextRule { case_exact: false };
        assert!(caseless.eq("ABC", "abc"));
        assert_eq!(caseless.cmp("B", "a"), Ordering::Greater);
    }
}
