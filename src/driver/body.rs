//! Bounded response bodies. Every response body any command reads (the [`Driver`](super::Driver)
//! and `load`'s goose exchanges) goes through [`read_bounded`]: it reads the body chunk by chunk
//! and stops as soon as more than the limit has arrived, counting the bytes after reqwest's gzip
//! decoding, so neither a huge body nor a gzip bomb is ever held whole. Past the limit only a
//! short prefix is kept and the response is marked [`Oversized`].
//!
//! Also here: the short form of a body that traces and reports keep ([`clip`]: at most
//! [`KEPT_PREFIX_BYTES`] plus the full length and a SHA-1 of what was read).

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

/// The default `--max-response-size`: 16 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// How much of a body traces and reports keep (and all that is kept of an oversized body): 64 KiB.
pub const KEPT_PREFIX_BYTES: usize = 64 * 1024;

/// A response body that went past the limit: reading stopped after `read` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Oversized {
    /// The limit in bytes (`--max-response-size`).
    pub limit: u64,
    /// Bytes read (decoded) before reading stopped, or the announced Content-Length; always
    /// more than `limit`.
    pub read: u64,
}

impl Oversized {
    /// One line for findings and errors: "the response body is larger than 16 MiB (…)".
    pub fn describe(&self) -> String {
        format!(
            "the response body is larger than the {} limit (reading stopped after {} bytes; \
             raise it with --max-response-size)",
            human_size(self.limit),
            self.read
        )
    }
}

/// What [`read_bounded`] read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundedBody {
    /// The whole body, or only its first [`KEPT_PREFIX_BYTES`] when oversized.
    pub bytes: Vec<u8>,
    pub oversized: Option<Oversized>,
}

impl BoundedBody {
    /// The bytes as text (lossy UTF-8), without copying valid UTF-8.
    pub fn into_text(self) -> String {
        match String::from_utf8(self.bytes) {
            Ok(text) => text,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        }
    }
}

/// Reads `response`'s body, stopping once more than `limit` (decoded) bytes have arrived.
pub async fn read_bounded(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<BoundedBody, reqwest::Error> {
    let announced = response
        .headers()
        .get(reqwest::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.trim().parse::<u64>().ok());
    if let Some(length) = announced.filter(|length| *length > limit) {
        // Not even the prefix: a body announced too large is not worth reading.
        return Ok(BoundedBody {
            bytes: Vec::new(),
            oversized: Some(Oversized {
                limit,
                read: length,
            }),
        });
    }
    let mut bytes = Vec::new();
    let mut read = 0u64;
    while let Some(chunk) = response.chunk().await? {
        read += chunk.len() as u64;
        if read > limit {
            bytes.truncate(KEPT_PREFIX_BYTES);
            bytes.shrink_to_fit();
            return Ok(BoundedBody {
                bytes,
                oversized: Some(Oversized { limit, read }),
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(BoundedBody {
        bytes,
        oversized: None,
    })
}

/// A body as traces and reports keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clipped<'a> {
    /// At most [`KEPT_PREFIX_BYTES`] of the body, cut at a character boundary.
    pub prefix: &'a str,
    /// When cut: the body's full length in bytes and its SHA-1 (hex).
    pub cut: Option<(u64, String)>,
}

/// `body` cut to its first [`KEPT_PREFIX_BYTES`] (with length and hash) when longer.
pub fn clip(body: &str) -> Clipped<'_> {
    if body.len() <= KEPT_PREFIX_BYTES {
        return Clipped {
            prefix: body,
            cut: None,
        };
    }
    let end = (0..=KEPT_PREFIX_BYTES)
        .rev()
        .find(|index| body.is_char_boundary(*index))
        .unwrap_or(0);
    let digest = Sha1::digest(body.as_bytes());
    let hex = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    Clipped {
        prefix: &body[..end],
        cut: Some((body.len() as u64, hex)),
    }
}

/// `16 MiB`, `64 KiB`, `100 bytes`.
pub fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Parses `16MiB`, `16M`, `500k`, `1048576`, `2 GiB` (binary units, case-insensitive) into bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 16MiB, 512KiB, 1048576)"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        other => {
            return Err(format!(
                "`{text}`: unknown unit `{other}` (use KiB, MiB or GiB)"
            ))
        }
    };
    let bytes = number
        .checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))?;
    if bytes == 0 {
        return Err(format!("`{text}` must be more than 0 bytes"));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_binary_units() {
        assert_eq!(parse_size("16MiB"), Ok(16 * 1024 * 1024));
        assert_eq!(parse_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_size("1 GiB"), Ok(1024 * 1024 * 1024));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("0").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("3 parsecs").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }

    #[test]
    fn short_bodies_are_kept_whole_and_long_ones_cut_with_length_and_hash() {
        assert_eq!(clip("abc").prefix, "abc");
        assert_eq!(clip("abc").cut, None);
        let long = "é".repeat(KEPT_PREFIX_BYTES);
        let clipped = clip(&long);
        assert!(clipped.prefix.len() <= KEPT_PREFIX_BYTES);
        assert!(long.starts_with(clipped.prefix));
        let (length, hash) = clipped.cut.expect("cut");
        assert_eq!(length, long.len() as u64);
        assert_eq!(hash.len(), 40);
    }

    #[test]
    fn the_message_names_the_limit_and_the_flag() {
        let text = Oversized {
            limit: DEFAULT_MAX_RESPONSE_BYTES,
            read: DEFAULT_MAX_RESPONSE_BYTES + 1,
        }
        .describe();
        assert!(text.contains("16 MiB"), "{text}");
        assert!(text.contains("--max-response-size"), "{text}");
    }
}
