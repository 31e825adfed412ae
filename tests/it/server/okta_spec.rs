//! Okta's SCIM 2.0 SPEC test (NOTES §a.3), its 12 steps written out by hand with every
//! assertion, run against the reference server: a correct server passes every step, and the
//! faults Okta's test is meant to catch break exactly the steps they should.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use super::support::{filter_query, Reply, Scim, ERROR_URN, LIST_URN, USER_URN};
use scimfuzz::server::Fault;

const GET_HEADERS: [(&str, &str); 4] = [
    ("Accept", "application/scim+json"),
    ("Accept-Charset", "utf-8"),
    ("Content-Type", "application/scim+json; charset=utf-8"),
    ("User-Agent", "OKTA SCIM Integration"),
];

fn not_empty(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

fn has_schema(body: &Value, urn: &str) -> bool {
    body["schemas"]
        .as_array()
        .is_some_and(|s| s.iter().any(|v| v == urn))
}

fn is_error(reply: &Reply, status: u16) -> bool {
    let body: Value = serde_json::from_str(&reply.text).unwrap_or_default();
    reply.status == status && not_empty(&body["detail"]) && has_schema(&body, ERROR_URN)
}

fn spec_user(user_name: &str) -> Value {
    json!({
        "schemas": [USER_URN],
        "userName": user_name,
        "name": { "givenName": "Runscope482", "familyName": "Hfluaklab151" },
        "emails": [{ "primary": true, "value": user_name, "type": "work" }],
        "displayName": "Runscope482 Hfluaklab151",
        "active": true,
    })
}

async fn get(scim: &Scim, path: &str) -> Reply {
    scim.send(Method::GET, path, None, &GET_HEADERS).await
}

async fn post_user(scim: &Scim, body: &Value) -> Reply {
    let headers = [
        ("Content-Type", "application/json"),
        ("Accept", "application/scim+json; charset=utf-8"),
    ];
    scim.send(Method::POST, "/Users", Some(body), &headers)
        .await
}

/// The passed or failed verdict of each step.
type Verdicts = Vec<(u32, bool)>;

/// Runs the 12 steps (after seeding the one user the SPEC precondition needs) and returns the
/// numbers of the steps that fail.
async fn failing_spec_steps(scim: &Scim) -> Vec<u32> {
    post_user(scim, &spec_user("existing.user@atko.com")).await;
    let user_name = "Runscope482Hfluaklab151@atko.com";
    let mut verdicts = lookup_steps(scim, user_name).await;
    verdicts.extend(create_steps(scim, user_name).await);
    verdicts.extend(error_steps(scim, user_name).await);
    verdicts
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(step, _)| step)
        .collect()
}

/// Steps 1–5: list, read, unknown userName, unknown id, the new user does not exist yet.
async fn lookup_steps(scim: &Scim, user_name: &str) -> Verdicts {
    let mut verdicts = Vec::new();
    let mut check = |step: u32, ok: bool| verdicts.push((step, ok));
    let r1 = get(scim, "/Users?count=1&startIndex=1").await;
    let b1: Value = serde_json::from_str(&r1.text).unwrap_or_default();
    let first = &b1["Resources"][0];
    check(
        1,
        r1.status == 200
            && not_empty(&b1["Resources"])
            && has_schema(&b1, LIST_URN)
            && ["itemsPerPage", "startIndex", "totalResults"]
                .iter()
                .all(|k| b1[k].is_number())
            && [
                &first["id"],
                &first["name"]["familyName"],
                &first["name"]["givenName"],
                &first["userName"],
                &first["active"],
                &first["emails"][0]["value"],
            ]
            .iter()
            .all(|v| not_empty(v)),
    );
    let isv_id = first["id"].as_str().unwrap_or_default().to_string();
    let r2 = get(scim, &format!("/Users/{isv_id}")).await;
    let b2: Value = serde_json::from_str(&r2.text).unwrap_or_default();
    check(
        2,
        r2.status == 200
            && b2["id"] == isv_id.as_str()
            && not_empty(&b2["name"]["givenName"])
            && not_empty(&b2["emails"][0]["value"]),
    );
    let r3 = get(
        scim,
        &format!(
            "/Users{}",
            filter_query("userName eq \"abcdefgh@atko.com\"")
        ),
    )
    .await;
    let b3: Value = serde_json::from_str(&r3.text).unwrap_or_default();
    check(
        3,
        r3.status == 200 && has_schema(&b3, LIST_URN) && b3["totalResults"] == 0,
    );
    check(
        4,
        is_error(
            &get(scim, "/Users/010101001010101011001010101011").await,
            404,
        ),
    );
    let r5 = get(
        scim,
        &format!(
            "/Users{}",
            filter_query(&format!("userName eq \"{user_name}\""))
        ),
    )
    .await;
    let b5: Value = serde_json::from_str(&r5.text).unwrap_or_default();
    check(
        5,
        r5.status == 200 && b5["totalResults"] == 0 && has_schema(&b5, LIST_URN),
    );
    verdicts
}

