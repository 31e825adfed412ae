//! The filter printer: [`Filter`] tree → canonical RFC 7644 text that parses back to the same
//! tree.
//!
//! Canonical means: lowercase keywords and operators, single spaces, strings as JSON string
//! literals (`"` `\` and control characters escaped, everything else literal), and parentheses
//! only where precedence (`not` > `and` > `or`) or right-nesting needs them, since `and` and
//! `or` parse left-associatively. `not` always prints as `not (...)`, as the grammar requires.

use std::fmt::{self, Display, Formatter};

use super::ast::{AttrPath, CompValue, CompareOp, Filter};
use super::lexer::quote;

/// How tightly the surrounding context binds; a child binding looser gets parentheses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Context {
    Or,
    And,
    Operand,
}

impl Display for Filter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_filter(f, self, Context::Or)
    }
}

fn write_filter(f: &mut Formatter<'_>, filter: &Filter, context: Context) -> fmt::Result {
    match filter {
        Filter::Compare { path, op, value } => write!(f, "{path} {op} {value}"),
        Filter::Present(path) => write!(f, "{path} pr"),
        Filter::Or(left, right) => write_binary(f, left, "or", right, Context::Or, context),
        Filter::And(left, right) => write_binary(f, left, "and", right, Context::And, context),
        Filter::Not(inner) => {
            f.write_str("not (")?;
            write_filter(f, inner, Context::Or)?;
            f.write_str(")")
        }
        Filter::ValuePath { path, filter } => {
            write!(f, "{path}[")?;
            write_filter(f, filter, Context::Or)?;
            f.write_str("]")
        }
    }
}

/// `left keyword right`, parenthesised when `own` binds looser than `context`. The right
/// operand is printed one level tighter, so `Or(a, Or(b, c))` keeps its parentheses.
fn write_binary(
    f: &mut Formatter<'_>,
    left: &Filter,
    keyword: &str,
    right: &Filter,
    own: Context,
    context: Context,
) -> fmt::Result {
    let parenthesise = context > own;
    if parenthesise {
        f.write_str("(")?;
    }
    write_filter(f, left, own)?;
    write!(f, " {keyword} ")?;
    let tighter = match own {
        Context::Or => Context::And,
        Context::And | Context::Operand => Context::Operand,
    };
    write_filter(f, right, tighter)?;
    if parenthesise {
        f.write_str(")")?;
    }
    Ok(())
}

impl Display for AttrPath {
    /// `schema:name.sub`, e.g. `urn:ietf:params:scim:schemas:core:2.0:User:name.familyName`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(schema) = &self.schema {
            write!(f, "{schema}:")?;
        }
        f.write_str(&self.name)?;
        if let Some(sub_attr) = &self.sub_attr {
            write!(f, ".{sub_attr}")?;
        }
        Ok(())
    }
}

impl Display for CompareOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

impl Display for CompValue {
    /// The value as a JSON literal.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(value) => write!(f, "{value}"),
            CompValue::Number(number) => write!(f, "{number}"),
            CompValue::String(text) => f.write_str(&quote(text)),
        }
    }
}
