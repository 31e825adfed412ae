//! Keeps goose's launch message off stdout. goose 0.19 prints `N users launched.` when the first
//! step of a test plan is done, with a `println!` that no goose option reaches (`quiet`,
//! `no_print_metrics` and the log level do not: `GooseAttack::reset_metrics` in its metrics.rs),
//! and every profile compiles to a test plan. On a terminal that line lands in the middle of the
//! live progress line, and it is not part of scimfuzz's output. [`FilteredStdout`] swaps file
//! descriptor 1 for a pipe while a run lasts; a thread forwards every line to the real stdout
//! except goose's launch messages (and the blank line goose prints after some of them), and
//! dropping the guard restores stdout and waits for the thread to drain the pipe.
//!
//! For the binary only: fd 1 is process-wide, and a test harness running tests side by side must
//! not have it swapped under it.

#[cfg(unix)]
pub use unix::FilteredStdout;

/// Whether `line` (without its newline) is one of goose's "users launched" messages.
pub fn is_goose_launch_message(line: &str) -> bool {
    let line = line.trim_end();
    let Some(head) = line
        .strip_suffix(" users launched.")
        .or_else(|| line.split_once(" users launched,").map(|(head, _)| head))
    else {
        return false;
    };
    let head = head.strip_prefix("All ").unwrap_or(head);
    let mut words = head.split(" of ");
    words.all(|number| !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(unix)]
mod unix {
    use std::fs::File;
    use std::io::{BufRead, BufReader, PipeReader, Write};
    use std::os::fd::{AsFd, OwnedFd};
    use std::thread::JoinHandle;

    use super::is_goose_launch_message;

    /// While alive, stdout goes through a filter that drops goose's launch message.
    #[derive(Debug)]
    pub struct FilteredStdout {
        saved: OwnedFd,
        forwarder: Option<JoinHandle<()>>,
    }

    impl FilteredStdout {
        /// Swaps fd 1 for the filter; an error leaves stdout as it was.
        pub fn install() -> std::io::Result<Self> {
            std::io::stdout().flush()?;
            let saved = std::io::stdout().as_fd().try_clone_to_owned()?;
            let out = File::from(saved.try_clone()?);
            let (reader, writer) = std::io::pipe()?;
            nix::unistd::dup2_stdout(&writer).map_err(std::io::Error::from)?;
            drop(writer);
            let forwarder = std::thread::Builder::new()
                .name("scimfuzz-stdout".into())
                .spawn(move || forward(reader, out))?;
            Ok(Self {
                saved,
                forwarder: Some(forwarder),
            })
        }
    }

    impl Drop for FilteredStdout {
        fn drop(&mut self) {
            let _ = std::io::stdout().flush();
            // Pointing fd 1 back closes the pipe's last write end: the forwarder sees the end.
            if nix::unistd::dup2_stdout(&self.saved).is_ok() {
                if let Some(forwarder) = self.forwarder.take() {
                    let _ = forwarder.join();
                }
            }
        }
    }

    fn forward(reader: PipeReader, mut out: File) {
        let mut reader = BufReader::new(reader);
        let mut line = Vec::new();
        let mut after_launch = false;
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line);
            let dropped =
                is_goose_launch_message(&text) || (after_launch && text.trim().is_empty());
            after_launch = is_goose_launch_message(&text);
            if !dropped {
                let _ = out.write_all(&line);
                let _ = out.flush();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goose_launch_messages_are_recognised_and_nothing_else() {
        for line in [
            "12 users launched.",
            "All 5 users launched.",
            "3 of 5 users launched, timer expired.",
            "All 18 users launched, resetting metrics (disable with --no-reset-metrics).",
        ] {
            assert!(is_goose_launch_message(line), "{line}");
        }
        for line in [
            "create           120 …",
            "users launched.",
            "many users launched.",
            "wrote out/report.json",
        ] {
            assert!(!is_goose_launch_message(line), "{line}");
        }
    }
}
