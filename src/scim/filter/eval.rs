//! Evaluates a [`Filter`] against a resource's JSON, with the matching rules of RFC 7644
//! §3.4.2.2 and [`crate::scim::matching`].
//!
//! The rules, including where the RFC leaves room and this module decides:
//! - Attribute names are case-insensitive. A schema-URN-prefixed path is looked up inside the
//!   extension object named by the URN; a core schema URN (or any URN the resource lists in
//!   `schemas` without an object of that name) means the top level.
//! - A multi-valued attribute matches if any element matches. A complex value compared without a
//!   sub-attribute (`emails co "@x"`) compares its `value` sub-attribute.
//! - Strings compare under the attribute's `caseExact` (RFC 7643); dateTime attributes
//!   (`meta.created`, `meta.lastModified`) compare as instants when both sides parse; numbers
//!   compare numerically; booleans support only `eq`/`ne`. A value of another type never matches,
//!   not even under `ne`.
//! - `ne` matches when some value of the attribute (of the same type) differs; an absent
//!   attribute matches neither `eq` nor `ne`. Use `not (a eq "x")` for "absent or different".
//! - `pr` is "present and not null, `""`, `[]` or `{}`". `eq null` matches when the attribute is
//!   not present in that sense, `ne null` when it is; other operators with `null` never match.
//!
//! Evaluation walks the tree recursively; the parser bounds its depth.

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

use super::ast::{AttrPath, CompValue, CompareOp, Filter};
use crate::scim::matching::{attribute_rule, cmp_datetimes, AttrType, SchemaKind, TextRule};

/// Whether `resource` (a SCIM resource, or one element of a multi-valued attribute when
/// evaluating a PATCH value filter) matches `filter`.
pub fn matches(filter: &Filter, resource: &Value) -> bool {
    let evaluator = Evaluator {
        kind: SchemaKind::of_resource(resource),
        root: resource,
    };
    evaluator.eval(filter, resource, None)
}

/// Whether `element`, one value of the multi-valued attribute `parent` of a resource of kind
/// `resource`, matches the value filter `filter` — as a PATCH path `emails[type eq "work"]`
/// selects elements. Sub-attribute rules resolve through `parent` (`emails.type`).
pub fn matches_element(
    filter: &Filter,
    element: &Value,
    resource: SchemaKind,
    parent: &AttrPath,
) -> bool {
    let evaluator = Evaluator {
        kind: resource,
        root: element,
    };
    evaluator.eval(filter, element, Some(parent))
}

struct Evaluator<'r> {
    kind: SchemaKind,
    root: &'r Value,
}

impl Evaluator<'_> {
    /// Evaluates `filter` at `node`: the resource itself, or an element of `parent` inside a
    /// value filter.
    fn eval(&self, filter: &Filter, node: &Value, parent: Option<&AttrPath>) -> bool {
        match filter {
            Filter::Compare { path, op, value } => self.compare(path, *op, value, node, parent),
            Filter::Present(path) => self.is_present(path, node, parent),
            Filter::And(left, right) => {
                self.eval(left, node, parent) && self.eval(right, node, parent)
            }
            Filter::Or(left, right) => {
                self.eval(left, node, parent) || self.eval(right, node, parent)
            }
            Filter::Not(inner) => !self.eval(inner, node, parent),
            Filter::ValuePath { path, filter } => {
                self.lookup(path, node, parent).is_some_and(|value| {
                    any_value(value, path.sub_attr.as_deref(), false, &mut |element| {
                        self.eval(filter, element, Some(path))
                    })
                })
            }
        }
    }

    fn is_present(&self, path: &AttrPath, node: &Value, parent: Option<&AttrPath>) -> bool {
        self.lookup(path, node, parent).is_some_and(|value| {
            any_value(value, path.sub_attr.as_deref(), false, &mut is_non_empty)
        })
    }

    fn compare(
        &self,
        path: &AttrPath,
        op: CompareOp,
        value: &CompValue,
        node: &Value,
        parent: Option<&AttrPath>,
    ) -> bool {
        match (op, value) {
            (CompareOp::Eq, CompValue::Null) => return !self.is_present(path, node, parent),
            (CompareOp::Ne, CompValue::Null) => return self.is_present(path, node, parent),
            (_, CompValue::Null) => return false,
            _ => {}
        }
        let rule = attribute_rule(self.kind, path, parent);
        let case_exact = rule.is_some_and(|rule| rule.case_exact);
        let is_datetime = rule.is_some_and(|rule| rule.attr_type == AttrType::DateTime);
        let comparison = Comparison {
            op,
            text: TextRule { case_exact },
            is_datetime,
        };
        self.lookup(path, node, parent).is_some_and(|found| {
            any_value(found, path.sub_attr.as_deref(), true, &mut |candidate| {
                comparison.holds(candidate, value)
            })
        })
    }

    /// The value of `path`'s attribute (not yet its sub-attribute) at `node`.
    fn lookup<'v>(
        &self,
        path: &AttrPath,
        node: &'v Value,
        parent: Option<&AttrPath>,
    ) -> Option<&'v Value> {
        let object = node.as_object()?;
        let Some(schema) = &path.schema else {
            return get_ignore_case(object, &path.name);
        };
        if parent.is_some() {
            // Inside a value filter the URN can only repeat the parent's schema.
            return get_ignore_case(object, &path.name);
        }
        // `urn:...:enterprise:2.0:User` alone parses as schema `urn:...:2.0` + name `User`.
        if let Some(whole) = get_ignore_case(object, &format!("{schema}:{}", path.name)) {
            return Some(whole);
        }
        if let Some(extension) = get_ignore_case(object, schema).and_then(Value::as_object) {
            return get_ignore_case(extension, &path.name);
        }
        if self.is_core_schema(schema) {
            return get_ignore_case(object, &path.name);
        }
        None
    }

    /// Whether `schema` names the resource's top level: a core User/Group URN, or a URN listed
    /// in `schemas` that has no extension object.
    fn is_core_schema(&self, schema: &str) -> bool {
        if matches!(
            SchemaKind::from_name(schema),
            SchemaKind::User | SchemaKind::Group
        ) {
            return true;
        }
        self.root
            .get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|schemas| {
                schemas
                    .iter()
                    .filter_map(Value::as_str)
                    .any(|listed| listed.eq_ignore_ascii_case(schema))
            })
    }
}

