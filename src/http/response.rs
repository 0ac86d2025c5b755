//! Interpretation of response headers: `Retry-After`, `Deprecation` and `Sunset`.

use super::httpdate::{format_iso8601, parse_http_date};
use super::text::{find_all_str, parse_int, split_once_byte, trim_end_byte, truncated};
use crate::prelude::*;

/// Parses a `Retry-After` value given as delta-seconds: a non-negative decimal number,
/// integer or with a fraction (`120`, `1.5`), surrounding whitespace allowed. Signs,
/// exponents, a lone `.` and HTTP-dates give `None` (see [`parse_retry_after_at`]).
pub fn parse_retry_after(value: &str) -> Option<f64> {
    let v = value.trim();
    let (int, frac) = match split_once_byte(v, b'.') {
        Some((i, f)) => (i, Some(f)),
        None => (v, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return None;
    }
    // The digits as one integer over a power of ten: exact up to 15 significant digits and a
    // fraction of up to 22 digits (the division then rounds once, as `str::parse` would), and
    // close enough for a pause beyond that. `core`'s float parser is not needed for this.
    let fraction = trim_end_byte(frac.unwrap_or(""), b'0');
    let digits = int.bytes().chain(fraction.bytes());
    let mantissa = digits.fold(0.0, |n: f64, b| n * 10.0 + f64::from(b - b'0'));
    let scale = i32::try_from(fraction.len()).unwrap_or(i32::MAX);
    let secs =
        if scale <= 22 { mantissa / pow10(scale) } else { (22..scale).fold(mantissa / pow10(22), |v, _| v / 10.0) };
    secs.is_finite().then_some(secs)
}

/// 10^`n` for `n` in 0..=22, exactly (each product is a double).
fn pow10(n: i32) -> f64 {
    (0..n).fold(1.0, |p, _| p * 10.0)
}

/// Parses a `Retry-After` value given as delta-seconds or as an HTTP-date, the latter
/// relative to `now_ms` (milliseconds since the Unix epoch). A date in the past gives `0`.
pub fn parse_retry_after_at(value: &str, now_ms: f64) -> Option<f64> {
    if let Some(secs) = parse_retry_after(value) {
        return Some(secs);
    }
    if !now_ms.is_finite() {
        return None;
    }
    let at = parse_http_date(value.trim())?;
    Some(((at - now_ms) / 1000.0).max(0.0))
}

/// Extracts the wait from a rate-limit message such as "You need to wait 12 seconds before
/// retrying" (case-insensitive `wait <number> second`). Used when the `retry-after` header is
/// not readable, as happens cross-origin when the tenant does not expose it.
pub fn retry_after_from_text(text: &str) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    let wait = find_all_str(&lower, "wait").find_map(|i| {
        let rest = lower.get(i + "wait".len()..)?.trim_start();
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let (number, after) = rest.split_at_checked(end)?;
        if !after.trim_start().starts_with("second") {
            return None;
        }
        parse_retry_after(number)
    });
    wait
}

/// Longest header value quoted in a notice, in characters.
const NOTICE_VALUE_MAX_CHARS: usize = 200;

/// A header value fit for a log line: trimmed, control characters removed, shortened.
fn clean(value: Option<&str>) -> Option<String> {
    let v: String = value?.chars().filter(|c| !c.is_control()).collect();
    let v = v.trim();
    (!v.is_empty()).then(|| truncated(v, NOTICE_VALUE_MAX_CHARS))
}

