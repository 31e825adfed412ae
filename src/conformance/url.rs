//! Percent-encoding for the URLs the conformance runners send: Runscope's raw query strings
//! (`?filter=userName eq "x@y"`, encoded where a URL may not carry the character) and Okta's
//! production filter queries (`filter=userName%20eq%20%22x%40y%22&startIndex=1&count=100`).

/// Percent-encodes what may not appear raw in a path or query (space, quotes, braces, non-ASCII),
/// keeping reserved characters and existing `%XX` escapes, as Runscope does for raw query strings.
pub fn encode_url(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    for (index, &byte) in bytes.iter().enumerate() {
        let keep = byte.is_ascii_alphanumeric()
            || b"-._~!$&'()*+,;=:@/?".contains(&byte)
            || (byte == b'%'
                && bytes.get(index + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(index + 2).is_some_and(u8::is_ascii_hexdigit));
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Percent-encodes everything but RFC 3986 unreserved characters (a query parameter value).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Okta's lookup query: `filter=<attribute> eq "<value>"` fully encoded, then `extra` as written.
pub fn eq_filter_query(attribute: &str, value: &str, extra: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    let filter = encode_component(&format!("{attribute} eq \"{escaped}\""));
    if extra.is_empty() {
        format!("filter={filter}")
    } else {
        format!("filter={filter}&{extra}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_filters_are_encoded_like_runscope_does() {
        assert_eq!(
            encode_url("/Users?filter=userName eq \"Ab@x.com\""),
            "/Users?filter=userName%20eq%20%22Ab@x.com%22"
        );
        assert_eq!(encode_url("/a%20b/{{x}}"), "/a%20b/%7B%7Bx%7D%7D");
        assert_eq!(encode_url("/é"), "/%C3%A9");
    }

    #[test]
    fn okta_lookups_encode_space_quote_and_at() {
        assert_eq!(
            eq_filter_query("userName", "test.user@okta.local", "startIndex=1&count=100"),
            "filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100"
        );
        assert_eq!(
            eq_filter_query("displayName", "a \"b\"", ""),
            "filter=displayName%20eq%20%22a%20%5C%22b%5C%22%22"
        );
    }
}
