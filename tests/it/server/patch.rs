//! PATCH (RFC 7644 §3.5.2) on users and groups, including Okta's exact requests.

use serde_json::{json, Value};

use super::support::{assert_scim_error, Scim};

async fn user_path(scim: &Scim, user_name: &str) -> String {
    format!(
        "/Users/{}",
        scim.create_user(user_name).await["id"].as_str().unwrap()
    )
}

#[tokio::test]
async fn oktas_pathless_deactivate_and_reactivate_flip_the_same_user() {
    let scim = Scim::start().await;
    let path = user_path(&scim, "okta@example.com").await;
    for active in [false, true, false] {
        let reply = scim
            .patch(
                &path,
                json!([{ "op": "replace", "value": { "active": active } }]),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.json()["active"], active);
        assert_eq!(scim.get(&path).await.json()["active"], active);
    }
}

#[tokio::test]
async fn op_names_are_case_insensitive() {
    let scim = Scim::start().await;
    let path = user_path(&scim, "ops@example.com").await;
    for (op, title) in [("Replace", "A"), ("REPLACE", "B"), ("Add", "C")] {
        let reply = scim
            .patch(
                &path,
                json!([{ "op": op, "path": "title", "value": title }]),
            )
            .await;
        assert_eq!(reply.status, 200, "{op}: {}", reply.text);
        assert_eq!(reply.json()["title"], title);
    }
}

