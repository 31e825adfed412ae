//! Listing: filters, paging (1-based, `count`, `count=0`, out-of-range `startIndex`), ordering
//! and the ListResponse shape Okta's import relies on.

use serde_json::{json, Value};

use super::faults::{create, create_body, total_for};
use super::support::{filter_query, ids_of, user_body, Scim, LIST_URN};

async fn three_users(scim: &Scim) -> Vec<String> {
    let mut ids = Vec::new();
    for name in ["Ann@Example.com", "bob@example.com", "cy@other.org"] {
        ids.push(
            scim.create_user(name).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    ids
}

#[tokio::test]
async fn the_list_response_has_integer_counts_and_resources_in_creation_order() {
    let scim = Scim::start().await;
    let ids = three_users(&scim).await;
    let reply = scim.get("/Users?startIndex=1&count=100").await;
    assert_eq!(reply.status, 200);
    let list = reply.json();
    assert_eq!(list["schemas"], json!([LIST_URN]));
    assert_eq!(
        (
            list["totalResults"].clone(),
            list["startIndex"].clone(),
            list["itemsPerPage"].clone()
        ),
        (json!(3), json!(1), json!(3))
    );
    assert_eq!(ids_of(&list), ids);
}

#[tokio::test]
async fn paging_is_one_based_honours_count_and_walks_every_user_once() {
    let scim = Scim::start().await;
    let ids = three_users(&scim).await;
    let table = [
        ("?startIndex=1&count=1", vec![ids[0].clone()], 1),
        ("?startIndex=2&count=1", vec![ids[1].clone()], 2),
        (
            "?startIndex=2&count=5",
            vec![ids[1].clone(), ids[2].clone()],
            2,
        ),
        (
            "?startIndex=0&count=2",
            vec![ids[0].clone(), ids[1].clone()],
            1,
        ),
        ("?startIndex=-4", ids.clone(), 1),
        ("?startIndex=9", vec![], 9),
        ("?count=-1", vec![], 1),
    ];
    for (query, expected, start) in table {
        let list = scim.get(&format!("/Users{query}")).await.json();
        assert_eq!(ids_of(&list), expected, "{query}");
        assert_eq!(list["totalResults"], 3, "{query}");
        assert_eq!(list["startIndex"], start, "{query}");
        assert_eq!(list["itemsPerPage"], expected.len(), "{query}");
    }
}

#[tokio::test]
async fn count_zero_answers_only_the_total() {
    let scim = Scim::start().await;
    three_users(&scim).await;
    let list = scim.get("/Users?count=0").await.json();
    assert_eq!(list["totalResults"], 3);
    assert_eq!(list["itemsPerPage"], 0);
    assert_eq!(list["Resources"], json!([]));
}

#[tokio::test]
async fn filters_select_users_by_the_rfc_rules() {
    let scim = Scim::start().await;
    let ids = three_users(&scim).await;
    let table: [(&str, Vec<&String>); 7] = [
        ("userName eq \"ann@example.com\"", vec![&ids[0]]),
        ("userName eq \"ANN@EXAMPLE.COM\"", vec![&ids[0]]),
        ("userName eq \"abcdefgh@atko.com\"", vec![]),
        (
            "userName sw \"b\" or userName ew \".org\"",
            vec![&ids[1], &ids[2]],
        ),
        (
            "emails[value co \"example\"] and not (userName sw \"bob\")",
            vec![&ids[0]],
        ),
        ("emails.value ew \"other.org\"", vec![&ids[2]]),
        (
            "active eq true and userName pr",
            vec![&ids[0], &ids[1], &ids[2]],
        ),
    ];
    for (filter, expected) in table {
        let found = scim
            .listed_ids(&format!("/Users{}", filter_query(filter)))
            .await;
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(found, expected, "{filter}");
    }
}

#[tokio::test]
async fn okta_form_encoded_filters_with_plus_for_space_work() {
    let scim = Scim::start().await;
    let ids = three_users(&scim).await;
    let found = scim
        .listed_ids("/Users?filter=userName+eq+%22bob%40example.com%22&startIndex=1&count=100")
        .await;
    assert_eq!(found, vec![ids[1].clone()]);
}

#[tokio::test]
async fn an_invalid_filter_is_a_400_invalid_filter() {
    let scim = Scim::start().await;
    for filter in [
        "userName eq",
        "userName zz \"x\"",
        "(userName eq \"a\"",
        "userName eq \"unterminated",
    ] {
        let reply = scim.get(&format!("/Users{}", filter_query(filter))).await;
        assert_eq!(reply.status, 400, "{filter}");
        assert_eq!(reply.json()["scimType"], "invalidFilter", "{filter}");
    }
    let reply = scim.get("/Users?startIndex=abc").await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn ordering_a_boolean_is_a_400_invalid_filter_on_users_and_groups() {
    let scim = Scim::start().await;
    for (endpoint, filter) in [
        ("/Users", "active gt false"),
        ("/Users", "emails[primary le true]"),
        ("/Users", "not (active ge true)"),
        ("/Groups", "displayName lt true"),
    ] {
        let reply = scim
            .get(&format!("{endpoint}{}", filter_query(filter)))
            .await;
        assert_eq!(reply.status, 400, "{filter}: {}", reply.text);
        assert_eq!(reply.json()["scimType"], "invalidFilter", "{filter}");
    }
    let ordered_string = scim
        .get(&format!("/Users{}", filter_query("userName gt \"a\"")))
        .await;
    assert_eq!(ordered_string.status, 200, "strings may be ordered");
}

#[tokio::test]
async fn deactivated_users_stay_listed_and_filterable() {
    let scim = Scim::start().await;
    let ids = three_users(&scim).await;
    let path = format!("/Users/{}", ids[1]);
    scim.patch(
        &path,
        json!([{ "op": "replace", "value": { "active": false } }]),
    )
    .await;
    assert_eq!(scim.listed_ids("/Users").await, ids);
    let filter = filter_query("userName eq \"bob@example.com\" and active eq false");
    assert_eq!(
        scim.listed_ids(&format!("/Users{filter}")).await,
        vec![ids[1].clone()]
    );
}

#[tokio::test]
async fn groups_are_filterable_by_display_name() {
    let scim = Scim::start().await;
    let first = scim.create_group("Test SCIMv2", &[]).await;
    scim.create_group("Other", &[]).await;
    let found = scim
        .listed_ids(&format!(
            "/Groups{}&startIndex=1&count=100",
            filter_query("displayName eq \"test scimv2\"")
        ))
        .await;
    assert_eq!(found, vec![first["id"].as_str().unwrap().to_string()]);
}

#[tokio::test]
async fn attributes_and_excluded_attributes_project_the_resources() {
    let scim = Scim::start().await;
    three_users(&scim).await;
    let list = scim.get("/Users?attributes=userName&count=1").await.json();
    let keys: Vec<&String> = list["Resources"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["schemas", "id", "userName"]);
    let list = scim
        .get("/Users?excludedAttributes=emails,name&count=1")
        .await
        .json();
    assert!(
        list["Resources"][0].get("emails").is_none()
            && list["Resources"][0].get("userName").is_some()
    );
}

#[tokio::test]
async fn seeded_users_are_listed_and_complete() {
    let config = scimfuzz::server::ServerConfig {
        seed_users: 5,
        ..Default::default()
    };
    let scim = Scim::start_config(config).await;
    let list = scim.get("/Users?count=1&startIndex=1").await.json();
    assert_eq!(list["totalResults"], 5);
    let first = &list["Resources"][0];
    for field in ["id", "userName", "active"] {
        assert!(!first[field].is_null(), "{field}");
    }
    assert!(first["name"]["givenName"].is_string() && first["emails"][0]["value"].is_string());
}

#[tokio::test]
async fn users_are_filterable_by_their_computed_groups() {
    let scim = Scim::start().await;
    let ids = three_users(&scim).await;
    let group = scim.create_group("Members", &[ids[2].as_str()]).await;
    let filter = filter_query(&format!(
        "groups.value eq \"{}\"",
        group["id"].as_str().unwrap()
    ));
    assert_eq!(
        scim.listed_ids(&format!("/Users{filter}")).await,
        vec![ids[2].clone()]
    );
}

#[tokio::test]
async fn a_username_lookup_finds_a_user_after_a_rename_and_not_its_old_name() {
    let scim = Scim::start().await;
    let ids = three_users(&scim).await;
    let path = format!("/Users/{}", ids[0]);
    scim.patch(
        &path,
        json!([{ "op": "replace", "path": "userName", "value": "Renamed@Example.com" }]),
    )
    .await;
    let by_new = scim
        .listed_ids(&format!(
            "/Users{}",
            filter_query("userName eq \"renamed@example.com\"")
        ))
        .await;
    let by_old = scim
        .listed_ids(&format!(
            "/Users{}",
            filter_query("userName eq \"ann@example.com\"")
        ))
        .await;
    assert_eq!((by_new, by_old), (vec![ids[0].clone()], vec![]));
}

#[tokio::test]
async fn enterprise_extension_attributes_round_trip_and_are_filterable() {
    let scim = Scim::start().await;
    three_users(&scim).await;
    let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let mut body = super::support::user_body("employee@example.com");
    body["schemas"] = json!([super::support::USER_URN, enterprise]);
    body[enterprise] = json!({ "employeeNumber": "701984", "department": "Tour Operations" });
    let reply = scim.post("/Users", &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let user = reply.json();
    assert_eq!(
        user["schemas"],
        json!([super::support::USER_URN, enterprise])
    );
    assert_eq!(user[enterprise]["employeeNumber"], "701984");
    let filter = filter_query(&format!("{enterprise}:employeeNumber eq \"701984\""));
    assert_eq!(
        scim.listed_ids(&format!("/Users{filter}")).await,
        vec![user["id"].as_str().unwrap().to_string()]
    );
}

// Probes of the list and filter faults, used by the fault table in `faults.rs`.

async fn two_users(scim: &Scim) -> Vec<Value> {
    let mut users = Vec::new();
    for name in ["first@example.com", "second@example.com"] {
        users.extend(create(scim, name).await);
    }
    users
}

pub(super) async fn zero_based_paging(scim: &Scim) -> bool {
    let users = two_users(scim).await;
    scim.listed_ids("/Users?startIndex=1&count=1").await.first()
        != users
            .first()
            .and_then(|u| u["id"].as_str())
            .map(str::to_string)
            .as_ref()
}

pub(super) async fn count_ignored(scim: &Scim) -> bool {
    two_users(scim).await;
    scim.listed_ids("/Users?startIndex=1&count=1").await.len() > 1
}

pub(super) async fn wrong_total(scim: &Scim) -> bool {
    two_users(scim).await;
    scim.get("/Users?startIndex=1&count=1").await.json()["totalResults"] != 2
}

pub(super) async fn unstable_order(scim: &Scim) -> bool {
    for n in 0..6 {
        create(scim, &format!("order{n}@example.com")).await;
    }
    let first = scim.listed_ids("/Users").await;
    let repeat_differs = scim.listed_ids("/Users").await != first;
    let mut walked = Vec::new();
    for start in [1, 3, 5] {
        walked.extend(
            scim.listed_ids(&format!("/Users?startIndex={start}&count=2"))
                .await,
        );
    }
    walked.sort();
    walked.dedup();
    // Every time, not by chance: the walk skips one user and repeats another.
    let walk_loses_one = walked.len() == 5;
    repeat_differs && walk_loses_one
}

pub(super) async fn filter_ignored(scim: &Scim) -> bool {
    two_users(scim).await;
    total_for(scim, "userName eq \"first@example.com\"").await != 1
}

pub(super) async fn and_as_or(scim: &Scim) -> bool {
    two_users(scim).await;
    total_for(
        scim,
        "userName eq \"first@example.com\" and userName eq \"second@example.com\"",
    )
    .await
        != 0
}

pub(super) async fn co_as_sw(scim: &Scim) -> bool {
    create(scim, "someone@contains.example").await;
    total_for(scim, "userName co \"contains\"").await != 1
}

pub(super) async fn emails_filter_first_only(scim: &Scim) -> bool {
    let mut body = user_body("two.emails@example.com");
    body["emails"] = json!([{ "value": "work@example.com", "type": "work", "primary": true }, { "value": "home@example.com", "type": "home" }]);
    create_body(scim, &body).await;
    total_for(scim, "emails.value eq \"home@example.com\"").await != 1
}
