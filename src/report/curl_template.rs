//! Recorded request text as shell words for a repro script, with the namespace tag and the ids the
//! server assigned turned into variables (`${TAG}`, `${ID0}`…). The tag is replaced wherever it
//! occurs: it is long and unique to the case. An id is replaced only where it stands as an id: a
//! whole segment of a URL path, a whole JSON string under `id` or `value`, the last segment of a
//! JSON string that is a resource URL (`$ref`, `meta.location`), and the quoted operand of a
//! `value eq "…"` filter in a PATCH path. So a short id such as `1` never replaces the `1` of a
//! port, a userName, a count or a displayName.

use crate::driver::encode_component;

/// A run of literal text or a shell variable.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Var(String),
}

/// JSON keys whose string value is a resource id (a resource's own, or a member's or group's).
const ID_KEYS: [&str; 2] = ["id", "value"];

/// The recorded literals of one script and the variables that stand for them.
#[derive(Debug, Clone)]
pub struct Templater {
    tag: String,
    /// (recorded id, variable), in capture order.
    ids: Vec<(String, String)>,
}

impl Templater {
    /// A templater for a case whose namespace tag is `tag` (becomes `${TAG}`).
    pub fn new(tag: &str) -> Self {
        Self {
            tag: tag.to_string(),
            ids: Vec::new(),
        }
    }

    /// From now on, `id` stands as `${variable}` where it is an id.
    pub fn add_id(&mut self, id: String, variable: String) {
        if !id.is_empty() {
            self.ids.push((id, variable));
        }
    }

    /// Any text: only the tag becomes a variable.
    pub fn text(&self, text: &str) -> String {
        self.word(&[Piece::Text(text.to_string())])
    }

    /// A text that is a whole recorded id: its variable; anything else as [`Self::text`].
    pub fn id(&self, text: &str) -> String {
        match self.ids.iter().find(|(id, _)| id == text) {
            Some((_, variable)) => format!("\"${{{variable}}}\""),
            None => self.text(text),
        }
    }

    /// A path and query (`/Users/ID?filter=…`): whole path segments that are an id (raw or
    /// percent-encoded) become its variable; the query only has its tag replaced.
    pub fn url(&self, path_and_query: &str) -> String {
        let (path, query) = match path_and_query.find('?') {
            Some(at) => path_and_query.split_at(at),
            None => (path_and_query, ""),
        };
        let mut pieces = Vec::new();
        for (index, segment) in path.split('/').enumerate() {
            if index > 0 {
                pieces.push(Piece::Text("/".into()));
            }
            match self.variable_of_segment(segment) {
                Some(variable) => pieces.push(Piece::Var(variable.to_string())),
                None => pieces.push(Piece::Text(segment.to_string())),
            }
        }
        pieces.push(Piece::Text(query.to_string()));
        self.word(&pieces)
    }

    /// A request body: in JSON, the id positions named in the module doc become variables; a body
    /// that is not JSON only has its tag replaced.
    pub fn body(&self, body: &str) -> String {
        if self.ids.is_empty() || serde_json::from_str::<serde_json::Value>(body).is_err() {
            return self.text(body);
        }
        let mut pieces = Vec::new();
        let mut done = 0;
        for (start, end, variable) in self.json_id_spans(body) {
            pieces.push(Piece::Text(body[done..start].to_string()));
            pieces.push(Piece::Var(variable));
            done = end;
        }
        pieces.push(Piece::Text(body[done..].to_string()));
        self.word(&pieces)
    }

    fn variable_of_segment(&self, segment: &str) -> Option<&str> {
        self.ids
            .iter()
            .find(|(id, _)| segment == id || segment == encode_component(id))
            .map(|(_, variable)| variable.as_str())
    }

    /// The byte spans of ids in a JSON text, in order, with their variables.
    fn json_id_spans(&self, json: &str) -> Vec<(usize, usize, String)> {
        let bytes = json.as_bytes();
        let mut spans = Vec::new();
        let mut key = "";
        let mut at = 0;
        while at < bytes.len() {
            if bytes[at] != b'"' {
                at += 1;
                continue;
            }
            let end = string_end(bytes, at + 1);
            let inner = &json[at + 1..end];
            let next = json[(end + 1).min(json.len())..].trim_start();
            if next.starts_with(':') {
                key = inner;
            } else if let Some((from, to, variable)) = self.id_in_string(key, inner) {
                spans.push((at + 1 + from, at + 1 + to, variable));
            }
            at = end + 1;
        }
        spans
    }

    /// Where an id stands in the raw (escaped) contents of a JSON string value under `key`.
    fn id_in_string(&self, key: &str, inner: &str) -> Option<(usize, usize, String)> {
        for (id, variable) in &self.ids {
            let escaped = json_escaped(id);
            let found = if inner == escaped && ID_KEYS.contains(&key) {
                Some(0)
            } else if ["/Users/", "/Groups/"]
                .iter()
                .any(|endpoint| inner.ends_with(&format!("{endpoint}{escaped}")))
            {
                Some(inner.len() - escaped.len())
            } else if key == "path" {
                let operand = format!("value eq \\\"{escaped}\\\"");
                inner
                    .find(&operand)
                    .map(|at| at + operand.len() - escaped.len() - 2)
            } else {
                None
            };
            if let Some(from) = found {
                return Some((from, from + escaped.len(), variable.clone()));
            }
        }
        None
    }

