//! The first request of a run: can we reach the target, and does it accept our credentials?
//! Unreachable targets and credentials refused before any check are "could not run" (exit 3),
//! never findings.

use tokio::runtime::Runtime;

use crate::driver::{Driver, RequestSpec, TransportError};

/// Why a run cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("the target answered HTTP {status} to GET {url} with our credentials; check --auth / SCIMFUZZ_AUTH / --header, or with OAuth the client's --oauth-scope and rights (a fresh token was refused too)")]
    AuthRejected { status: u16, url: String },
}

/// Sends Okta's credential probe (`GET /Users?startIndex=1&count=2`) and fails on 401/403.
pub fn probe(driver: &Driver, runtime: &Runtime) -> Result<(), ProbeError> {
    let call = runtime.block_on(driver.send(&RequestSpec::get("/Users?startIndex=1&count=2")))?;
    match call.response.status {
        401 | 403 => Err(ProbeError::AuthRejected {
            status: call.response.status,
            url: call.request.url,
        }),
        _ => Ok(()),
    }
}
