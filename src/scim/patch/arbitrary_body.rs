//! `arbitrary::Arbitrary` for PATCH paths and request bodies, by hand: a derive would give paths
//! the grammar cannot write (a sub-attribute after no value filter, a value path in the filter)
//! and JSON members that collide with the modelled ones, so these build only values that print
//! (a path as text, a body as JSON) and parse back equal.
//!
//! Op names are the three kinds in any case, or now and then any text (the server judges it);
//! paths are printed arbitrary [`PatchPath`]s, or now and then any text; values are JSON a few
//! levels deep. Numbers in values are integers or floats with a short exact binary fraction:
//! serde_json without its `float_roundtrip` feature may read a long float back one unit in the
//! last place off, which is serde_json's documented trade-off, not a bug of ours.

use arbitrary::{Arbitrary, Result, Unstructured};
use serde_json::{Map, Value};

use super::ast::{PatchOpKind, PatchPath};
use super::request::{PatchOperation, PatchRequest};
use crate::scim::filter::{arbitrary_filter, attr_name, MAX_ARBITRARY_DEPTH};
use crate::scim::urn;

/// How deep an arbitrary JSON value nests.
const MAX_VALUE_DEPTH: u32 = 3;

impl<'a> Arbitrary<'a> for PatchPath {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let attr = u.arbitrary()?;
        if u.ratio(1, 2)? {
            return Ok(PatchPath {
                attr,
                filter: None,
                sub_attr: None,
            });
        }
        let filter = arbitrary_filter(u, MAX_ARBITRARY_DEPTH - 2, true)?;
        let sub_attr = if u.arbitrary()? {
            Some(attr_name(u)?)
        } else {
            None
        };
        Ok(PatchPath {
            attr,
            filter: Some(filter),
            sub_attr,
        })
    }
}

impl<'a> Arbitrary<'a> for PatchOperation {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let op = if u.ratio(7, 8)? {
            let name = PatchOpKind::arbitrary(u)?.name();
            match u.choose_index(3)? {
                0 => name.to_owned(),
                1 => name.to_uppercase(),
                _ => format!("{}{}", name[..1].to_uppercase(), &name[1..]),
            }
        } else {
            u.arbitrary()?
        };
        let path = match u.choose_index(4)? {
            0 => None,
            1 => Some(u.arbitrary()?),
            _ => Some(PatchPath::arbitrary(u)?.to_string()),
        };
        let value = if u.ratio(3, 4)? {
            Some(json(u, MAX_VALUE_DEPTH)?)
        } else {
            None
        };
        let extra = members(u, &["op", "path", "value"])?;
        Ok(PatchOperation {
            op,
            path,
            value,
            extra,
        })
    }
}

impl<'a> Arbitrary<'a> for PatchRequest {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let schemas = if u.ratio(7, 8)? {
            vec![urn::PATCH_OP.to_owned()]
        } else {
            u.arbitrary()?
        };
        let mut operations = Vec::new();
        for _ in 0..u.int_in_range(0..=4)? {
            operations.push(u.arbitrary()?);
        }
        let extra = members(u, &["schemas", "Operations", "operations"])?;
        Ok(PatchRequest {
            schemas,
            operations,
            extra,
        })
    }
}

/// Up to two members named other than `taken` (which the type models itself).
fn members(u: &mut Unstructured<'_>, taken: &[&str]) -> Result<Map<String, Value>> {
    let mut map = Map::new();
    for _ in 0..u.int_in_range(0..=2)? {
        let key: String = u.arbitrary()?;
        if !taken.contains(&key.as_str()) {
            let value = json(u, 1)?;
            map.insert(key, value);
        }
    }
    Ok(map)
}

/// A JSON value at most `depth` levels deep: what a PATCH `value` may hold.
pub fn json(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    let kinds = if depth == 0 { 5 } else { 7 };
    Ok(match u.choose_index(kinds)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::from(i64::arbitrary(u)?),
        // A float with a short exact binary fraction (see the module's comment).
        3 => Value::from(f64::from(i32::arbitrary(u)?) / 8.0),
        4 => Value::String(u.arbitrary()?),
        5 => {
            let mut items = Vec::new();
            for _ in 0..u.int_in_range(0..=3)? {
                items.push(json(u, depth - 1)?);
            }
            Value::Array(items)
        }
        _ => {
            let mut map = Map::new();
            for _ in 0..u.int_in_range(0..=3)? {
                let key = if u.arbitrary()? {
                    attr_name(u)?
                } else {
                    u.arbitrary()?
                };
                map.insert(key, json(u, depth - 1)?);
            }
            Value::Object(map)
        }
    })
}
