//! The model's own filter evaluator: three-valued evaluation of a filter tree over the model's typed
//! user records (never over server JSON, and independent of the reference server's evaluator).
//! Attribute rules follow RFC 7643 (`userName`, `displayName`, `name.*` and `emails.value` compare
//! case-insensitively, `externalId` exactly, `active` as a boolean), overlaid with the server's
//! `/Schemas` through [`AttributePolicy`]: its declared `caseExact` is taken, and an attribute
//! whose value is not judged (readOnly, returned only on request) matches "maybe".

use std::cmp::Ordering;

use crate::scim::filter::ast::{AttrPath, CompValue, CompareOp, Filter};
use crate::scim::schema::{AttributePolicy, Tracked};

use super::expected::ListExpectation;
use super::op::{ListQuery, UserHandle, NAMESPACE_TOKEN};
use super::state::{ModelRules, State, UserRecord};
use super::text::{
    compare_ignore_case, contains_exact, contains_ignore_case, eq_ignore_case, Substring, Tri,
    UnicodeFolding,
};

/// The list expectation of `userName eq "<name>"` over the live users (before paging).
pub fn user_name_eq(state: &State, name: &str) -> ListExpectation {
    classify(state, |record| {
        eq_ignore_case(&record.user_name, name, state.rules.folding)
    })
}

/// The list expectation of a generated query (filter and paging).
pub fn list_expectation(state: &State, query: &ListQuery) -> ListExpectation {
    let mut expectation = match effective_filter(state, query) {
        Some(filter) => classify(state, |record| evaluate(&filter, record, &state.rules)),
        None => classify(state, |_| Tri::Yes),
    };
    expectation.start_index = query.start_index.unwrap_or(1).max(1) as u64;
    expectation.count = query.count.map(|count| count.max(0) as u64);
    expectation.total_predictable = true;
    expectation
}

/// The filter actually sent for `query` in this namespace: the placeholder replaced by the tag,
/// and confined to the namespace (`… and userName sw "<tag>."`) unless the target is exclusive
/// and the query asked for the whole server.
pub fn effective_filter(state: &State, query: &ListQuery) -> Option<Filter> {
    let resolved = query.filter.as_ref().map(|f| substitute(f, &state.tag));
    if state.rules.exclusive && !query.namespaced {
        return resolved;
    }
    let confine = namespace_confinement(state);
    Some(match resolved {
        Some(filter) => Filter::And(Box::new(filter), Box::new(confine)),
        None => confine,
    })
}

/// The filter that confines a listing to the case's namespace: `userName sw "<tag>."`, or, on a
/// server that refuses `sw` (RFC 7644 §3.4.2.2 lets it), `userName eq` of each of the case's live
/// users joined by `or` (a name no user has when there are none), which needs only `eq`.
pub fn namespace_confinement(state: &State) -> Filter {
    let user_name = |op, value| Filter::Compare {
        path: AttrPath::simple("userName"),
        op,
        value: CompValue::String(value),
    };
    if state.rules.sw_supported {
        return user_name(CompareOp::Sw, state.namespace_prefix());
    }
    state
        .live_users()
        .map(|(_, record)| user_name(CompareOp::Eq, record.user_name.clone()))
        .reduce(|left, right| Filter::Or(Box::new(left), Box::new(right)))
        .unwrap_or_else(|| {
            user_name(
                CompareOp::Eq,
                format!("{}nobody@example.com", state.namespace_prefix()),
            )
        })
}

/// `filter` with [`NAMESPACE_TOKEN`] in string values replaced by `tag`.
pub fn substitute(filter: &Filter, tag: &str) -> Filter {
    let again = |inner: &Filter| Box::new(substitute(inner, tag));
    match filter {
        Filter::And(l, r) => Filter::And(again(l), again(r)),
        Filter::Or(l, r) => Filter::Or(again(l), again(r)),
        Filter::Not(inner) => Filter::Not(again(inner)),
        Filter::Present(path) => Filter::Present(path.clone()),
        Filter::ValuePath { path, filter } => Filter::ValuePath {
            path: path.clone(),
            filter: again(filter),
        },
        Filter::Compare { path, op, value } => Filter::Compare {
            path: path.clone(),
            op: *op,
            value: match value {
                CompValue::String(text) => CompValue::String(text.replace(NAMESPACE_TOKEN, tag)),
                other => other.clone(),
            },
        },
    }
}

fn classify(state: &State, verdict: impl Fn(&UserRecord) -> Tri) -> ListExpectation {
    let mut must: Vec<UserHandle> = Vec::new();
    let mut may: Vec<UserHandle> = Vec::new();
    for (handle, record) in state.live_users() {
        match verdict(record) {
            Tri::Yes => must.push(handle),
            Tri::Maybe => may.push(handle),
            Tri::No => {}
        }
    }
    ListExpectation {
        must,
        may,
        start_index: 1,
        count: None,
        total_predictable: state.rules.exclusive,
    }
}

