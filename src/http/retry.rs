//! Retry policy: whether and when to send a failed request again. A request is only ever
//! retried before any byte of its answer's body was handed on (the binding asks before that).
//!
//! - 429 and 503 (the server did not act on the request): wait the server's `retry-after`
//!   when given, capped at [`MAX_RETRY_AFTER_MS`]; otherwise exponential backoff.
//! - 502 and 504 (a gateway failed, the server may or may not have acted) and a network
//!   failure before any response: exponential backoff, only when resending is safe: the
//!   request is a `GET` (idempotent), or it was provably not sent (e.g. the CSRF token it
//!   needed could not be fetched).
//! - Any other status: give up.
//! - Give up once `attempt > retries`, and when the pause would reach the idle timeout (which
//!   would end it): the caller gets the server's answer at once.
//!
//! Exponential backoff uses "equal jitter": with `d = min(max_delay_ms, base_delay_ms *
//! 2^(attempt-1))` the delay is uniform in `[d/2, d)`, so every retry waits at least half the
//! nominal delay while concurrent clients still spread out.

/// The longest `retry-after` honoured, in milliseconds. The API's rate-limit windows are one
/// minute long, so a legitimate value stays below it; a larger one is cut to this.
pub const MAX_RETRY_AFTER_MS: f64 = 120_000.0;

/// What went wrong with an attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// The server answered with an error status; `retry_after` in seconds.
    Status { status: u16, retry_after: Option<f64> },
    /// No response: the connection failed before any response arrived.
    Network,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// Wait `delay_ms` (finite, non-negative), then send again.
    RetryAfter { delay_ms: f64 },
    /// Report the failure.
    GiveUp,
}

/// When and how often to retry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Further attempts after the first.
    pub retries: u32,
    /// The nominal delay before the first retry, in milliseconds.
    pub base_delay_ms: f64,
    /// The largest nominal backoff delay, in milliseconds.
    pub max_delay_ms: f64,
    /// The call's idle timeout in milliseconds (0: none): a pause this long or longer is not
    /// taken.
    pub timeout_ms: f64,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy { retries: 3, base_delay_ms: 500.0, max_delay_ms: 30_000.0, timeout_ms: 0.0 }
    }
}

