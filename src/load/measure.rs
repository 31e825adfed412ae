//! The numbers a run produces, independent of how they were collected: per operation kind an HDR
//! histogram of latency from the intended start (coordinated-omission corrected) and of raw service
//! time, per-interval histograms for the `.hlog` files, error/throttle/status counts, and the
//! requests-over-time series. Merging two `Measurements` is exact (HDR histograms add losslessly).

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;

use super::ops::OpKind;

/// Smallest recordable value: 1 µs.
pub const LOWEST_US: u64 = 1;
/// Largest recordable value: 60 s (Okta's socket timeout); longer values are clamped.
pub const HIGHEST_US: u64 = 60_000_000;
/// Significant decimal digits kept by every histogram.
pub const SIGFIGS: u8 = 3;

/// A histogram covering 1 µs..60 s with 3 significant digits, allocated up front.
pub fn full_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(LOWEST_US, HIGHEST_US, SIGFIGS)
        .expect("1 µs..60 s with 3 significant digits is a valid histogram range")
}

/// A 3-digit histogram that grows only as far as its values need (small per-interval buckets).
pub fn growing_histogram() -> Histogram<u64> {
    Histogram::new(SIGFIGS).expect("3 significant digits is a valid precision")
}

/// Records one duration, clamped into 1 µs..60 s.
pub fn record_clamped(histogram: &mut Histogram<u64>, duration: Duration) {
    let micros = (duration.as_micros() as u64).clamp(LOWEST_US, HIGHEST_US);
    // Clamped into the declared range, so recording cannot fail.
    let _ = histogram.record(micros);
}

/// A duration in whole microseconds, clamped into 1 µs..60 s (fits a `u32`).
pub fn clamped_micros(duration: Duration) -> u32 {
    (duration.as_micros() as u64).clamp(LOWEST_US, HIGHEST_US) as u32
}

/// Records one value already clamped by [`clamped_micros`].
pub fn record_micros(histogram: &mut Histogram<u64>, micros: u32) {
    // Within the declared range, so recording cannot fail.
    let _ = histogram.record(u64::from(micros).clamp(LOWEST_US, HIGHEST_US));
}

/// Adds `from` into `into`; values are within 1 µs..60 s so this cannot overflow the range.
pub fn add_into(into: &mut Histogram<u64>, from: &Histogram<u64>) {
    if into.add(from).is_err() {
        for value in from.iter_recorded() {
            let clamped = value.value_iterated_to().clamp(LOWEST_US, HIGHEST_US);
            let _ = into.record_n(clamped, value.count_at_value());
        }
    }
}

/// Whole-run numbers of one operation kind.
#[derive(Debug, Clone)]
pub struct OpTotals {
    /// From the intended start to the last response byte, including 429 back-off waits.
    pub latency: Histogram<u64>,
    /// From sending the (last) attempt to its last response byte.
    pub service: Histogram<u64>,
    /// Operations that failed: transport error, unexpected status, or retries exhausted.
    pub errors: u64,
    /// 429 answers received (each retry counts).
    pub throttled: u64,
    /// Final status of each operation (0 = no response).
    pub statuses: BTreeMap<u16, u64>,
    /// Final status of each operation that counted as an error (a subset of `statuses`: a 409
    /// to a deliberately raced duplicate is in `statuses` only).
    pub failed_statuses: BTreeMap<u16, u64>,
}

impl Default for OpTotals {
    fn default() -> Self {
        Self {
            latency: full_histogram(),
            service: full_histogram(),
            errors: 0,
            throttled: 0,
            statuses: BTreeMap::new(),
            failed_statuses: BTreeMap::new(),
        }
    }
}

impl OpTotals {
    /// Operations recorded.
    pub fn requests(&self) -> u64 {
        self.latency.len()
    }