/// Whether `record` matches `filter` under `rules` (Unicode folding, the attribute policy).
pub fn evaluate(filter: &Filter, record: &UserRecord, rules: &ModelRules) -> Tri {
    match filter {
        Filter::And(left, right) => {
            evaluate(left, record, rules).and(evaluate(right, record, rules))
        }
        Filter::Or(left, right) => evaluate(left, record, rules).or(evaluate(right, record, rules)),
        Filter::Not(inner) => !evaluate(inner, record, rules),
        Filter::Present(path) => match values_of(path, record, &rules.attributes) {
            Values::Unknown => Tri::Maybe,
            values => Tri::from_bool(!values.is_empty()),
        },
        Filter::Compare { path, op, value } => compare_any(path, *op, value, record, rules),
        Filter::ValuePath { path, filter } => value_path(path, filter, record, rules),
    }
}

/// An attribute's values: a string attribute has one, `emails.value` has one per email.
enum Values<'a> {
    Strings(Vec<&'a str>, bool),
    Bool(bool),
    /// The server's value is not judged (readOnly, returned only on request): anything may match.
    Unknown,
}

impl Values<'_> {
    fn is_empty(&self) -> bool {
        matches!(self, Values::Strings(values, _) if values.is_empty())
    }
}

fn values_of<'a>(path: &AttrPath, record: &'a UserRecord, policy: &AttributePolicy) -> Values<'a> {
    let name = path.name.to_ascii_lowercase();
    let sub = path.sub_attr.as_deref().map(str::to_ascii_lowercase);
    let tracked = match (name.as_str(), sub.as_deref()) {
        ("username", None) => Tracked::UserName,
        ("displayname", None) => Tracked::DisplayName,
        ("externalid", None) => Tracked::ExternalId,
        ("name", Some("familyname")) => Tracked::FamilyName,
        ("name", Some("givenname")) => Tracked::GivenName,
        ("emails", Some("value")) | ("emails", None) => Tracked::Emails,
        ("active", None) => Tracked::Active,
        _ => return Values::Strings(Vec::new(), false),
    };
    if !policy.judged(tracked) {
        return Values::Unknown;
    }
    let case_exact = policy.case_exact(tracked);
    let text = |value: &'a str| Values::Strings(vec![value], case_exact);
    match tracked {
        Tracked::UserName => text(&record.user_name),
        Tracked::DisplayName => text(&record.display_name),
        Tracked::FamilyName => text(&record.family_name),
        Tracked::GivenName => text(&record.given_name),
        Tracked::ExternalId => Values::Strings(
            record.external_id.as_deref().into_iter().collect(),
            case_exact,
        ),
        Tracked::Emails => Values::Strings(
            record.emails.iter().map(String::as_str).collect(),
            case_exact,
        ),
        Tracked::Active => Values::Bool(record.active),
        Tracked::EmployeeNumber | Tracked::GroupDisplayName | Tracked::Members => {
            Values::Strings(Vec::new(), false)
        }
    }
}

/// A comparison on a (possibly multi-valued) attribute: true if any value satisfies it.
fn compare_any(
    path: &AttrPath,
    op: CompareOp,
    value: &CompValue,
    record: &UserRecord,
    rules: &ModelRules,
) -> Tri {
    let folding = rules.folding;
    match (values_of(path, record, &rules.attributes), value) {
        (Values::Bool(actual), CompValue::Bool(wanted)) => match op {
            CompareOp::Eq => Tri::from_bool(actual == *wanted),
            CompareOp::Ne => Tri::from_bool(actual != *wanted),
            _ => Tri::Maybe,
        },
        // RFC 7644 §3.4.2.2 does not say whether `ne` matches an absent attribute: servers differ.
        (Values::Strings(values, _), CompValue::String(_))
            if values.is_empty() && op == CompareOp::Ne =>
        {
            Tri::Maybe
        }
        (Values::Strings(values, case_exact), CompValue::String(wanted)) => {
            let mut verdict = Tri::No;
            for actual in values {
                verdict = verdict.or(compare_text(actual, op, wanted, case_exact, folding));
            }
            verdict
        }
        _ => Tri::Maybe,
    }
}

fn compare_text(
    actual: &str,
    op: CompareOp,
    wanted: &str,
    case_exact: bool,
    folding: UnicodeFolding,
) -> Tri {
    let substring = |how| {
        if case_exact {
            contains_exact(actual, wanted, how)
        } else {
            contains_ignore_case(actual, wanted, how, folding)
        }
    };
    let equal = || {
        if case_exact {
            Tri::from_bool(actual == wanted)
        } else {
            eq_ignore_case(actual, wanted, folding)
        }
    };
    let order = |accept: fn(Ordering) -> bool| {
        let ordering = if case_exact {
            Some(actual.cmp(wanted))
        } else {
            compare_ignore_case(actual, wanted)
        };
        ordering.map_or(Tri::Maybe, |ordering| Tri::from_bool(accept(ordering)))
    };
    match op {
        CompareOp::Eq => equal(),
        CompareOp::Ne => !equal(),
        CompareOp::Co => substring(Substring::Contains),
        CompareOp::Sw => substring(Substring::StartsWith),
        CompareOp::Ew => substring(Substring::EndsWith),
        CompareOp::Gt => order(|o| o == Ordering::Greater),
        CompareOp::Ge => order(|o| o != Ordering::Less),
        CompareOp::Lt => order(|o| o == Ordering::Less),
        CompareOp::Le => order(|o| o != Ordering::Greater),
    }
}

