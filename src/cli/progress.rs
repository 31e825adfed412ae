//! The progress of a `fuzz` search on stderr: a bar with an ETA on a terminal, else a line every
//! 100 cases of the plan.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::fuzz::Progress;

/// Progress on stderr: a bar over the plan's cases with an ETA on a terminal (plain when NO_COLOR
/// is set), otherwise a line every 100 cases of the plan.
pub(crate) struct ProgressReporter {
    bar: Option<ProgressBar>,
    /// The hundreds of plan cases already printed (no terminal).
    printed: std::sync::atomic::AtomicU64,
}

impl ProgressReporter {
    pub(crate) fn new() -> Self {
        let printed = std::sync::atomic::AtomicU64::new(0);
        if !std::io::stderr().is_terminal() {
            return Self { bar: None, printed };
        }
        let template = if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            "{elapsed_precise} [{bar:30}] {pos}/{len} cases {msg}"
        } else {
            "{elapsed_precise} [{bar:30.cyan/blue}] {pos}/{len} cases {msg}"
        };
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        Self {
            bar: Some(bar),
            printed,
        }
    }

    pub(crate) fn update(&self, progress: Progress) {
        let mut parts = match (progress.failures, progress.shrinking) {
            (0, _) => Vec::new(),
            (n, true) => vec![format!("{n} finding(s), shrinking")],
            (n, false) => vec![format!("{n} finding(s)")],
        };
        if let Some(eta) = progress.eta() {
            parts.push(format!("ETA {}s", eta.as_secs()));
        }
        let message = parts.join(", ");
        let tail = if message.is_empty() {
            String::new()
        } else {
            format!(", {message}")
        };
        match &self.bar {
            Some(bar) => {
                bar.set_length(progress.planned);
                bar.set_position(progress.planned_done);
                bar.set_message(message);
            }
            None => {
                let hundreds = progress.planned_done / 100;
                let before = self
                    .printed
                    .fetch_max(hundreds, std::sync::atomic::Ordering::Relaxed);
                if hundreds > before {
                    eprintln!(
                        "scimfuzz fuzz: {}/{} cases{tail}",
                        progress.planned_done, progress.planned
                    );
                }
            }
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
