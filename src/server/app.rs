//! The HTTP surface: the router, the per-request wrapper (auth, error rendering and the
//! protocol-level faults), the request-body extractor (Content-Type, size limit, JSON syntax)
//! and the response helpers every handler uses.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{Map, Value};

use super::errors::{html_crash_page, render_error, scim_json, ScimError};
use super::faults::{Fault, FaultSet, SLOW_RESPONSE_MILLIS};
use super::oauth::{Issuer, TOKEN_PATH};
use super::store::{etag_matches, Store};
use super::{bulk, discovery, groups, oauth, users};

/// Everything a handler needs: the store, the faults, and the server's own URL and token.
#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub faults: FaultSet,
    /// `http://HOST:PORT/scim/v2`, used for `Location`, `meta.location` and `$ref`.
    pub base_url: String,
    pub token: String,
    pub max_body_bytes: usize,
    /// Added before every response is sent ([`ServerConfig::latency`](super::ServerConfig::latency)).
    pub latency: Duration,
    /// OAuth mode: the token issuer; then only its tokens are accepted.
    pub oauth: Option<Arc<Issuer>>,
}

/// The shared handler state.
pub type Shared = Arc<AppState>;

/// The whole application: SCIM endpoints under `/scim/v2`, wrapped in [`around_every_request`],
/// and in OAuth mode the token endpoint (outside that wrapper: it has its own client auth).
pub fn router(shared: Shared) -> Router {
    let scim = Router::new()
        .route("/Users", get(users::list).post(users::create))
        .route(
            "/Users/{id}",
            get(users::read)
                .put(users::replace)
                .patch(users::patch)
                .delete(users::delete),
        )
        .route("/Groups", get(groups::list).post(groups::create))
        .route(
            "/Groups/{id}",
            get(groups::read)
                .put(groups::replace)
                .patch(groups::patch)
                .delete(groups::delete),
        )
        .route(
            "/ServiceProviderConfig",
            get(discovery::service_provider_config),
        )
        .route("/Bulk", post(bulk::post))
        .route("/ResourceTypes", get(discovery::resource_types))
        .route("/ResourceTypes/{name}", get(discovery::resource_type))
        .route("/Schemas", get(discovery::schemas))
        .route("/Schemas/{id}", get(discovery::schema))
        .method_not_allowed_fallback(|| async { ScimError::method_not_allowed() });
    Router::new()
        .nest("/scim/v2", scim)
        .fallback(|| async {
            ScimError::not_found("no such endpoint: the SCIM base path is /scim/v2")
        })
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            around_every_request,
        ))
        .route(TOKEN_PATH, post(oauth::token))
        .with_state(shared)
}

/// Runs around every request: the sporadic-500 fault, the bearer-token check, error rendering,
/// and the response-mangling faults.
async fn around_every_request(
    State(shared): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let by_id = names_a_resource_by_id(request.uri().path());
    let response = if shared.faults.request_fails() {
        ScimError::internal("the server failed to process the request").into_response()
    } else if !accepts(&shared, request.headers()) {
        ScimError::unauthorized().into_response()
    } else {
        next.run(request).await
    };
    let response = finish(&shared.faults, response, by_id).await;
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    if shared.faults.has(Fault::SlowResponses) {
        tokio::time::sleep(Duration::from_millis(SLOW_RESPONSE_MILLIS)).await;
    }
    response
}

async fn finish(faults: &FaultSet, mut response: Response, by_id: bool) -> Response {
    if let Some(error) = response.extensions_mut().remove::<ScimError>() {
        response = render_error(&disguise_unknown_id(faults, error, by_id), faults);
    }
    if faults.has(Fault::TruncatedJson) && response.headers().contains_key(header::ETAG) {
        response = truncate_body(response).await;
    }
    if faults.has(Fault::WrongContentType) && response.headers().contains_key(header::CONTENT_TYPE)
    {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    }
    response
}

/// The bogus-id faults: a 404 for an unknown `/Users/{id}` or `/Groups/{id}` becomes 400 or 500.
fn disguise_unknown_id(faults: &FaultSet, error: ScimError, by_id: bool) -> ScimError {
    if !by_id || error.status != StatusCode::NOT_FOUND {
        return error;
    }
    if faults.has(Fault::BogusId400) {
        ScimError::bad_request("invalid id")
    } else if faults.has(Fault::BogusId500) {
        ScimError::internal("could not look up the id")
    } else {
        error
    }
}

async fn truncate_body(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)))
}

/// Whether a request path is `/scim/v2/Users/{id}` or `/scim/v2/Groups/{id}`.
fn names_a_resource_by_id(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/scim/v2/") else {
        return false;
    };
    let mut segments = rest.splitn(2, '/');
    matches!(segments.next(), Some("Users" | "Groups"))
        && segments.next().is_some_and(|id| !id.is_empty())
}

