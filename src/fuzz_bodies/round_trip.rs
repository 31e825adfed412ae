//! Fuzz bodies for the grammars the tool both parses and prints: filters, PATCH paths and PATCH
//! bodies. The bytes are read twice: as text that must parse or fail cleanly (and, when it
//! parses, print as text that parses back to the same tree), and as the seed of an arbitrary
//! tree (`arbitrary::Unstructured`) that must print and parse back equal.

use arbitrary::{Arbitrary, Unstructured};

use crate::scim::filter::{self, Filter};
use crate::scim::patch::{parse_path, PatchPath, PatchRequest};

/// Filter text parses or fails cleanly; a parsed tree and an arbitrary tree print and parse back
/// equal.
pub fn filter(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(parsed) = filter::parse(text) {
            reparses_to(&parsed, filter::parse(&parsed.to_string()).ok(), text);
        }
    }
    if let Ok(tree) = Filter::arbitrary_take_rest(Unstructured::new(data)) {
        reparses_to(
            &tree,
            filter::parse(&tree.to_string()).ok(),
            "an arbitrary tree",
        );
    }
}

/// PATCH path text parses or fails cleanly; a parsed path and an arbitrary path print and parse
/// back equal.
pub fn patch_path(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(parsed) = parse_path(text) {
            reparses_to(&parsed, parse_path(&parsed.to_string()).ok(), text);
        }
    }
    if let Ok(path) = PatchPath::arbitrary_take_rest(Unstructured::new(data)) {
        reparses_to(
            &path,
            parse_path(&path.to_string()).ok(),
            "an arbitrary path",
        );
    }
}

/// A PATCH body parses or fails cleanly (its op kinds and paths too); an arbitrary body printed
/// as JSON parses back equal.
pub fn patch_body(data: &[u8]) {
    if let Ok(request) = serde_json::from_slice::<PatchRequest>(data) {
        for operation in &request.operations {
            let _ = operation.kind();
            let _ = operation.parsed_path();
        }
    }
    if let Ok(request) = PatchRequest::arbitrary_take_rest(Unstructured::new(data)) {
        let printed = serde_json::to_string(&request).expect("a PATCH body prints as JSON");
        let parsed = serde_json::from_str::<PatchRequest>(&printed).ok();
        reparses_to(&request, parsed, "an arbitrary body");
    }
}

/// Panics unless `again` (the printed `tree` parsed again) is `tree`.
fn reparses_to<T: PartialEq + std::fmt::Debug>(tree: &T, again: Option<T>, source: &str) {
    assert!(
        again.as_ref() == Some(tree),
        "{source:?} gave {tree:?}, which printed and parsed again gave {again:?}"
    );
}
