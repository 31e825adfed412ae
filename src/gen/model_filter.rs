//! Model-aware list queries: filters over the attributes the model tracks (userName, displayName,
//! externalId, emails.value, active, name.familyName), with values taken from the case's own
//! resources and their decoys (`Ann.Lee` vs `Ann.Leeds`, exact-case externalIds, the second email),
//! every operator, `and`/`or`/`not`, and paging including 0 and past the end.
//!
//! Values carry the placeholder [`NAMESPACE_TOKEN`] where the case's namespace tag goes, so a
//! sequence replays in any namespace; the model and the renderer substitute it.

use proptest::prelude::*;
use proptest::sample::select;

use super::ops::GenConfig;
use crate::model::{ListQuery, NAMESPACE_TOKEN, USER_WORDS};
use crate::scim::filter::{AttrPath, CompValue, CompareOp, Filter};

fn text(value: String) -> CompValue {
    CompValue::String(value)
}

pub(super) fn compare(path: AttrPath, op: CompareOp, value: CompValue) -> Filter {
    Filter::Compare { path, op, value }
}

/// A string value about user slot `slot`, chosen to sit on either side of a decoy.
pub(super) fn user_value(attribute: &'static str, slot: usize, variant: u8) -> String {
    let (given, family) = USER_WORDS[slot % USER_WORDS.len()];
    let ns = NAMESPACE_TOKEN;
    let full = format!("{ns}.{given}.{family}@example.com");
    match (attribute, variant % 4) {
        ("userName", 0) => full,
        ("userName", 1) => full.to_uppercase(),
        ("userName", 2) => format!("{ns}.{given}.{}", prefix3(family)),
        ("userName", _) => format!("{family}@example.com"),
        ("displayName", 0) => format!("{given} {family} {ns}"),
        ("displayName", 1) => given.to_lowercase(),
        ("displayName", 2) => format!("{family} {ns}"),
        ("displayName", _) => format!("{given} {family}"),
        ("externalId", 0) => format!("Ext{ns}U{slot}"),
        ("externalId", 1) => format!("EXT{ns}U{slot}"),
        ("externalId", 2) => format!("Ext{ns}"),
        ("externalId", _) => format!("U{slot}"),
        ("emails.value", 0) => format!("{ns}.{slot}@home.example.org"),
        ("emails.value", 1) => "home.example.org".to_string(),
        ("emails.value", 2) => format!("{ns}.U{slot}@EXAMPLE.COM"),
        ("emails.value", _) => "example.com".to_string(),
        ("name.familyName", 0) => family.to_string(),
        ("name.familyName", 1) => family.to_uppercase(),
        ("name.familyName", 2) => prefix3(family),
        (_, _) => format!("{family}x"),
    }
}

fn prefix3(text: &str) -> String {
    text.chars().take(3).collect()
}

/// The variant of [`user_value`] that tells operator `op` apart from its likely mistakes on
/// `attribute`: a prefix for `sw`; for `co` and `ew` a part inside but not at the start (so `co`
/// read as `sw` misses it); for `eq` an other-case spelling where the attribute is caseless
/// (userName: a case-sensitive `eq` misses it), else the exact value, which the decoy (`Ann.Lee`
/// vs `Ann.Leeds`) sits right next to for `ne` and the orderings.
pub(super) fn telling_variant(attribute: &str, op: CompareOp) -> u8 {
    match (attribute, op) {
        ("userName" | "name.familyName", CompareOp::Sw) => 2,
        ("userName", CompareOp::Co | CompareOp::Ew) => 3,
        ("displayName", CompareOp::Co | CompareOp::Ew) => 2,
        ("emails.value", CompareOp::Co | CompareOp::Ew) => 1,
        ("userName" | "name.familyName", CompareOp::Eq) => 1,
        _ => 0,
    }
}

pub(super) fn path_of(attribute: &str) -> AttrPath {
    match attribute.split_once('.') {
        Some((name, sub)) => AttrPath::with_sub(name, sub),
        None => AttrPath::simple(attribute),
    }
}

fn operator(config: &GenConfig) -> BoxedStrategy<CompareOp> {
    let allowed: Vec<CompareOp> = CompareOp::ALL
        .into_iter()
        .filter(|op| config.filter_operators.iter().any(|k| k == op.keyword()))
        .collect();
    if allowed.is_empty() {
        Just(CompareOp::Eq).boxed()
    } else {
        select(allowed).boxed()
    }
}

