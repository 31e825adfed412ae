//! The filter grammar of RFC 7644 §3.4.2.2: its tree, parser and printer.

pub mod ast;
