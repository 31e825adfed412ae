//! What was observed on the wire for one request: the exact request sent, the response received,
//! and its timings. Secrets stay in here as sent; `report` redacts them on output.

use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// The response as it was received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    pub status: u16,
    /// Header names in lowercase, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8).
    pub body: String,
}

impl RecordedResponse {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON, or `None` when it is empty or not JSON.
    pub fn json(&self) -> Option<Value> {
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
