//! One `scimfuzz okta` run: checks the credentials, then SPEC, the CRUD lifecycle and group push
//! in each requested mode, import paging, the optional RFC-strict suite and entitlement
//! endpoints, and the cleanup,
//! which also runs (best effort) when a suite stops on a transport error, and after Ctrl-C (the
//! run is then reported as interrupted, with the steps the running suite completed).

use std::time::Instant;

use super::crud::{self, run_crud, Mode};
use super::finish::{run_cleanup, run_entitlements, ENTITLEMENTS};
use super::groups::{self, run_groups};
use super::import::{self, run_import};
use super::session::{okta_request, Session};
use super::spec::{self, run_spec};
use super::strict::{self, run_strict};
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
        run_suite(suites, spec::SUITE, |suite| run_spec(session, suite))?;
    }
    if wanted(SuiteKind::Crud) {
        for mode in &options.modes {
            run_suite(suites, crud::suite_name(*mode), |suite| {
                run_crud(session, *mode, suite)
            })?;
        }
    }
    if wanted(SuiteKind::Groups) {
        for mode in &options.modes {
            run_suite(suites, groups::suite_name(*mode), |suite| {
                run_groups(session, *mode, suite)
            })?;
        }
    }
    if wanted(SuiteKind::Import) {
        run_suite(suites, import::SUITE, |suite| run_import(session, suite))?;
    }
    if options.rfc_strict {
        run_suite(suites, strict::SUITE, |suite| run_strict(session, suite))?;
    }
    if !options.entitlements.is_empty() {
        run_suite(suites, ENTITLEMENTS, |suite| {
            run_entitlements(session, &options.entitlements, suite)
        })?;
    }
    Ok(())
}

/// Runs one suite into a fresh [`SuiteResult`] named `name` and adds it to `suites`; when Ctrl-C
/// stops it, the steps it completed are kept, marked interrupted. Any other error drops it (the
/// run then ends without a report).
fn run_suite(
    suites: &mut Vec<SuiteResult>,
    name: impl Into<String>,
    run: impl FnOnce(&mut SuiteResult) -> Result<(), TransportError>,
) -> Result<(), TransportError> {
    let mut suite = SuiteResult::new(name);
    let result = run(&mut suite);
    match &result {
        Ok(()) => suites.push(suite),
        Err(TransportError::Interrupted) => {
            suite.mark_interrupted();
            suites.push(suite);
        }
        Err(_) => {}
    }
    result
}
