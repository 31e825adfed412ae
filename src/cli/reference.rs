//! The clean run a repro script is judged against: the minimal ops of a finding run again, in the
//! same namespace, on a fresh embedded reference server without faults, so that the script checks
//! exactly where the target's answers differ from a correct server's (`report::witness`).

use tokio::runtime::Runtime;

use crate::driver::{Driver, Target};
use crate::fuzz::{CaseOutcome, RunSetup, Trace};
use crate::server::{spawn_on_thread, ServerConfig};

/// The trace's ops on a clean reference server, judged by `setup` (the run's profile and what
/// discovery found); `None` when the server could not start or answer (the script then goes by
/// the recorded status alone).
pub fn clean_run(setup: &RunSetup, runtime: &Runtime, trace: &Trace) -> Option<CaseOutcome> {
    let server = spawn_on_thread(ServerConfig::default()).ok()?;
    let driver = Driver::new(Target::new(server.base_url(), Some(server.authorization()))).ok();
    let outcome = driver.and_then(|driver| {
        setup
            .executor(&driver, runtime)
            .run_case(&trace.ops, &trace.recorded.tag, &|_| true)
            .ok()
    });
    server.shutdown();
    outcome
}
