//! A static guard on the reference server's source: every named fault is switched on at exactly one
//! decision point, so a fault is one realistic defect and never leaks into other behaviour.

use scimfuzz::server::Fault;

#[test]
fn every_fault_is_decided_in_exactly_one_place() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server");
    let mut code = String::new();
    for entry in std::fs::read_dir(&dir).expect("src/server is readable") {
        let text = std::fs::read_to_string(entry.expect("a directory entry").path())
            .expect("a source file");
        let production = text.split("#[cfg(test)]").next().unwrap_or_default();
        for line in production
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
        {
            code.push_str(line);
            code.push('\n');
        }
    }
    for fault in Fault::all() {
        let needle = format!("Fault::{fault:?}");
        let uses = code
            .match_indices(&needle)
            .filter(|(at, _)| !code[at + needle.len()..].starts_with(|c: char| c.is_alphanumeric()))
            .count();
        assert_eq!(uses, 1, "{fault} ({needle}) is queried in {uses} places");
    }
}
