//! HdrHistogram interval logs: one `<operation>.hlog` per operation kind, V2 + DEFLATE encoded,
//! one `latency` and one `service` histogram per interval (values in µs), readable by the
//! standard HdrHistogram tools (`HistogramLogProcessor -tag latency`). Also reads them back
//! for `report merge`.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use hdrhistogram::serialization::interval_log::{
    IntervalLogIterator, IntervalLogWriterBuilder, LogEntry, Tag,
};
use hdrhistogram::serialization::{Deserializer, V2DeflateSerializer};
use hdrhistogram::Histogram;

use crate::load::measure::{IntervalSlot, Measurements};
use crate::load::ops::OpKind;

/// The tag of latency-from-intended-start histograms.
pub const LATENCY_TAG: &str = "latency";
/// The tag of raw service-time histograms.
pub const SERVICE_TAG: &str = "service";

/// The file name of an operation's interval log.
pub fn hlog_file_name(kind: OpKind) -> String {
    format!("{}.hlog", kind.name())
}

/// Writes one interval log per operation kind into `dir`; returns the files written.
pub fn write_hlogs(dir: &Path, measurements: &Measurements) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for (kind, intervals) in &measurements.intervals {
        let text = render_hlog(*kind, intervals, measurements)?;
        let path = dir.join(hlog_file_name(*kind));
        std::fs::write(&path, text)
            .map_err(|err| format!("could not write {}: {err}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

fn render_hlog(
    kind: OpKind,
    intervals: &BTreeMap<u64, IntervalSlot>,
    measurements: &Measurements,
) -> Result<Vec<u8>, String> {
    let base = Duration::from_secs_f64(measurements.started_unix_s.max(0.0));
    let start_time = std::time::UNIX_EPOCH + base;
    let mut buffer = Vec::new();
    let mut serializer = V2DeflateSerializer::new();
    let mut builder = IntervalLogWriterBuilder::new();
    builder
        .add_comment(&format!(
            "scimfuzz load: operation {kind}; values in microseconds; tag latency = from the \
             intended start (coordinated-omission corrected), tag service = raw service time"
        ))
        .with_start_time(start_time)
        .with_base_time(start_time)
        .with_max_value_divisor(1000.0);
    let mut writer = builder
        .begin_log_with(&mut buffer, &mut serializer)
        .map_err(|err| format!("could not start the {kind} interval log: {err}"))?;
    let latency_tag = Tag::new(LATENCY_TAG).expect("the tag has no spaces");
    let service_tag = Tag::new(SERVICE_TAG).expect("the tag has no spaces");
    for (index, slot) in intervals {
        let histograms = slot.histograms();
        let offset = measurements.interval * (*index as u32);
        for (histogram, tag) in [
            (&histograms.latency, latency_tag),
            (&histograms.service, service_tag),
        ] {
            writer
                .write_histogram(histogram, offset, measurements.interval, Some(tag))
                .map_err(|err| format!("could not write the {kind} interval log: {err}"))?;
        }
    }
    Ok(buffer)
}

/// One histogram read back from an interval log.
#[derive(Debug, Clone)]
pub struct LoggedInterval {
    pub tag: Option<String>,
    /// Offset from the log's BaseTime.
    pub start: Duration,
    pub duration: Duration,
    pub histogram: Histogram<u64>,
}

/// An interval log read back: its BaseTime (seconds since the epoch) and its histograms.
#[derive(Debug, Clone)]
pub struct ReadLog {
    pub base_time_s: f64,
    pub intervals: Vec<LoggedInterval>,
}

/// Reads an interval log written by [`write_hlogs`] (or any V2 log with a BaseTime).
pub fn read_hlog(path: &Path) -> Result<ReadLog, String> {
    let bytes =
        std::fs::read(path).map_err(|err| format!("could not read {}: {err}", path.display()))?;
    let mut base_time_s = None;
    let mut intervals = Vec::new();
    for entry in IntervalLogIterator::new(&bytes) {
        let entry = entry
            .map_err(|err| format!("{} is not a valid interval log: {err:?}", path.display()))?;
        match entry {
            LogEntry::BaseTime(base) => base_time_s = Some(base.as_secs_f64()),
            LogEntry::StartTime(start) => {
                base_time_s.get_or_insert(start.as_secs_f64());
            }
            LogEntry::Interval(interval) => {
                let encoded = base64::engine::general_purpose::STANDARD
                    .decode(interval.encoded_histogram())
                    .map_err(|err| format!("{}: bad base64 histogram: {err}", path.display()))?;
                let histogram: Histogram<u64> = Deserializer::new()
                    .deserialize(&mut Cursor::new(encoded))
                    .map_err(|err| format!("{}: undecodable histogram: {err:?}", path.display()))?;
                intervals.push(LoggedInterval {
                    tag: interval.tag().map(|tag| tag.as_str().to_string()),
                    start: interval.start_timestamp(),
                    duration: interval.duration(),
                    histogram,
                });
            }
        }
    }
    Ok(ReadLog {
        base_time_s: base_time_s.unwrap_or(0.0),
        intervals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::measure::record_clamped;

    #[test]
    fn an_interval_log_reads_back_to_the_same_histograms() {
        let mut measurements = Measurements::new(1_700_000_000.5, Duration::from_secs(1));
        for index in 0..3u64 {
            let slot = measurements
                .intervals
                .entry(OpKind::Create)
                .or_default()
                .entry(index)
                .or_default();
            for millis in 1..=(10 * (index + 1)) {
                record_clamped(&mut slot.open().latency, Duration::from_millis(millis));
                record_clamped(&mut slot.open().service, Duration::from_micros(millis * 10));
            }
        }
        let dir = std::env::temp_dir().join(format!("scimfuzz-hlog-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let written = write_hlogs(&dir, &measurements).unwrap();
        assert_eq!(written, vec![dir.join("create.hlog")]);
        let text = std::fs::read_to_string(&written[0]).unwrap();
        assert!(text.contains("Tag=latency,") && text.contains("#[BaseTime: 1700000000.500"));
        let log = read_hlog(&written[0]).unwrap();
        assert_eq!(log.intervals.len(), 6);
        assert!((log.base_time_s - 1_700_000_000.5).abs() < 0.01);
        let third = &log.intervals[4];
        assert_eq!(third.tag.as_deref(), Some(LATENCY_TAG));
        assert_eq!(third.start, Duration::from_secs(2));
        assert_eq!(
            third.histogram,
            measurements.intervals[&OpKind::Create][&2]
                .histograms()
                .latency
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
