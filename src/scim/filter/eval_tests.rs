//! Specification tests of filter evaluation against resource JSON (RFC 7644 §3.4.2.2 semantics
//! plus the decisions documented in `eval.rs`).

use serde_json::{json, Value};

use super::ast::AttrPath;
use super::eval::{matches, matches_element};
use super::parser::parse;
use crate::scim::matching::SchemaKind;
use crate::scim::urn;

/// A User close to RFC 7643 §8.2's full representation, with the Enterprise extension.
fn babs() -> Value {
    json!({
        "schemas": [urn::USER, urn::ENTERPRISE_USER],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "Bjensen-EXT",
        "userName": "bjensen@example.com",
        "name": {"familyName": "Jensen", "givenName": "Barbara"},
        "displayName": "Babs Jensen",
        "title": "",
        "nickName": null,
        "active": true,
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "phoneNumbers": [],
        "groups": [{"value": "e9e30dba", "display": "Tour Guides"}],
        "x-score": 42,
        "meta": {
            "resourceType": "User",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z",
            "version": "W/\"a330bc54f0671c9\""
        },
        urn::ENTERPRISE_USER: {
            "employeeNumber": "701984",
            "department": "Tour Operations",
            "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"}
        }
    })
}

fn check(filter: &str) -> bool {
    let filter = parse(filter).unwrap_or_else(|error| panic!("{filter}: {error}"));
    matches(&filter, &babs())
}

