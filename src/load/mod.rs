//! Load: goose replays Okta-like provisioning bursts from load profiles and records per-operation
//! HDR latency histograms, SLO verdicts and a post-run integrity check.

pub mod ledger;
pub mod measure;
pub mod ops;
pub mod profile;
pub mod recorder;
pub mod slo;

pub use ops::{OpKind, OpSelector};
pub use profile::{Profile, ProfileError};
pub use slo::{Slo, SloVerdict};
