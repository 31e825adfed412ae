//! Every named fault, table-driven: one probe per fault that says whether the defect shows. Each
//! probe runs against a server with only that fault on (the defect must show) and against a
//! correct server (it must not). The match in [`probe`] is exhaustive, so a new fault without a
//! probe does not compile.

use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use super::partial;
use super::support::{filter_query, user_body, Scim, GROUP_URN};
use scimfuzz::server::Fault;

/// Creates a user with `application/json` (no assertion: a probe judges what it sees).
pub(super) async fn create(scim: &Scim, user_name: &str) -> Option<Value> {
    create_body(scim, &user_body(user_name)).await
}

pub(super) async fn create_body(scim: &Scim, body: &Value) -> Option<Value> {
    let reply = scim
        .send(
            Method::POST,
            "/Users",
            Some(body),
            &[("Content-Type", "application/json")],
        )
        .await;
    (reply.status == 201)
        .then(|| serde_json::from_str(&reply.text).ok())
        .flatten()
}

async fn create_group(scim: &Scim, name: &str, members: &[&Value]) -> Option<Value> {
    let members: Vec<Value> = members
        .iter()
        .map(|m| json!({ "value": m["id"] }))
        .collect();
    let body = json!({ "schemas": [GROUP_URN], "displayName": name, "members": members });
    let reply = scim.post("/Groups", &body).await;
    (reply.status == 201).then(|| reply.json())
}

fn user_path(user: &Value) -> String {
    format!("/Users/{}", user["id"].as_str().unwrap_or_default())
}

fn group_path(group: &Value) -> String {
    format!("/Groups/{}", group["id"].as_str().unwrap_or_default())
}

async fn member_count(scim: &Scim, group: &Value) -> usize {
    scim.get(&group_path(group)).await.json()["members"]
        .as_array()
        .map_or(0, Vec::len)
}

pub(super) async fn total_for(scim: &Scim, filter: &str) -> Value {
    scim.get(&format!("/Users{}", filter_query(filter)))
        .await
        .json()["totalResults"]
        .clone()
}

