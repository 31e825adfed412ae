//! Ctrl-C during `scimfuzz load`: the first SIGINT stops the load gracefully (goose's killswitch)
//! so a partial report, marked interrupted, is still written; a second one exits at once.
//!
//! goose 0.19 installs its own handler when an attack starts (`util::setup_ctrlc_handler`, with
//! the `ctrlc` crate; it exits with status 1 on a second Ctrl-C). The `ctrlc` crate takes one
//! handler per process, so [`Interrupt::on_ctrl_c`] installs ours first: goose's attempt then
//! fails (it logs "reset ctrl-c handler" at info level and carries on) and every SIGINT comes here.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

/// The reason given to goose's killswitch on the first Ctrl-C.
pub const KILLSWITCH_REASON: &str = "scimfuzz load: interrupted (Ctrl-C)";

#[derive(Default)]
struct State {
    requested: AtomicBool,
    notify: Notify,
}

/// Whether (and when) the run was asked to stop; cheap to clone and share.
#[derive(Clone, Default)]
pub struct Interrupt {
    state: Arc<State>,
}

impl fmt::Debug for Interrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interrupt")
            .field("requested", &self.requested())
            .finish()
    }
}

impl Interrupt {
    /// An interrupt that only fires through [`Interrupt::request`] (library use, tests).
    pub fn manual() -> Self {
        Self::default()
    }

    /// Handles SIGINT from now on (call before the attack starts; once per process): the first
    /// one requests a graceful stop, a second one exits the process with `exit_code`.
    pub fn on_ctrl_c(exit_code: i32) -> Result<Self, String> {
        let interrupt = Self::default();
        let watched = interrupt.clone();
        let mut received = 0u32;
        ctrlc::set_handler(move || {
            received += 1;
            let mut stderr = std::io::stderr();
            if received > 1 {
                let _ = writeln!(
                    stderr,
                    "interrupted twice: exiting at once, no report written"
                );
                std::process::exit(exit_code);
            }
            let _ = writeln!(
                stderr,
                "\ninterrupted: stopping the load and writing a partial report (Ctrl-C again to quit at once)"
            );
            watched.request();
        })
        .map_err(|err| format!("could not install the Ctrl-C handler: {err}"))?;
        Ok(interrupt)
    }

    /// Asks the run to stop: marks it interrupted and triggers goose's killswitch.
    pub fn request(&self) {
        self.mark();
        goose::trigger_killswitch(KILLSWITCH_REASON);
    }

    fn mark(&self) {
        self.state.requested.store(true, Ordering::SeqCst);
        self.state.notify.notify_waiters();
    }

    /// Whether a stop was asked for.
    pub fn requested(&self) -> bool {
        self.state.requested.load(Ordering::SeqCst)
    }

    /// Resolves once a stop is asked for (at once if it already was).
    pub async fn wait(&self) {
        loop {
            let notified = self.state.notify.notified();
            if self.requested() {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiting_resolves_once_requested_even_if_requested_before() {
        let interrupt = Interrupt::manual();
        assert!(!interrupt.requested());
        let waiter = tokio::spawn({
            let interrupt = interrupt.clone();
            async move { interrupt.wait().await }
        });
        tokio::task::yield_now().await;
        interrupt.mark();
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("the waiter wakes")
            .unwrap();
        assert!(interrupt.requested());
        tokio::time::timeout(std::time::Duration::from_secs(5), interrupt.wait())
            .await
            .expect("an already requested interrupt does not block");
    }
}