/// One comparison, presence test or value-path filter.
fn atom(config: &GenConfig) -> BoxedStrategy<Filter> {
    let tracked = |attribute: &&str| {
        let base = attribute.split('.').next().unwrap_or(attribute);
        !config
            .untracked
            .iter()
            .any(|u| u.eq_ignore_ascii_case(attribute) || u.eq_ignore_ascii_case(base))
    };
    // userName is always tracked, so the list is never empty.
    let string_attribute = select(
        [
            "userName",
            "userName",
            "displayName",
            "externalId",
            "emails.value",
            "name.familyName",
        ]
        .into_iter()
        .filter(tracked)
        .collect::<Vec<_>>(),
    );
    // Slots 0 and 1 (`Ann.Lee`, its decoy `Ann.Leeds`) are the users a case has most often; a
    // value drawn for its operator's telling variant half the time makes each operator's
    // distinguishing case likely (a `co` value inside the name but not at its start).
    let slot = prop_oneof![3 => 0..2usize, 2 => 2..USER_WORDS.len()];
    let comparison = (
        string_attribute,
        slot,
        any::<u8>(),
        operator(config),
        any::<bool>(),
    )
        .prop_map(|(attribute, slot, variant, op, telling)| {
            let variant = if telling {
                telling_variant(attribute, op)
            } else {
                variant
            };
            compare(
                path_of(attribute),
                op,
                text(user_value(attribute, slot, variant)),
            )
        });
    let allows = |keyword: &str| config.filter_operators.iter().any(|k| k == keyword);
    // `ne` and `ew` only where the server takes them (discovery may have left `eq` alone).
    let (ne, ew) = (allows("ne"), allows("ew"));
    let active = (any::<bool>(), prop::bool::ANY).prop_map(move |(value, negate)| {
        let op = if negate && ne {
            CompareOp::Ne
        } else {
            CompareOp::Eq
        };
        compare(AttrPath::simple("active"), op, CompValue::Bool(value))
    });
    let mut choices: Vec<(u32, BoxedStrategy<Filter>)> = vec![
        (6, comparison.boxed()),
        (1, active.boxed()),
        (
            1,
            (0..USER_WORDS.len(), any::<u8>())
                .prop_map(move |(slot, variant)| Filter::ValuePath {
                    path: AttrPath::simple("emails"),
                    filter: Box::new(compare(
                        AttrPath::simple("value"),
                        if variant % 2 == 0 || !ew {
                            CompareOp::Eq
                        } else {
                            CompareOp::Ew
                        },
                        text(user_value("emails.value", slot, variant / 2)),
                    )),
                })
                .boxed(),
        ),
    ];
    if config.filter_operators.iter().any(|k| k == "pr") {
        let attributes: Vec<&'static str> = [
            "userName",
            "externalId",
            "title",
            "name.familyName",
            "emails",
        ]
        .into_iter()
        .filter(|attribute| {
            !config
                .untracked
                .iter()
                .any(|u| u.eq_ignore_ascii_case(attribute))
        })
        .collect();
        let present = select(attributes).prop_map(|attribute| Filter::Present(path_of(attribute)));
        choices.push((1, present.boxed()));
    }
    proptest::strategy::Union::new_weighted(choices).boxed()
}

/// A filter of up to two levels of `and` / `or` / `not` over atoms.
pub fn filter(config: &GenConfig) -> BoxedStrategy<Filter> {
    atom(config)
        .prop_recursive(2, 6, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone())
                    .prop_map(|(l, r)| Filter::And(Box::new(l), Box::new(r))),
                (inner.clone(), inner.clone())
                    .prop_map(|(l, r)| Filter::Or(Box::new(l), Box::new(r))),
                inner.prop_map(|f| Filter::Not(Box::new(f))),
            ]
        })
        .boxed()
}

/// A list query: a filter (or none) and paging parameters.
pub fn list_query(config: &GenConfig) -> BoxedStrategy<ListQuery> {
    let start_index = prop_oneof![
        4 => Just(None),
        3 => Just(Some(1i64)),
        1 => Just(Some(0i64)),
        2 => (2..4i64).prop_map(Some),
        1 => Just(Some(50i64)),
    ];
    let count = prop_oneof![
        4 => Just(None),
        1 => Just(Some(0i64)),
        2 => (1..3i64).prop_map(Some),
        2 => Just(Some(100i64)),
    ];
    let maybe_filter = prop_oneof![1 => Just(None), 4 => filter(config).prop_map(Some)];
    let paged = (maybe_filter, start_index, count, prop::bool::weighted(0.7)).prop_map(
        |(filter, start_index, count, namespaced)| ListQuery {
            filter,
            start_index,
            count,
            namespaced,
        },
    );
    // Half the queries are one comparison over the whole result: where operator bugs show.
    let single = atom(config).prop_map(|filter| ListQuery {
        filter: Some(filter),
        start_index: None,
        count: None,
        namespaced: true,
    });
    prop_oneof![single, paged].boxed()
}