/// Whether the defect of `fault` shows on this server.
async fn defect_shows(fault: Fault, scim: &Scim) -> bool {
    match fault {
        Fault::CaseSensitiveFilter => case_sensitive_filter(scim).await,
        Fault::InvalidFilterEvaluated => {
            scim.get("/Users?filter=active%20gt%20false").await.status == 200
        }
        Fault::LowercasedStorage => lowercased_storage(scim).await,
        Fault::CaseVariantDuplicate => case_variant_duplicate(scim).await,
        Fault::DuplicateUpsert => duplicate_answered_with(scim, 201).await,
        Fault::Duplicate200 => duplicate_answered_with(scim, 200).await,
        Fault::RenameDuplicate => rename_duplicate(scim).await,
        Fault::BogusId400 => {
            scim.get("/Users/010101001010101011001010101011")
                .await
                .status
                == 400
        }
        Fault::BogusId500 => scim.get("/Users/00919288221112222").await.status == 500,
        Fault::Create200 => create_200(scim).await,
        Fault::Delete200Body => delete_200_body(scim).await,
        Fault::MissingLocation => missing_location(scim).await,
        Fault::ErrorNoSchemas => scim
            .get("/Users/nope")
            .await
            .json()
            .get("schemas")
            .is_none(),
        Fault::ErrorStatusNumber => scim.get("/Users/nope").await.json()["status"].is_number(),
        Fault::Html500 => html_500(scim).await,
        Fault::UnauthorizedEmpty => unauthorized_empty(scim).await,
        Fault::ZeroBasedPaging => super::list::zero_based_paging(scim).await,
        Fault::CountIgnored => super::list::count_ignored(scim).await,
        Fault::WrongTotal => super::list::wrong_total(scim).await,
        Fault::UnstableOrder => super::list::unstable_order(scim).await,
        Fault::StringTotals => scim.get("/Users").await.json()["totalResults"].is_string(),
        Fault::FilterIgnored => super::list::filter_ignored(scim).await,
        Fault::AndAsOr => super::list::and_as_or(scim).await,
        Fault::CoAsSw => super::list::co_as_sw(scim).await,
        Fault::EmailsFilterFirstOnly => super::list::emails_filter_first_only(scim).await,
        Fault::NoMatch404 => {
            scim.get(&format!(
                "/Users{}",
                filter_query("userName eq \"abcdefgh@atko.com\"")
            ))
            .await
            .status
                == 404
        }
        Fault::PathlessPatchRejected => pathless_patch_rejected(scim).await,
        Fault::ReplaceAppends => replace_appends(scim).await,
        Fault::RemoveFilterRemovesAll => remove_filter_removes_all(scim).await,
        Fault::PatchNotAtomic => patch_not_atomic(scim).await,
        Fault::PatchStaleResponse => patch_stale_response(scim).await,
        Fault::PatchOpCaseSensitive => patch_op_case_sensitive(scim).await,
        Fault::AddDuplicatesValues => super::patch::add_duplicates_values(scim).await,
        Fault::RemoveAbsent500 => super::patch::remove_absent_500(scim).await,
        Fault::StringBooleanTruthy => super::patch::string_boolean_truthy(scim).await,
        Fault::PutMerges => put_merges(scim).await,
        Fault::PutDropsExtension => put_drops_extension(scim).await,
        Fault::PutRejectsReadOnly => put_rejects_read_only(scim).await,
        Fault::DeactivationLost => deactivation_lost(scim).await,
        Fault::Deactivated404 => deactivated_404(scim).await,
        Fault::ReactivationNewId => reactivation_new_id(scim).await,
        Fault::MemberRemovalIgnored => member_removal_ignored(scim).await,
        Fault::GroupRenameIgnored => group_rename_ignored(scim).await,
        Fault::DeletedUserKeptInGroups => deleted_user_kept_in_groups(scim).await,
        Fault::DuplicateRace => duplicate_race(scim).await,
        Fault::GroupLostUpdate => group_lost_update(scim).await,
        Fault::LostWrite => lost_write(scim).await,
        Fault::CreateStored500 => create_stored_500(scim).await,
        Fault::SlowResponses => slow_responses(scim).await,
        Fault::TruncatedJson => truncated_json(scim).await,
        Fault::WrongContentType => !scim
            .get("/Users")
            .await
            .header("content-type")
            .unwrap_or_default()
            .starts_with("application/scim+json"),
        Fault::Sporadic500 => sporadic_500(scim).await,
        Fault::ScimJsonRejected => {
            scim.post("/Users", &user_body("scim-json@example.com"))
                .await
                .status
                == 415
        }
        Fault::PasswordReturned => password_returned(scim).await,
        Fault::EtagIgnored => etag_ignored(scim).await,
        Fault::ExtraRequiredAttribute => partial::extra_required_attribute(scim).await,
        Fault::UnadvertisedExtensionDropped => partial::unadvertised_extension_dropped(scim).await,
        Fault::SwRefused => partial::sw_refused(scim).await,
        Fault::PatchPath501 => partial::patch_path_501(scim).await,
        Fault::TestDomainEmailsRefused => partial::test_domain_emails_refused(scim).await,
        Fault::UnicodeEmail500 => partial::unicode_email_500(scim).await,
        Fault::DisplayNameDerived => partial::display_name_derived(scim).await,
        Fault::SortIgnored => partial::sort_ignored(scim).await,
        Fault::BulkIdUnresolved => partial::bulk_id_unresolved(scim).await,
    }
}

