//! Service-level objectives: parsing `create.p99_ms<300`, `write.p99_ms<150`, `errors.rate<0.01`
//! and judging them against [`Measurements`], with a message that says by how much one failed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::measure::{Measurements, OpTotals, Percentiles};
use super::ops::OpSelector;

/// A measurable quantity of a selection of operations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// A latency percentile in ms; `service` picks raw service time instead of corrected latency.
    LatencyMs {
        quantile: Quantile,
        service: bool,
    },
    Rps,
    ErrorRate,
    Errors,
    ThrottleRate,
    Throttled,
}

/// Which point of the latency distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantile {
    P50,
    P90,
    P99,
    P999,
    Max,
    Mean,
}

/// `<`, `<=`, `>`, `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Comparator {
    fn holds(self, measured: f64, limit: f64) -> bool {
        match self {
            Comparator::Less => measured < limit,
            Comparator::LessOrEqual => measured <= limit,
            Comparator::Greater => measured > limit,
            Comparator::GreaterOrEqual => measured >= limit,
        }
    }
}

/// One parsed SLO.
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    pub text: String,
    pub selector: OpSelector,
    pub metric: Metric,
    pub comparator: Comparator,
    pub limit: f64,
}

/// Whether an SLO held, with the measured value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloVerdict {
    pub slo: String,
    pub measured: f64,
    pub limit: f64,
    pub passed: bool,
    /// For a breach: what was measured and how far from the limit.
    pub detail: String,
}

impl FromStr for Slo {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (at, comparator, width) = [
            ("<=", Comparator::LessOrEqual),
            (">=", Comparator::GreaterOrEqual),
            ("<", Comparator::Less),
            (">", Comparator::Greater),
        ]
        .iter()
        .find_map(|(symbol, comparator)| {
            compact
                .find(symbol)
                .map(|at| (at, *comparator, symbol.len()))
        })
        .ok_or_else(|| {
            format!("SLO `{text}` has no comparison (write it like create.p99_ms<300)")
        })?;
        let (left, right) = (&compact[..at], &compact[at + width..]);
        let limit: f64 = right
            .trim_end_matches("ms")
            .parse()
            .map_err(|_| format!("SLO `{text}`: `{right}` is not a number"))?;
        if !limit.is_finite() {
            return Err(format!(
                "SLO `{text}`: the limit `{right}` is not a finite number"
            ));
        }
        let (selector_text, metric_text) = left.split_once('.').ok_or_else(|| {
            format!("SLO `{text}`: write `<operation>.<metric>`, e.g. create.p99_ms")
        })?;
        let (selector, metric) = match selector_text {
            "errors" => (
                OpSelector::All,
                parse_metric(&format!("error_{metric_text}")),
            ),
            "throttles" | "throttled" => (
                OpSelector::All,
                parse_metric(&format!("throttle_{metric_text}")),
            ),
            other => (
                other
                    .parse()
                    .map_err(|err| format!("SLO `{text}`: {err}"))?,
                parse_metric(metric_text),
            ),
        };
        let metric = metric.ok_or_else(|| {
            format!(
                "SLO `{text}`: unknown metric `{metric_text}` (use p50_ms, p90_ms, p99_ms, p99.9_ms, \
                 max_ms, mean_ms, service_p99_ms, rps, error_rate, errors, throttled; or errors.rate)"
            )
        })?;
        Ok(Slo {
            text: text.trim().to_string(),
            selector,
            metric,
            comparator,
            limit,
        })
    }
}

fn parse_metric(text: &str) -> Option<Metric> {
    let (service, latency) = match text.strip_prefix("service_") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let quantile = match latency {
        "p50_ms" => Some(Quantile::P50),
        "p90_ms" => Some(Quantile::P90),
        "p99_ms" => Some(Quantile::P99),
        "p99.9_ms" | "p999_ms" => Some(Quantile::P999),
        "max_ms" => Some(Quantile::Max),
        "mean_ms" => Some(Quantile::Mean),
        _ => None,
    };
    if let Some(quantile) = quantile {
        return Some(Metric::LatencyMs { quantile, service });
    }
    match text {
        "rps" => Some(Metric::Rps),
        "error_rate" => Some(Metric::ErrorRate),
        "errors" | "error_count" => Some(Metric::Errors),
        "throttle_rate" => Some(Metric::ThrottleRate),
        "throttled" | "throttle_count" => Some(Metric::Throttled),
        _ => None,
    }
}

