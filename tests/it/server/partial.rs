//! Probes for the partial-server faults (`extra-required-attribute`,
//! `unadvertised-extension-dropped`, `sw-refused`, `patch-path-501`,
//! `test-domain-emails-refused`, `display-name-derived`) and the advertised-but-broken
//! capabilities (`sort-ignored`, `bulk-id-unresolved`), used by the fault table in `faults.rs`. Each probe says whether
//! the behaviour shows and asserts that the discovery endpoints agree with what the server does.

use serde_json::{json, Value};

use super::support::{filter_query, user_body, Scim, USER_URN};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The served definition of User attribute `name`.
async fn user_attribute(scim: &Scim, name: &str) -> Value {
    let schema = scim.get(&format!("/Schemas/{USER_URN}")).await.json();
    schema["attributes"]
        .as_array()
        .and_then(|attributes| attributes.iter().find(|a| a["name"] == name))
        .cloned()
        .unwrap_or(Value::Null)
}

/// A create without `title` is refused with 400 invalidValue, and /Schemas says it is required.
pub async fn extra_required_attribute(scim: &Scim) -> bool {
    let without = scim
        .post("/Users", &user_body("untitled@example.com"))
        .await;
    let refused = without.status == 400 && without.json()["scimType"] == "invalidValue";
    let declared = user_attribute(scim, "title").await["required"] == true;
    assert_eq!(
        refused, declared,
        "/Schemas must say what the server requires"
    );
    let mut titled = user_body("titled@example.com");
    titled["title"] = json!("Engineer");
    assert_eq!(scim.post("/Users", &titled).await.status, 201);
    refused
}