    /// The pieces as one shell word: literal runs single-quoted (the tag as `${TAG}`), variables
    /// double-quoted, nothing empty.
    fn word(&self, pieces: &[Piece]) -> String {
        let mut merged: Vec<Piece> = Vec::new();
        for piece in pieces {
            match (merged.last_mut(), piece) {
                (Some(Piece::Text(run)), Piece::Text(text)) => run.push_str(text),
                _ => merged.push(piece.clone()),
            }
        }
        let mut out = String::new();
        for piece in &merged {
            match piece {
                Piece::Var(variable) => out.push_str(&format!("\"${{{variable}}}\"")),
                Piece::Text(text) => {
                    let parts: Vec<&str> = if self.tag.is_empty() {
                        vec![text.as_str()]
                    } else {
                        text.split(self.tag.as_str()).collect()
                    };
                    for (index, part) in parts.iter().enumerate() {
                        if index > 0 {
                            out.push_str("\"${TAG}\"");
                        }
                        if !part.is_empty() {
                            out.push_str(&shell_quote(part));
                        }
                    }
                }
            }
        }
        if out.is_empty() {
            "''".to_string()
        } else {
            out
        }
    }
}

/// Single-quotes `text` for a POSIX shell.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\"'\"'"))
}

/// The index of the closing quote of a JSON string whose contents start at `from` (the end of the
/// text when it is not closed).
fn string_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at,
            _ => at += 1,
        }
    }
    bytes.len()
}

/// `text` as it appears between the quotes of a JSON string.
fn json_escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric() -> Templater {
        let mut templater = Templater::new("t0123456789");
        templater.add_id("1".into(), "ID0".into());
        templater.add_id("2".into(), "ID1".into());
        templater
    }

    #[test]
    fn a_numeric_id_is_replaced_as_a_whole_path_segment_only() {
        let word = numeric().url("/Users/1?startIndex=1&count=1");
        assert_eq!(word, "'/Users/'\"${ID0}\"'?startIndex=1&count=1'");
        assert_eq!(numeric().url("/Users/12"), "'/Users/12'");
        assert_eq!(numeric().url("/Groups/2"), "'/Groups/'\"${ID1}\"");
    }

    #[test]
    fn a_numeric_id_in_json_is_replaced_only_where_it_is_an_id() {
        let body = r#"{"id":"1","userName":"u1.t0123456789@example.com","displayName":"Group 1","members":[{"value":"2","display":"a 2"}],"meta":{"location":"http://127.0.0.1:1/scim/v2/Users/1"},"count":1}"#;
        let word = numeric().body(body);
        assert_eq!(
            word,
            "'{\"id\":\"'\"${ID0}\"'\",\"userName\":\"u1.'\"${TAG}\"'@example.com\",\
             \"displayName\":\"Group 1\",\"members\":[{\"value\":\"'\"${ID1}\"'\",\
             \"display\":\"a 2\"}],\"meta\":{\"location\":\"http://127.0.0.1:1/scim/v2/Users/'\
             \"${ID0}\"'\"},\"count\":1}'"
        );
    }

    #[test]
    fn a_member_filter_in_a_patch_path_names_the_id_variable() {
        let body = r#"{"Operations":[{"op":"remove","path":"members[value eq \"2\"]"}],"note":"value eq \"2\""}"#;
        let word = numeric().body(body);
        assert!(
            word.contains("members[value eq \\\"'\"${ID1}\"'\\\"]"),
            "{word}"
        );
        assert!(word.contains("\"note\":\"value eq \\\"2\\\"\""), "{word}");
    }

    #[test]
    fn a_body_that_is_not_json_keeps_its_ids_and_replaces_its_tag() {
        let word = numeric().body("{\"userName\":\"t0123456789.broken 1");
        assert_eq!(word, "'{\"userName\":\"'\"${TAG}\"'.broken 1'");
    }

    #[test]
    fn only_a_whole_id_becomes_its_variable() {
        assert_eq!(numeric().id("1"), "\"${ID0}\"");
        assert_eq!(numeric().id("10"), "'10'");
        assert_eq!(numeric().text("it's 1"), "'it'\"'\"'s 1'");
    }

    #[test]
    fn the_quoted_word_is_what_the_shell_reads_back() {
        let body = r#"{"id":"1","name":"O''Brien t0123456789","members":[{"value":"2"}]}"#;
        let word = numeric().body(body);
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("ID0=a ID1=b TAG=c; printf %s {word}"))
            .output()
            .expect("sh runs");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            r#"{"id":"a","name":"O''Brien c","members":[{"value":"b"}]}"#
        );
    }
}
