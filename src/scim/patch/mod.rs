//! PATCH (RFC 7644 §3.5.2): the operation vocabulary, the request body and the path grammar.

pub mod ast;
mod path;
mod request;

pub use ast::{PatchOpKind, PatchPath};
pub use path::{parse_path, PathParseError};
pub use request::{PatchOperation, PatchRequest};
