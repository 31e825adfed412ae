//! Overlaying a server's `/Schemas` (RFC 7643 §7, RFC 7644 §4) on the table: every
//! characteristic the server states replaces the table's, every one it leaves out keeps the RFC's
//! value, and attributes or schemas the table does not know are added with RFC 7643 §2.2's
//! defaults. The input is hostile: anything malformed is skipped and counted, sizes are bounded,
//! and nothing panics.

use serde_json::{Map, Value};

use super::table::{
    find, AttrType, Attribute, AttributeTable, Mutability, Returned, SchemaDef, Uniqueness,
};

/// The most schemas, attributes per schema, and sub-attributes per attribute taken from a server.
const MAX_SCHEMAS: usize = 64;
const MAX_ATTRIBUTES: usize = 512;
const MAX_NAME_CHARS: usize = 512;

/// What an overlay took from the server's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverlayReport {
    /// Schemas read (known or new).
    pub schemas: usize,
    /// Attribute definitions read, sub-attributes included.
    pub attributes: usize,
    /// Entries skipped because they were not a schema or attribute definition (or over a bound).
    pub skipped: usize,
    /// The answer held no schema list at all (not a ListResponse, an array or a schema).
    pub not_schemas: bool,
}

impl AttributeTable {
    /// Overlays `server_schemas`: a `/Schemas` ListResponse, a bare array of schemas, or one
    /// schema.
    pub fn overlay(&mut self, server_schemas: &Value) -> OverlayReport {
        let mut report = OverlayReport::default();
        let list: &[Value] = match server_schemas {
            Value::Array(items) => items,
            Value::Object(object) => match resources(object) {
                Some(items) => items,
                None if object.contains_key("attributes") => std::slice::from_ref(server_schemas),
                None => {
                    report.not_schemas = true;
                    return report;
                }
            },
            _ => {
                report.not_schemas = true;
                return report;
            }
        };
        for (index, item) in list.iter().enumerate() {
            if index >= MAX_SCHEMAS {
                report.skipped += list.len() - MAX_SCHEMAS;
                break;
            }
            self.overlay_schema(item, &mut report);
        }
        report
    }

    fn overlay_schema(&mut self, item: &Value, report: &mut OverlayReport) {
        let Some(object) = item.as_object() else {
            report.skipped += 1;
            return;
        };
        let (Some(id), Some(attributes)) = (
            text(object, "id"),
            object.get("attributes").and_then(Value::as_array),
        ) else {
            report.skipped += 1;
            return;
        };
        report.schemas += 1;
        if self.schema(id).is_none() {
            let name = text(object, "name").unwrap_or(id);
            self.schemas.push(SchemaDef {
                id: id.to_string(),
                name: name.to_string(),
                attributes: Vec::new(),
            });
        }
        if let Some(schema) = self.schema_mut(id) {
            overlay_attributes(&mut schema.attributes, attributes, 0, report);
        }
    }
}

/// `Resources` of a ListResponse (any case of the key, as servers vary).
fn resources(object: &Map<String, Value>) -> Option<&[Value]> {
    object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("Resources"))
        .and_then(|(_, value)| value.as_array())
        .map(Vec::as_slice)
}

/// A non-empty string member of bounded length.
fn text<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.chars().count() <= MAX_NAME_CHARS)
}

fn overlay_attributes(
    attributes: &mut Vec<Attribute>,
    given: &[Value],
    depth: usize,
    report: &mut OverlayReport,
) {
    for (index, item) in given.iter().enumerate() {
        if index >= MAX_ATTRIBUTES {
            report.skipped += given.len() - MAX_ATTRIBUTES;
            break;
        }
        let Some((object, name)) = item
            .as_object()
            .and_then(|object| Some((object, text(object, "name")?)))
        else {
            report.skipped += 1;
            continue;
        };
        report.attributes += 1;
        if find(attributes, name).is_none() {
            attributes.push(Attribute::new(name, AttrType::String));
        }
        let Some(attribute) = attributes
            .iter_mut()
            .find(|a| a.name.eq_ignore_ascii_case(name))
        else {
            continue;
        };
        overlay_one(attribute, object);
        if let Some(subs) = object.get("subAttributes").and_then(Value::as_array) {
            // RFC 7643 §2.3.8: a sub-attribute is never complex, so one level is all there is.
            if depth == 0 {
                overlay_attributes(&mut attribute.sub_attributes, subs, depth + 1, report);
            } else {
                report.skipped += subs.len();
            }
        }
    }
}

