//! Sorting of list results (RFC 7644 §3.4.2.3): `sortBy` names an attribute path, `sortOrder`
//! is `ascending` (the default) or `descending`. Strings compare by the attribute's `caseExact`
//! (case-insensitively for every User and Group attribute but `id` and `externalId`), a
//! multi-valued attribute sorts by its primary value (else its first), and resources without a
//! value sort last in ascending order and first in descending order. Ties keep creation order.
//! Under the sort-ignored fault the parameters are read but not applied.

use std::cmp::Ordering;

use serde_json::Value;

use super::errors::ScimError;
use super::list::param;
use crate::scim::filter::ast::AttrPath;
use crate::scim::filter::parser::attr_path_from_word;
use crate::scim::matching::{attribute_rule, SchemaKind};

/// A requested sort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortSpec {
    path: AttrPath,
    descending: bool,
}

impl SortSpec {
    /// The sort the query asks for; `None` without `sortBy`. A malformed `sortBy` or an unknown
    /// `sortOrder` is 400 invalidValue.
    pub fn from_params(params: &[(String, String)]) -> Result<Option<Self>, ScimError> {
        let Some(sort_by) = param(params, "sortBy") else {
            return Ok(None);
        };
        let path = attr_path_from_word(sort_by.trim(), 0).map_err(|_| {
            ScimError::invalid_value(format!(
                "sortBy `{sort_by}` is not an attribute path (e.g. userName, name.familyName)"
            ))
        })?;
        let descending = match param(params, "sortOrder") {
            None => false,
            Some(order) if order.eq_ignore_ascii_case("ascending") => false,
            Some(order) if order.eq_ignore_ascii_case("descending") => true,
            Some(order) => {
                return Err(ScimError::invalid_value(format!(
                    "sortOrder `{order}` is neither ascending nor descending"
                )))
            }
        };
        Ok(Some(Self { path, descending }))
    }

    /// `items` (resources with whatever they travel with) sorted by this spec; stable.
    pub fn apply<T>(&self, items: Vec<(Value, T)>) -> Vec<(Value, T)> {
        let mut keyed: Vec<(Option<SortKey>, (Value, T))> = items
            .into_iter()
            .map(|item| (self.key(&item.0), item))
            .collect();
        keyed.sort_by(|a, b| self.compare(a.0.as_ref(), b.0.as_ref()));
        keyed.into_iter().map(|(_, item)| item).collect()
    }

    fn compare(&self, a: Option<&SortKey>, b: Option<&SortKey>) -> Ordering {
        let ascending = match (a, b) {
            (Some(a), Some(b)) => a.cmp(b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if self.descending {
            ascending.reverse()
        } else {
            ascending
        }
    }

    fn key(&self, resource: &Value) -> Option<SortKey> {
        let mut value = match &self.path.schema {
            Some(schema) => resource.get(schema.as_str())?,
            None => resource,
        };
        value = field(value, &self.path.name)?;
        if let Value::Array(items) = value {
            let primary = items
                .iter()
                .find(|i| i.get("primary") == Some(&Value::Bool(true)));
            value = primary.or_else(|| items.first())?;
            if self.path.sub_attr.is_none() {
                value = value.get("value").unwrap_or(value);
            }
        }
        if let Some(sub) = &self.path.sub_attr {
            value = field(value, sub)?;
        }
        let case_exact = attribute_rule(SchemaKind::of_resource(resource), &self.path, None)
            .is_some_and(|rule| rule.case_exact);
        match value {
            Value::String(text) if case_exact => Some(SortKey::Text(text.clone())),
            Value::String(text) => Some(SortKey::Text(text.to_lowercase())),
            Value::Number(number) => number.as_f64().map(SortKey::Number),
            Value::Bool(flag) => Some(SortKey::Text(flag.to_string())),
            _ => None,
        }
    }
}

/// A value to order by: a number, or text (already folded when the attribute is
/// caseExact=false); numbers order before text.
#[derive(Debug, Clone, PartialEq)]
enum SortKey {
    Number(f64),
    Text(String),
}

impl SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (SortKey::Number(a), SortKey::Number(b)) => a.total_cmp(b),
            (SortKey::Text(a), SortKey::Text(b)) => a.cmp(b),
            (SortKey::Number(_), SortKey::Text(_)) => Ordering::Less,
            (SortKey::Text(_), SortKey::Number(_)) => Ordering::Greater,
        }
    }
}

/// A member of a JSON object by name, caselessly (RFC 7643 §2.1).
fn field<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    value
        .as_object()?
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sorted(params: &[(&str, &str)], resources: Vec<Value>) -> Vec<String> {
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let spec = SortSpec::from_params(&params).unwrap().unwrap();
        let items: Vec<(Value, usize)> = resources.into_iter().zip(0..).collect();
        spec.apply(items)
            .iter()
            .map(|(r, _)| r["userName"].as_str().unwrap_or("-").to_string())
            .collect()
    }

    fn user(name: &str, family: Option<&str>) -> Value {
        let mut user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": name});
        if let Some(family) = family {
            user["name"] = json!({"familyName": family});
        }
        user
    }

    #[test]
    fn user_names_sort_caselessly_ascending_by_default() {
        let users = vec![
            user("Bravo", None),
            user("alpha", None),
            user("Charlie", None),
        ];
        assert_eq!(
            sorted(&[("sortBy", "userName")], users.clone()),
            ["alpha", "Bravo", "Charlie"]
        );
        assert_eq!(
            sorted(
                &[("SORTBY", "userName"), ("sortOrder", "Descending")],
                users
            ),
            ["Charlie", "Bravo", "alpha"]
        );
    }

    #[test]
    fn missing_values_sort_last_ascending_and_first_descending() {
        let users = vec![
            user("a", None),
            user("b", Some("Zed")),
            user("c", Some("amos")),
        ];
        assert_eq!(
            sorted(&[("sortBy", "name.familyName")], users.clone()),
            ["c", "b", "a"]
        );
        assert_eq!(
            sorted(
                &[("sortBy", "name.familyName"), ("sortOrder", "descending")],
                users
            ),
            ["a", "b", "c"]
        );
    }

    #[test]
    fn bad_parameters_are_invalid_values() {
        let params = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert!(SortSpec::from_params(&params("sortBy", "user name")).is_err());
        let mut both = params("sortBy", "userName");
        both.extend(params("sortOrder", "sideways"));
        assert!(SortSpec::from_params(&both).is_err());
        assert_eq!(SortSpec::from_params(&params("count", "1")).unwrap(), None);
    }
}
