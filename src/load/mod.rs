//! Load: goose replays Okta-like provisioning bursts from load profiles and records per-operation
//! HDR latency histograms, SLO verdicts and a post-run integrity check.

pub mod builtin;
pub mod cleanup;
pub mod context;
pub mod exchange;
pub mod goose_stdout;
pub mod integrity;
pub mod interrupt;
pub mod ledger;
pub mod measure;
pub mod okta_shapes;
pub mod ops;
pub mod plan;
pub mod profile;
pub mod recorder;
pub mod report;
pub mod run;
pub mod seed;
pub mod slo;
pub mod sweep;
pub mod tasks;

pub use builtin::{find_profile, profiles_table, FindError};
pub use interrupt::Interrupt;
pub use ops::{OpKind, OpSelector};
pub use profile::{Profile, ProfileError};
pub use run::{run_load, run_load_until, LoadError, LoadOutcome, LoadSettings, LoadTarget};
pub use slo::{Slo, SloVerdict};
