//! Runs a Runscope API-test export as it is (Okta publishes its SCIM tests in this format):
//! the file format, variables, assertions, JavaScript scripts, and the step runner.

pub mod assertions;
pub mod export;
pub mod runner;
pub mod script;
pub mod vars;

pub use export::{parse_export, Export, ExportError, Step};
pub use runner::{run_export, RunError, RunOptions};
pub use vars::Variables;
