//! One `scimfuzz okta` run: checks the credentials, then SPEC, the CRUD lifecycle and group push
//! in each requested mode, import paging, the optional RFC-strict suite and entitlement
//! endpoints, and the cleanup,
//! which also runs (best effort) when a suite stops on a transport error, and after Ctrl-C (the
//! run is then reported as interrupted).

use std::time::Instant;

use super::crud::{run_crud, Mode};
use super::finish::{run_cleanup, run_entitlements};
use super::groups::run_groups;
use super::import::run_import;
use super::session::{okta_request, Session};
use super::spec::run_spec;
use super::strict::run_strict;
use crate::conformance::outcome::{RunOutcome, SuiteResult};
use crate::conformance::wire::Wire;
use crate::driver::{Driver, Method, TransportError};

/// The suites a run can hold (entitlements run when endpoints are given, cleanup always).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SuiteKind {
    Spec,
    Crud,
    Groups,
    Import,
}

impl SuiteKind {
    /// Every suite, in run order.
    pub const ALL: [SuiteKind; 4] = [
        SuiteKind::Spec,
        SuiteKind::Crud,
        SuiteKind::Groups,
        SuiteKind::Import,
    ];
}

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OktaOptions {
    /// The suites to run (all by default; import creates more than 100 users on a small server).
    pub suites: Vec<SuiteKind>,
    /// The CRUD and group-push modes to run (OIN, AIW or both).
    pub modes: Vec<Mode>,
    /// Entitlement endpoints to check (`/Roles`, `/Licenses`); none skips the suite.
    pub entitlements: Vec<String>,
    /// Seed of the generated names.
    pub seed: u64,
    /// Also run the RFC-strict suite (rules Okta's tests do not enforce).
    pub rfc_strict: bool,
}

impl Default for OktaOptions {
    fn default() -> Self {
        Self {
            suites: SuiteKind::ALL.to_vec(),
            modes: vec![Mode::Oin, Mode::Aiw],
            entitlements: Vec::new(),
            seed: 1,
            rfc_strict: false,
        }
    }
}

/// Why a run gave no verdict.
#[derive(Debug, thiserror::Error)]
pub enum OktaError {
    #[error("{0}")]
    Transport(#[from] TransportError),
    #[error(
        "the target answered {status} to GET /Users with the given credentials; check --auth \
         (the full Authorization value, e.g. \"Bearer abc\"), or with OAuth the client's \
         --oauth-scope and rights (a fresh token was refused too)"
    )]
    AuthRejected { status: u16 },
}

/// Runs every suite against the driver's target.
pub fn run_okta(
    wire: &Wire,
    driver: &Driver,
    options: &OktaOptions,
) -> Result<RunOutcome, OktaError> {
    let started = Instant::now();
    // After Ctrl-C the suites stop at the next request; the cleanup still sends.
    let cleaner = driver.uninterruptible();
    let mut session = Session::new(wire, driver, options.seed);
    let probe = session.send(&okta_request(
        Method::Get,
        "/Users?startIndex=1&count=1",
        None,
    ))?;
    if matches!(probe.response.status, 401 | 403) {
        return Err(OktaError::AuthRejected {
            status: probe.response.status,
        });
    }
    let mut suites = Vec::new();
    let outcome = run_suites(&mut session, options, &mut suites);
    let interrupted = matches!(outcome, Err(TransportError::Interrupted));
    session.use_driver(&cleaner);
    let cleanup = run_cleanup(&mut session);
    if !interrupted {
        outcome?;
    }
    suites.push(cleanup?);
    Ok(RunOutcome {
        suites,
        seconds: started.elapsed().as_secs_f64(),
        interrupted,
    })
}

fn run_suites(
    session: &mut Session<'_>,
    options: &OktaOptions,
    suites: &mut Vec<SuiteResult>,
) -> Result<(), TransportError> {
    let wanted = |kind: SuiteKind| options.suites.contains(&kind);
    if wanted(SuiteKind::Spec) {
        suites.push(run_spec(session)?);
    }
    if wanted(SuiteKind::Crud) {
        for mode in &options.modes {
            suites.push(run_crud(session, *mode)?);
        }
    }
    if wanted(SuiteKind::Groups) {
        for mode in &options.modes {
            suites.push(run_groups(session, *mode)?);
        }
    }
    if wanted(SuiteKind::Import) {
        suites.push(run_import(session)?);
    }
    if options.rfc_strict {
        suites.push(run_strict(session)?);
    }
    if !options.entitlements.is_empty() {
        suites.push(run_entitlements(session, &options.entitlements)?);
    }
    Ok(())
}
