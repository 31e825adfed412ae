//! Criterion bench of the SCIM filter path a list request takes: parsing the filters Okta sends,
//! evaluating them against one user, and scanning 10,000 users (the reference server's
//! `GET /Users?filter=...` over an in-memory store). Run: `cargo bench --bench scim_filter`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

use scimfuzz::scim::filter::{eval::matches, parse};
use scimfuzz::scim::urn;

/// The lookup Okta sends before every create (`GET /Users?filter=userName eq "..."`).
const OKTA_LOOKUP: &str = r#"userName eq "john.doe@example.com""#;
/// A filter using most of the grammar: value path, precedence, not, URN prefix, dateTime.
const COMPLEX: &str = concat!(
    r#"emails[type eq "work" and value co "@example.com"] or (userName sw "JOHN" and active eq true"#,
    r#" and not (title pr)) and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:"#,
    r#"employeeNumber eq "701984" and meta.lastModified gt "2011-05-13T04:42:34Z""#
);

fn user(index: usize) -> Value {
    json!({
        "schemas": [urn::USER, urn::ENTERPRISE_USER],
        "id": format!("2819c223-7f76-453a-919d-{index:012}"),
        "userName": format!("john.doe{index}@example.com"),
        "name": {"givenName": "John", "familyName": format!("Doe{index}")},
        "displayName": format!("John Doe {index}"),
        "active": !index.is_multiple_of(3),
        "emails": [
            {"value": format!("john.doe{index}@example.com"), "type": "work", "primary": true},
            {"value": format!("jd{index}@home.example.org"), "type": "home"}
        ],
        "meta": {
            "resourceType": "User",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:35Z",
            "version": format!("W/\"{index}\"")
        },
        urn::ENTERPRISE_USER: {"employeeNumber": format!("{}", 700_000 + index)}
    })
}

fn parse_filters(c: &mut Criterion) {
    c.bench_function("parse okta userName lookup", |b| {
        b.iter(|| parse(black_box(OKTA_LOOKUP)).unwrap())
    });
    c.bench_function("parse complex filter", |b| {
        b.iter(|| parse(black_box(COMPLEX)).unwrap())
    });
    let filter = parse(COMPLEX).unwrap();
    c.bench_function("print complex filter", |b| {
        b.iter(|| black_box(&filter).to_string())
    });
}

fn evaluate_filters(c: &mut Criterion) {
    let one = user(1984);
    let lookup = parse(OKTA_LOOKUP).unwrap();
    let complex = parse(COMPLEX).unwrap();
    c.bench_function("eval okta lookup on one user", |b| {
        b.iter(|| matches(black_box(&lookup), black_box(&one)))
    });
    c.bench_function("eval complex filter on one user", |b| {
        b.iter(|| matches(black_box(&complex), black_box(&one)))
    });
    let users: Vec<Value> = (0..10_000).map(user).collect();
    let case_variant = parse(r#"userName eq "JOHN.DOE9999@EXAMPLE.COM""#).unwrap();
    c.bench_function("scan 10k users for a case-variant userName", |b| {
        b.iter(|| {
            users
                .iter()
                .filter(|user| matches(black_box(&case_variant), user))
                .count()
        })
    });
}

criterion_group!(benches, parse_filters, evaluate_filters);
criterion_main!(benches);
