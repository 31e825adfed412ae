//! The state a load run shares between its goose users ([`RunContext`]: target auth, retry policy,
//! pace, deadline, task budgets, the collector) and the state each user keeps in its goose session
//! data ([`WorkerSession`]: its userName partition, recorder, ledger, schedule and pool of users).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use goose::prelude::GooseUser;

use super::interrupt::Interrupt;
use super::ledger::Ledger;
use super::okta_shapes::NamePartition;
use super::recorder::{Collector, UserRecorder};
use crate::driver::{OAuthSource, Oversized};

/// Okta's 429 handling: integer `Retry-After` honoured, else `backoff` doubling, `max_tries` in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub backoff: Duration,
    pub max_tries: u32,
}

impl RetryPolicy {
    /// How long to wait after the `attempt`-th (1-based) 429, given its `Retry-After` header.
    /// An integer number of seconds is honoured; anything else (HTTP-date, missing) falls back
    /// to the profile's back-off, doubled for every 429 before this one.
    pub fn wait_after(&self, attempt: u32, retry_after: Option<&str>) -> Duration {
        if let Some(seconds) = retry_after.and_then(|value| value.trim().parse::<u64>().ok()) {
            return Duration::from_secs(seconds);
        }
        let doublings = attempt.saturating_sub(1).min(20);
        self.backoff.saturating_mul(1u32 << doublings)
    }
}

/// What every goose user of one run shares (read-only, apart from atomics and the collector).
#[derive(Debug)]
pub struct RunContext {
    /// The full `Authorization` header value, if any.
    pub authorization: Option<String>,
    /// OAuth 2.0: every user takes the Authorization value from this one shared source.
    pub oauth: Option<OAuthSource>,
    /// Extra headers for every request.
    pub headers: Vec<(String, String)>,
    pub retry: RetryPolicy,
    /// Each worker intends to start one request every `pace`; zero: as fast as answers come.
    pub pace: Duration,
    /// No request or wait goes past this instant.
    pub deadline: Instant,
    pub run_tag: String,
    pub worker_index: u32,
    pub seed: u64,
    pub collector: Collector,
    /// Set by Ctrl-C: workers stop starting tasks.
    pub interrupt: Interrupt,
    /// The group every OIN group-push worker adds members to concurrently (created before the
    /// attack when a profile pushes groups).
    pub shared_group: Option<String>,
    /// Per scenario: tasks still to hand out (`u64::MAX` when unbounded).
    pub budgets: Vec<AtomicU64>,
    /// Sessions started so far: each new goose user (also one relaunched after a ramp-down)
    /// gets the next number as its userName partition, so partitions are never reused.
    pub sessions: AtomicU64,
    /// Tasks claimed and not finished yet (plus claims being attempted).
    pub tasks_in_progress: AtomicU64,
    /// Tasks finished, and when the last one finished (µs since the run start).
    pub tasks_done: AtomicU64,
    pub last_task_done_us: AtomicU64,
    /// The largest response body read (`--max-response-size`).
    pub max_response_bytes: u64,
    /// The first response past that limit: the run stops and exits 3.
    pub oversized: Mutex<Option<Oversized>>,
}

impl RunContext {
    /// Claims one task of scenario `scenario`; false when its budget is spent. A successful claim
    /// must be followed by [`RunContext::task_done`].
    pub fn claim_task(&self, scenario: usize) -> bool {
        self.tasks_in_progress.fetch_add(1, Ordering::AcqRel);
        let claimed = self.budgets.get(scenario).is_some_and(|budget| {
            budget
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| match left {
                    u64::MAX => Some(u64::MAX),
                    0 => None,
                    left => Some(left - 1),
                })
                .is_ok()
        });
        if !claimed {
            self.tasks_in_progress.fetch_sub(1, Ordering::AcqRel);
        }
        claimed
    }

    /// Whether every scenario had a bounded number of tasks and all of them are finished.
    pub fn all_tasks_finished(&self) -> bool {
        self.budgets
            .iter()
            .all(|budget| budget.load(Ordering::Acquire) == 0)
            && self.tasks_in_progress.load(Ordering::Acquire) == 0
    }

    /// Notes a finished task.
    pub fn task_done(&self) {
        self.tasks_in_progress.fetch_sub(1, Ordering::AcqRel);
        self.tasks_done.fetch_add(1, Ordering::Relaxed);
        let at = self.collector.start().elapsed().as_micros() as u64;
        self.last_task_done_us.fetch_max(at, Ordering::Relaxed);
    }

    /// Time left before the deadline (none once the run is interrupted).
    pub fn remaining(&self) -> Duration {
        if self.interrupt.requested() {
            return Duration::ZERO;
        }
        self.deadline.saturating_duration_since(Instant::now())
    }
}

