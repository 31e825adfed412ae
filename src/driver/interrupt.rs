//! Ctrl-C for every command: the first SIGINT asks the run to stop (the [`Driver`](super::Driver)
//! then refuses new requests with [`TransportError::Interrupted`](super::TransportError), so a run
//! stops at the next request boundary, cleans up through an
//! [`uninterruptible`](super::Driver::uninterruptible) driver and writes a partial report); a
//! second SIGINT exits the process at once.
//!
//! The `ctrlc` crate takes one handler per process, so [`Interrupt::on_ctrl_c`] is called once,
//! by the command, before any request. goose (in `load`) tries to install its own handler when an
//! attack starts; ours is first, so goose's attempt fails (it logs it at info level) and every
//! SIGINT comes here; `load` passes a hook that triggers goose's killswitch.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

#[derive(Default)]
struct State {
    requested: AtomicBool,
    notify: Notify,
    /// Called on every request to stop (load: goose's killswitch).
    hook: Option<fn()>,
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

    /// Like [`Interrupt::manual`], calling `hook` whenever a stop is requested.
    pub fn with_hook(hook: fn()) -> Self {
        Self {
            state: Arc::new(State {
                hook: Some(hook),
                ..State::default()
            }),
        }
    }

    /// Handles SIGINT from now on (once per process; call before the first request): the first
    /// one prints `command: interrupted: <what>` and requests a stop, a second one exits the
    /// process with `exit_code` at once.
    pub fn on_ctrl_c(
        command: &'static str,
        what: &'static str,
        exit_code: i32,
        hook: Option<fn()>,
    ) -> Result<Self, String> {
        let interrupt = match hook {
            Some(hook) => Self::with_hook(hook),
            None => Self::manual(),
        };
        let watched = interrupt.clone();
        let mut received = 0u32;
        ctrlc::set_handler(move || {
            received += 1;
            let mut stderr = std::io::stderr();
            if received > 1 {
                let _ = writeln!(
                    stderr,
                    "{command}: interrupted twice: exiting at once (no cleanup, no report)"
                );
                std::process::exit(exit_code);
            }
            let _ = writeln!(
                stderr,
                "\n{command}: interrupted: {what} (Ctrl-C again to quit at once)"
            );
            watched.request();
        })
        .map_err(|err| format!("could not install the Ctrl-C handler: {err}"))?;
        Ok(interrupt)
    }

    /// Asks the run to stop.
    pub fn request(&self) {
        self.state.requested.store(true, Ordering::SeqCst);
        self.state.notify.notify_waiters();
        if let Some(hook) = self.state.hook {
            hook();
        }
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
    use std::sync::atomic::AtomicUsize;

    static HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);

    fn count_hook() {
        HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
    }

    #[tokio::test]
    async fn waiting_resolves_once_requested_even_if_requested_before() {
        let interrupt = Interrupt::with_hook(count_hook);
        assert!(!interrupt.requested());
        let waiter = tokio::spawn({
            let interrupt = interrupt.clone();
            async move { interrupt.wait().await }
        });
        tokio::task::yield_now().await;
        interrupt.request();
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("the waiter wakes")
            .unwrap();
        assert!(interrupt.requested());
        assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), 1);
        tokio::time::timeout(std::time::Duration::from_secs(5), interrupt.wait())
            .await
            .expect("an already requested interrupt does not block");
    }
}
