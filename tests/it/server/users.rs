//! Users: create, read, replace, delete, uniqueness, read-only and write-only attributes.

use serde_json::json;

use super::support::{assert_scim_error, user_body, Scim, USER_URN};

#[tokio::test]
async fn a_created_user_is_a_201_with_location_etag_and_the_full_body() {
    let scim = Scim::start().await;
    let reply = scim
        .post("/Users", &user_body("Runscope482Hfluaklab151@atko.com"))
        .await;
    assert_eq!(reply.status, 201);
    let user = reply.json();
    let id = user["id"].as_str().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(scim.url(&format!("/Users/{id}")).as_str())
    );
    assert_eq!(reply.header("etag"), Some("W/\"1\""));
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("application/scim+json"));
    assert_eq!(user["schemas"], json!([USER_URN]));
    assert_eq!(user["userName"], "Runscope482Hfluaklab151@atko.com");
    assert_eq!(user["name"]["givenName"], "Given");
    assert_eq!(user["active"], true);
    assert_eq!(
        user["emails"][0]["value"],
        "Runscope482Hfluaklab151@atko.com"
    );
    assert_eq!(user["meta"]["resourceType"], "User");
    assert_eq!(user["meta"]["version"], "W/\"1\"");
    assert!(!id.contains("bulkId") && !id.is_empty());
}

#[tokio::test]
async fn a_created_user_reads_back_with_its_username_exactly_as_sent() {
    let scim = Scim::start().await;
    let created = scim.create_user("MiXeD.Case@Example.COM").await;
    let reply = scim
        .get(&format!("/Users/{}", created["id"].as_str().unwrap()))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["userName"], "MiXeD.Case@Example.COM");
    assert_eq!(reply.json(), created);
}

#[tokio::test]
async fn a_duplicate_username_in_any_case_is_a_409_uniqueness() {
    let scim = Scim::start().await;
    scim.create_user("Alice@Example.com").await;
    for duplicate in [
        "Alice@Example.com",
        "alice@example.com",
        "ALICE@EXAMPLE.COM",
    ] {
        let reply = scim.post("/Users", &user_body(duplicate)).await;
        assert_scim_error(&reply, 409);
        assert_eq!(reply.json()["scimType"], "uniqueness");
    }
    assert_eq!(scim.get("/Users").await.json()["totalResults"], 1);
}

#[tokio::test]
async fn okta_create_extras_are_tolerated_and_the_password_never_returned() {
    let scim = Scim::start().await;
    let mut body = user_body("extras@example.com");
    body["password"] = json!("1mz050nq");
    body["groups"] = json!([]);
    body["externalId"] = json!("00ujl29u0le5T6Aj10h7");
    body["locale"] = json!("en-US");
    body["id"] = json!("client-chosen");
    let reply = scim.post("/Users", &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let user = reply.json();
    assert!(user.get("password").is_none());
    assert_ne!(user["id"], "client-chosen");
    assert_eq!(user["externalId"], "00ujl29u0le5T6Aj10h7");
    let read = scim
        .get(&format!("/Users/{}", user["id"].as_str().unwrap()))
        .await
        .json();
    assert!(read.get("password").is_none());
}

#[tokio::test]
async fn a_user_without_active_is_created_active() {
    let scim = Scim::start().await;
    let reply = scim
        .post(
            "/Users",
            &json!({ "schemas": [USER_URN], "userName": "bare" }),
        )
        .await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.json()["active"], true);
}

#[tokio::test]
async fn invalid_user_bodies_are_400_invalid_value() {
    let scim = Scim::start().await;
    for body in [
        json!({ "schemas": [USER_URN] }),
        json!({ "userName": "" }),
        json!({ "userName": 7 }),
        json!({ "userName": "x", "active": "yes" }),
        json!({ "userName": "x", "emails": { "value": "x@y" } }),
    ] {
        let reply = scim.post("/Users", &body).await;
        assert_scim_error(&reply, 400);
        assert_eq!(reply.json()["scimType"], "invalidValue", "{body}");
    }
}