/// Whether the request carries the server's token (in OAuth mode: a valid issued one).
fn accepts(shared: &AppState, headers: &HeaderMap) -> bool {
    match &shared.oauth {
        Some(issuer) => bearer_token(headers).is_some_and(|given| issuer.accepts(given)),
        None => is_authorized(&shared.token, headers),
    }
}

fn is_authorized(token: &str, headers: &HeaderMap) -> bool {
    bearer_token(headers) == Some(token)
}

/// The credential of an `Authorization: Bearer …` header.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let mut words = value.trim().splitn(2, ' ');
    let scheme = words.next().unwrap_or_default();
    let given = words.next().unwrap_or_default().trim();
    scheme.eq_ignore_ascii_case("bearer").then_some(given)
}

/// A request body: JSON object, labelled as JSON, within the size limit.
#[derive(Debug)]
pub struct ScimBody(pub Map<String, Value>);

impl FromRequest<Shared> for ScimBody {
    type Rejection = Response;

    async fn from_request(request: Request, shared: &Shared) -> Result<Self, Response> {
        check_content_type(&shared.faults, request.headers())
            .map_err(IntoResponse::into_response)?;
        let limit = shared.max_body_bytes;
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|length| length > limit) {
            return Err(ScimError::payload_too_large(limit).into_response());
        }
        let bytes = axum::body::to_bytes(request.into_body(), limit)
            .await
            .map_err(|_| ScimError::payload_too_large(limit).into_response())?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(ScimBody(map)),
            Ok(_) => Err(
                ScimError::invalid_syntax("the request body must be a JSON object").into_response(),
            ),
            Err(_) if shared.faults.has(Fault::Html500) => Err(html_crash_page()),
            Err(err) => Err(ScimError::invalid_syntax(format!(
                "the request body is not valid JSON: {err}"
            ))
            .into_response()),
        }
    }
}

fn check_content_type(faults: &FaultSet, headers: &HeaderMap) -> Result<(), ScimError> {
    let given = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media_type = given
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match media_type.as_str() {
        "application/scim+json" if faults.has(Fault::ScimJsonRejected) => {
            Err(ScimError::unsupported_media_type(given))
        }
        "application/scim+json" | "application/json" => Ok(()),
        _ => Err(ScimError::unsupported_media_type(given)),
    }
}

/// The `{id}` of a resource URL. Ids that do not even decode (e.g. `%FF`) are unknown ids: 404.
#[derive(Debug)]
pub struct ResourceId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ResourceId {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ScimError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| ResourceId(id))
            .map_err(|_| ScimError::not_found("no resource with this id"))
    }
}

/// The `If-Match` header, if sent.
pub fn if_match(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A single resource: its JSON body with its `ETag` header.
pub fn resource_response(status: StatusCode, body: &Value, etag: &str) -> Response {
    let mut response = scim_json(status, body);
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// The answer to a GET of one resource: 304 with no body when `If-None-Match` names the
/// current version (RFC 7644 §3.14), otherwise 200 with the body and its `ETag`.
pub fn read_response(headers: &HeaderMap, body: &Value, etag: &str) -> Response {
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|wanted| etag_matches(wanted, etag));
    if !unchanged {
        return resource_response(StatusCode::OK, body, etag);
    }
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// Adds a `Location` header.
pub fn with_location(mut response: Response, location: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_resource_urls_count_as_by_id() {
        assert!(names_a_resource_by_id("/scim/v2/Users/abc"));
        assert!(names_a_resource_by_id("/scim/v2/Groups/a%20b"));
        assert!(!names_a_resource_by_id("/scim/v2/Users"));
        assert!(!names_a_resource_by_id("/scim/v2/Users/"));
        assert!(!names_a_resource_by_id("/scim/v2/Schemas/x"));
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_the_token_exact() {
        let headers = |value: &str| {
            let mut map = HeaderMap::new();
            map.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            map
        };
        assert!(is_authorized("t0k", &headers("Bearer t0k")));
        assert!(is_authorized("t0k", &headers("bearer t0k")));
        assert!(!is_authorized("t0k", &headers("Bearer T0K")));
        assert!(!is_authorized("t0k", &headers("non-token")));
        assert!(!is_authorized("t0k", &HeaderMap::new()));
    }

    #[test]
    fn json_and_scim_json_with_charset_are_accepted_and_others_refused() {
        let faults = FaultSet::new(&[]);
        let with = |value: &str| {
            let mut map = HeaderMap::new();
            map.insert(header::CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
            map
        };
        assert!(check_content_type(&faults, &with("application/scim+json; charset=utf-8")).is_ok());
        assert!(check_content_type(&faults, &with("application/json")).is_ok());
        assert!(check_content_type(&faults, &with("text/plain")).is_err());
        assert!(check_content_type(&faults, &HeaderMap::new()).is_err());
    }
}
