//! What was observed on the wire for one request: the exact request sent, the response received,
//! and its timings. Secrets stay in here as sent; `report` redacts them on output.

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::body::{clip, Oversized};

/// The request as it was actually sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    /// The absolute URL.
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// The response as it was received. Serialized (traces, reports) with at most a 64 KiB prefix of
/// the body, plus `body_length` and `body_sha1` when cut.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecordedResponse {
    pub status: u16,
    /// Header names in lowercase, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8); only a prefix when `oversized`.
    pub body: String,
    /// Set when the body went past `--max-response-size`: reading stopped there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oversized: Option<Oversized>,
}

impl Serialize for RecordedResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Kept<'a> {
            status: u16,
            headers: &'a [(String, String)],
            body: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            body_length: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            body_sha1: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            oversized: Option<Oversized>,
        }
        let clipped = clip(&self.body);
        let (body_length, body_sha1) = clipped
            .cut
            .map_or((None, None), |(l, h)| (Some(l), Some(h)));
        Kept {
            status: self.status,
            headers: &self.headers,
            body: clipped.prefix,
            body_length,
            body_sha1,
            oversized: self.oversized,
        }
        .serialize(serializer)
    }
}

impl RecordedResponse {
    /// A response received whole.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: impl Into<String>) -> Self {
        Self {
            status,
            headers,
            body: body.into(),
            oversized: None,
        }
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON, or `None` when it is empty, not JSON, or cut (oversized).
    pub fn json(&self) -> Option<Value> {
        if self.oversized.is_some() {
            return None;
        }
        serde_json::from_str(&self.body).ok()
    }

    /// The `Content-Type` media type without parameters, lowercased (`application/scim+json`).
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }
}

/// When the request was sent and how long it took.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Microseconds since the Unix epoch when sending started.
    pub started_at_us: u64,
    /// Microseconds until the response headers arrived.
    pub headers_us: u64,
    /// Microseconds until the whole body was read.
    pub total_us: u64,
}

/// One exchange: the request sent and the response received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub request: RecordedRequest,
    pub response: RecordedResponse,
    pub timings: Timings,
}