#[tokio::test]
async fn every_fault_shows_its_defect_only_when_switched_on() {
    let outcomes = join_all(Fault::all().iter().map(|fault| async move {
        let on = defect_shows(*fault, &Scim::start_with(&[*fault]).await).await;
        let off = defect_shows(*fault, &Scim::start().await).await;
        (*fault, on, off)
    }))
    .await;
    let wrong: Vec<String> = outcomes
        .iter()
        .filter(|(_, on, off)| !on || *off)
        .map(|(fault, on, off)| {
            format!("{fault}: defect with fault on = {on}, with fault off = {off}")
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "faults that do not behave:\n{}",
        wrong.join("\n")
    );
}

async fn case_sensitive_filter(scim: &Scim) -> bool {
    create(scim, "Case@Example.com").await;
    total_for(scim, "userName eq \"CASE@EXAMPLE.COM\"").await == 0
}

async fn lowercased_storage(scim: &Scim) -> bool {
    create(scim, "Mixed@Example.com")
        .await
        .is_some_and(|user| user["userName"] != "Mixed@Example.com")
}

async fn case_variant_duplicate(scim: &Scim) -> bool {
    create(scim, "Dup@Example.com").await;
    create(scim, "dup@example.com").await.is_some()
}

async fn duplicate_answered_with(scim: &Scim, status: u16) -> bool {
    create(scim, "twice@example.com").await;
    scim.send(
        Method::POST,
        "/Users",
        Some(&user_body("twice@example.com")),
        &[("Content-Type", "application/json")],
    )
    .await
    .status
        == status
}

async fn rename_duplicate(scim: &Scim) -> bool {
    create(scim, "holder@example.com").await;
    let Some(mover) = create(scim, "mover@example.com").await else {
        return false;
    };
    scim.put(&user_path(&mover), &user_body("holder@example.com"))
        .await
        .status
        == 200
}

async fn create_200(scim: &Scim) -> bool {
    scim.post("/Users", &user_body("created@example.com"))
        .await
        .status
        == 200
}

async fn delete_200_body(scim: &Scim) -> bool {
    let Some(user) = create(scim, "deleted@example.com").await else {
        return false;
    };
    let reply = scim.delete(&user_path(&user)).await;
    reply.status == 200 && !reply.text.is_empty()
}

async fn missing_location(scim: &Scim) -> bool {
    scim.post("/Users", &user_body("located@example.com"))
        .await
        .header("location")
        .is_none()
}

async fn html_500(scim: &Scim) -> bool {
    let reply = scim
        .send(Method::POST, "/Users", Some(&json!("placeholder")), &[])
        .await;
    let broken = scim
        .http
        .post(scim.url("/Users"))
        .header("Authorization", scim.server.authorization())
        .header("Content-Type", "application/json")
        .body("{\"userName\": ")
        .send()
        .await
        .expect("the server answers");
    let html = broken
        .headers()
        .get("content-type")
        .is_some_and(|ct| ct.to_str().unwrap_or_default().starts_with("text/html"));
    reply.status == 400 && broken.status().as_u16() == 500 && html
}

async fn unauthorized_empty(scim: &Scim) -> bool {
    let reply = scim
        .send(
            Method::GET,
            "/Users",
            None,
            &[("Authorization", "non-token")],
        )
        .await;
    reply.status == 401 && reply.text.is_empty()
}

async fn pathless_patch_rejected(scim: &Scim) -> bool {
    let Some(user) = create(scim, "pathless@example.com").await else {
        return false;
    };
    scim.patch(
        &user_path(&user),
        json!([{ "op": "replace", "value": { "active": false } }]),
    )
    .await
    .status
        == 400
}

async fn replace_appends(scim: &Scim) -> bool {
    let Some(user) = create(scim, "replace@example.com").await else {
        return false;
    };
    let reply = scim.patch(&user_path(&user), json!([{ "op": "replace", "path": "emails", "value": [{ "value": "new@example.com", "type": "work" }] }])).await;
    reply.json()["emails"].as_array().map_or(0, Vec::len) != 1
}

async fn group_of_two(scim: &Scim) -> Option<(Value, Value, Value)> {
    let a = create(scim, "member.a@example.com").await?;
    let b = create(scim, "member.b@example.com").await?;
    let group = create_group(scim, "Pair", &[&a, &b]).await?;
    Some((group, a, b))
}

async fn remove_filter_removes_all(scim: &Scim) -> bool {
    let Some((group, a, _)) = group_of_two(scim).await else {
        return false;
    };
    let path = format!(
        "members[value eq \"{}\"]",
        a["id"].as_str().unwrap_or_default()
    );
    scim.patch(
        &group_path(&group),
        json!([{ "op": "remove", "path": path }]),
    )
    .await;
    member_count(scim, &group).await == 0
}

async fn patch_not_atomic(scim: &Scim) -> bool {
    let Some(user) = create(scim, "atomic@example.com").await else {
        return false;
    };
    let ops = json!([{ "op": "replace", "path": "title", "value": "Stuck" }, { "op": "replace", "path": "noSuchAttribute", "value": 1 }]);
    let reply = scim.patch(&user_path(&user), ops).await;
    reply.status == 400 && scim.get(&user_path(&user)).await.json()["title"] == "Stuck"
}

async fn patch_stale_response(scim: &Scim) -> bool {
    let Some(user) = create(scim, "stale@example.com").await else {
        return false;
    };
    scim.patch(
        &user_path(&user),
        json!([{ "op": "replace", "path": "title", "value": "New" }]),
    )
    .await
    .json()["title"]
        != "New"
}

async fn patch_op_case_sensitive(scim: &Scim) -> bool {
    let Some(user) = create(scim, "entra@example.com").await else {
        return false;
    };
    scim.patch(
        &user_path(&user),
        json!([{ "op": "Replace", "path": "title", "value": "x" }]),
    )
    .await
    .status
        == 400
}

async fn put_merges(scim: &Scim) -> bool {
    let Some(user) = create(scim, "merge@example.com").await else {
        return false;
    };
    let mut body = user_body("merge@example.com");
    body.as_object_mut().map(|b| b.remove("displayName"));
    scim.put(&user_path(&user), &body)
        .await
        .json()
        .get("displayName")
        .is_some()
}

async fn put_drops_extension(scim: &Scim) -> bool {
    let Some(user) = create(scim, "extended@example.com").await else {
        return false;
    };
    let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let mut body = user_body("extended@example.com");
    body[enterprise] = json!({ "employeeNumber": "42" });
    scim.put(&user_path(&user), &body).await;
    scim.get(&user_path(&user)).await.json()[enterprise]["employeeNumber"] != "42"
}

async fn put_rejects_read_only(scim: &Scim) -> bool {
    let Some(user) = create(scim, "echo@example.com").await else {
        return false;
    };
    scim.put(&user_path(&user), &user).await.status == 400
}

async fn deactivate(scim: &Scim, user: &Value, active: bool) -> u16 {
    scim.patch(
        &user_path(user),
        json!([{ "op": "replace", "value": { "active": active } }]),
    )
    .await
    .status
}

async fn deactivation_lost(scim: &Scim) -> bool {
    let Some(user) = create(scim, "lost.deactivation@example.com").await else {
        return false;
    };
    deactivate(scim, &user, false).await == 200
        && scim.get(&user_path(&user)).await.json()["active"] == true
}

async fn deactivated_404(scim: &Scim) -> bool {
    let Some(user) = create(scim, "hidden@example.com").await else {
        return false;
    };
    deactivate(scim, &user, false).await;
    scim.get(&user_path(&user)).await.status == 404
}

async fn reactivation_new_id(scim: &Scim) -> bool {
    let Some(user) = create(scim, "phoenix@example.com").await else {
        return false;
    };
    deactivate(scim, &user, false).await;
    deactivate(scim, &user, true).await;
    scim.get(&user_path(&user)).await.status == 404
}

async fn member_removal_ignored(scim: &Scim) -> bool {
    let Some((group, a, _)) = group_of_two(scim).await else {
        return false;
    };
    let path = format!(
        "members[value eq \"{}\"]",
        a["id"].as_str().unwrap_or_default()
    );
    let status = scim
        .patch(
            &group_path(&group),
            json!([{ "op": "remove", "path": path }]),
        )
        .await
        .status;
    status == 200 && member_count(scim, &group).await == 2
}

async fn group_rename_ignored(scim: &Scim) -> bool {
    let Some(group) = create_group(scim, "Old Name", &[]).await else {
        return false;
    };
    let rename =
        json!([{ "op": "replace", "value": { "id": group["id"], "displayName": "New Name" } }]);
    scim.patch(&group_path(&group), rename).await;
    scim.get(&group_path(&group)).await.json()["displayName"] == "Old Name"
}

async fn deleted_user_kept_in_groups(scim: &Scim) -> bool {
    let Some((group, a, _)) = group_of_two(scim).await else {
        return false;
    };
    scim.delete(&user_path(&a)).await;
    member_count(scim, &group).await == 2
}

async fn duplicate_race(scim: &Scim) -> bool {
    let body = user_body("racer@example.com");
    let replies = join_all((0..4).map(|_| scim.post("/Users", &body))).await;
    replies.iter().filter(|r| r.status == 201).count() > 1
}

async fn group_lost_update(scim: &Scim) -> bool {
    let Some(group) = create_group(scim, "Contended", &[]).await else {
        return false;
    };
    let mut users = Vec::new();
    for n in 0..4 {
        users.extend(create(scim, &format!("contender{n}@example.com")).await);
    }
    let path = group_path(&group);
    join_all(users.iter().map(|user| {
        scim.patch(
            &path,
            json!([{ "op": "add", "path": "members", "value": [{ "value": user["id"] }] }]),
        )
    }))
    .await;
    member_count(scim, &group).await < users.len()
}

async fn lost_write(scim: &Scim) -> bool {
    let mut lost = false;
    for n in 0..3 {
        if let Some(user) = create(scim, &format!("written{n}@example.com")).await {
            lost |= scim.get(&user_path(&user)).await.status == 404;
        }
    }
    lost
}

/// One of the first three user creates and one of the first three group creates answer 500, and
/// what answered 500 was stored all the same.
async fn create_stored_500(scim: &Scim) -> bool {
    let mut users = Vec::new();
    for n in 0..3 {
        users.push(
            scim.post("/Users", &user_body(&format!("stored{n}@example.com")))
                .await
                .status,
        );
    }
    let mut groups = Vec::new();
    for n in 0..3 {
        let body = json!({"schemas": [GROUP_URN], "displayName": format!("stored {n}")});
        groups.push(scim.post("/Groups", &body).await.status);
    }
    let failed = |statuses: &[u16]| {
        let failed: Vec<usize> = (0..statuses.len())
            .filter(|&i| statuses[i] == 500)
            .collect();
        let stored = statuses
            .iter()
            .all(|&status| status == 201 || status == 500);
        (failed.len() == 1 && stored).then(|| failed[0])
    };
    let (Some(user), Some(group)) = (failed(&users), failed(&groups)) else {
        return false;
    };
    let listed = |path: &str, filter: String| {
        let path = format!("{path}{}", filter_query(&filter));
        async move { scim.get(&path).await.json()["totalResults"] == 1 }
    };
    listed(
        "/Users",
        format!("userName eq \"stored{user}@example.com\""),
    )
    .await
        && listed("/Groups", format!("displayName eq \"stored {group}\"")).await
}

async fn slow_responses(scim: &Scim) -> bool {
    let started = Instant::now();
    scim.get("/Groups").await;
    // The fault waits a whole second; a correct server's answer stays well under that even on
    // a loaded machine (600 ms, Okta's budget, did not).
    started.elapsed() >= Duration::from_millis(1000)
}

async fn truncated_json(scim: &Scim) -> bool {
    let reply = scim
        .send(
            Method::POST,
            "/Users",
            Some(&user_body("cut@example.com")),
            &[],
        )
        .await;
    serde_json::from_str::<Value>(&reply.text).is_err()
}

async fn sporadic_500(scim: &Scim) -> bool {
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(scim.get("/Users").await.status);
    }
    statuses.contains(&500)
}

async fn password_returned(scim: &Scim) -> bool {
    let mut body = user_body("secret@example.com");
    body["password"] = json!("hunter2");
    create_body(scim, &body)
        .await
        .is_some_and(|user| user.get("password").is_some())
}

async fn etag_ignored(scim: &Scim) -> bool {
    let Some(user) = create(scim, "etag@example.com").await else {
        return false;
    };
    let body = user_body("etag@example.com");
    scim.send(
        Method::PUT,
        &user_path(&user),
        Some(&body),
        &[("If-Match", "W/\"99\"")],
    )
    .await
    .status
        == 200
}