impl Slo {
    /// The measured value of this SLO's metric.
    pub fn measure(&self, measurements: &Measurements) -> f64 {
        let totals: OpTotals = measurements.selected(|kind| self.selector.includes(kind));
        let requests = totals.requests();
        let ratio = |count: u64| {
            if requests == 0 {
                0.0
            } else {
                count as f64 / requests as f64
            }
        };
        match self.metric {
            Metric::LatencyMs { quantile, service } => {
                let histogram = if service {
                    &totals.service
                } else {
                    &totals.latency
                };
                let percentiles = Percentiles::of(histogram);
                match quantile {
                    Quantile::P50 => percentiles.p50,
                    Quantile::P90 => percentiles.p90,
                    Quantile::P99 => percentiles.p99,
                    Quantile::P999 => percentiles.p99_9,
                    Quantile::Max => percentiles.max,
                    Quantile::Mean => percentiles.mean,
                }
            }
            Metric::Rps => measurements.rate(requests),
            Metric::ErrorRate => ratio(totals.errors),
            Metric::Errors => totals.errors as f64,
            Metric::ThrottleRate => ratio(totals.throttled),
            Metric::Throttled => totals.throttled as f64,
        }
    }

    /// Judges this SLO. A latency SLO over zero requests fails: nothing was shown to be fast.
    pub fn judge(&self, measurements: &Measurements) -> SloVerdict {
        let measured = self.measure(measurements);
        let is_latency = matches!(self.metric, Metric::LatencyMs { .. });
        let requests = measurements
            .selected(|kind| self.selector.includes(kind))
            .requests();
        let passed = self.comparator.holds(measured, self.limit) && !(is_latency && requests == 0);
        let detail = if passed {
            String::new()
        } else if is_latency && requests == 0 {
            format!(
                "{} breached: no `{}` requests were measured",
                self.text, self.selector
            )
        } else {
            let over = if self.limit != 0.0 {
                format!(
                    ", {:.1}% off the limit",
                    (measured - self.limit).abs() / self.limit.abs() * 100.0
                )
            } else {
                String::new()
            };
            format!(
                "{} breached: measured {measured:.3} against a limit of {}{over}",
                self.text, self.limit
            )
        };
        SloVerdict {
            slo: self.text.clone(),
            measured,
            limit: self.limit,
            passed,
            detail,
        }
    }
}

impl fmt::Display for Slo {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::load::measure::record_clamped;
    use crate::load::ops::OpKind;

    fn measured(create_ms: &[u64], errors: u64) -> Measurements {
        let mut measurements = Measurements::new(0.0, Duration::from_secs(1));
        measurements.elapsed = Duration::from_secs(2);
        let totals = measurements.totals.entry(OpKind::Create).or_default();
        for millis in create_ms {
            record_clamped(&mut totals.latency, Duration::from_millis(*millis));
        }
        totals.errors = errors;
        measurements
    }

    #[test]
    fn a_limit_that_is_not_a_finite_number_is_refused() {
        for text in [
            "errors.rate<NaN",
            "create.p99_ms<inf",
            "create.p99_ms<-infms",
        ] {
            let err = text.parse::<Slo>().expect_err(text);
            assert!(err.contains("not a finite number"), "{text}: {err}");
        }
    }

    #[test]
    fn the_issue_examples_parse() {
        let create: Slo = "create.p99_ms<300".parse().unwrap();
        assert_eq!(create.selector, OpSelector::One(OpKind::Create));
        let write: Slo = "write.p99_ms < 150".parse().unwrap();
        assert_eq!(write.selector, OpSelector::Write);
        let errors: Slo = "errors.rate<0.01".parse().unwrap();
        assert_eq!(
            (errors.selector, errors.metric),
            (OpSelector::All, Metric::ErrorRate)
        );
        let tail: Slo = "lookup.p99.9_ms<=50".parse().unwrap();
        assert_eq!(tail.comparator, Comparator::LessOrEqual);
    }

    #[test]
    fn a_breach_says_what_was_measured_and_by_how_much() {
        let verdict = "create.p99_ms<300"
            .parse::<Slo>()
            .unwrap()
            .judge(&measured(&[400; 10], 0));
        assert!(!verdict.passed);
        assert!(
            verdict.detail.contains("measured 400."),
            "{}",
            verdict.detail
        );
        assert!(verdict.detail.contains("33.4% off"), "{}", verdict.detail);
    }

    #[test]
    fn the_error_rate_counts_failed_operations() {
        let slo: Slo = "errors.rate<0.01".parse().unwrap();
        assert!(slo.judge(&measured(&[1; 100], 0)).passed);
        assert!(!slo.judge(&measured(&[1; 100], 2)).passed);
    }

    #[test]
    fn a_latency_slo_over_no_requests_fails() {
        let verdict = "put.p99_ms<300"
            .parse::<Slo>()
            .unwrap()
            .judge(&measured(&[1], 0));
        assert!(!verdict.passed && verdict.detail.contains("no `put` requests"));
    }

    #[test]
    fn nonsense_is_refused_with_a_hint() {
        assert!("create.p99_ms"
            .parse::<Slo>()
            .unwrap_err()
            .contains("no comparison"));
        assert!("create.p42<3"
            .parse::<Slo>()
            .unwrap_err()
            .contains("unknown metric"));
        assert!("frobnicate.p99_ms<3"
            .parse::<Slo>()
            .unwrap_err()
            .contains("unknown operation"));
    }
}
