//! HTTP-date parsing (RFC 9110 section 5.6.7) and ISO 8601 formatting of Unix times.

use super::text::{parse_uint, push_uint, split_byte};
use crate::prelude::*;

/// Days from 1970-01-01 to the given proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, u32::try_from(month).unwrap_or(1), u32::try_from(day).unwrap_or(1))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let lower = name.to_ascii_lowercase();
    MONTHS.iter().position(|m| *m == lower).and_then(|i| u32::try_from(i + 1).ok())
}

/// `min_len` to `max_len` (at most 4) decimal digits.
fn digits(s: &str, min_len: usize, max_len: usize) -> Option<u32> {
    if s.len() < min_len || s.len() > max_len {
        return None;
    }
    parse_uint(s).map(|n| n as u32)
}

/// `hh:mm:ss` as seconds into the day.
fn time_of_day(s: &str) -> Option<i64> {
    let mut parts = split_byte(s, b':');
    let h = digits(parts.next()?, 2, 2)?;
    let m = digits(parts.next()?, 2, 2)?;
    let sec = digits(parts.next()?, 2, 2)?;
    if parts.next().is_some() || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    Some(i64::from(h * 3600 + m * 60 + sec))
}

fn to_ms(year: i64, month: u32, day: u32, seconds: i64) -> Option<f64> {
    if !(1..=9999).contains(&year) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + seconds;
    Some(secs as f64 * 1000.0)
}

/// Parses an HTTP-date in any of its three forms into milliseconds since the Unix epoch:
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`,
/// two-digit years 70-99 meaning 19xx and 00-69 meaning 20xx) and asctime
/// (`Sun Nov  6 08:49:37 1994`). Day names are not checked against the date.
pub fn parse_http_date(value: &str) -> Option<f64> {
    let tokens: Vec<&str> = value.split_ascii_whitespace().collect();
    match tokens.as_slice() {
        [wday, day, month, year, time, gmt] if wday.ends_with(',') && gmt.eq_ignore_ascii_case("GMT") => {
            to_ms(digits(year, 4, 4)?.into(), month_number(month)?, digits(day, 2, 2)?, time_of_day(time)?)
        }
        [wday, date, time, gmt] if wday.ends_with(',') && gmt.eq_ignore_ascii_case("GMT") => {
            let mut parts = split_byte(date, b'-');
            let day = digits(parts.next()?, 2, 2)?;
            let month = month_number(parts.next()?)?;
            let yy = i64::from(digits(parts.next()?, 2, 2)?);
            if parts.next().is_some() {
                return None;
            }
            let year = if yy < 70 { 2000 + yy } else { 1900 + yy };
            to_ms(year, month, day, time_of_day(time)?)
        }
        [_wday, month, day, time, year] => {
            to_ms(digits(year, 4, 4)?.into(), month_number(month)?, digits(day, 1, 2)?, time_of_day(time)?)
        }
        _ => None,
    }
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`; `None` outside years 1-9999.
pub fn format_iso8601(unix_seconds: i64) -> Option<String> {
    const MIN: i64 = -62_135_596_800;
    const MAX: i64 = 253_402_300_799;
    if !(MIN..=MAX).contains(&unix_seconds) {
        return None;
    }
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut out = String::with_capacity(20);
    // Years 1 to 9999 and the seconds of a day are not negative.
    let fields = [(y, 4, '-'), (m.into(), 2, '-'), (d.into(), 2, 'T'), (secs / 3600, 2, ':'), (secs / 60 % 60, 2, ':')];
    for (n, width, separator) in fields {
        push_uint(&mut out, n as u64, width);
        out.push(separator);
    }
    push_uint(&mut out, (secs % 60) as u64, 2);
    out.push('Z');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_6_1994: f64 = 784_111_777_000.0;

    #[test]
    fn three_forms() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(NOV_6_1994));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(NOV_6_1994));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(NOV_6_1994));
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0.0));
        assert_eq!(parse_http_date("Sun, 01 Feb 2026 00:00:00 GMT"), Some(1_769_904_000_000.0));
        assert_eq!(parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT"), Some(1_709_251_199_000.0));
        assert_eq!(parse_http_date("Monday, 01-Jan-30 00:00:00 GMT"), Some(1_893_456_000_000.0));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 29 Feb 2023 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1994 08:49:37:00 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 0000 08:49:37 GMT",
            "120",
            "Sun, +6 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun Nov 6 08:49:37 94",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn iso_formatting() {
        assert_eq!(format_iso8601(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(format_iso8601(1_688_169_599).as_deref(), Some("2023-06-30T23:59:59Z"));
        assert_eq!(format_iso8601(-1).as_deref(), Some("1969-12-31T23:59:59Z"));
        assert_eq!(format_iso8601(253_402_300_799).as_deref(), Some("9999-12-31T23:59:59Z"));
        assert_eq!(format_iso8601(-62_135_596_800).as_deref(), Some("0001-01-01T00:00:00Z"));
        assert_eq!(format_iso8601(i64::MAX), None);
        assert_eq!(format_iso8601(i64::MIN), None);
    }

    #[test]
    fn round_trip_days() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
