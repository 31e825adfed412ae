//! A small HTTP client over a freshly spawned reference server, for the server's own tests.

use reqwest::header::HeaderMap;
use reqwest::Method;
use scimfuzz::server::{spawn, Fault, RunningServer, ServerConfig};
use serde_json::{json, Value};

pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const PATCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// One server and a client that talks to it with its token.
pub struct Scim {
    pub server: RunningServer,
    pub http: reqwest::Client,
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    /// The body as JSON (panics with the text if it is not JSON: a test failure).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|err| panic!("body is not JSON ({err}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Scim {
    /// A correct server with an empty store.
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// A server with these faults on.
    pub async fn start_with(faults: &[Fault]) -> Self {
        Self::start_config(ServerConfig::with_faults(faults.iter().copied())).await
    }

    pub async fn start_config(config: ServerConfig) -> Self {
        let server = spawn(config)
            .await
            .expect("the server starts on 127.0.0.1:0");
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("a reqwest client");
        Self { server, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// Sends a request with the server's token; `body` as `application/scim+json`.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self.http.request(method, self.url(path));
        if !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        {
            request = request.header("Authorization", self.server.authorization());
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            if !headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            {
                request = request.header("Content-Type", "application/scim+json; charset=utf-8");
            }
            request = request.body(body.to_string());
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a readable body");
        Reply {
            status,
            headers,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::POST, path, Some(body), &[]).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::PUT, path, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, operations: Value) -> Reply {
        let body = json!({ "schemas": [PATCH_URN], "Operations": operations });
        self.send(Method::PATCH, path, Some(&body), &[]).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None, &[]).await
    }

    /// Creates a user (asserting 201) and returns its JSON.
    pub async fn create_user(&self, user_name: &str) -> Value {
        let reply = self.post("/Users", &user_body(user_name)).await;
        assert_eq!(reply.status, 201, "create {user_name}: {}", reply.text);
        reply.json()
    }

    /// Creates a group with these member ids (asserting 201) and returns its JSON.
    pub async fn create_group(&self, name: &str, member_ids: &[&str]) -> Value {
        let members: Vec<Value> = member_ids.iter().map(|id| json!({ "value": id })).collect();
        let body = json!({ "schemas": [GROUP_URN], "displayName": name, "members": members });
        let reply = self.post("/Groups", &body).await;
        assert_eq!(reply.status, 201, "create group {name}: {}", reply.text);
        reply.json()
    }

    /// The ids a list request returns, in order.
    pub async fn listed_ids(&self, path: &str) -> Vec<String> {
        let reply = self.get(path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        ids_of(&reply.json())
    }
}

/// A complete Okta-style user body.
pub fn user_body(user_name: &str) -> Value {
    json!({
        "schemas": [USER_URN],
        "userName": user_name,
        "name": { "givenName": "Given", "familyName": "Family" },
        "emails": [{ "primary": true, "value": user_name, "type": "work" }],
        "displayName": "Given Family",
        "active": true,
    })
}

/// The `id`s of a ListResponse's resources.
pub fn ids_of(list: &Value) -> Vec<String> {
    list["Resources"]
        .as_array()
        .map(|resources| {
            resources
                .iter()
                .filter_map(|r| r["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// `?filter=…` with the filter percent-encoded.
pub fn filter_query(filter: &str) -> String {
    let mut encoded = String::new();
    for byte in filter.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    format!("?filter={encoded}")
}

/// Asserts a SCIM Error body with this status (string) and a non-empty detail.
pub fn assert_scim_error(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["schemas"], json!([ERROR_URN]), "{body}");
    assert_eq!(body["status"], json!(status.to_string()), "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
}
