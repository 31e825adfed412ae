//! The first request of a run: can we reach the target, and does it accept our credentials?
//! Unreachable targets and credentials refused before any check are "could not run" (exit 3),
//! never findings. And how many cases the target takes at once (`default_jobs`).

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

/// The parallel cases `fuzz --jobs` runs by default against a shared target when the probe of
/// [`default_jobs`] shows a slow server that takes concurrent requests.
pub const PARALLEL_JOBS: usize = 4;
/// A server slower than this per request (median of three) is worth running cases at once.
const SLOW_REQUEST_MS: u64 = 20;

/// How many cases to run at once when `--jobs` is not given. One on an exclusive target (its
/// whole-server predictions would run alone anyway, and the embedded server answers in well
/// under a millisecond). Against a shared target: three `GET /ServiceProviderConfig` one after
/// another, then [`PARALLEL_JOBS`] at once; [`PARALLEL_JOBS`] when the server is slow (median at
/// least 20 ms) and the concurrent ones all succeed within twice that median (it serves them
/// together), else one. A server that throttles (429) or fails gets one.
pub fn default_jobs(driver: &Driver, runtime: &Runtime, exclusive: bool) -> usize {
    if exclusive {
        return 1;
    }
    let spec = RequestSpec::get("/ServiceProviderConfig");
    // A body over the size limit is buffered up to the limit before it is refused: cases run
    // at once against such a server would multiply that, so it gets one job.
    let ok = |call: &crate::driver::Call| {
        (200..300).contains(&call.response.status) && call.response.oversized.is_none()
    };
    let mut singles = Vec::new();
    for _ in 0..3 {
        match runtime.block_on(driver.send(&spec)) {
            Ok(call) if ok(&call) => singles.push(call.timings.total_us / 1000),
            _ => return 1,
        }
    }
    singles.sort_unstable();
    let median = singles[1];
    if median < SLOW_REQUEST_MS {
        return 1;
    }
    let started = std::time::Instant::now();
    let specs = vec![spec; PARALLEL_JOBS];
    let together = runtime.block_on(super::race::send_concurrently(driver, specs));
    let took = started.elapsed().as_millis() as u64;
    match together {
        Ok(calls) if calls.iter().all(ok) && took < 2 * median => PARALLEL_JOBS,
        _ => 1,
    }
}
