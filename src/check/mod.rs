//! Pure judging: `(Expected, &Call, &Behaviour) -> Vec<Finding>`, one file per concern, each check
//! with a stable id and a citation. No I/O.

pub mod catalogue;
mod defect;
mod facts;
mod finding;
mod judge;
mod linearize;
mod list;
mod patch_edges;
mod resource;
mod response;
pub mod shape;
#[cfg(test)]
pub(crate) mod test_calls;

pub use catalogue::{CheckInfo, Severity};
pub use defect::{defect_key, is_server_error};
pub use facts::ModelFacts;
pub use finding::{CheckContext, CheckRules, Finding, Grading, UNGRADED};
pub use judge::check_op;
pub use linearize::{linearize, Linearization};
pub use list::{comparison_operators, list_findings, MAX_WALK_PAGES};