/// Steps 6–9: create with realistic values, read it back, recreate → 409, caps lookup.
async fn create_steps(scim: &Scim, user_name: &str) -> Verdicts {
    let mut verdicts = Vec::new();
    let mut check = |step: u32, ok: bool| verdicts.push((step, ok));
    let r6 = post_user(scim, &spec_user(user_name)).await;
    let b6: Value = serde_json::from_str(&r6.text).unwrap_or_default();
    check(
        6,
        r6.status == 201
            && b6["active"] == true
            && not_empty(&b6["id"])
            && b6["name"]["familyName"] == "Hfluaklab151"
            && b6["name"]["givenName"] == "Runscope482"
            && has_schema(&b6, USER_URN)
            && b6["userName"] == user_name,
    );
    let id_user_one = b6["id"].as_str().unwrap_or_default().to_string();
    let b7: Value = serde_json::from_str(&get(scim, &format!("/Users/{id_user_one}")).await.text)
        .unwrap_or_default();
    check(
        7,
        b7["userName"] == user_name
            && b7["name"]["familyName"] == "Hfluaklab151"
            && b7["name"]["givenName"] == "Runscope482",
    );
    check(
        8,
        post_user(scim, &spec_user(user_name)).await.status == 409,
    );
    let caps = filter_query(&format!("userName eq \"{}\"", user_name.to_uppercase()));
    check(9, get(scim, &format!("/Users{caps}")).await.status == 200);
    verdicts
}

/// Steps 10–12: the Groups endpoint within 600 ms, 401 and 404 as SCIM errors.
async fn error_steps(scim: &Scim, user_name: &str) -> Verdicts {
    let mut verdicts = Vec::new();
    let mut check = |step: u32, ok: bool| verdicts.push((step, ok));
    let caps = filter_query(&format!("userName eq \"{}\"", user_name.to_uppercase()));
    let started = Instant::now();
    let r10 = get(scim, "/Groups").await;
    check(
        10,
        r10.status == 200
            && started.elapsed() < Duration::from_millis(600)
            && serde_json::from_str::<Value>(&r10.text).is_ok(),
    );
    let r11 = scim
        .send(
            Method::GET,
            &format!("/Users{caps}"),
            None,
            &[("Authorization", "non-token")],
        )
        .await;
    check(
        11,
        is_error(&r11, 401)
            && serde_json::from_str::<Value>(&r11.text).is_ok_and(|b| b["status"] == "401"),
    );
    let r12 = get(scim, "/Users/00919288221112222").await;
    check(
        12,
        is_error(&r12, 404)
            && serde_json::from_str::<Value>(&r12.text).is_ok_and(|b| b["status"] == "404"),
    );
    verdicts
}

#[tokio::test]
async fn a_correct_server_passes_every_spec_step() {
    assert_eq!(
        failing_spec_steps(&Scim::start().await).await,
        Vec::<u32>::new()
    );
}

#[tokio::test]
async fn each_fault_aimed_at_the_spec_breaks_exactly_its_steps() {
    let table: [(Fault, Vec<u32>); 7] = [
        (Fault::DuplicateUpsert, vec![8]),
        (Fault::Duplicate200, vec![8]),
        (Fault::BogusId400, vec![4, 12]),
        (Fault::BogusId500, vec![4, 12]),
        (Fault::NoMatch404, vec![3, 5]),
        (Fault::UnauthorizedEmpty, vec![11]),
        (Fault::Create200, vec![6]),
    ];
    let runs = table.iter().map(|(fault, _)| async move {
        failing_spec_steps(&Scim::start_with(&[*fault]).await).await
    });
    let failed = futures::future::join_all(runs).await;
    for ((fault, expected), failed) in table.iter().zip(failed) {
        assert_eq!(&failed, expected, "{fault}");
    }
}