#[tokio::test]
async fn put_replaces_the_user_and_ignores_echoed_read_only_attributes() {
    let scim = Scim::start().await;
    let created = scim.create_user("put@example.com").await;
    let id = created["id"].as_str().unwrap();
    let mut echoed = created.clone();
    echoed["name"] = json!({ "givenName": "Another", "middleName": "", "familyName": "User" });
    echoed["groups"] = json!([]);
    echoed.as_object_mut().unwrap().remove("displayName");
    let reply = scim.put(&format!("/Users/{id}"), &echoed).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let user = reply.json();
    assert_eq!(user["id"], created["id"]);
    assert_eq!(user["name"]["givenName"], "Another");
    assert!(
        user.get("displayName").is_none(),
        "PUT replaces: attributes left out are gone"
    );
    assert_eq!(user["meta"]["version"], "W/\"2\"");
    assert_eq!(user["meta"]["created"], created["meta"]["created"]);
}

#[tokio::test]
async fn put_with_active_false_deactivates_and_the_user_stays_readable() {
    let scim = Scim::start().await;
    let created = scim.create_user("aiw@example.com").await;
    let id = created["id"].as_str().unwrap();
    let mut body = user_body("aiw@example.com");
    body["active"] = json!(false);
    assert_eq!(
        scim.put(&format!("/Users/{id}"), &body).await.json()["active"],
        false
    );
    let read = scim.get(&format!("/Users/{id}")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["active"], false);
}

#[tokio::test]
async fn put_onto_another_users_username_is_a_409() {
    let scim = Scim::start().await;
    scim.create_user("taken@example.com").await;
    let mine = scim.create_user("mine@example.com").await;
    let reply = scim
        .put(
            &format!("/Users/{}", mine["id"].as_str().unwrap()),
            &user_body("TAKEN@example.com"),
        )
        .await;
    assert_scim_error(&reply, 409);
}

#[tokio::test]
async fn delete_is_a_204_with_no_body_then_the_user_is_a_404() {
    let scim = Scim::start().await;
    let created = scim.create_user("gone@example.com").await;
    let path = format!("/Users/{}", created["id"].as_str().unwrap());
    let reply = scim.delete(&path).await;
    assert_eq!(reply.status, 204);
    assert!(reply.text.is_empty());
    assert_scim_error(&scim.get(&path).await, 404);
    assert_scim_error(&scim.delete(&path).await, 404);
    scim.create_user("gone@example.com").await;
}

#[tokio::test]
async fn if_match_with_a_stale_version_is_a_412_and_the_current_one_succeeds() {
    let scim = Scim::start().await;
    let created = scim.create_user("etag@example.com").await;
    let path = format!("/Users/{}", created["id"].as_str().unwrap());
    let body = user_body("etag@example.com");
    let stale = scim
        .send(
            reqwest::Method::PUT,
            &path,
            Some(&body),
            &[("If-Match", "W/\"9\"")],
        )
        .await;
    assert_scim_error(&stale, 412);
    let current = scim
        .send(
            reqwest::Method::PUT,
            &path,
            Some(&body),
            &[("If-Match", "W/\"1\"")],
        )
        .await;
    assert_eq!(current.status, 200);
    assert_eq!(current.header("etag"), Some("W/\"2\""));
    let delete = scim
        .send(
            reqwest::Method::DELETE,
            &path,
            None,
            &[("If-Match", "W/\"1\"")],
        )
        .await;
    assert_scim_error(&delete, 412);
}

#[tokio::test]
async fn concurrent_creates_of_one_username_store_exactly_one_user() {
    let scim = Scim::start().await;
    let body = user_body("race@example.com");
    let replies = futures::future::join_all((0..8).map(|_| scim.post("/Users", &body))).await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    let conflicts = replies.iter().filter(|r| r.status == 409).count();
    assert_eq!((created, conflicts), (1, 7));
}

#[tokio::test]
async fn if_none_match_with_the_current_version_is_a_304_without_body() {
    let scim = Scim::start().await;
    let created = scim.create_user("cached@example.com").await;
    let path = format!("/Users/{}", created["id"].as_str().unwrap());
    let unchanged = scim
        .send(
            reqwest::Method::GET,
            &path,
            None,
            &[("If-None-Match", "W/\"1\"")],
        )
        .await;
    assert_eq!(unchanged.status, 304);
    assert!(unchanged.text.is_empty());
    assert_eq!(unchanged.header("etag"), Some("W/\"1\""));
    let changed = scim
        .send(
            reqwest::Method::GET,
            &path,
            None,
            &[("If-None-Match", "W/\"0\"")],
        )
        .await;
    assert_eq!(changed.status, 200);
}