/// The enterprise extension is not advertised and a create and a replace silently drop it.
pub async fn unadvertised_extension_dropped(scim: &Scim) -> bool {
    let mut body = user_body("extension@example.com");
    body["schemas"] = json!([USER_URN, ENTERPRISE]);
    body[ENTERPRISE] = json!({ "employeeNumber": "42" });
    let created = scim.post("/Users", &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!(
        "/Users/{}",
        created.json()["id"].as_str().unwrap_or_default()
    );
    let replaced = scim.put(&path, &body).await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    let dropped = [
        created.json(),
        replaced.json(),
        scim.get(&path).await.json(),
    ]
    .iter()
    .all(|user| user.get(ENTERPRISE).is_none());
    let extensions = scim.get("/ResourceTypes/User").await.json()["schemaExtensions"].clone();
    let advertised = extensions
        .as_array()
        .is_some_and(|list| list.iter().any(|e| e["schema"] == ENTERPRISE));
    let schema_served = scim.get(&format!("/Schemas/{ENTERPRISE}")).await.status == 200;
    assert_eq!(
        advertised, schema_served,
        "/ResourceTypes and /Schemas agree"
    );
    assert_eq!(dropped, !advertised, "an unadvertised extension is dropped");
    dropped
}

/// `sw` answers 400 invalidFilter; `eq` still works.
pub async fn sw_refused(scim: &Scim) -> bool {
    scim.create_user("starts@example.com").await;
    let eq = scim
        .get(&format!(
            "/Users{}",
            filter_query("userName eq \"starts@example.com\"")
        ))
        .await;
    assert_eq!(eq.json()["totalResults"], 1, "{}", eq.text);
    let sw = scim
        .get(&format!("/Users{}", filter_query("userName sw \"starts\"")))
        .await;
    sw.status == 400 && sw.json()["scimType"] == "invalidFilter"
}

/// A PATCH with a `path` answers 501 while a path-less one works and /ServiceProviderConfig still
/// says PATCH is supported.
pub async fn patch_path_501(scim: &Scim) -> bool {
    let user = scim.create_user("patched@example.com").await;
    let path = format!("/Users/{}", user["id"].as_str().unwrap_or_default());
    let pathless = scim
        .patch(
            &path,
            json!([{ "op": "replace", "value": { "title": "A" } }]),
        )
        .await;
    assert_eq!(pathless.status, 200, "{}", pathless.text);
    let with_path = scim
        .patch(
            &path,
            json!([{ "op": "replace", "path": "title", "value": "B" }]),
        )
        .await;
    let config = scim.get("/ServiceProviderConfig").await.json();
    assert_eq!(config["patch"]["supported"], true);
    with_path.status == 501
}

/// Emails at `.test` and with a non-ASCII local part are refused with 400 invalidValue; an
/// ordinary address at example.com is accepted.
pub async fn test_domain_emails_refused(scim: &Scim) -> bool {
    let with_email = |user_name: &str, email: &str| {
        let mut body = user_body(user_name);
        body["emails"] = json!([{ "value": email, "type": "work", "primary": true }]);
        body
    };
    let plain = scim
        .post(
            "/Users",
            &with_email("plain@example.com", "plain@example.com"),
        )
        .await;
    assert_eq!(plain.status, 201, "{}", plain.text);
    let mut refused = Vec::new();
    for (user_name, email) in [
        ("reserved@example.com", "reserved@example.test"),
        ("unicode@example.com", "Jörg.Weiß@example.com"),
    ] {
        let reply = scim.post("/Users", &with_email(user_name, email)).await;
        refused.push(reply.status == 400 && reply.json()["scimType"] == "invalidValue");
    }
    assert!(
        refused[0] == refused[1],
        "both kinds or neither: {refused:?}"
    );
    refused[0]
}

/// A non-ASCII local part answers 500; an ASCII one is stored.
pub async fn unicode_email_500(scim: &Scim) -> bool {
    let with_email = |user_name: &str, email: &str| {
        let mut body = user_body(user_name);
        body["emails"] = json!([{ "value": email, "type": "work", "primary": true }]);
        body
    };
    let plain = scim
        .post(
            "/Users",
            &with_email("ascii@example.com", "ascii@example.com"),
        )
        .await;
    assert_eq!(plain.status, 201, "{}", plain.text);
    let unicode = scim
        .post(
            "/Users",
            &with_email("intl@example.com", "jörg.weiß@example.com"),
        )
        .await;
    unicode.status == 500
}

/// /Schemas declares displayName readOnly, and the server stores "<given> <family>" whatever a
/// create or a replace sends.
pub async fn display_name_derived(scim: &Scim) -> bool {
    let mut body = user_body("derived@example.com");
    body["name"] = json!({ "givenName": "Ann", "familyName": "Lee" });
    body["displayName"] = json!("Sent Name");
    let created = scim.post("/Users", &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!(
        "/Users/{}",
        created.json()["id"].as_str().unwrap_or_default()
    );
    body["displayName"] = json!("Replaced Name");
    let replaced = scim.put(&path, &body).await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    let derived = [
        created.json(),
        replaced.json(),
        scim.get(&path).await.json(),
    ]
    .iter()
    .all(|user| user["displayName"] == "Ann Lee");
    let declared = user_attribute(scim, "displayName").await["mutability"] == "readOnly";
    assert_eq!(
        derived, declared,
        "/Schemas must say displayName is readOnly exactly when the server derives it"
    );
    derived
}

/// Users listed with `sortBy=userName` come back in creation order, not caseless order, while
/// /ServiceProviderConfig advertises sort.
pub async fn sort_ignored(scim: &Scim) -> bool {
    for word in ["sort.Bravo", "sort.alpha", "sort.Charlie"] {
        let created = scim
            .post("/Users", &user_body(&format!("{word}@example.com")))
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
    }
    let listed = scim
        .get(&format!(
            "/Users{}&sortBy=userName",
            filter_query("userName sw \"sort.\"")
        ))
        .await
        .json();
    let names: Vec<String> = listed["Resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|user| user["userName"].as_str().map(str::to_string))
        .collect();
    let advertised = scim.get("/ServiceProviderConfig").await.json()["sort"]["supported"] == true;
    assert!(advertised, "sort is advertised with and without the fault");
    names
        != [
            "sort.alpha@example.com",
            "sort.Bravo@example.com",
            "sort.Charlie@example.com",
        ]
}

/// A BulkRequest whose group names the user of its first operation by `bulkId` gets the group
/// refused (the reference is passed on unresolved).
pub async fn bulk_id_unresolved(scim: &Scim) -> bool {
    let request = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "u", "data": user_body("bulk@example.com")},
            {"method": "POST", "path": "/Groups", "bulkId": "g", "data": {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Bulk", "members": [{"value": "bulkId:u"}]}},
        ],
    });
    let reply = scim.post("/Bulk", &request).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let operations = reply.json()["Operations"].clone();
    assert_eq!(operations[0]["status"], "201", "{operations}");
    operations[1]["status"] != "201"
}
