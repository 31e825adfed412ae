//! Ctrl-C during `scimfuzz load`: the first SIGINT stops the load gracefully (goose's killswitch)
//! so a partial report, marked interrupted, is still written; a second one exits at once.
//!
//! goose 0.19 installs its own Ctrl-C handler when an attack starts (`util::setup_ctrlc_handler`,
//! via the `ctrlc` crate, which exits with status 1 on a second Ctrl-C). [`Interrupt::on_ctrl_c`]
//! registers tokio's SIGINT handler first; `ctrlc` then refuses to replace it (goose logs "reset
//! ctrl-c handler" at info level and carries on), so every SIGINT comes here.

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

    /// Listens for SIGINT from now on (call inside a tokio runtime, before the attack starts):
    /// the first one requests a graceful stop, a second one exits the process with `exit_code`.
    pub fn on_ctrl_c(exit_code: i32) -> std::io::Result<Self> {
        let interrupt = Self::default();
        let mut signals = Signals::register()?;
        let watched = interrupt.clone();
        tokio::spawn(async move {
            if !signals.next().await {
                return;
            }
            let _ = writeln!(
                std::io::stderr(),
                "\ninterrupted: stopping the load and writing a partial report (Ctrl-C again to quit at once)"
            );
            watched.request();
            if signals.next().await {
                let _ = writeln!(
                    std::io::stderr(),
                    "interrupted twice: exiting at once, no report written"
                );
                std::process::exit(exit_code);
            }
        });
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

/// The process's SIGINT stream (tokio registers the OS handler when this is created).
struct Signals {
    #[cfg(unix)]
    inner: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn register() -> std::io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Self {
            inner: signal(SignalKind::interrupt())?,
        })
    }

    #[cfg(not(unix))]
    fn register() -> std::io::Result<Self> {
        Ok(Self {})
    }

    /// Waits for the next SIGINT; false when no more can arrive.
    #[cfg(unix)]
    async fn next(&mut self) -> bool {
        self.inner.recv().await.is_some()
    }

    #[cfg(not(unix))]
    async fn next(&mut self) -> bool {
        tokio::signal::ctrl_c().await.is_ok()
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
