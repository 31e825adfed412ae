//! The only HTTP client code of the harness: a [`RequestSpec`] (what we intend to send) goes in,
//! a [`Call`] (what was sent, what came back, and when) comes out. Transport failures are
//! [`TransportError`]s, never findings: judging responses is `check`'s job.

mod body;
mod call;
mod client;
mod ids;
mod interrupt;
mod namespace;
mod oauth;
mod request;
mod throttle;

pub use body::{
    human_size, parse_size, read_bounded, BoundedBody, Oversized, DEFAULT_MAX_RESPONSE_BYTES,
    KEPT_PREFIX_BYTES,
};
pub use call::{Call, RecordedRequest, RecordedResponse, Timings};
pub use client::{Driver, Target, TransportError};
pub use ids::{Assigned, IdMap, ResourceKind};
pub use interrupt::Interrupt;
pub use namespace::{cleanup, encode_component, leftovers, CleanupMode, Namespaces};
pub use oauth::{refresh_after, OAuthConfig, OAuthSource};
pub use request::{AuthMode, Body, Method, RequestSpec};
pub use throttle::{retry_wait, Throttling, DEFAULT_MAX_RETRY_WAIT, MAX_THROTTLED_IN_A_ROW};