/// `emails[value eq "x"]`: some email satisfies the inner filter (which names sub-attributes).
fn value_path(path: &AttrPath, inner: &Filter, record: &UserRecord, rules: &ModelRules) -> Tri {
    if !path.name.eq_ignore_ascii_case("emails") {
        return Tri::Maybe;
    }
    let mut verdict = Tri::No;
    for email in &record.emails {
        let single = UserRecord {
            emails: vec![email.clone()],
            ..record.clone()
        };
        verdict = verdict.or(evaluate(&prefix_emails(inner), &single, rules));
    }
    verdict
}

/// Rewrites sub-attribute names inside a value filter as `emails.<sub>`.
fn prefix_emails(inner: &Filter) -> Filter {
    let rewrite = |path: &AttrPath| AttrPath::with_sub("emails", path.name.clone());
    match inner {
        Filter::And(l, r) => Filter::And(Box::new(prefix_emails(l)), Box::new(prefix_emails(r))),
        Filter::Or(l, r) => Filter::Or(Box::new(prefix_emails(l)), Box::new(prefix_emails(r))),
        Filter::Not(i) => Filter::Not(Box::new(prefix_emails(i))),
        Filter::Present(path) => Filter::Present(rewrite(path)),
        Filter::Compare { path, op, value } => Filter::Compare {
            path: rewrite(path),
            op: *op,
            value: value.clone(),
        },
        Filter::ValuePath { .. } => inner.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::op::Spelling;
    use crate::model::state::ModelRules;

    fn record() -> UserRecord {
        State::new("77", ModelRules::default()).new_user_record(UserHandle(0), Spelling::Base)
    }

    fn compare(path: AttrPath, op: CompareOp, value: &str) -> Filter {
        Filter::Compare {
            path,
            op,
            value: CompValue::String(value.into()),
        }
    }

    #[test]
    fn user_name_eq_ignores_ascii_case() {
        let filter = compare(
            AttrPath::simple("userName"),
            CompareOp::Eq,
            "77.ANN.LEE@EXAMPLE.COM",
        );
        assert_eq!(
            evaluate(&filter, &record(), &ModelRules::default()),
            Tri::Yes
        );
    }

    #[test]
    fn external_id_is_case_exact() {
        let filter = compare(AttrPath::simple("externalId"), CompareOp::Eq, "EXT77U0");
        assert_eq!(
            evaluate(&filter, &record(), &ModelRules::default()),
            Tri::No
        );
    }

    #[test]
    fn any_email_may_satisfy_a_filter_on_emails_value() {
        let second = record().emails[1].to_uppercase();
        let filter = compare(
            AttrPath::with_sub("emails", "value"),
            CompareOp::Eq,
            &second,
        );
        assert_eq!(
            evaluate(&filter, &record(), &ModelRules::default()),
            Tri::Yes
        );
        let value_path = Filter::ValuePath {
            path: AttrPath::simple("emails"),
            filter: Box::new(compare(
                AttrPath::simple("value"),
                CompareOp::Ew,
                "example.org",
            )),
        };
        assert_eq!(
            evaluate(&value_path, &record(), &ModelRules::default()),
            Tri::Yes
        );
    }

    #[test]
    fn ne_on_an_absent_attribute_is_left_to_the_server() {
        let mut user = record();
        user.external_id = None;
        let filter = compare(AttrPath::simple("externalId"), CompareOp::Ne, "Ext77U0");
        assert_eq!(evaluate(&filter, &user, &ModelRules::default()), Tri::Maybe);
        let present = record();
        assert_eq!(evaluate(&filter, &present, &ModelRules::default()), Tri::No);
    }

    #[test]
    fn and_or_not_combine_three_valued() {
        let yes = Filter::Present(AttrPath::simple("userName"));
        let no = compare(
            AttrPath::with_sub("name", "familyName"),
            CompareOp::Sw,
            "Leeds",
        );
        let both = Filter::And(Box::new(yes.clone()), Box::new(no.clone()));
        let either = Filter::Or(Box::new(yes), Box::new(no.clone()));
        assert_eq!(evaluate(&both, &record(), &ModelRules::default()), Tri::No);
        assert_eq!(
            evaluate(&either, &record(), &ModelRules::default()),
            Tri::Yes
        );
        let negated = Filter::Not(Box::new(no));
        assert_eq!(
            evaluate(&negated, &record(), &ModelRules::default()),
            Tri::Yes
        );
    }
}