#[test]
fn attribute_names_are_case_insensitive() {
    assert!(check(r#"USERNAME eq "bjensen@example.com""#));
    assert!(check(r#"Name.FamilyName eq "Jensen""#));
}

#[test]
fn user_name_compares_ignoring_case_but_id_and_external_id_do_not() {
    assert!(check(r#"userName eq "BJensen@Example.COM""#));
    assert!(check(r#"externalId eq "Bjensen-EXT""#));
    assert!(!check(r#"externalId eq "bjensen-ext""#));
    assert!(!check(r#"id eq "2819C223-7F76-453A-919D-413861904646""#));
    assert!(check(r#"id eq "2819c223-7f76-453a-919d-413861904646""#));
}

#[test]
fn unicode_case_folding_applies_to_caseless_attributes() {
    let resource =
        json!({"schemas": [urn::USER], "userName": "Straße", "displayName": "\u{212A}im"});
    let matches_text = |text: &str| matches(&parse(text).unwrap(), &resource);
    assert!(matches_text(r#"userName eq "STRASSE""#));
    assert!(matches_text(r#"displayName sw "k""#));
}

#[test]
fn co_sw_ew_match_substrings_ignoring_case() {
    assert!(check(r#"displayName co "BS JEN""#));
    assert!(check(r#"displayName sw "babs""#));
    assert!(check(r#"displayName ew "SEN""#));
    assert!(!check(r#"displayName ew "babs""#));
}

#[test]
fn a_multi_valued_attribute_matches_if_any_element_matches() {
    assert!(check(r#"emails.value eq "babs@jensen.org""#));
    assert!(check(r#"emails.type eq "home""#));
    assert!(!check(r#"emails.type eq "other""#));
}

#[test]
fn a_complex_multi_valued_attribute_without_sub_attribute_compares_its_value() {
    assert!(check(r#"emails co "jensen.org""#));
    assert!(check(r#"groups eq "e9e30dba""#));
}

#[test]
fn value_paths_require_one_element_to_match_all_conditions() {
    assert!(check(
        r#"emails[type eq "work" and value co "@example.com"]"#
    ));
    assert!(!check(
        r#"emails[type eq "home" and value co "@example.com"]"#
    ));
    assert!(check(r#"emails[primary eq true]"#));
    assert!(check(r#"emails[not (type eq "work")]"#));
}

#[test]
fn schema_urn_prefixed_paths_read_the_extension_object() {
    let ext = urn::ENTERPRISE_USER;
    assert!(check(&format!(r#"{ext}:employeeNumber eq "701984""#)));
    assert!(check(&format!(r#"{ext}:manager.displayName sw "john""#)));
    assert!(check(&format!("{ext}:manager pr")));
    assert!(!check(&format!("{ext}:userName pr")));
    assert!(check(&format!("{ext} pr")));
}

#[test]
fn core_schema_urn_prefixed_paths_read_the_top_level() {
    let core = urn::USER;
    assert!(check(&format!(
        r#"{core}:userName eq "bjensen@example.com""#
    )));
    assert!(check(&format!(r#"{core}:name.familyName eq "jensen""#)));
}

#[test]
fn present_means_not_null_and_not_empty() {
    assert!(check("userName pr"));
    assert!(check("emails pr"));
    assert!(check("name pr"));
    assert!(!check("title pr"));
    assert!(!check("nickName pr"));
    assert!(!check("phoneNumbers pr"));
    assert!(!check("missing pr"));
    assert!(check("active pr"));
}

#[test]
fn null_comparisons_mean_absent_or_present() {
    assert!(check("nickName eq null"));
    assert!(check("missing eq null"));
    assert!(!check("userName eq null"));
    assert!(check("userName ne null"));
    assert!(!check("userName gt null"));
}

#[test]
fn booleans_support_only_eq_and_ne() {
    assert!(check("active eq true"));
    assert!(check("active ne false"));
    assert!(!check("active gt false"));
    assert!(!check(r#"active eq "true""#));
}

#[test]
fn numbers_compare_numerically() {
    assert!(check("x-score eq 42"));
    assert!(check("x-score eq 42.0"));
    assert!(check("x-score gt 9"));
    assert!(check("x-score le 42"));
    assert!(!check("x-score lt 41.5"));
    assert!(!check(r#"x-score eq "42""#));
}

#[test]
fn datetimes_compare_as_instants() {
    assert!(check(r#"meta.lastModified gt "2011-05-13T04:42:33Z""#));
    assert!(check(r#"meta.lastModified eq "2011-05-13T06:42:34+02:00""#));
    assert!(check(r#"meta.created lt "2010-01-23T04:56:22.5Z""#));
    assert!(!check(r#"meta.created ge "2011-01-01T00:00:00Z""#));
}

#[test]
fn strings_order_ignoring_case_for_caseless_attributes() {
    assert!(check(r#"userName gt "BJ""#));
    assert!(check(r#"userName lt "C""#));
    assert!(!check(r#"userName ge "Z""#));
}

#[test]
fn ne_needs_a_present_value_of_the_same_type() {
    assert!(check(r#"userName ne "someone""#));
    assert!(!check(r#"userName ne "BJENSEN@example.com""#));
    assert!(!check(r#"missing ne "x""#));
    assert!(check(r#"not (missing eq "x")"#));
}

#[test]
fn logical_operators_combine_results() {
    assert!(check(r#"userName sw "b" and active eq true"#));
    assert!(!check(r#"userName sw "b" and active eq false"#));
    assert!(check(r#"userName sw "x" or active eq true"#));
    assert!(check(r#"not (userName sw "x")"#));
}

#[test]
fn group_member_values_match_ignoring_case() {
    let group = json!({
        "schemas": [urn::GROUP],
        "displayName": "Tour Guides",
        "members": [{"value": "2819c223", "display": "Babs"}]
    });
    let matches_text = |text: &str| matches(&parse(text).unwrap(), &group);
    assert!(matches_text(r#"displayName eq "tour guides""#));
    assert!(matches_text(r#"members[value eq "2819C223"]"#));
    assert!(matches_text(r#"members.value eq "2819c223""#));
}

#[test]
fn an_element_of_a_multi_valued_attribute_can_be_matched_directly() {
    let element = json!({"value": "bjensen@example.com", "type": "work"});
    assert!(matches(&parse(r#"type eq "WORK""#).unwrap(), &element));
    assert!(!matches(&parse(r#"type eq "home""#).unwrap(), &element));
}

#[test]
fn a_non_object_resource_matches_nothing() {
    assert!(!matches(&parse("a pr").unwrap(), &json!("text")));
    assert!(matches(&parse("not (a pr)").unwrap(), &json!([1, 2])));
}

#[test]
fn patch_value_filters_select_elements_with_the_parent_attribute_rules() {
    let work = json!({"value": "bjensen@example.com", "type": "Work", "primary": true});
    let emails = AttrPath::simple("emails");
    let select =
        |text: &str| matches_element(&parse(text).unwrap(), &work, SchemaKind::User, &emails);
    assert!(select(r#"type eq "work""#));
    assert!(select("primary eq true"));
    assert!(!select(r#"value ew "example.org""#));
    let group_member = json!({"value": "2819C223", "display": "Babs"});
    let members = AttrPath::simple("members");
    let filter = parse(r#"value eq "2819c223""#).unwrap();
    assert!(matches_element(
        &filter,
        &group_member,
        SchemaKind::Group,
        &members
    ));
}