/// The object member named `name`, compared ignoring ASCII case (attribute names are ASCII).
fn get_ignore_case<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

/// Whether `test` holds for any of the values a comparison looks at in an attribute's value:
/// the elements of a multi-valued attribute, then `sub` of each complex value; with no `sub` and
/// `use_value` (comparisons, not `pr`), a complex value stands for its `value` sub-attribute.
/// Stops at the first value that passes; allocates nothing.
fn any_value(
    value: &Value,
    sub: Option<&str>,
    use_value: bool,
    test: &mut dyn FnMut(&Value) -> bool,
) -> bool {
    let mut test_item = |item: &Value| {
        let target = match (sub, item) {
            (Some(sub), Value::Object(object)) => get_ignore_case(object, sub),
            (Some(_), _) => None,
            (None, Value::Object(object)) if use_value => get_ignore_case(object, "value"),
            (None, item) => Some(item),
        };
        match target {
            Some(Value::Array(items)) if sub.is_some() => items.iter().any(&mut *test),
            Some(target) => test(target),
            None => false,
        }
    };
    match value {
        Value::Array(items) => items.iter().any(&mut test_item),
        item => test_item(item),
    }
}

/// `pr`: present and not null, an empty string, an empty array or an empty object.
fn is_non_empty(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(members) => !members.is_empty(),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

/// One comparison operator under one attribute's rules.
struct Comparison {
    op: CompareOp,
    text: TextRule,
    is_datetime: bool,
}

impl Comparison {
    /// Whether `candidate op value` holds; values of different types never match.
    fn holds(&self, candidate: &Value, value: &CompValue) -> bool {
        match (candidate, value) {
            (Value::String(a), CompValue::String(b)) => self.strings(a, b),
            (Value::Number(a), CompValue::Number(b)) => {
                compare_numbers(a, b).is_some_and(|ordering| self.ordering_holds(ordering))
            }
            (Value::Bool(a), CompValue::Bool(b)) => match self.op {
                CompareOp::Eq => a == b,
                CompareOp::Ne => a != b,
                _ => false,
            },
            _ => false,
        }
    }

    fn strings(&self, a: &str, b: &str) -> bool {
        match self.op {
            CompareOp::Co => return self.text.contains(a, b),
            CompareOp::Sw => return self.text.starts_with(a, b),
            CompareOp::Ew => return self.text.ends_with(a, b),
            _ => {}
        }
        let datetime_order = if self.is_datetime {
            cmp_datetimes(a, b)
        } else {
            None
        };
        let ordering = match datetime_order {
            Some(ordering) => ordering,
            None if matches!(self.op, CompareOp::Eq | CompareOp::Ne) => {
                if self.text.eq(a, b) {
                    Ordering::Equal
                } else {
                    Ordering::Less
                }
            }
            None => self.text.cmp(a, b),
        };
        self.ordering_holds(ordering)
    }

    /// Whether an ordering of candidate against value satisfies the operator (never for
    /// `co`/`sw`/`ew`, which are not orderings).
    fn ordering_holds(&self, ordering: Ordering) -> bool {
        match self.op {
            CompareOp::Eq => ordering == Ordering::Equal,
            CompareOp::Ne => ordering != Ordering::Equal,
            CompareOp::Gt => ordering == Ordering::Greater,
            CompareOp::Ge => ordering != Ordering::Less,
            CompareOp::Lt => ordering == Ordering::Less,
            CompareOp::Le => ordering != Ordering::Greater,
            CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
        }
    }
}

/// Numeric order: exact for integers, by `f64` otherwise; `None` for NaN-like cases.
fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
        return Some(a.cmp(&b));
    }
    if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
        return Some(a.cmp(&b));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}