/// A user the worker created for later tasks (deprovision, profile sync, group push).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolUser {
    pub id: String,
    pub user_name: String,
    pub active: bool,
}

/// One goose user's private state, kept in its session data.
#[derive(Debug, Clone)]
pub struct WorkerSession {
    pub names: NamePartition,
    pub recorder: UserRecorder,
    pub ledger: Ledger,
    /// When this worker intends to start its next request.
    pub next_intended: Option<Instant>,
    /// Next userName / group sequence number.
    pub sequence: u64,
    pub pool: Vec<PoolUser>,
    pub cursor: usize,
    /// Pool users already added to the run's shared group (the first `shared_added`).
    pub shared_added: usize,
    rng: u64,
}

impl WorkerSession {
    /// A fresh session with userName partition `user` (a serial unique within the run).
    pub fn new(context: &RunContext, user: usize) -> Self {
        let interval = context.collector.interval();
        Self {
            names: NamePartition {
                run_tag: context.run_tag.clone(),
                worker: context.worker_index,
                user,
            },
            recorder: UserRecorder::new(context.collector.start(), interval),
            ledger: Ledger::default(),
            next_intended: None,
            sequence: 0,
            pool: Vec::new(),
            cursor: 0,
            shared_added: 0,
            rng: context.seed ^ (user as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5EED,
        }
    }

    /// The next userName of this worker's partition.
    pub fn next_user_name(&mut self) -> String {
        self.sequence += 1;
        self.names.user_name(self.sequence)
    }

    /// The next group displayName of this worker's partition.
    pub fn next_group_name(&mut self) -> String {
        self.sequence += 1;
        self.names.group_name(self.sequence)
    }

    /// A deterministic pseudo-random number in `0..1` (splitmix64 of the session's seed).
    pub fn next_unit(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.rng;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^= mixed >> 31;
        (mixed >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The intended start of the next request, advancing the schedule by `pace`.
    pub fn schedule(&mut self, pace: Duration) -> Instant {
        let now = Instant::now();
        if pace.is_zero() {
            return now;
        }
        let intended = self.next_intended.unwrap_or(now);
        self.next_intended = Some(intended + pace);
        intended
    }

    /// Merges everything this worker holds into the run's collector.
    pub fn flush(&mut self, collector: &Collector) {
        self.recorder.flush(collector);
        collector.absorb_ledger(&mut self.ledger);
    }
}

/// The slot a session lives in inside goose's session data, so a transaction can take it out
/// (and hold `&mut GooseUser` for requests) and put it back.
#[derive(Debug, Clone, Default)]
pub struct SessionSlot(pub Option<WorkerSession>);

/// Takes the user's session out of its goose session data, creating it on first use.
pub fn take_session(user: &mut GooseUser, context: &RunContext) -> WorkerSession {
    let existing = user
        .get_session_data_mut::<SessionSlot>()
        .and_then(|slot| slot.0.take());
    existing.unwrap_or_else(|| {
        let serial = context.sessions.fetch_add(1, Ordering::Relaxed) as usize;
        WorkerSession::new(context, serial)
    })
}

/// Puts a session back into the user's goose session data.
pub fn put_session(user: &mut GooseUser, session: WorkerSession) {
    match user.get_session_data_mut::<SessionSlot>() {
        Some(slot) => slot.0 = Some(session),
        None => user.set_session_data(SessionSlot(Some(session))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_integer_retry_after_is_honoured_and_anything_else_doubles_the_backoff() {
        let policy = RetryPolicy {
            backoff: Duration::from_millis(100),
            max_tries: 10,
        };
        assert_eq!(policy.wait_after(1, Some("3")), Duration::from_secs(3));
        assert_eq!(policy.wait_after(1, None), Duration::from_millis(100));
        assert_eq!(policy.wait_after(3, None), Duration::from_millis(400));
        let http_date = Some("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(policy.wait_after(2, http_date), Duration::from_millis(200));
    }
}
