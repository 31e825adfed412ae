//! Groups: create with members, member completion, computed user `groups`, PUT, delete, and
//! deleting a user removes it from its groups.

use serde_json::json;

use super::support::{assert_scim_error, Scim, GROUP_URN};

#[tokio::test]
async fn a_created_group_lists_members_with_value_display_ref_and_type() {
    let scim = Scim::start().await;
    let user = scim.create_user("member@example.com").await;
    let uid = user["id"].as_str().unwrap();
    let reply = scim
        .post("/Groups", &json!({ "schemas": [GROUP_URN], "displayName": "Test SCIMv2", "members": [{ "value": uid }] }))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert!(reply.header("location").is_some());
    let group = reply.json();
    assert_eq!(group["displayName"], "Test SCIMv2");
    let member = &group["members"][0];
    assert_eq!(member["value"], uid);
    assert_eq!(member["display"], "Given Family");
    assert_eq!(member["type"], "User");
    assert_eq!(member["$ref"], scim.url(&format!("/Users/{uid}")));
}

#[tokio::test]
async fn a_member_display_sent_by_the_client_is_kept() {
    let scim = Scim::start().await;
    let user = scim.create_user("shown@example.com").await;
    let body = json!({ "schemas": [GROUP_URN], "displayName": "g", "members": [{ "value": user["id"], "display": "shown@example.com" }] });
    assert_eq!(
        scim.post("/Groups", &body).await.json()["members"][0]["display"],
        "shown@example.com"
    );
}

#[tokio::test]
async fn a_group_without_members_is_created_with_an_empty_member_list() {
    let scim = Scim::start().await;
    let group = scim.create_group("Empty", &[]).await;
    assert_eq!(group["members"], json!([]));
    assert_eq!(group["schemas"], json!([GROUP_URN]));
}

#[tokio::test]
async fn a_member_that_is_not_an_existing_resource_is_a_400() {
    let scim = Scim::start().await;
    let body = json!({ "schemas": [GROUP_URN], "displayName": "g", "members": [{ "value": "no-such-user" }] });
    assert_scim_error(&scim.post("/Groups", &body).await, 400);
    assert_scim_error(
        &scim
            .post("/Groups", &json!({ "schemas": [GROUP_URN] }))
            .await,
        400,
    );
}

#[tokio::test]
async fn a_users_groups_attribute_is_computed_from_memberships() {
    let scim = Scim::start().await;
    let user = scim.create_user("grouped@example.com").await;
    let uid = user["id"].as_str().unwrap();
    assert!(user.get("groups").is_none());
    let group = scim.create_group("Engineering", &[uid]).await;
    let read = scim.get(&format!("/Users/{uid}")).await.json();
    assert_eq!(read["groups"][0]["value"], group["id"]);
    assert_eq!(read["groups"][0]["display"], "Engineering");
}

#[tokio::test]
async fn put_replaces_the_member_list_and_the_name() {
    let scim = Scim::start().await;
    let a = scim.create_user("a@example.com").await;
    let b = scim.create_user("b@example.com").await;
    let group = scim.create_group("Old", &[a["id"].as_str().unwrap()]).await;
    let path = format!("/Groups/{}", group["id"].as_str().unwrap());
    let body = json!({ "schemas": [GROUP_URN], "id": group["id"], "displayName": "New", "members": [{ "value": b["id"] }] });
    let reply = scim.put(&path, &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let replaced = reply.json();
    assert_eq!(replaced["displayName"], "New");
    assert_eq!(replaced["members"].as_array().unwrap().len(), 1);
    assert_eq!(replaced["members"][0]["value"], b["id"]);
}

#[tokio::test]
async fn deleting_a_group_is_a_204_then_a_404() {
    let scim = Scim::start().await;
    let group = scim.create_group("Doomed", &[]).await;
    let path = format!("/Groups/{}", group["id"].as_str().unwrap());
    let reply = scim.delete(&path).await;
    assert_eq!(reply.status, 204);
    assert!(reply.text.is_empty());
    assert_scim_error(&scim.get(&path).await, 404);
}

#[tokio::test]
async fn deleting_a_user_removes_it_from_its_groups() {
    let scim = Scim::start().await;
    let user = scim.create_user("leaver@example.com").await;
    let stayer = scim.create_user("stayer@example.com").await;
    let group = scim
        .create_group(
            "Team",
            &[user["id"].as_str().unwrap(), stayer["id"].as_str().unwrap()],
        )
        .await;
    scim.delete(&format!("/Users/{}", user["id"].as_str().unwrap()))
        .await;
    let read = scim
        .get(&format!("/Groups/{}", group["id"].as_str().unwrap()))
        .await
        .json();
    let members: Vec<_> = read["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].clone())
        .collect();
    assert_eq!(members, vec![stayer["id"].clone()]);
}

#[tokio::test]
async fn an_empty_groups_list_is_a_200_list_response() {
    let scim = Scim::start().await;
    let reply = scim.get("/Groups").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["totalResults"], 0);
    assert_eq!(reply.json()["Resources"], json!([]));
}
