//! Recording without a lock on the hot path: each goose user owns a [`UserRecorder`] (in its
//! session data) buffering the current interval's samples (8 bytes each); only when an interval
//! ends, the buffer is full, or the user stops, does it record them into the shared [`Collector`]'s
//! histograms under a mutex. Per-user buffers instead of per-user histograms keep memory flat: a
//! 3-significant-digit histogram grows with the largest latency it has seen (about 130 KB once a
//! value near 400 ms is in it), and every user held two per operation kind.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::ledger::{Ledger, LedgerJournal};
use super::measure::{
    clamped_micros, cut_body, record_micros, IntervalSlot, Measurements, Percentiles,
    TimelineCounts,
};
use super::ops::OpKind;

/// How many intervals behind the newest one an interval is packed: users merge an interval when
/// their next one starts, so data for the last couple of intervals is still arriving.
const CLOSING_LAG: u64 = 2;

/// One finished operation, as the recorder needs it.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub kind: OpKind,
    /// When the worker's schedule intended the operation to start.
    pub intended: Instant,
    /// When the last attempt was sent.
    pub sent: Instant,
    /// When its last response byte arrived (or the transport failed).
    pub finished: Instant,
    /// Final status, 0 when there was no response.
    pub status: u16,
    /// Whether the outcome is what the scenario expected.
    pub ok: bool,
    /// 429 answers received on the way.
    pub throttled: u32,
}

/// Samples a user buffers before merging them, whatever the interval (64 KB at most).
const MAX_BUFFERED: usize = 8192;

#[derive(Debug, Clone, Default)]
struct UserBucket {
    /// (latency, service time) in µs of each operation, clamped to 1 µs..60 s.
    samples: Vec<(u32, u32)>,
    errors: u64,
    throttled: u64,
    statuses: BTreeMap<u16, u64>,
    failed_statuses: BTreeMap<u16, u64>,
}

/// A goose user's private recorder for the interval in progress.
#[derive(Debug, Clone)]
pub struct UserRecorder {
    start: Instant,
    interval: Duration,
    current: u64,
    buckets: Vec<Option<UserBucket>>,
    timeline: TimelineCounts,
    /// Samples buffered in all buckets.
    buffered: usize,
    /// When this user's latest operation finished, since the run start.
    last_finished: Duration,
}

impl UserRecorder {
    /// A recorder aligned on the run's start and interval.
    pub fn new(start: Instant, interval: Duration) -> Self {
        Self {
            start,
            interval,
            current: 0,
            buckets: vec![None; OpKind::ALL.len()],
            timeline: TimelineCounts::default(),
            buffered: 0,
            last_finished: Duration::ZERO,
        }
    }

    fn interval_index(&self, at: Instant) -> u64 {
        let since = at.saturating_duration_since(self.start).as_micros();
        (since / self.interval.as_micros().max(1)) as u64
    }

    /// Records an operation; merges the previous interval first when this one is in a new one.
    pub fn record(&mut self, outcome: &Outcome, collector: &Collector) {
        let index = self.interval_index(outcome.finished);
        if index != self.current || self.buffered >= MAX_BUFFERED {
            self.flush(collector);
            self.current = index;
        }
        let bucket = self.buckets[outcome.kind.index()].get_or_insert_with(UserBucket::default);
        bucket.samples.push((
            clamped_micros(outcome.finished.saturating_duration_since(outcome.intended)),
            clamped_micros(outcome.finished.saturating_duration_since(outcome.sent)),
        ));
        self.buffered += 1;
        *bucket.statuses.entry(outcome.status).or_default() += 1;
        self.last_finished = self
            .last_finished
            .max(outcome.finished.saturating_duration_since(self.start));
        bucket.throttled += u64::from(outcome.throttled);
        self.timeline.requests += 1;
        self.timeline.throttled += u64::from(outcome.throttled);
        if !outcome.ok {
            bucket.errors += 1;
            *bucket.failed_statuses.entry(outcome.status).or_default() += 1;
            self.timeline.errors += 1;
        }
    }