/// (operations, attribute to look at, expected value afterwards) on a fresh standard user.
fn user_patch_table() -> Vec<(Value, &'static str, Value)> {
    vec![
        (
            json!([{ "op": "replace", "path": "name.givenName", "value": "Changed" }]),
            "name",
            json!({ "givenName": "Changed", "familyName": "Family" }),
        ),
        (
            json!([{ "op": "add", "path": "nickName", "value": "Nick" }]),
            "nickName",
            json!("Nick"),
        ),
        (
            json!([{ "op": "remove", "path": "displayName" }]),
            "displayName",
            Value::Null,
        ),
        (
            json!([{ "op": "replace", "value": { "name": { "familyName": "Other" } } }]),
            "name",
            json!({ "givenName": "Given", "familyName": "Other" }),
        ),
        (
            json!([{ "op": "replace", "path": "emails[type eq \"work\"].value", "value": "new@example.com" }]),
            "emails",
            json!([{ "primary": true, "value": "new@example.com", "type": "work" }]),
        ),
        (
            json!([{ "op": "add", "path": "emails", "value": [{ "value": "home@example.com", "type": "home" }] }]),
            "emails",
            json!([{ "primary": true, "value": "std@example.com", "type": "work" }, { "value": "home@example.com", "type": "home" }]),
        ),
        (
            json!([{ "op": "replace", "path": "emails", "value": [{ "value": "only@example.com", "type": "home" }] }]),
            "emails",
            json!([{ "value": "only@example.com", "type": "home" }]),
        ),
        (
            json!([{ "op": "remove", "path": "emails[type eq \"work\"]" }]),
            "emails",
            json!([]),
        ),
        (
            json!([{ "op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "42" }]),
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            json!({ "employeeNumber": "42" }),
        ),
        (
            json!([{ "op": "add", "value": { "title": "Boss", "active": false } }]),
            "title",
            json!("Boss"),
        ),
        (
            json!([{ "op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:displayName", "value": "Core URN" }]),
            "displayName",
            json!("Core URN"),
        ),
        (
            json!([{ "op": "replace", "value": { "name.givenName": "Entra" } }]),
            "name",
            json!({ "givenName": "Entra", "familyName": "Family" }),
        ),
        (
            json!([{ "op": "add", "value": { "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "R&D" } } }]),
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            json!({ "department": "R&D" }),
        ),
        (
            json!([{ "op": "replace", "path": "EMAILS[TYPE eq \"work\"].VALUE", "value": "upper@example.com" }]),
            "emails",
            json!([{ "primary": true, "value": "upper@example.com", "type": "work" }]),
        ),
        (
            json!([{ "op": "add", "path": "phoneNumbers", "value": { "value": "+1 555", "type": "work" } }]),
            "phoneNumbers",
            json!([{ "value": "+1 555", "type": "work" }]),
        ),
        (
            json!([{ "op": "replace", "value": { "password": "s3cret" } }]),
            "password",
            Value::Null,
        ),
    ]
}

#[tokio::test]
async fn each_patch_form_changes_exactly_what_it_names() {
    let scim = Scim::start().await;
    for (n, (operations, attribute, expected)) in user_patch_table().into_iter().enumerate() {
        let user_name = "std@example.com";
        let path = user_path(&scim, user_name).await;
        let reply = scim.patch(&path, operations.clone()).await;
        assert_eq!(reply.status, 200, "case {n} {operations}: {}", reply.text);
        assert_eq!(reply.json()[attribute], expected, "case {n} {operations}");
        assert_eq!(
            scim.get(&path).await.json()[attribute],
            expected,
            "case {n} stored"
        );
        scim.delete(&path).await;
    }
}

#[tokio::test]
async fn several_operations_apply_all_or_none() {
    let scim = Scim::start().await;
    let path = user_path(&scim, "atomic@example.com").await;
    let failing = json!([
        { "op": "replace", "path": "title", "value": "Applied?" },
        { "op": "replace", "path": "emails[type eq \"fax\"].value", "value": "x" }
    ]);
    let reply = scim.patch(&path, failing).await;
    assert_scim_error(&reply, 400);
    assert_eq!(reply.json()["scimType"], "noTarget");
    let user = scim.get(&path).await.json();
    assert!(
        user.get("title").is_none(),
        "no operation may stick when one fails"
    );
    assert_eq!(user["meta"]["version"], "W/\"1\"");
}

#[tokio::test]
async fn bad_patch_requests_are_400_with_the_right_scim_type() {
    let scim = Scim::start().await;
    let path = user_path(&scim, "bad@example.com").await;
    let table = [
        (
            json!([{ "op": "replace", "path": "noSuchAttribute", "value": 1 }]),
            "invalidPath",
        ),
        (
            json!([{ "op": "replace", "path": "emails[type eq", "value": 1 }]),
            "invalidPath",
        ),
        (json!([{ "op": "remove" }]), "noTarget"),
        (
            json!([{ "op": "replace", "path": "id", "value": "x" }]),
            "mutability",
        ),
        (
            json!([{ "op": "replace", "value": { "id": "someone-else" } }]),
            "mutability",
        ),
        (
            json!([{ "op": "jump", "path": "title", "value": "x" }]),
            "invalidSyntax",
        ),
        (
            json!([{ "op": "replace", "path": "active", "value": "maybe" }]),
            "invalidValue",
        ),
        (
            json!([{ "op": "remove", "path": "userName" }]),
            "invalidValue",
        ),
        (json!([]), "invalidSyntax"),
    ];
    for (operations, scim_type) in table {
        let reply = scim.patch(&path, operations.clone()).await;
        assert_scim_error(&reply, 400);
        assert_eq!(reply.json()["scimType"], scim_type, "{operations}");
    }
    let no_schema = json!({ "Operations": [{ "op": "replace", "path": "title", "value": "x" }] });
    assert_scim_error(
        &scim
            .send(reqwest::Method::PATCH, &path, Some(&no_schema), &[])
            .await,
        400,
    );
}

#[tokio::test]
async fn patching_a_username_onto_a_taken_one_is_a_409() {
    let scim = Scim::start().await;
    scim.create_user("holder@example.com").await;
    let path = user_path(&scim, "mover@example.com").await;
    let reply = scim
        .patch(
            &path,
            json!([{ "op": "replace", "path": "userName", "value": "HOLDER@example.com" }]),
        )
        .await;
    assert_scim_error(&reply, 409);
}

#[tokio::test]
async fn oktas_membership_delta_removes_by_filter_and_adds_in_one_request() {
    let scim = Scim::start().await;
    let (a, b, c) = (
        scim.create_user("a@example.com").await,
        scim.create_user("b@example.com").await,
        scim.create_user("c@example.com").await,
    );
    let group = scim
        .create_group(
            "Push",
            &[a["id"].as_str().unwrap(), b["id"].as_str().unwrap()],
        )
        .await;
    let path = format!("/Groups/{}", group["id"].as_str().unwrap());
    let delta = json!([
        { "op": "remove", "path": format!("members[value eq \"{}\"]", a["id"].as_str().unwrap()) },
        { "op": "add", "path": "members", "value": [{ "value": c["id"], "display": "c@example.com" }] }
    ]);
    let reply = scim.patch(&path, delta).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let values: Vec<Value> = reply.json()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].clone())
        .collect();
    assert_eq!(values, vec![b["id"].clone(), c["id"].clone()]);
}

#[tokio::test]
async fn oktas_group_rename_with_its_own_id_renames() {
    let scim = Scim::start().await;
    let group = scim.create_group("Before", &[]).await;
    let path = format!("/Groups/{}", group["id"].as_str().unwrap());
    let rename =
        json!([{ "op": "replace", "value": { "id": group["id"], "displayName": "After" } }]);
    let reply = scim.patch(&path, rename).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(scim.get(&path).await.json()["displayName"], "After");
}

#[tokio::test]
async fn a_full_push_replaces_the_member_list_and_adding_a_member_twice_keeps_one() {
    let scim = Scim::start().await;
    let (a, b) = (
        scim.create_user("a@example.com").await,
        scim.create_user("b@example.com").await,
    );
    let group = scim
        .create_group("Full", &[a["id"].as_str().unwrap()])
        .await;
    let path = format!("/Groups/{}", group["id"].as_str().unwrap());
    let push = json!([{ "op": "replace", "path": "members", "value": [{ "value": b["id"] }] }]);
    assert_eq!(
        scim.patch(&path, push).await.json()["members"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let again = json!([{ "op": "add", "path": "members", "value": [{ "value": b["id"] }] }]);
    let members = scim.patch(&path, again).await.json()["members"].clone();
    assert_eq!(members.as_array().unwrap().len(), 1);
    assert_eq!(members[0]["value"], b["id"]);
}

#[tokio::test]
async fn removing_all_members_by_path_empties_the_group() {
    let scim = Scim::start().await;
    let a = scim.create_user("a@example.com").await;
    let group = scim
        .create_group("Emptied", &[a["id"].as_str().unwrap()])
        .await;
    let path = format!("/Groups/{}", group["id"].as_str().unwrap());
    let reply = scim
        .patch(&path, json!([{ "op": "remove", "path": "members" }]))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["members"], json!([]));
}

#[tokio::test]
async fn adding_a_member_that_does_not_exist_is_a_400_and_changes_nothing() {
    let scim = Scim::start().await;
    let group = scim.create_group("Strict", &[]).await;
    let path = format!("/Groups/{}", group["id"].as_str().unwrap());
    let reply = scim
        .patch(
            &path,
            json!([{ "op": "add", "path": "members", "value": [{ "value": "ghost" }] }]),
        )
        .await;
    assert_scim_error(&reply, 400);
    assert_eq!(scim.get(&path).await.json()["members"], json!([]));
}

#[tokio::test]
async fn entras_string_booleans_are_stored_as_the_boolean_they_name() {
    let scim = Scim::start().await;
    let path = user_path(&scim, "entra.strings@example.com").await;
    for (text, active) in [("False", false), ("True", true), ("false", false)] {
        let reply = scim
            .patch(
                &path,
                json!([{ "op": "Replace", "path": "active", "value": text }]),
            )
            .await;
        assert_eq!(reply.status, 200, "{text}: {}", reply.text);
        assert_eq!(reply.json()["active"], active, "{text}");
        assert_eq!(scim.get(&path).await.json()["active"], active, "{text}");
    }
}

#[tokio::test]
async fn a_string_that_names_no_boolean_is_refused_with_invalid_value() {
    let scim = Scim::start().await;
    let path = user_path(&scim, "not.a.boolean@example.com").await;
    let reply = scim
        .patch(
            &path,
            json!([{ "op": "replace", "path": "active", "value": "no" }]),
        )
        .await;
    assert_scim_error(&reply, 400);
    assert_eq!(reply.json()["scimType"], "invalidValue");
    assert_eq!(scim.get(&path).await.json()["active"], true);
}

#[tokio::test]
async fn removing_a_value_that_is_not_there_succeeds_and_changes_nothing() {
    let scim = Scim::start().await;
    let path = user_path(&scim, "remove.nothing@example.com").await;
    let before = scim.get(&path).await.json();
    for operation in [
        json!({ "op": "remove", "path": "emails[value eq \"nobody@example.com\"]" }),
        json!({ "op": "remove", "path": "nickName" }),
    ] {
        let reply = scim.patch(&path, json!([operation.clone()])).await;
        assert_eq!(reply.status, 200, "{operation}: {}", reply.text);
        let after = scim.get(&path).await.json();
        assert_eq!(after["emails"], before["emails"], "{operation}");
        assert_eq!(after.get("nickName"), None, "{operation}");
    }
}

/// The probe of the string-boolean-truthy fault: `"False"` leaves the user active.
pub(super) async fn string_boolean_truthy(scim: &Scim) -> bool {
    let path = user_path(scim, "truthy@example.com").await;
    let reply = scim
        .patch(
            &path,
            json!([{ "op": "Replace", "path": "active", "value": "False" }]),
        )
        .await;
    reply.status == 200 && scim.get(&path).await.json()["active"] == true
}

/// The probe of the remove-absent-500 fault: removing an unset attribute crashes.
pub(super) async fn remove_absent_500(scim: &Scim) -> bool {
    let path = user_path(scim, "remove.absent@example.com").await;
    let reply = scim
        .patch(&path, json!([{ "op": "remove", "path": "nickName" }]))
        .await;
    reply.status == 500
}

#[tokio::test]
async fn adding_a_value_already_there_changes_nothing() {
    let scim = Scim::start().await;
    let path = user_path(&scim, "add.again@example.com").await;
    let before = scim.get(&path).await.json();
    let email = before["emails"][0]["value"].clone();
    let reply = scim
        .patch(
            &path,
            json!([{ "op": "add", "path": "emails", "value": [{ "value": email, "type": "work" }] }]),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(scim.get(&path).await.json()["emails"], before["emails"]);
}

/// The probe of the add-duplicates-values fault: adding the work email again makes two.
pub(super) async fn add_duplicates_values(scim: &Scim) -> bool {
    let path = user_path(scim, "add.duplicate@example.com").await;
    let email = scim.get(&path).await.json()["emails"][0]["value"].clone();
    scim.patch(
        &path,
        json!([{ "op": "add", "path": "emails", "value": [{ "value": email, "type": "work" }] }]),
    )
    .await;
    scim.get(&path).await.json()["emails"]
        .as_array()
        .map_or(0, Vec::len)
        > 1
}
