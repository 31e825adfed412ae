//! PATCH (RFC 7644 §3.5.2): the operation vocabulary and the path grammar.

pub mod ast;