/// `x` when positive (`+inf` included), otherwise 0 (NaN included).
fn non_negative(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

impl RetryPolicy {
    /// The nominal (unjittered) backoff delay after failed attempt `attempt` (1-based).
    pub fn nominal_delay_ms(&self, attempt: u32) -> f64 {
        let base = non_negative(self.base_delay_ms);
        let max = non_negative(self.max_delay_ms);
        if base == 0.0 || max == 0.0 {
            return 0.0;
        }
        let exponent = attempt.saturating_sub(1).min(62);
        (base * (1u64 << exponent) as f64).min(max)
    }

    /// The jittered backoff delay after failed attempt `attempt`, uniform in
    /// `[d/2, d)` for the nominal delay `d`; `random` is clamped into `[0, 1)`.
    #[inline(never)]
    pub fn backoff_ms(&self, attempt: u32, random: f64) -> f64 {
        let r = if random.is_finite() { random.clamp(0.0, 1.0 - f64::EPSILON) } else { 0.0 };
        let d = self.nominal_delay_ms(attempt);
        d / 2.0 + r * (d / 2.0)
    }

    /// Decides what to do after attempt `attempt` (1-based; 0 counts as 1) failed with
    /// `fault`. `resend_safe` tells whether sending the request again cannot repeat an
    /// effect: a `GET`, or a request that was provably not sent. `random` is a uniform sample
    /// in `[0, 1)` from the caller (`Math.random()`).
    pub fn decide(&self, attempt: u32, fault: Fault, resend_safe: bool, random: f64) -> Decision {
        let attempt = attempt.max(1);
        if attempt > self.retries {
            return Decision::GiveUp;
        }
        let delay_ms = match fault {
            Fault::Status { status: 429 | 503, retry_after: Some(secs) } if secs.is_finite() && secs >= 0.0 => {
                (secs * 1000.0).min(MAX_RETRY_AFTER_MS)
            }
            Fault::Status { status: 429 | 503, .. } => self.backoff_ms(attempt, random),
            Fault::Status { status: 502 | 504, .. } | Fault::Network if resend_safe => self.backoff_ms(attempt, random),
            Fault::Network | Fault::Status { .. } => return Decision::GiveUp,
        };
        let timeout = non_negative(self.timeout_ms);
        if delay_ms.is_finite() && delay_ms >= 0.0 && (timeout == 0.0 || delay_ms < timeout) {
            Decision::RetryAfter { delay_ms }
        } else {
            Decision::GiveUp
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delay(d: Decision) -> f64 {
        match d {
            Decision::RetryAfter { delay_ms } => delay_ms,
            Decision::GiveUp => panic!("expected a retry"),
        }
    }

    const RANDOMS: [f64; 6] = [0.0, 0.1, 0.5, 0.9, 0.999_999, 1.0 - f64::EPSILON];

    #[test]
    fn defaults() {
        let p = RetryPolicy::default();
        assert_eq!(p.retries, 3);
        assert_eq!(p.base_delay_ms, 500.0);
        assert_eq!(p.max_delay_ms, 30_000.0);
        assert_eq!(p.timeout_ms, 0.0);
    }

    #[test]
    fn rate_limited_with_retry_after() {
        let p = RetryPolicy::default();
        let f = |secs| Fault::Status { status: 429, retry_after: Some(secs) };
        assert_eq!(p.decide(1, f(7.0), true, 0.3), Decision::RetryAfter { delay_ms: 7000.0 });
        assert_eq!(p.decide(3, f(1.5), true, 0.9), Decision::RetryAfter { delay_ms: 1500.0 });
        assert_eq!(p.decide(1, f(0.0), true, 0.9), Decision::RetryAfter { delay_ms: 0.0 });
        assert_eq!(p.decide(1, f(86_400.0), true, 0.0), Decision::RetryAfter { delay_ms: MAX_RETRY_AFTER_MS });
        assert_eq!(p.decide(1, f(f64::INFINITY), true, 0.0), Decision::RetryAfter { delay_ms: 250.0 });
        assert_eq!(p.decide(1, f(-5.0), true, 0.0), Decision::RetryAfter { delay_ms: 250.0 });
        assert_eq!(p.decide(1, f(f64::NAN), true, 0.0), Decision::RetryAfter { delay_ms: 250.0 });
        assert_eq!(p.decide(4, f(7.0), true, 0.3), Decision::GiveUp);
    }

    #[test]
    fn backoff_with_equal_jitter() {
        let p = RetryPolicy { retries: 10, ..RetryPolicy::default() };
        for status in [429, 503] {
            for attempt in 1..=10u32 {
                let nominal = (500.0 * 2f64.powi(attempt as i32 - 1)).min(30_000.0);
                assert_eq!(p.nominal_delay_ms(attempt), nominal);
                for r in RANDOMS {
                    let d = delay(p.decide(attempt, Fault::Status { status, retry_after: None }, true, r));
                    assert!(d >= nominal / 2.0 && d < nominal, "status {status} attempt {attempt} r {r}: {d}");
                }
                let lo = delay(p.decide(attempt, Fault::Status { status, retry_after: None }, true, 0.0));
                assert_eq!(lo, nominal / 2.0);
            }
        }
        assert_eq!(p.backoff_ms(1, -3.0), 250.0);
        assert_eq!(p.backoff_ms(1, f64::NAN), 250.0);
        assert!(p.backoff_ms(1, 7.0) < 500.0);
        assert_eq!(p.nominal_delay_ms(0), 500.0);
        assert_eq!(p.nominal_delay_ms(u32::MAX), 30_000.0);
    }

    #[test]
    fn service_unavailable_honours_retry_after() {
        let p = RetryPolicy::default();
        let f = Fault::Status { status: 503, retry_after: Some(2.0) };
        assert_eq!(p.decide(2, f, true, 0.7), Decision::RetryAfter { delay_ms: 2000.0 });
    }

    #[test]
    fn other_statuses_give_up() {
        let p = RetryPolicy { retries: 10, ..RetryPolicy::default() };
        for status in [400, 401, 403, 404, 409, 500, 501, 505, 200, 0] {
            for retry_after in [None, Some(1.0)] {
                for safe in [true, false] {
                    let f = Fault::Status { status, retry_after };
                    assert_eq!(p.decide(1, f, safe, 0.5), Decision::GiveUp, "{status}");
                }
            }
        }
    }

    #[test]
    fn gateway_errors_and_network_failures_only_when_resending_is_safe() {
        let p = RetryPolicy::default();
        for failure in [
            Fault::Network,
            Fault::Status { status: 502, retry_after: None },
            Fault::Status { status: 504, retry_after: Some(9.0) },
        ] {
            assert_eq!(p.decide(1, failure, false, 0.5), Decision::GiveUp, "{failure:?}");
            let d = delay(p.decide(1, failure, true, 0.5));
            assert!((250.0..500.0).contains(&d), "{failure:?}: {d}");
            let d = delay(p.decide(3, failure, true, 0.0));
            assert_eq!(d, 1000.0, "same budget and backoff as 503");
            assert_eq!(p.decide(4, failure, true, 0.5), Decision::GiveUp);
        }
        // 429 and 503: the server did not act on the request, so any request is retried.
        for status in [429, 503] {
            assert_ne!(p.decide(1, Fault::Status { status, retry_after: None }, false, 0.5), Decision::GiveUp);
        }
    }

    #[test]
    fn a_pause_the_timeout_would_end_is_not_taken() {
        let p = RetryPolicy { timeout_ms: 5000.0, ..RetryPolicy::default() };
        let limited = |secs| Fault::Status { status: 429, retry_after: Some(secs) };
        assert_eq!(p.decide(1, limited(4.0), true, 0.5), Decision::RetryAfter { delay_ms: 4000.0 });
        assert_eq!(p.decide(1, limited(5.0), true, 0.5), Decision::GiveUp);
        assert_eq!(p.decide(1, limited(60.0), true, 0.5), Decision::GiveUp);
        let short = RetryPolicy { timeout_ms: 100.0, ..RetryPolicy::default() };
        assert_eq!(short.decide(1, Fault::Network, true, 0.5), Decision::GiveUp, "backoff 375 ms");
        let none = RetryPolicy { timeout_ms: 0.0, ..RetryPolicy::default() };
        assert_eq!(none.decide(1, limited(60.0), true, 0.5), Decision::RetryAfter { delay_ms: 60_000.0 });
    }

    #[test]
    fn attempt_limits() {
        let busy = Fault::Status { status: 503, retry_after: None };
        for retries in 0..6u32 {
            let p = RetryPolicy { retries, ..RetryPolicy::default() };
            let allowed = (1..=20).filter(|&a| p.decide(a, busy, true, 0.5) != Decision::GiveUp).count();
            assert_eq!(allowed as u32, retries);
            for a in 1..=retries {
                assert_ne!(p.decide(a, busy, true, 0.5), Decision::GiveUp);
            }
            assert_eq!(p.decide(retries + 1, busy, true, 0.5), Decision::GiveUp);
        }
        assert_eq!(RetryPolicy { retries: 0, ..RetryPolicy::default() }.decide(0, busy, true, 0.5), Decision::GiveUp);
        assert_eq!(
            RetryPolicy { retries: u32::MAX, ..RetryPolicy::default() }.decide(u32::MAX, busy, true, 0.5),
            Decision::RetryAfter { delay_ms: 22_500.0 }
        );
    }

    #[test]
    fn odd_configurations_stay_finite() {
        let busy = Fault::Status { status: 503, retry_after: None };
        for (base, max) in [(f64::NAN, 1000.0), (-1.0, 1000.0), (500.0, f64::NAN), (500.0, -1.0), (0.0, 0.0)] {
            let p = RetryPolicy { base_delay_ms: base, max_delay_ms: max, ..RetryPolicy::default() };
            assert_eq!(p.decide(1, busy, true, 0.5), Decision::RetryAfter { delay_ms: 0.0 }, "{base} {max}");
        }
        let p =
            RetryPolicy { base_delay_ms: 500.0, max_delay_ms: f64::INFINITY, retries: 100, ..RetryPolicy::default() };
        for attempt in [1, 50, 63, 64, 100] {
            let d = delay(p.decide(attempt, busy, true, 0.5));
            assert!(d.is_finite() && d >= 0.0, "{attempt}: {d}");
        }
        let p = RetryPolicy { base_delay_ms: f64::INFINITY, max_delay_ms: f64::INFINITY, ..RetryPolicy::default() };
        assert_eq!(p.decide(1, busy, true, 0.5), Decision::GiveUp);
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn retry_delays_are_bounded(
            attempt in 0u32..200,
            status in prop_oneof![Just(429u16), Just(503u16), Just(502u16), Just(504u16), any::<u16>()],
            retry_after in proptest::option::of(prop_oneof![any::<f64>(), 0.0f64..1e6]),
            network in any::<bool>(),
            resend_safe in any::<bool>(),
            timeout_ms in prop_oneof![Just(0.0f64), 1.0f64..200_000.0],
            random in any::<f64>(),
            retries in 0u32..10,
        ) {
            let policy = RetryPolicy { retries, timeout_ms, ..RetryPolicy::default() };
            let failure = if network { Fault::Network } else { Fault::Status { status, retry_after } };
            let not_acted_on = !network && (status == 429 || status == 503);
            let maybe_acted_on = network || status == 502 || status == 504;
            match policy.decide(attempt, failure, resend_safe, random) {
                Decision::RetryAfter { delay_ms } => {
                    prop_assert!(attempt <= retries);
                    prop_assert!(delay_ms.is_finite() && delay_ms >= 0.0);
                    prop_assert!(delay_ms <= policy.max_delay_ms.max(MAX_RETRY_AFTER_MS));
                    prop_assert!(timeout_ms == 0.0 || delay_ms < timeout_ms);
                    prop_assert!(not_acted_on || (maybe_acted_on && resend_safe));
                }
                Decision::GiveUp => prop_assert!(
                    attempt.max(1) > retries || !(not_acted_on || (maybe_acted_on && resend_safe)) || timeout_ms > 0.0
                ),
            }
        }
    }
}
