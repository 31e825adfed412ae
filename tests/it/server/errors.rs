//! Errors and protocol: 401/404/400/413/415 as SCIM Error bodies, bogus ids of every shape,
//! content types, discovery endpoints, and the server lifecycle.

use reqwest::Method;
use serde_json::json;

use super::support::{assert_scim_error, user_body, Scim};

#[tokio::test]
async fn bogus_ids_of_any_shape_are_404_scim_errors() {
    let scim = Scim::start().await;
    scim.create_user("someone@example.com").await;
    let long = "x".repeat(1024);
    let bogus = [
        "010101001010101011001010101011",
        "00919288221112222",
        long.as_str(),
        "a%20b",
        "%FF%FE",
        "bulkId%3Aqwerty",
        "..",
        "%2F",
        "0",
    ];
    for id in bogus {
        for endpoint in ["Users", "Groups"] {
            assert_scim_error(&scim.get(&format!("/{endpoint}/{id}")).await, 404);
            assert_scim_error(&scim.delete(&format!("/{endpoint}/{id}")).await, 404);
        }
        assert_scim_error(
            &scim
                .put(&format!("/Users/{id}"), &user_body("x@example.com"))
                .await,
            404,
        );
        let patch = scim
            .patch(
                &format!("/Users/{id}"),
                json!([{ "op": "replace", "value": { "active": false } }]),
            )
            .await;
        assert_scim_error(&patch, 404);
    }
}

#[tokio::test]
async fn a_missing_or_wrong_token_is_a_401_scim_error_everywhere() {
    let scim = Scim::start().await;
    for authorization in ["non-token", "Bearer wrong", "Basic dXNlcjpwYXNz", ""] {
        for path in [
            "/Users",
            "/Groups",
            "/Users/x",
            "/ServiceProviderConfig",
            "/Schemas",
        ] {
            let reply = scim
                .send(Method::GET, path, None, &[("Authorization", authorization)])
                .await;
            assert_scim_error(&reply, 401);
        }
    }
    let no_header = scim.http.get(scim.url("/Users")).send().await.unwrap();
    assert_eq!(no_header.status().as_u16(), 401);
}

#[tokio::test]
async fn request_bodies_labelled_json_or_scim_json_with_charset_are_accepted() {
    let scim = Scim::start().await;
    for (n, content_type) in [
        "application/json",
        "application/scim+json",
        "application/scim+json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
    ]
    .iter()
    .enumerate()
    {
        let body = user_body(&format!("ct{n}@example.com"));
        let reply = scim
            .send(
                Method::POST,
                "/Users",
                Some(&body),
                &[("Content-Type", content_type)],
            )
            .await;
        assert_eq!(reply.status, 201, "{content_type}: {}", reply.text);
        assert!(reply
            .header("content-type")
            .unwrap()
            .starts_with("application/scim+json"));
    }
    let reply = scim
        .send(
            Method::POST,
            "/Users",
            Some(&user_body("plain@example.com")),
            &[("Content-Type", "text/plain")],
        )
        .await;
    assert_scim_error(&reply, 415);
}

#[tokio::test]
async fn a_content_type_on_a_bodiless_get_is_fine() {
    let scim = Scim::start().await;
    let headers = [
        ("Content-Type", "application/scim+json; charset=utf-8"),
        ("Accept", "application/scim+json"),
        ("Accept-Charset", "utf-8"),
    ];
    let reply = scim
        .send(Method::GET, "/Users?count=1&startIndex=1", None, &headers)
        .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn malformed_json_is_a_400_invalid_syntax() {
    let scim = Scim::start().await;
    for text in ["{", "not json", "[1,2]", "\"string\""] {
        let reply = scim
            .http
            .post(scim.url("/Users"))
            .header("Authorization", scim.server.authorization())
            .header("Content-Type", "application/scim+json")
            .body(text)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status().as_u16(), 400, "{text}");
        let body: serde_json::Value = reply.json().await.unwrap();
        assert_eq!(body["scimType"], "invalidSyntax", "{text}");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_scim_error() {
    let scim = Scim::start_config(scimfuzz::server::ServerConfig {
        max_body_bytes: 2048,
        ..Default::default()
    })
    .await;
    let mut body = user_body("big@example.com");
    body["title"] = json!("t".repeat(4096));
    assert_scim_error(&scim.post("/Users", &body).await, 413);
}

#[tokio::test]
async fn unknown_endpoints_are_404_and_wrong_methods_405_scim_errors() {
    let scim = Scim::start().await;
    assert_scim_error(&scim.get("/Nope").await, 404);
    assert_scim_error(&scim.send(Method::DELETE, "/Users", None, &[]).await, 405);
}

#[tokio::test]
async fn discovery_endpoints_describe_the_server() {
    let scim = Scim::start().await;
    let config = scim.get("/ServiceProviderConfig").await.json();
    assert_eq!(config["patch"]["supported"], true);
    assert_eq!(config["etag"]["supported"], true);
    assert_eq!(config["filter"]["supported"], true);
    let types = scim.get("/ResourceTypes").await.json();
    assert_eq!(types["totalResults"], 2);
    assert_eq!(
        scim.get("/ResourceTypes/User").await.json()["endpoint"],
        "/Users"
    );
    let schemas = scim.get("/Schemas").await.json();
    assert_eq!(schemas["totalResults"], 3);
    let user_schema = scim
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .await
        .json();
    let user_name = user_schema["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "userName")
        .unwrap();
    assert_eq!(
        (
            user_name["caseExact"].clone(),
            user_name["uniqueness"].clone()
        ),
        (json!(false), json!("server"))
    );
    assert_scim_error(&scim.get("/Schemas/urn:nope").await, 404);
}

#[test]
fn a_server_on_its_own_thread_serves_until_dropped() {
    let server = scimfuzz::server::spawn_on_thread(Default::default()).unwrap();
    let url = format!("{}/Users", server.base_url());
    let auth = server.authorization();
    assert!(auth.starts_with("Bearer ") && auth.len() > 20);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::new()
            .get(&url)
            .header("Authorization", &auth)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status.as_u16(), 200);
    server.shutdown();
    let after = runtime.block_on(async { reqwest::Client::new().get(&url).send().await });
    assert!(after.is_err(), "the port is closed after shutdown");
}

#[tokio::test]
async fn a_fixed_token_is_the_only_one_accepted() {
    let config = scimfuzz::server::ServerConfig {
        token: Some("fixed-token".into()),
        ..Default::default()
    };
    let scim = Scim::start_config(config).await;
    assert_eq!(scim.server.token(), "fixed-token");
    assert_eq!(scim.get("/Users").await.status, 200);
}