    /// Adds another run's (or worker's) totals of the same kind.
    pub fn absorb(&mut self, other: &OpTotals) {
        add_into(&mut self.latency, &other.latency);
        add_into(&mut self.service, &other.service);
        self.errors += other.errors;
        self.throttled += other.throttled;
        for (status, count) in &other.statuses {
            *self.statuses.entry(*status).or_default() += count;
        }
        for (status, count) in &other.failed_statuses {
            *self.failed_statuses.entry(*status).or_default() += count;
        }
    }
}

/// One interval's latency and service histograms of one operation kind.
#[derive(Debug, Clone)]
pub struct IntervalHistograms {
    pub latency: Histogram<u64>,
    pub service: Histogram<u64>,
}

impl Default for IntervalHistograms {
    fn default() -> Self {
        Self {
            latency: growing_histogram(),
            service: growing_histogram(),
        }
    }
}

/// Raw samples an interval keeps before it switches to histograms (128 KB).
pub const MAX_RAW_SAMPLES: usize = 16_384;

/// One interval's numbers of one operation kind: raw `(latency µs, service µs)` samples while it
/// is open and they are few (a 3-digit histogram grows with the largest value it holds, about
/// 130 KB for one near 400 ms, so a few samples are far smaller), histograms when it is open with
/// many, packed (V2 + DEFLATE bytes, a few hundred bytes) once it is closed, so a long run's memory
/// stays flat. A late value reopens a packed interval.
#[derive(Debug, Clone)]
pub enum IntervalSlot {
    Samples(Vec<(u32, u32)>),
    Open(IntervalHistograms),
    Packed { latency: Vec<u8>, service: Vec<u8> },
}

impl Default for IntervalSlot {
    fn default() -> Self {
        IntervalSlot::Open(IntervalHistograms::default())
    }
}

fn pack_histogram(histogram: &Histogram<u64>) -> Vec<u8> {
    let mut bytes = Vec::new();
    V2DeflateSerializer::new()
        .serialize(histogram, &mut bytes)
        .expect("serialising a histogram into memory cannot fail");
    bytes
}

fn unpack_histogram(bytes: &[u8]) -> Histogram<u64> {
    Deserializer::new()
        .deserialize(&mut &bytes[..])
        .expect("a histogram this process packed decodes")
}

fn histograms_of(samples: &[(u32, u32)]) -> IntervalHistograms {
    let mut histograms = IntervalHistograms::default();
    for &(latency, service) in samples {
        record_micros(&mut histograms.latency, latency);
        record_micros(&mut histograms.service, service);
    }
    histograms
}

impl IntervalSlot {
    /// An empty slot that starts by keeping raw samples.
    pub fn samples() -> Self {
        IntervalSlot::Samples(Vec::new())
    }

    /// Adds samples: kept raw while there are at most [`MAX_RAW_SAMPLES`], else recorded.
    pub fn record_samples(&mut self, samples: &[(u32, u32)]) {
        if let IntervalSlot::Samples(held) = self {
            if held.len() + samples.len() <= MAX_RAW_SAMPLES {
                held.extend_from_slice(samples);
                return;
            }
        }
        let open = self.open();
        for &(latency, service) in samples {
            record_micros(&mut open.latency, latency);
            record_micros(&mut open.service, service);
        }
    }

    /// The histograms, built from samples or unpacked (and kept open) if need be.
    pub fn open(&mut self) -> &mut IntervalHistograms {
        match self {
            IntervalSlot::Samples(samples) => *self = IntervalSlot::Open(histograms_of(samples)),
            IntervalSlot::Packed { latency, service } => {
                let mut unpacked = IntervalHistograms::default();
                add_into(&mut unpacked.latency, &unpack_histogram(latency));
                add_into(&mut unpacked.service, &unpack_histogram(service));
                *self = IntervalSlot::Open(unpacked);
            }
            IntervalSlot::Open(_) => {}
        }
        match self {
            IntervalSlot::Open(histograms) => histograms,
            _ => unreachable!("opened just above"),
        }
    }

