//! `arbitrary::Arbitrary` for the filter tree, by hand: a derive would build trees the grammar
//! cannot write (attribute names with spaces or colons, a value path inside a value path, NaN,
//! unbounded depth), so these build only trees that print as a filter and parse back to the same
//! tree ([`arbitrary_filter`] is also used for the value filter of a PATCH path).
//!
//! Names mix the RFC's attributes, the grammar's keywords used as names (`not`, `pr`, `and`:
//! the parser must tell them apart by position) and random ATTRNAMEs; values are any JSON
//! literal, strings any Unicode text.

use arbitrary::{Arbitrary, Result, Unstructured};
use serde_json::Number;

use super::ast::{AttrPath, CompValue, Filter};

/// How deep an arbitrary filter nests (`and`, `or`, `not`, value paths), far below the parser's
/// limits ([`super::MAX_NESTING`]).
pub const MAX_ARBITRARY_DEPTH: u32 = 6;

/// Attribute names a server knows, and keywords of the grammar that are valid names too.
const NAMES: [&str; 16] = [
    "userName",
    "displayName",
    "externalId",
    "emails",
    "name",
    "active",
    "members",
    "value",
    "type",
    "primary",
    "$ref",
    "not",
    "pr",
    "and",
    "or",
    "eq",
];

/// Schema URNs, the last two odd but valid (`urn:` in any case, at least two segments).
const SCHEMAS: [&str; 4] = [
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "URN:x",
    "urn:a.b:c-d_$",
];

impl<'a> Arbitrary<'a> for Filter {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        arbitrary_filter(u, MAX_ARBITRARY_DEPTH, false)
    }
}

/// A filter at most `depth` levels deep; inside a value path (`in_value_path`) no further value
/// path, as RFC 7644's grammar (`valFilter`) allows none.
pub fn arbitrary_filter(
    u: &mut Unstructured<'_>,
    depth: u32,
    in_value_path: bool,
) -> Result<Filter> {
    let kinds = if depth == 0 { 2 } else { 6 };
    let inner = |u: &mut Unstructured<'_>, in_value_path| {
        arbitrary_filter(u, depth.saturating_sub(1), in_value_path).map(Box::new)
    };
    Ok(match u.choose_index(kinds)? {
        0 => Filter::Compare {
            path: u.arbitrary()?,
            op: u.arbitrary()?,
            value: u.arbitrary()?,
        },
        1 => Filter::Present(u.arbitrary()?),
        2 => Filter::And(inner(u, in_value_path)?, inner(u, in_value_path)?),
        3 => Filter::Or(inner(u, in_value_path)?, inner(u, in_value_path)?),
        4 => Filter::Not(inner(u, in_value_path)?),
        _ if in_value_path => Filter::Present(u.arbitrary()?),
        _ => Filter::ValuePath {
            path: u.arbitrary()?,
            filter: inner(u, true)?,
        },
    })
}

impl<'a> Arbitrary<'a> for AttrPath {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let schema = if u.ratio(1, 4)? {
            Some(schema(u)?)
        } else {
            None
        };
        let name = attr_name(u)?;
        let sub_attr = if u.ratio(1, 3)? {
            Some(attr_name(u)?)
        } else {
            None
        };
        Ok(AttrPath {
            schema,
            name,
            sub_attr,
        })
    }
}

/// An RFC 7643 ATTRNAME (`ALPHA *(ALPHA / DIGIT / "-" / "_")`, `$` allowed as in `$ref`).
pub fn attr_name(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(2, 3)? {
        return Ok(u.choose(&NAMES)?.to_string());
    }
    const FIRST: &[u8] = b"abcxyzABCXYZ$";
    const REST: &[u8] = b"abzAZ09-_$";
    let mut name = String::from(char::from(*u.choose(FIRST)?));
    for _ in 0..u.int_in_range(0..=8)? {
        name.push(char::from(*u.choose(REST)?));
    }
    Ok(name)
}

fn schema(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(3, 4)? {
        return Ok(u.choose(&SCHEMAS)?.to_string());
    }
    const SEGMENT: &[u8] = b"az09.-_$";
    let mut urn = String::from("urn");
    for _ in 0..u.int_in_range(1..=4)? {
        urn.push(':');
        for _ in 0..u.int_in_range(1..=5)? {
            urn.push(char::from(*u.choose(SEGMENT)?));
        }
    }
    Ok(urn)
}

impl<'a> Arbitrary<'a> for CompValue {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.choose_index(6)? {
            0 => CompValue::Null,
            1 => CompValue::Bool(u.arbitrary()?),
            2 => CompValue::Number(i64::arbitrary(u)?.into()),
            3 => CompValue::Number(u64::arbitrary(u)?.into()),
            // Any finite f64 (NaN and infinities are no JSON number).
            4 => Number::from_f64(f64::arbitrary(u)?).map_or(CompValue::Null, CompValue::Number),
            _ => CompValue::String(u.arbitrary()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::scim::filter::parse;

    /// Deterministic pseudo-random bytes (a 64-bit LCG).
    fn bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        (0..len)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 56) as u8
            })
            .collect()
    }

    #[test]
    fn arbitrary_trees_cover_the_grammar_and_parse_back_equal() {
        let mut kinds = BTreeSet::new();
        for seed in 0..400 {
            let data = bytes(seed, 256);
            let tree = Filter::arbitrary_take_rest(Unstructured::new(&data)).unwrap();
            let printed = tree.to_string();
            assert_eq!(parse(&printed).as_ref(), Ok(&tree), "{printed}");
            kinds.insert(match &tree {
                Filter::Compare { .. } => "compare",
                Filter::Present(_) => "present",
                Filter::And(..) => "and",
                Filter::Or(..) => "or",
                Filter::Not(_) => "not",
                Filter::ValuePath { .. } => "value-path",
            });
            if printed.contains("urn:") || printed.contains("URN:") {
                kinds.insert("schema");
            }
        }
        assert_eq!(kinds.len(), 7, "{kinds:?}");
    }
}
