//! SCIM `dateTime` values (RFC 7643 §2.3.5: xsd:dateTime, e.g. `2008-01-23T04:56:22Z`) as
//! comparable instants, so that `meta.lastModified gt "2011-05-13T04:42:34Z"` orders by time
//! even when offsets or fractional digits differ.
//!
//! Accepted: `[-]YYYY-MM-DDThh:mm:ss[.fraction][Z|±hh:mm]`, `t`/`z` in either case. A value with
//! no offset is taken as UTC (xsd leaves it "local"; a server has no better choice).

use std::cmp::Ordering;

/// A point in time: seconds since 1970-01-01T00:00:00Z plus nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    pub seconds: i64,
    pub nanos: u32,
}

/// Parses an xsd:dateTime; `None` if `text` is not one.
pub fn parse_datetime(text: &str) -> Option<Instant> {
    if !text.is_ascii() {
        return None;
    }
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let bytes = text.as_bytes();
    let dash = text.find('-')?;
    if dash < 4 || bytes.len() < dash + 15 {
        return None;
    }
    let year = number(&text[..dash])? as i64;
    let year = if negative { -year } else { year };
    let rest = &text[dash..];
    let rb = rest.as_bytes();
    let separators_ok = rb[0] == b'-'
        && rb[3] == b'-'
        && matches!(rb[6], b'T' | b't')
        && rb[9] == b':'
        && rb[12] == b':';
    if !separators_ok {
        return None;
    }
    let month = number(&rest[1..3])?;
    let day = number(&rest[4..6])?;
    let hour = number(&rest[7..9])?;
    let minute = number(&rest[10..12])?;
    let second = number(&rest[13..15])?;
    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && (hour < 24 || (hour == 24 && minute == 0 && second == 0))
        && minute < 60
        && second < 60;
    if !valid {
        return None;
    }
    let (nanos, zone) = fraction(&rest[15..])?;
    let offset_seconds = offset(zone)?;
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_seconds;
    Some(Instant { seconds, nanos })
}

/// Compares two strings as dateTimes; `None` unless both are dateTimes.
pub fn cmp_datetimes(a: &str, b: &str) -> Option<Ordering> {
    Some(parse_datetime(a)?.cmp(&parse_datetime(b)?))
}

/// A run of ASCII digits as a number (no sign, no spaces).
fn number(digits: &str) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `.fraction` (optional) at the start of `text`: nanoseconds and the rest of the text.
fn fraction(text: &str) -> Option<(u32, &str)> {
    let Some(digits_and_rest) = text.strip_prefix('.') else {
        return Some((0, text));
    };
    let end = digits_and_rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits_and_rest.len());
    if end == 0 {
        return None;
    }
    let digits = &digits_and_rest[..end];
    let mut nanos = 0u32;
    for (index, digit) in digits.bytes().take(9).enumerate() {
        nanos += u32::from(digit - b'0') * 10u32.pow(8 - index as u32);
    }
    Some((nanos, &digits_and_rest[end..]))
}

/// The zone suffix as seconds east of UTC: empty or `Z` → 0, `+hh:mm` / `-hh:mm`.
fn offset(zone: &str) -> Option<i64> {
    match zone {
        "" | "Z" | "z" => Some(0),
        _ => {
            let bytes = zone.as_bytes();
            if bytes.len() != 6 || bytes[3] != b':' {
                return None;
            }
            let sign = match bytes[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hours = number(&zone[1..3])?;
            let minutes = number(&zone[4..6])?;
            if hours > 14 || minutes > 59 {
                return None;
            }
            Some(sign * i64::from(hours * 3600 + minutes * 60))
        }
    }
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_epoch_and_a_known_date_convert_exactly() {
        assert_eq!(
            parse_datetime("1970-01-01T00:00:00Z"),
            Some(Instant {
                seconds: 0,
                nanos: 0
            })
        );
        assert_eq!(
            parse_datetime("2011-05-13T04:42:34Z").map(|i| i.seconds),
            Some(1_305_261_754)
        );
    }

    #[test]
    fn offsets_and_fractions_are_applied() {
        assert_eq!(
            cmp_datetimes("2011-05-13T06:42:34+02:00", "2011-05-13T04:42:34Z"),
            Some(Ordering::Equal)
        );
        assert_eq!(
            cmp_datetimes("2011-05-13T04:42:34.5Z", "2011-05-13T04:42:34.499999Z"),
            Some(Ordering::Greater)
        );
        assert_eq!(
            parse_datetime("2011-05-13t04:42:34.123z").map(|i| i.nanos),
            Some(123_000_000)
        );
    }

    #[test]
    fn leap_days_are_valid_only_in_leap_years() {
        assert!(parse_datetime("2024-02-29T00:00:00Z").is_some());
        assert!(parse_datetime("2000-02-29T00:00:00Z").is_some());
        assert!(parse_datetime("1900-02-29T00:00:00Z").is_none());
        assert!(parse_datetime("2023-02-29T00:00:00Z").is_none());
    }

    #[test]
    fn text_that_is_not_a_datetime_is_refused() {
        for bad in [
            "",
            "2011",
            "2011-05-13",
            "2011-13-01T00:00:00Z",
            "2011-05-13T25:00:00Z",
            "2011-05-13T04:42:34+2:00",
            "2011-05-13T04:42:34.Z",
            "2011-05-13 04:42:34Z",
            "yyyy-05-13T04:42:34Z",
            "2011-05-13T04:42:34Zjunk",
            "2011-é5-13T04:42:34Z",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }
}