    /// Packs the interval into its compressed encoding.
    pub fn pack(&mut self) {
        let packed = match self {
            IntervalSlot::Packed { .. } => return,
            IntervalSlot::Samples(samples) => {
                let histograms = histograms_of(samples);
                (
                    pack_histogram(&histograms.latency),
                    pack_histogram(&histograms.service),
                )
            }
            IntervalSlot::Open(histograms) => (
                pack_histogram(&histograms.latency),
                pack_histogram(&histograms.service),
            ),
        };
        *self = IntervalSlot::Packed {
            latency: packed.0,
            service: packed.1,
        };
    }

    /// A copy of the histograms (built or decoded as needed).
    pub fn histograms(&self) -> IntervalHistograms {
        match self {
            IntervalSlot::Samples(samples) => histograms_of(samples),
            IntervalSlot::Open(histograms) => histograms.clone(),
            IntervalSlot::Packed { latency, service } => IntervalHistograms {
                latency: unpack_histogram(latency),
                service: unpack_histogram(service),
            },
        }
    }
}

/// Requests finished, errors and 429s within one interval, all operations together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimelineCounts {
    pub requests: u64,
    pub errors: u64,
    pub throttled: u64,
}

impl TimelineCounts {
    pub fn absorb(&mut self, other: TimelineCounts) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.throttled += other.throttled;
    }
}

/// How much of a failed operation's response body is kept (whole UTF-8 characters).
pub const FIRST_BODY_BYTES: usize = 512;

/// `body` cut to at most [`FIRST_BODY_BYTES`] on a character boundary, saying how long it was.
pub fn cut_body(body: &str) -> String {
    if body.len() <= FIRST_BODY_BYTES {
        return body.to_string();
    }
    let mut end = FIRST_BODY_BYTES;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &body[..end], body.len())
}

/// Everything measured in one run (or merged from several workers).
#[derive(Debug, Clone)]
pub struct Measurements {
    /// Wall-clock start of interval 0, in seconds since the Unix epoch.
    pub started_unix_s: f64,
    /// Length of one interval.
    pub interval: Duration,
    /// Measured time from the first to the last interval.
    pub elapsed: Duration,
    pub totals: BTreeMap<OpKind, OpTotals>,
    /// Per kind, per interval index.
    pub intervals: BTreeMap<OpKind, BTreeMap<u64, IntervalSlot>>,
    pub timeline: BTreeMap<u64, TimelineCounts>,
    /// The first response body of each (operation kind, status) that counted as an error, cut to
    /// [`FIRST_BODY_BYTES`]: what a report shows as the reason operations failed.
    pub first_failures: BTreeMap<(OpKind, u16), String>,
}

impl Measurements {
    /// Nothing measured yet.
    pub fn new(started_unix_s: f64, interval: Duration) -> Self {
        Self {
            started_unix_s,
            interval,
            elapsed: Duration::ZERO,
            totals: BTreeMap::new(),
            intervals: BTreeMap::new(),
            timeline: BTreeMap::new(),
            first_failures: BTreeMap::new(),
        }
    }

    /// All kinds folded into one set of totals.
    pub fn overall(&self) -> OpTotals {
        let mut overall = OpTotals::default();
        for totals in self.totals.values() {
            overall.absorb(totals);
        }
        overall
    }

    /// The kinds selected by `include`, folded together.
    pub fn selected(&self, include: impl Fn(OpKind) -> bool) -> OpTotals {
        let mut folded = OpTotals::default();
        for (kind, totals) in &self.totals {
            if include(*kind) {
                folded.absorb(totals);
            }
        }
        folded
    }

    /// Requests per second over the measured time.
    pub fn rate(&self, requests: u64) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            requests as f64 / seconds
        } else {
            0.0
        }
    }
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    #[serde(rename = "p99_9")]
    pub p99_9: f64,
    pub max: f64,
    pub mean: f64,
}

