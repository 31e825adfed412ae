//! PATCH (RFC 7644 §3.5.2): the operation vocabulary, the request body, the path grammar, and
//! arbitrary (fuzzable) paths and bodies.

mod arbitrary_body;
pub mod ast;
mod path;
mod request;

pub use arbitrary_body::json as arbitrary_json;
pub use ast::{PatchOpKind, PatchPath};
pub use path::{parse_path, PathParseError};
pub use request::{PatchOperation, PatchRequest};