    /// Merges whatever this user holds into the collector.
    pub fn flush(&mut self, collector: &Collector) {
        if self.timeline.requests == 0 {
            return;
        }
        let buckets: Vec<(OpKind, UserBucket)> = OpKind::ALL
            .iter()
            .zip(self.buckets.iter_mut())
            .filter_map(|(kind, bucket)| bucket.take().map(|bucket| (*kind, bucket)))
            .collect();
        let timeline = std::mem::take(&mut self.timeline);
        self.buffered = 0;
        collector.absorb(self.current, buckets, timeline, self.last_finished);
    }
}

/// The run-wide store every user merges into: measurements, and the integrity ledger's journal
/// file (absent when the check is off: entries are then dropped).
#[derive(Debug)]
pub struct Collector {
    start: Instant,
    interval: Duration,
    /// Intervals below this index are packed (see [`super::measure::IntervalSlot`]); written under
    /// the lock.
    packed_below: AtomicU64,
    measurements: Mutex<Measurements>,
    journal: Mutex<Option<LedgerJournal>>,
}

/// Totals so far, for the progress line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub elapsed: Duration,
    pub requests: u64,
    pub errors: u64,
    pub throttled: u64,
    pub p99_ms: f64,
}

impl Collector {
    /// A collector whose interval 0 starts at `start` (wall clock `started_unix_s`).
    pub fn new(start: Instant, started_unix_s: f64, interval: Duration) -> Self {
        Self {
            start,
            interval,
            packed_below: AtomicU64::new(0),
            measurements: Mutex::new(Measurements::new(started_unix_s, interval)),
            journal: Mutex::new(None),
        }
    }

    /// The same collector, appending ledger entries to `journal`.
    pub fn with_journal(self, journal: LedgerJournal) -> Self {
        Self {
            journal: Mutex::new(Some(journal)),
            ..self
        }
    }

    /// The run's start.
    pub fn start(&self) -> Instant {
        self.start
    }

