//! The filter grammar of RFC 7644 §3.4.2.2: its tree, parser, printer, semantic checks,
//! evaluator, and arbitrary (fuzzable) trees that print and parse back.

mod arbitrary_tree;
pub mod ast;
mod error;
pub mod eval;
pub(crate) mod lexer;
pub(crate) mod parser;
mod printer;
mod validate;

#[cfg(test)]
mod parser_tests;

#[cfg(test)]
mod eval_tests;

pub use arbitrary_tree::{arbitrary_filter, attr_name, MAX_ARBITRARY_DEPTH};
pub use ast::{AttrPath, CompValue, CompareOp, Filter};
pub use error::FilterParseError;
pub use parser::{parse, MAX_NESTING, MAX_TREE_DEPTH};
pub use validate::{validate, InvalidFilter};