impl Percentiles {
    /// Percentiles of a microsecond histogram, in milliseconds (zeros when it is empty).
    pub fn of(histogram: &Histogram<u64>) -> Self {
        if histogram.is_empty() {
            return Self {
                p50: 0.0,
                p90: 0.0,
                p99: 0.0,
                p99_9: 0.0,
                max: 0.0,
                mean: 0.0,
            };
        }
        let ms = |micros: u64| micros as f64 / 1000.0;
        Self {
            p50: ms(histogram.value_at_quantile(0.50)),
            p90: ms(histogram.value_at_quantile(0.90)),
            p99: ms(histogram.value_at_quantile(0.99)),
            p99_9: ms(histogram.value_at_quantile(0.999)),
            max: ms(histogram.max()),
            mean: histogram.mean() / 1000.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absorbing_totals_adds_counts_exactly() {
        let mut one = OpTotals::default();
        let mut two = OpTotals::default();
        for millis in 1..=100u64 {
            record_clamped(&mut one.latency, Duration::from_millis(millis));
            record_clamped(&mut two.latency, Duration::from_millis(millis + 100));
        }
        one.errors = 2;
        two.throttled = 3;
        one.absorb(&two);
        assert_eq!(one.requests(), 200);
        assert_eq!((one.errors, one.throttled), (2, 3));
        let p50 = Percentiles::of(&one.latency).p50;
        assert!((99.0..=101.0).contains(&p50), "{p50}");
    }

    #[test]
    fn values_beyond_sixty_seconds_are_clamped_not_lost() {
        let mut histogram = full_histogram();
        record_clamped(&mut histogram, Duration::from_secs(600));
        record_clamped(&mut histogram, Duration::ZERO);
        assert_eq!(histogram.len(), 2);
        assert!(histogram.max() >= HIGHEST_US - HIGHEST_US / 500);
        assert_eq!(histogram.min(), LOWEST_US);
    }

    #[test]
    fn a_packed_interval_reopens_with_the_same_counts() {
        let mut slot = IntervalSlot::default();
        for millis in [1u64, 5, 50, 500] {
            record_clamped(&mut slot.open().latency, Duration::from_millis(millis));
        }
        let before = slot.histograms();
        slot.pack();
        assert!(matches!(&slot, IntervalSlot::Packed { latency, .. } if latency.len() < 200));
        assert_eq!(slot.histograms().latency.len(), 4);
        record_clamped(&mut slot.open().latency, Duration::from_millis(7));
        assert_eq!(slot.histograms().latency.len(), before.latency.len() + 1);
    }

    #[test]
    fn raw_samples_turn_into_the_same_histograms_and_switch_over_when_many() {
        let mut slot = IntervalSlot::samples();
        slot.record_samples(&[(1_000, 500), (400_000, 300)]);
        assert!(matches!(&slot, IntervalSlot::Samples(held) if held.len() == 2));
        let built = slot.histograms();
        assert_eq!(built.latency.len(), 2);
        assert!(built.latency.equivalent(built.latency.max(), 400_000));
        let many = vec![(2_000, 1_000); MAX_RAW_SAMPLES];
        slot.record_samples(&many);
        assert!(
            matches!(&slot, IntervalSlot::Open(_)),
            "too many to keep raw"
        );
        assert_eq!(slot.histograms().service.len(), 2 + MAX_RAW_SAMPLES as u64);
        let mut packed = IntervalSlot::samples();
        packed.record_samples(&[(7, 7)]);
        packed.pack();
        assert_eq!(packed.histograms().latency.len(), 1);
    }

    #[test]
    fn a_growing_interval_histogram_adds_into_a_full_one() {
        let mut interval = growing_histogram();
        record_clamped(&mut interval, Duration::from_secs(59));
        let mut full = full_histogram();
        add_into(&mut full, &interval);
        assert_eq!(full.len(), 1);
    }
}