    /// The length of one measurement interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    fn absorb(
        &self,
        index: u64,
        buckets: Vec<(OpKind, UserBucket)>,
        timeline: TimelineCounts,
        last_finished: Duration,
    ) {
        let mut measurements = self
            .measurements
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        measurements.elapsed = measurements.elapsed.max(last_finished);
        for (kind, bucket) in buckets {
            let totals = measurements.totals.entry(kind).or_default();
            for &(latency, service) in &bucket.samples {
                record_micros(&mut totals.latency, latency);
                record_micros(&mut totals.service, service);
            }
            totals.errors += bucket.errors;
            totals.throttled += bucket.throttled;
            for (status, count) in bucket.statuses {
                *totals.statuses.entry(status).or_default() += count;
            }
            for (status, count) in bucket.failed_statuses {
                *totals.failed_statuses.entry(status).or_default() += count;
            }
            let slot = measurements
                .intervals
                .entry(kind)
                .or_default()
                .entry(index)
                .or_insert_with(IntervalSlot::samples);
            slot.record_samples(&bucket.samples);
            if index < self.packed_below.load(Ordering::Relaxed) {
                slot.pack();
            }
        }
        measurements
            .timeline
            .entry(index)
            .or_default()
            .absorb(timeline);
        self.pack_closed_intervals(&mut measurements, index);
    }

    /// Packs the intervals more than [`CLOSING_LAG`] behind the newest one (called under the lock).
    fn pack_closed_intervals(&self, measurements: &mut Measurements, newest: u64) {
        let below = self.packed_below.load(Ordering::Relaxed);
        let upto = newest.saturating_sub(CLOSING_LAG);
        if upto <= below {
            return;
        }
        for per_kind in measurements.intervals.values_mut() {
            for (_, slot) in per_kind.range_mut(below..upto) {
                slot.pack();
            }
        }
        self.packed_below.store(upto, Ordering::Relaxed);
    }

    /// Keeps the body of the first failed `kind` operation answered `status` (cut to
    /// [`super::measure::FIRST_BODY_BYTES`]); later ones of the same kind and status are only counted.
    pub fn note_failure(&self, kind: OpKind, status: u16, body: &str) {
        let mut measurements = self
            .measurements
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        measurements
            .first_failures
            .entry((kind, status))
            .or_insert_with(|| cut_body(body));
    }

    /// Appends a worker's buffered ledger entries to the journal (drops them without one).
    pub fn absorb_ledger(&self, ledger: &mut Ledger) {
        if ledger.is_empty() {
            return;
        }
        let entries = ledger.drain();
        if let Some(journal) = self
            .journal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .as_mut()
        {
            journal.append(&entries);
        }
    }

    /// Takes the journal for the integrity check (`None` when there is none or it was taken).
    pub fn take_journal(&self) -> Option<LedgerJournal> {
        self.journal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }

    /// Requests, errors and p99 merged so far (lags by at most one interval per user).
    pub fn progress(&self) -> Progress {
        let measurements = self
            .measurements
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let overall = measurements.overall();
        Progress {
            elapsed: self.start.elapsed(),
            requests: overall.requests(),
            errors: overall.errors,
            throttled: overall.throttled,
            p99_ms: Percentiles::of(&overall.latency).p99,
        }
    }

    /// Takes the final measurements. The measured time runs from the start to the last
    /// operation's end; `fallback` is used when nothing was recorded.
    pub fn finish(&self, fallback: Duration) -> Measurements {
        let mut measurements = self
            .measurements
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let interval = measurements.interval;
        let started = measurements.started_unix_s;
        let mut taken = std::mem::replace(&mut *measurements, Measurements::new(started, interval));
        if taken.elapsed.is_zero() {
            taken.elapsed = fallback;
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(kind: OpKind, start: Instant, at_ms: u64, ok: bool) -> Outcome {
        let finished = start + Duration::from_millis(at_ms);
        Outcome {
            kind,
            intended: finished - Duration::from_millis(5),
            sent: finished - Duration::from_millis(2),
            finished,
            status: if ok { 201 } else { 500 },
            ok,
            throttled: 0,
        }
    }

    #[test]
    fn a_user_merges_its_interval_when_the_next_begins_and_on_flush() {
        let start = Instant::now();
        let collector = Collector::new(start, 0.0, Duration::from_secs(1));
        let mut user = UserRecorder::new(start, Duration::from_secs(1));
        user.record(&outcome(OpKind::Create, start, 100, true), &collector);
        user.record(&outcome(OpKind::Create, start, 200, false), &collector);
        assert_eq!(
            collector.progress().requests,
            0,
            "nothing merged mid-interval"
        );
        user.record(&outcome(OpKind::Lookup, start, 1500, true), &collector);
        assert_eq!(collector.progress().requests, 2);
        user.flush(&collector);
        let measurements = collector.finish(Duration::from_secs(9));
        assert_eq!(
            measurements.elapsed,
            Duration::from_millis(1500),
            "up to the last operation"
        );
        let create = &measurements.totals[&OpKind::Create];
        assert_eq!((create.requests(), create.errors), (2, 1));
        assert_eq!(create.statuses.get(&500), Some(&1));
        let latency_ms = Percentiles::of(&create.latency).p50;
        let service_ms = Percentiles::of(&create.service).p50;
        assert!((4.9..5.1).contains(&latency_ms), "{latency_ms}");
        assert!((1.9..2.1).contains(&service_ms), "{service_ms}");
        assert_eq!(
            measurements.intervals[&OpKind::Lookup]
                .keys()
                .collect::<Vec<_>>(),
            [&1]
        );
        assert_eq!(measurements.timeline[&0].errors, 1);
    }

    #[test]
    fn a_full_buffer_is_merged_within_its_interval_and_every_sample_counts_once() {
        let start = Instant::now();
        let hour = Duration::from_secs(3600);
        let collector = Collector::new(start, 0.0, hour);
        let mut user = UserRecorder::new(start, hour);
        for _ in 0..MAX_BUFFERED + 10 {
            user.record(&outcome(OpKind::Get, start, 100, true), &collector);
        }
        assert_eq!(
            collector.progress().requests,
            MAX_BUFFERED as u64,
            "merged once the buffer was full, not at the end of the hour"
        );
        user.flush(&collector);
        let measurements = collector.finish(hour);
        let expected = MAX_BUFFERED as u64 + 10;
        assert_eq!(measurements.totals[&OpKind::Get].requests(), expected);
        let slot = &measurements.intervals[&OpKind::Get][&0];
        assert_eq!(slot.histograms().latency.len(), expected, "one interval");
    }
}