/// Takes every characteristic the definition states with a valid value.
fn overlay_one(attribute: &mut Attribute, object: &Map<String, Value>) {
    let flag = |key: &str| object.get(key).and_then(Value::as_bool);
    let word = |key: &str| object.get(key).and_then(Value::as_str);
    if let Some(kind) = word("type").and_then(AttrType::parse) {
        attribute.kind = kind;
    }
    if let Some(multi_valued) = flag("multiValued") {
        attribute.multi_valued = multi_valued;
    }
    if let Some(case_exact) = flag("caseExact") {
        attribute.case_exact = case_exact;
    }
    if let Some(required) = flag("required") {
        attribute.required = required;
    }
    if let Some(mutability) = word("mutability").and_then(Mutability::parse) {
        attribute.mutability = mutability;
    }
    if let Some(returned) = word("returned").and_then(Returned::parse) {
        attribute.returned = returned;
    }
    if let Some(uniqueness) = word("uniqueness").and_then(Uniqueness::parse) {
        attribute.uniqueness = uniqueness;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scim::urn;

    fn list(resources: Value) -> Value {
        json!({"schemas": [urn::LIST_RESPONSE], "totalResults": 1, "Resources": resources})
    }

    #[test]
    fn stated_characteristics_replace_the_rfc_ones_and_the_rest_stay() {
        let mut table = AttributeTable::rfc7643();
        let report = table.overlay(&list(json!([{
            "id": urn::USER,
            "attributes": [
                {"name": "username", "type": "string", "caseExact": true},
                {"name": "title", "required": true},
                {"name": "emails", "subAttributes": [{"name": "value", "caseExact": true}]},
            ],
        }])));
        assert_eq!(
            (report.schemas, report.attributes, report.skipped),
            (1, 4, 0)
        );
        let user_name = table.user("userName").unwrap();
        assert!(user_name.case_exact && user_name.required, "{user_name:?}");
        assert_eq!(user_name.uniqueness, Uniqueness::Server);
        assert!(
            table
                .user("emails")
                .unwrap()
                .sub("value")
                .unwrap()
                .case_exact
        );
        assert!(table.user("emails").unwrap().multi_valued);
        let extra: Vec<&str> = table
            .required_beyond_rfc(urn::USER)
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(extra, ["title"]);
    }

    #[test]
    fn unknown_attributes_and_schemas_get_rfc_defaults() {
        let mut table = AttributeTable::rfc7643();
        table.overlay(&json!([
            {"id": urn::USER, "attributes": [{"name": "costCode", "required": true}]},
            {"id": "urn:acme:Badge", "name": "Badge", "attributes": [
                {"name": "level", "type": "integer", "multiValued": true}
            ]},
        ]));
        let cost = table.user("costCode").unwrap();
        assert_eq!(
            (cost.kind, cost.mutability, cost.returned, cost.case_exact),
            (
                AttrType::String,
                Mutability::ReadWrite,
                Returned::Default,
                false
            )
        );
        assert!(table.is_multi_valued("URN:ACME:BADGE", "level"));
        assert_eq!(
            table.attribute("urn:acme:Badge", "level").unwrap().kind,
            AttrType::Integer
        );
    }

    #[test]
    fn junk_is_skipped_without_panicking() {
        let rfc = AttributeTable::rfc7643();
        for junk in [
            json!(null),
            json!("Schemas"),
            json!(42),
            json!({"detail": "not found", "status": "404"}),
            json!({"Resources": "nope"}),
        ] {
            let mut table = rfc.clone();
            let report = table.overlay(&junk);
            assert!(report.not_schemas, "{junk}");
            assert_eq!(table, rfc);
        }
        let mut table = rfc.clone();
        let report = table.overlay(&json!([
            1,
            {"id": 7, "attributes": []},
            {"id": urn::USER},
            {"id": urn::USER, "attributes": [
                null,
                {"name": ""},
                {"name": "userName", "type": "colour", "multiValued": "yes", "mutability": 3,
                 "subAttributes": [{"name": "x", "subAttributes": [{"name": "deeper"}]}]},
            ]},
        ]));
        assert_eq!((report.schemas, report.skipped), (1, 6));
        let user_name = table.user("userName").unwrap();
        assert_eq!(
            (user_name.kind, user_name.multi_valued),
            (AttrType::String, false)
        );
        assert!(user_name
            .sub("x")
            .is_some_and(|x| x.sub_attributes.is_empty()));
    }

    #[test]
    fn sizes_are_bounded() {
        let many: Vec<Value> = (0..2_000)
            .map(|n| json!({"name": format!("a{n}")}))
            .collect();
        let mut table = AttributeTable::rfc7643();
        let report = table.overlay(&json!([{"id": "urn:x", "attributes": many}]));
        assert_eq!(report.attributes, MAX_ATTRIBUTES);
        assert_eq!(report.skipped, 2_000 - MAX_ATTRIBUTES);
        let schemas: Vec<Value> = (0..100)
            .map(|n| json!({"id": format!("urn:s{n}"), "attributes": []}))
            .collect();
        let report = table.overlay(&Value::Array(schemas));
        assert_eq!(
            (report.schemas, report.skipped),
            (MAX_SCHEMAS, 100 - MAX_SCHEMAS)
        );
    }

    #[test]
    fn one_bare_schema_is_accepted() {
        let mut table = AttributeTable::rfc7643();
        let report = table.overlay(&json!({"id": urn::GROUP, "attributes": [
            {"name": "displayName", "required": false}
        ]}));
        assert_eq!(report.schemas, 1);
        assert!(!table.group("displayName").unwrap().required);
    }
}
