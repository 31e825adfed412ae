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
    /// Ctrl-C stopped the run before it had anything to report (exit 130).
    #[error("{0}")]
    Interrupted(String),
}

impl CliError {
    /// A transport failure before the run created anything: exit 130 for Ctrl-C, else 3 with
    /// `context` before the reason.
    pub fn from_transport(context: &str, err: crate::driver::TransportError) -> Self {
        match err {
            crate::driver::TransportError::Interrupted => CliError::Interrupted(
                "interrupted (Ctrl-C) before the run created anything: nothing to clean up".into(),
            ),
            err => CliError::CouldNotRun(format!("{context}: {err}")),
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => exit::USAGE,
            CliError::CouldNotRun(_) => exit::COULD_NOT_RUN,
            CliError::Interrupted(_) => exit::INTERRUPTED,
        }
    }
}

/// A subcommand's result: an exit code from [`exit`], or an error.
pub type CliResult = Result<i32, CliError>;
