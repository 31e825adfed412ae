//! `arbitrary::Arbitrary` for what a derive cannot draw well: handles (a derived `u8` would
//! name slots that do not exist 97% of the time) and list queries, whose filters stay within what
//! the model tracks (userName, displayName, externalId, name, emails, active, and attributes no
//! case sets) with values built from the slots' own names, so that the model can predict every
//! listing. Every other op type derives `Arbitrary` in `op`.

use arbitrary::{Arbitrary, Result, Unstructured};

use super::op::{GroupHandle, ListQuery, UserHandle, NAMESPACE_TOKEN};
use super::state::{GROUP_SLOTS, USER_SLOTS, USER_WORDS};
use crate::scim::filter::{AttrPath, CompValue, CompareOp, Filter};

impl<'a> Arbitrary<'a> for UserHandle {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        u.int_in_range(0..=USER_SLOTS - 1).map(UserHandle)
    }
}

impl<'a> Arbitrary<'a> for GroupHandle {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        u.int_in_range(0..=GROUP_SLOTS - 1).map(GroupHandle)
    }
}

impl<'a> Arbitrary<'a> for ListQuery {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let filter = if u.ratio(4, 5)? {
            Some(model_filter(u, 2, false)?)
        } else {
            None
        };
        Ok(ListQuery {
            filter,
            start_index: paging(u, &[1, 0, -1, 2, 3, 50])?,
            count: paging(u, &[0, 1, 2, 100, 1000, -1])?,
            namespaced: u.arbitrary()?,
        })
    }
}

/// No value, a telling one from `common`, or now and then any `i64`.
fn paging(u: &mut Unstructured<'_>, common: &[i64]) -> Result<Option<i64>> {
    Ok(match u.choose_index(8)? {
        0..=2 => None,
        7 => Some(u.arbitrary()?),
        _ => Some(*u.choose(common)?),
    })
}

/// The string attributes the model tracks, as paths.
const STRING_ATTRIBUTES: [(&str, Option<&str>); 6] = [
    ("userName", None),
    ("displayName", None),
    ("externalId", None),
    ("emails", Some("value")),
    ("name", Some("familyName")),
    ("name", Some("givenName")),
];

/// Attributes for `pr`: tracked ones, and ones no case ever sets.
const PRESENT_ATTRIBUTES: [(&str, Option<&str>); 9] = [
    ("userName", None),
    ("displayName", None),
    ("externalId", None),
    ("emails", None),
    ("emails", Some("value")),
    ("name", Some("familyName")),
    ("active", None),
    ("title", None),
    ("nickName", None),
];

/// A filter over what the model tracks, at most `depth` levels of `and`/`or`/`not` deep.
fn model_filter(u: &mut Unstructured<'_>, depth: u32, in_emails: bool) -> Result<Filter> {
    let kinds = if depth == 0 { 4 } else { 7 };
    let inner = |u: &mut Unstructured<'_>| {
        model_filter(u, depth.saturating_sub(1), in_emails).map(Box::new)
    };
    Ok(match u.choose_index(kinds)? {
        0 | 1 => {
            let path = if in_emails {
                AttrPath::simple("value")
            } else {
                path_of(*u.choose(&STRING_ATTRIBUTES)?)
            };
            Filter::Compare {
                path,
                op: u.arbitrary()?,
                value: CompValue::String(value(u)?),
            }
        }
        2 if in_emails => Filter::Present(AttrPath::simple("value")),
        2 => Filter::Present(path_of(*u.choose(&PRESENT_ATTRIBUTES)?)),
        3 if in_emails => Filter::Present(AttrPath::simple("value")),
        // Only eq and ne: an ordering of a boolean is a 400 (`Op::ListInvalidFilter`).
        3 => Filter::Compare {
            path: AttrPath::simple("active"),
            op: if u.arbitrary()? {
                CompareOp::Eq
            } else {
                CompareOp::Ne
            },
            value: CompValue::Bool(u.arbitrary()?),
        },
        4 => Filter::And(inner(u)?, inner(u)?),
        5 => Filter::Or(inner(u)?, inner(u)?),
        _ if in_emails => Filter::Not(inner(u)?),
        _ if u.arbitrary()? => Filter::Not(inner(u)?),
        _ => Filter::ValuePath {
            path: AttrPath::simple("emails"),
            filter: Box::new(model_filter(u, depth.saturating_sub(1), true)?),
        },
    })
}

fn path_of((name, sub): (&str, Option<&str>)) -> AttrPath {
    match sub {
        Some(sub) => AttrPath::with_sub(name, sub),
        None => AttrPath::simple(name),
    }
}

/// A string about one slot: a whole value, a piece of one, in another case, or any text.
fn value(u: &mut Unstructured<'_>) -> Result<String> {
    let slot = u.int_in_range(0..=USER_SLOTS - 1)?;
    let (given, family) = USER_WORDS[usize::from(slot)];
    let ns = NAMESPACE_TOKEN;
    let whole = match u.choose_index(8)? {
        0 => format!("{ns}.{given}.{family}@example.com"),
        1 => format!("{given} {family} {ns}"),
        2 => format!("Ext{ns}U{slot}"),
        3 => format!("{ns}.u{slot}@example.com"),
        4 => format!("{ns}.{slot}@home.example.org"),
        5 => given.to_owned(),
        6 => family.to_owned(),
        _ => return u.arbitrary(),
    };
    let chars: Vec<char> = whole.chars().collect();
    Ok(match u.choose_index(5)? {
        0 | 1 => whole,
        2 => whole.to_uppercase(),
        3 => whole.to_lowercase(),
        _ => {
            let start = u.choose_index(chars.len())?;
            let end = u.int_in_range(start + 1..=chars.len())?;
            chars[start..end].iter().collect()
        }
    })
}