/// A human-readable notice when a response carries a `Deprecation` or `Sunset` header
/// (blank values count as absent), e.g.
/// `This endpoint is deprecated (Deprecation: @1688169599 (2023-06-30T23:59:59Z); Sunset: Sun, 01 Feb 2026 00:00:00 GMT).`
/// A `Deprecation` value in the RFC 9745 form `@<unix seconds>` is followed by its date.
pub fn deprecation_notice(deprecation: Option<&str>, sunset: Option<&str>) -> Option<String> {
    let deprecation = clean(deprecation);
    let sunset = clean(sunset);
    if deprecation.is_none() && sunset.is_none() {
        return None;
    }
    let mut notice = String::from("This endpoint is deprecated (");
    if let Some(d) = &deprecation {
        notice.push_str("Deprecation: ");
        notice.push_str(d);
        if let Some(iso) = d.strip_prefix('@').and_then(parse_int).and_then(format_iso8601) {
            notice.push_str(" (");
            notice.push_str(&iso);
            notice.push(')');
        }
    }
    if let Some(s) = &sunset {
        if deprecation.is_some() {
            notice.push_str("; ");
        }
        notice.push_str("Sunset: ");
        notice.push_str(s);
    }
    notice.push_str(").");
    Some(notice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_seconds() {
        assert_eq!(parse_retry_after("120"), Some(120.0));
        assert_eq!(parse_retry_after(" 0 "), Some(0.0));
        assert_eq!(parse_retry_after("1.5"), Some(1.5));
        assert_eq!(parse_retry_after("007"), Some(7.0));
        for bad in [
            "",
            " ",
            "-1",
            "+5",
            "1e3",
            "inf",
            "NaN",
            ".5",
            "5.",
            "1.2.3",
            "5 s",
            "0x10",
            "Sun, 06 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(bad), None, "{bad:?}");
        }
        assert_eq!(parse_retry_after(&"9".repeat(400)), None);
        for v in ["0.5", "2.25", "30", "86400", "0.001", "123456789012345", "1.000000000000000000001"] {
            assert_eq!(parse_retry_after(v), v.parse().ok(), "{v}");
        }
        assert_eq!(parse_retry_after(&format!("1.{}", "0".repeat(400))), Some(1.0));
    }

    #[test]
    fn http_date_relative_to_now() {
        let now = 784_111_777_000.0;
        assert_eq!(parse_retry_after_at("Sun, 06 Nov 1994 08:50:07 GMT", now), Some(30.0));
        assert_eq!(parse_retry_after_at("Sun, 06 Nov 1994 08:49:00 GMT", now), Some(0.0));
        assert_eq!(parse_retry_after_at("45", now), Some(45.0));
        assert_eq!(parse_retry_after_at("garbage", now), None);
        assert_eq!(parse_retry_after_at("Sun, 06 Nov 1994 08:50:07 GMT", f64::NAN), None);
    }

    #[test]
    fn wait_from_text() {
        assert_eq!(retry_after_from_text("You need to wait 12 seconds before retrying."), Some(12.0));
        assert_eq!(retry_after_from_text("Please WAIT 1.5 second"), Some(1.5));
        assert_eq!(retry_after_from_text("wait for it; then wait 3 seconds"), Some(3.0));
        assert_eq!(retry_after_from_text("You need to wait a few seconds"), None);
        assert_eq!(retry_after_from_text("wait 3 minutes"), None);
        assert_eq!(retry_after_from_text("wait"), None);
        assert_eq!(retry_after_from_text("wait -3 seconds"), None);
        assert_eq!(retry_after_from_text("é wait 2 seconds é"), Some(2.0));
    }

    #[test]
    fn notices() {
        assert_eq!(deprecation_notice(None, None), None);
        assert_eq!(deprecation_notice(Some(" "), Some("")), None);
        assert_eq!(
            deprecation_notice(Some("@1688169599"), Some("Sun, 01 Feb 2026 00:00:00 GMT")).as_deref(),
            Some("This endpoint is deprecated (Deprecation: @1688169599 (2023-06-30T23:59:59Z); Sunset: Sun, 01 Feb 2026 00:00:00 GMT).")
        );
        assert_eq!(
            deprecation_notice(Some("true"), None).as_deref(),
            Some("This endpoint is deprecated (Deprecation: true).")
        );
        assert_eq!(
            deprecation_notice(None, Some("Sun, 01 Feb 2026 00:00:00 GMT")).as_deref(),
            Some("This endpoint is deprecated (Sunset: Sun, 01 Feb 2026 00:00:00 GMT).")
        );
        assert_eq!(
            deprecation_notice(Some("@99999999999999999999"), None).as_deref(),
            Some("This endpoint is deprecated (Deprecation: @99999999999999999999).")
        );
        let long = deprecation_notice(Some(&"x\n".repeat(1000)), None).unwrap();
        assert!(long.len() < 300 && !long.contains('\n'));
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn header_parsers_never_panic(value in "\\PC{0,40}", now in any::<f64>()) {
            if let Some(s) = parse_retry_after(&value) {
                prop_assert!(s.is_finite() && s >= 0.0);
            }
            if let Some(s) = parse_retry_after_at(&value, now) {
                prop_assert!(s.is_finite() && s >= 0.0);
            }
            let _ = parse_http_date(&value);
            let _ = deprecation_notice(Some(&value), Some(&value));
        }
    }
}
