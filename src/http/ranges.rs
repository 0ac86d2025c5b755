//! The accepted range of every numeric option, checked when a client is created or a call
//! starts, so that a value out of range is a `TypeError` naming the field instead of a
//! misbehaving call (a `setTimeout` delay above 2^31 - 1 ms fires at once; a huge count
//! saturates a conversion).

use crate::prelude::*;
use core::fmt;

use super::text::decimal;

/// The largest delay `setTimeout` honours, in milliseconds (2^31 - 1, about 24.8 days).
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// The decoder's cap on a record's decoded size, in bytes (512 MiB).
pub const MAX_RECORD_BYTES: f64 = 536_870_912.0;

/// A closed range of accepted values for one option.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// The option as JavaScript callers spell it.
    pub field: &'static str,
    pub min: f64,
    pub max: f64,
    /// Whether only whole numbers are accepted.
    pub whole: bool,
}

/// `timeoutMs`: 0 (no timeout) to the longest timer delay.
pub const TIMEOUT_MS: Range = Range { field: "timeoutMs", min: 0.0, max: MAX_TIMER_MS, whole: false };
/// `retries`: further attempts after a retryable failure.
pub const RETRIES: Range = Range { field: "retries", min: 0.0, max: 100.0, whole: true };
/// `rateLimit.tier1`: requests per window.
pub const TIER1: Range = Range { field: "rateLimit.tier1", min: 1.0, max: 1_000_000.0, whole: true };
/// `rateLimit.tier2`: requests per window.
pub const TIER2: Range = Range { field: "rateLimit.tier2", min: 1.0, max: 1_000_000.0, whole: true };
/// `rateLimit.windowMs`: the window, which is also the longest single rate-limit wait.
pub const WINDOW_MS: Range = Range { field: "rateLimit.windowMs", min: 1.0, max: MAX_TIMER_MS, whole: true };
/// `batchRows`: rows per batch.
pub const BATCH_ROWS: Range = Range { field: "batchRows", min: 1.0, max: 10_000_000.0, whole: true };
/// `maxRowBytes`: the largest record, up to the decoder's cap.
pub const MAX_ROW_BYTES: Range = Range { field: "maxRowBytes", min: 1.0, max: MAX_RECORD_BYTES, whole: true };
/// `maxColumns`: the most fields in a record (the header included). A large value lets a
/// hostile header exhaust wasm32's 4 GiB of memory: the call then fails with the module, which
/// the package replaces by a fresh instance.
pub const MAX_COLUMNS: Range = Range { field: "maxColumns", min: 1.0, max: 4_294_967_295.0, whole: true };

/// A value outside its option's range.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeError {
    pub range: Range,
}

impl RangeError {
    /// `` `<field>` must be <a number or a whole number> from <min> to <max> ``.
    pub fn message(&self) -> String {
        let r = &self.range;
        let kind = if r.whole { "a whole number" } else { "a number" };
        ["`", r.field, "` must be ", kind, " from ", &decimal(r.min), " to ", &decimal(r.max)].concat()
    }
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for RangeError {}

impl Range {
    /// `value` when it lies in the range (and is whole where required); NaN and infinities
    /// never do.
    pub fn check(&self, value: f64) -> Result<f64, RangeError> {
        let ok =
            value.is_finite() && value >= self.min && value <= self.max && (!self.whole || libm::trunc(value) == value);
        if ok {
            Ok(value)
        } else {
            Err(RangeError { range: *self })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Range; 8] = [TIMEOUT_MS, RETRIES, TIER1, TIER2, WINDOW_MS, BATCH_ROWS, MAX_ROW_BYTES, MAX_COLUMNS];

    #[test]
    fn bounds_are_inclusive() {
        for r in ALL {
            assert_eq!(r.check(r.min), Ok(r.min), "{}", r.field);
            assert_eq!(r.check(r.max), Ok(r.max), "{}", r.field);
            assert!(r.check(r.max + 1.0).is_err(), "{}", r.field);
            assert!(r.check(r.min - 1.0).is_err(), "{}", r.field);
            for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                assert!(r.check(bad).is_err(), "{} {bad}", r.field);
            }
        }
    }

    #[test]
    fn whole_numbers_where_required() {
        assert!(RETRIES.check(1.5).is_err());
        assert!(BATCH_ROWS.check(10.25).is_err());
        assert_eq!(TIMEOUT_MS.check(1.5), Ok(1.5));
    }

    #[test]
    fn timer_delays_stay_within_set_timeout() {
        assert!(TIMEOUT_MS.check(2f64.powi(31)).is_err());
        assert!(WINDOW_MS.check(2f64.powi(31)).is_err());
        assert_eq!(TIMEOUT_MS.max, 2f64.powi(31) - 1.0);
        assert_eq!(MAX_ROW_BYTES.max, f64::from(1u32 << 29));
    }

    #[test]
    fn message_names_the_field_and_range() {
        let e = TIMEOUT_MS.check(-1.0).unwrap_err();
        assert_eq!(e.to_string(), "`timeoutMs` must be a number from 0 to 2147483647");
        let e = TIER1.check(0.0).unwrap_err();
        assert_eq!(e.to_string(), "`rateLimit.tier1` must be a whole number from 1 to 1000000");
    }
}
