//! SCIM Error responses (RFC 7644 §3.12): the [`ScimError`] every handler returns, the
//! constructors for each status and `scimType`, and the one function that renders an error body
//! (where the error-body faults apply).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::faults::{Fault, FaultSet};
use crate::scim::urn;

/// A SCIM error: HTTP status, optional `scimType` and a human-readable `detail`.
///
/// Turning it into a response only marks the response; the error middleware in `app` renders
/// the body with `render_error`, which knows the server's faults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub status: StatusCode,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    /// 404: no resource with this id (or no such endpoint).
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, detail)
    }

    /// 401: the bearer token is missing or wrong.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            None,
            "authorization failed: send `Authorization: Bearer <token>` with the server's token",
        )
    }

    /// 409 uniqueness: the userName (or displayName) is taken.
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, Some("uniqueness"), detail)
    }

    /// 400 invalidSyntax: the body is not valid JSON or not the expected message.
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidSyntax"), detail)
    }

    /// 400 invalidFilter: the `filter` parameter does not parse.
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidFilter"), detail)
    }

    /// 400 invalidValue: a value has the wrong type or a required one is missing.
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidValue"), detail)
    }

    /// 400 invalidPath: a PATCH path is malformed or names an unknown attribute.
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidPath"), detail)
    }

    /// 400 noTarget: a PATCH path selects nothing where something is required.
    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("noTarget"), detail)
    }

    /// 400 mutability: an attempt to change a read-only or immutable attribute.
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("mutability"), detail)
    }

    /// 412: the If-Match version is not the current one.
    pub fn precondition_failed(current: &str) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            None,
            format!("the resource changed: its current version is {current}; re-read it and retry"),
        )
    }

    /// 413: the request body is larger than the server accepts.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            format!("the request body exceeds the limit of {limit} bytes"),
        )
    }

    /// 413: a BulkRequest with more operations than `bulk.maxOperations` (RFC 7644 §3.7.4).
    pub fn payload_too_large_count(given: usize, limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            format!("the BulkRequest has {given} operations; the limit is {limit}"),
        )
    }

    /// 415: the request body is not labelled as JSON.
    pub fn unsupported_media_type(given: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
            format!("Content-Type `{given}` is not accepted: send application/scim+json or application/json"),
        )
    }

    /// 405: the endpoint exists but not with this method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            None,
            "this endpoint does not support the request method",
        )
    }

    /// 400 with a detail but no scimType (e.g. "invalid id" under the bogus-id-400 fault).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, None, detail)
    }

    /// 500: the server failed (or a fault pretends it did).
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, None, detail)
    }

    /// 501: the server does not implement this (a fault pretends it does not).
    pub fn not_implemented(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_IMPLEMENTED, None, detail)
    }

    /// The correct RFC 7644 §3.12 body.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "schemas": [urn::ERROR],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = json!(scim_type);
        }
        body
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Renders an error as the final response: a SCIM Error body, unless a fault says otherwise.
pub fn render_error(error: &ScimError, faults: &FaultSet) -> Response {
    if error.status == StatusCode::UNAUTHORIZED && faults.has(Fault::UnauthorizedEmpty) {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    let mut body = error.body();
    if faults.has(Fault::ErrorNoSchemas) {
        body.as_object_mut().map(|map| map.remove("schemas"));
    }
    if faults.has(Fault::ErrorStatusNumber) {
        body["status"] = json!(error.status.as_u16());
    }
    let mut response = scim_json(error.status, &body);
    if error.status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"scimfuzz\""),
        );
    }
    response
}

/// A response with a JSON body labelled `application/scim+json`.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(urn::MEDIA_TYPE),
    );
    response
}

/// The HTML page a crashing framework would send (the html-500 fault).
pub fn html_crash_page() -> Response {
    let page = "<html><head><title>500 Internal Server Error</title></head>\
                <body><h1>Internal Server Error</h1><p>JSON parse error</p></body></html>";
    let mut response = (StatusCode::INTERNAL_SERVER_ERROR, page).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_correct_body_has_the_error_schema_a_string_status_and_the_scim_type() {
        let body = ScimError::uniqueness("taken").body();
        assert_eq!(body["schemas"][0], urn::ERROR);
        assert_eq!(body["status"], "409");
        assert_eq!(body["scimType"], "uniqueness");
        assert_eq!(body["detail"], "taken");
    }

    #[test]
    fn an_error_without_scim_type_omits_it() {
        let body = ScimError::not_found("no such user").body();
        assert!(body.get("scimType").is_none());
    }
}
