//! What the harness intends to send: method, path relative to the SCIM base URL, headers, body,
//! and how to authenticate. Pure data, so it can be traced, replayed and rendered as curl.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The HTTP methods SCIM uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    /// The method as written on the request line.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// JSON, sent with the spec's `Content-Type` header or `application/scim+json` when it has none.
    Json { value: Value },
    /// Bytes sent as they are (malformed JSON, oversized bodies), with their own content type.
    Raw { content_type: String, text: String },
}

/// How a request authenticates.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum AuthMode {
    /// The target's configured `Authorization` value.
    #[default]
    Target,
    /// No `Authorization` header at all.
    Omit,
    /// This exact `Authorization` value (wrong scheme, wrong token).
    Custom(String),
}

/// One request the harness intends to send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestSpec {
    pub method: Method,
    /// Path and query relative to the SCIM base URL, starting with `/` (e.g.
    /// `/Users?filter=userName%20eq%20%22a%22`). The query must already be percent-encoded.
    pub path: String,
    /// Extra headers, sent after the target's own headers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    #[serde(default)]
    pub auth: AuthMode,
}

impl RequestSpec {
    /// A request with no body or extra headers, authenticated as the target.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            headers: Vec::new(),
            body: None,
            auth: AuthMode::Target,
        }
    }

    /// `GET path`.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::Get, path)
    }

    /// `DELETE path`.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::Delete, path)
    }

    /// `method path` with a JSON body.
    pub fn with_json(method: Method, path: impl Into<String>, value: Value) -> Self {
        Self::new(method, path).json(value)
    }

    /// Sets a JSON body.
    pub fn json(mut self, value: Value) -> Self {
        self.body = Some(Body::Json { value });
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets how the request authenticates.
    pub fn auth(mut self, auth: AuthMode) -> Self {
        self.auth = auth;
        self
    }
}
