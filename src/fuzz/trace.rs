//! Traces: a minimal failing case as a file that `scimfuzz replay` re-runs. A trace holds the ops
//! (which replay in a fresh namespace on any server), the exchanges as recorded (credentials
//! redacted by the writer), the finding, the seed and the profile.

use serde::{Deserialize, Serialize};

use super::exec::{CaseOutcome, Step};
use super::runner::Failure;
use crate::check::Finding;
use crate::model::Op;

/// The trace format version.
pub const TRACE_VERSION: u32 = 1;

/// A replayable minimal case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub version: u32,
    pub tool: String,
    /// The seed of the search that found it.
    pub seed: u64,
    /// The profile it was judged by.
    pub profile: String,
    /// The base URL it ran against (informational; replay takes --target).
    pub target: String,
    /// The faults of the embedded server it ran against, if any (replay starts the same).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub embedded_faults: Vec<String>,
    /// The finding that made the case fail.
    pub finding: Finding,
    /// Its defect key (`check::defect_key`); empty in traces of older versions. Replay goes on
    /// past other defects, as the search did when it found this one.
    #[serde(default)]
    pub defect: String,
    /// The ops to replay.
    pub ops: Vec<Op>,
    /// The recorded run: namespace, exchanges and findings per op.
    pub recorded: CaseOutcome,
}

/// Where a trace came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceOrigin {
    pub seed: u64,
    pub profile: String,
    pub target: String,
    pub embedded_faults: Vec<String>,
}

impl Trace {
    /// The trace of a failure.
    pub fn from_failure(failure: &Failure, origin: &TraceOrigin) -> Option<Trace> {
        let finding = failure.finding()?.clone();
        Some(Trace {
            version: TRACE_VERSION,
            tool: format!("scimfuzz {}", env!("CARGO_PKG_VERSION")),
            seed: origin.seed,
            profile: origin.profile.clone(),
            target: origin.target.clone(),
            embedded_faults: origin.embedded_faults.clone(),
            finding,
            defect: failure.defect.clone(),
            ops: failure.minimal.ops(),
            recorded: failure.minimal.clone(),
        })
    }

    /// Whether replay should go on past a finding of `defect` (any defect but the recorded one;
    /// a trace of an older version stops at the first).
    pub fn goes_on_past(&self, defect: &str) -> bool {
        !self.defect.is_empty() && defect != self.defect
    }

    /// The recorded steps.
    pub fn steps(&self) -> &[Step] {
        &self.recorded.steps
    }
}

/// Why a trace file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("cannot read trace {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is not a scimfuzz trace: {reason}")]
    Invalid { path: String, reason: String },
    #[error("{path} is trace version {found}; this scimfuzz reads version {TRACE_VERSION}")]
    Version { path: String, found: u32 },
}

/// Reads a trace file.
pub fn read_trace(path: &std::path::Path) -> Result<Trace, TraceError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|err| TraceError::Read {
        path: shown.clone(),
        reason: err.to_string(),
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|err| TraceError::Invalid {
            path: shown.clone(),
            reason: err.to_string(),
        })?;
    let version = value
        .get("version")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0) as u32;
    if version != TRACE_VERSION {
        return Err(TraceError::Version {
            path: shown,
            found: version,
        });
    }
    serde_json::from_value(value).map_err(|err| TraceError::Invalid {
        path: shown,
        reason: err.to_string(),
    })
}
