//! Telling a failure that comes and goes from one that shows every time: before a new defect is
//! shrunk its case runs again unchanged, and a defect that does not show again at the same
//! request is intermittent (a server failing now and then). The run reports one intermittent
//! defect, unshrunk, standing for every other it meets; once one is known, races and the
//! failures recorded as reproducible are judged again, so which case met the failure first does
//! not change the report.

use std::time::{Duration, Instant};

use super::exec::CaseOutcome;
use super::race::has_race;
use super::runner::{Failure, Intermittent};
use super::worker::{Search, Tally};
use crate::check::is_server_error;
use crate::model::Op;

/// Runs of a failing case, beyond the first, before its defect counts as reproducible.
const CONFIRM_RUNS: u32 = 4;

impl Search<'_> {
    /// Runs the case that first showed `target` (as `first`) again, unchanged, up to
    /// [`CONFIRM_RUNS`] times (each in a fresh namespace) and says whether the defect is
    /// intermittent: `Some` as soon as one run does not show it at the same request. Nothing is
    /// run again once the search is over, nor past `--shrink-time`.
    ///
    /// A race case shows its defect only in some orders, so it is judged more loosely, and only
    /// once the run has met an intermittent defect (a server failing now and then meets races
    /// too): intermittent if one run, with its repeats, does not show the defect at all. A 5xx
    /// in a race, once the server is known to answer 5xx now and then, is that failure: under
    /// concurrency a 500 now and then cannot be told from a 500 on concurrency.
    pub(super) fn confirm(
        &self,
        ops: &[Op],
        target: &str,
        first: &CaseOutcome,
    ) -> Option<Intermittent> {
        let race = has_race(ops);
        if race && is_server_error(target) && self.lock().intermittent_server_error() {
            return Some(Intermittent {
                shown: 1,
                runs: 1,
                also: Vec::new(),
            });
        }
        let at = |outcome: &CaseOutcome| {
            let finding = outcome.finding_of(target)?;
            Some(match race {
                true => (0, 0),
                false => (finding.op_index, finding.call_index),
            })
        };
        let first_at = at(first);
        let judged = !race || self.lock().has_intermittent();
        if first_at.is_none() || !judged {
            return None;
        }
        let began = Instant::now();
        for run in 1..=CONFIRM_RUNS {
            // Bounded like shrinking (`--shrink-time`): past it, the defect counts as
            // reproducible and goes on to be shrunk (which then stops at once).
            if began.elapsed() >= self.config.max_shrink_time {
                return None;
            }
            let outcome = self.run_one(ops, false, Some(target))?;
            if at(&outcome) != first_at {
                return Some(Intermittent {
                    shown: run,
                    runs: run + 1,
                    also: Vec::new(),
                });
            }
        }
        None
    }

    /// Once the run knows the server fails now and then, every failure recorded as reproducible
    /// is judged again on its minimal case: a race found before that was not judged for it (see
    /// `confirm`), and a failure that landed at the same request by luck in every run has a
    /// second chance to show it. Those found intermittent are reported under the intermittent
    /// one, so whether it or another case met the server's failure first does not change the
    /// report.
    pub(super) fn rejudge(&self) {
        if !self.lock().has_intermittent() {
            return;
        }
        let recorded: Vec<(String, CaseOutcome)> = self
            .lock()
            .found
            .iter()
            .filter(|(_, f)| f.intermittent.is_none())
            .map(|(_, f)| (f.defect.clone(), f.minimal.clone()))
            .collect();
        for (defect, minimal) in recorded {
            if self.confirm(&minimal.ops(), &defect, &minimal).is_none() {
                continue;
            }
            let mut tally = self.lock();
            tally.found.retain(|(_, f)| f.defect != defect);
            tally.join_intermittent(defect);
        }
    }

    /// Records an intermittent failure: the run's first is reported with its case as first
    /// drawn (unshrunk); a later one only adds its defect to the first's `also`.
    pub(super) fn record_intermittent(
        &self,
        (index, detected_at): (u64, Duration),
        original_len: usize,
        target: String,
        first: CaseOutcome,
        intermittent: Intermittent,
    ) {
        let mut tally = self.lock();
        tally.shrinking -= 1;
        let Some(target) = tally.join_intermittent(target) else {
            return;
        };
        let Some(check_id) = first.finding_of(&target).map(|f| f.check_id.clone()) else {
            return;
        };
        tally.found.push((
            index,
            Failure {
                check_id,
                defect: target,
                original_len,
                minimal: first,
                seconds_to_detect: detected_at.as_secs_f64(),
                seconds_to_shrink: 0.0,
                shrink_cut_short: false,
                intermittent: Some(intermittent),
            },
        ));
    }
}

impl Tally {
    /// The recorded intermittent failure, if any.
    fn intermittent(&self) -> Option<&Intermittent> {
        self.found.iter().find_map(|(_, f)| f.intermittent.as_ref())
    }

    /// Whether an intermittent failure is recorded.
    pub(super) fn has_intermittent(&self) -> bool {
        self.intermittent().is_some()
    }

    /// Adds `defect` to the recorded intermittent failure's `also`; gives it back when there is
    /// none yet (the caller records it as that failure).
    fn join_intermittent(&mut self, defect: String) -> Option<String> {
        match self
            .found
            .iter_mut()
            .find_map(|(_, f)| f.intermittent.as_mut())
        {
            Some(host) => {
                host.also.push(defect);
                None
            }
            None => Some(defect),
        }
    }

    /// Defects that are no distinct defect of their own: those listed under the intermittent one.
    pub(super) fn merged(&self) -> usize {
        self.intermittent().map_or(0, |i| i.also.len())
    }

    /// Whether the recorded intermittent failure stands for a server error (a 5xx now and then).
    fn intermittent_server_error(&self) -> bool {
        self.found.iter().any(|(_, f)| {
            f.intermittent.as_ref().is_some_and(|i| {
                std::iter::once(&f.defect)
                    .chain(&i.also)
                    .any(|key| is_server_error(key))
            })
        })
    }
}
