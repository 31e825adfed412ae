//! The two kinds of failure a subcommand reports instead of a verdict, and their exit codes.

use super::exit;

/// Why a subcommand gave no verdict. The message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The user's flags or files are wrong (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The run could not happen (exit 3).
    #[error("{0}")]
    CouldNotRun(String),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => exit::USAGE,
            CliError::CouldNotRun(_) => exit::COULD_NOT_RUN,
        }
    }
}

/// A subcommand's result: an exit code from [`exit`], or an error.
pub type CliResult = Result<i32, CliError>;
