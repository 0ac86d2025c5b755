//! Client-side rate limiting: a sliding-window log per host and tier, with time passed in.
//!
//! [`RateLimiter::acquire`] lets a caller send now when fewer than `limit` sends fall in the
//! window that ends now, and records the send; otherwise it records nothing and returns how
//! long to wait before asking again: until the oldest send in the window leaves it, which is
//! never longer than the window. Callers that wait and ask again can be served in any order;
//! a caller that gives up while waiting holds no slot.
//!
//! Time is a monotonic clock (`performance.now()` in the browser). Should it still go back, a
//! recorded send later than now counts as sent now, so no wait exceeds the window.

use crate::prelude::*;
use alloc::collections::VecDeque;

use super::endpoint::Tier;

/// A sliding-window limiter: at most `limit` sends in any `window_ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimiter {
    limit: u32,
    window_ms: f64,
    /// The times of the last (at most `limit`) sends, non-decreasing.
    sends: VecDeque<f64>,
}

impl RateLimiter {
    /// A limiter allowing `limit` sends per `window_ms`. A `limit` of 0, or a window that is
    /// not a positive finite number, disables limiting.
    pub fn new(limit: u32, window_ms: f64) -> RateLimiter {
        RateLimiter { limit, window_ms, sends: VecDeque::new() }
    }

    /// Whether the limiter lets everything through.
    fn is_disabled(&self) -> bool {
        self.limit == 0 || !(self.window_ms.is_finite() && self.window_ms > 0.0)
    }

    /// Records a send at `now_ms` and returns 0 when the window ending now has room; else
    /// records nothing and returns how long (ms) to wait before asking again, in
    /// `(0, window_ms]`. A non-finite `now_ms` records nothing and returns 0.
    pub fn acquire(&mut self, now_ms: f64) -> f64 {
        if self.is_disabled() || !now_ms.is_finite() {
            return 0.0;
        }
        // A clock that went back: sends recorded "later" count as sent now.
        // (By index: a deque's reversed iterator weighs more in the wasm module.)
        let mut i = self.sends.len();
        while let Some(t) = i.checked_sub(1).and_then(|last| self.sends.get_mut(last)) {
            if *t <= now_ms {
                break;
            }
            *t = now_ms;
            i -= 1;
        }
        while self.sends.front().is_some_and(|&t| t <= now_ms - self.window_ms) {
            self.sends.pop_front();
        }
        if self.sends.len() < self.limit as usize {
            self.sends.push_back(now_ms);
            return 0.0;
        }
        match self.sends.front() {
            // In (0, window]: the oldest send is in (now - window, now]. (`f64::clamp` would
            // bring float formatting into the wasm module for its assertion message.)
            Some(&oldest) => (oldest + self.window_ms - now_ms).max(f64::MIN_POSITIVE).min(self.window_ms),
            None => 0.0,
        }
    }

    /// The number of recorded sends kept (at most `limit`).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.sends.len()
    }
}

/// Requests allowed per window for each tier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitConfig {
    pub tier1: u32,
    pub tier2: u32,
    pub window_ms: f64,
}

impl Default for RateLimitConfig {
    /// The documented limits: tier 1 1000/min, tier 2 100/min.
    fn default() -> RateLimitConfig {
        RateLimitConfig {
            tier1: Tier::One.documented_limit_per_minute(),
            tier2: Tier::Two.documented_limit_per_minute(),
            window_ms: 60_000.0,
        }
    }
}

/// The two limiters of one host.
#[derive(Debug, Clone)]
struct HostLimiters {
    one: RateLimiter,
    two: RateLimiter,
}

/// One [`RateLimiter`] per (host origin, tier), created on first use. A client talks to one
/// host: a list is searched (a hash map would add its code to the wasm module for nothing).
#[derive(Debug, Clone, Default)]
pub struct RateLimits {
    config: RateLimitConfig,
    hosts: Vec<(String, HostLimiters)>,
}

impl RateLimits {
    pub fn new(config: RateLimitConfig) -> RateLimits {
        RateLimits { config, hosts: Vec::new() }
    }

    /// Sends for `tier` on `origin` now, or says how long to wait; see [`RateLimiter::acquire`].
    pub fn acquire(&mut self, origin: &str, tier: Tier, now_ms: f64) -> f64 {
        let config = self.config;
        let index = match self.hosts.iter().position(|(o, _)| o == origin) {
            Some(i) => i,
            None => {
                let one = RateLimiter::new(config.tier1, config.window_ms);
                let two = RateLimiter::new(config.tier2, config.window_ms);
                self.hosts.push((origin.to_string(), HostLimiters { one, two }));
                self.hosts.len() - 1
            }
        };
        let Some((_, host)) = self.hosts.get_mut(index) else { return 0.0 };
        match tier {
            Tier::One => host.one.acquire(now_ms),
            Tier::Two => host.two.acquire(now_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that no half-open window of length `window` holds more than `limit` of `times`.
    fn assert_within_limit(times: &[f64], limit: usize, window: f64) {
        let mut sorted = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        for (i, &start) in sorted.iter().enumerate() {
            let in_window = sorted[i..].iter().take_while(|&&t| t < start + window).count();
            assert!(in_window <= limit, "{in_window} sends in [{start}, {})", start + window);
        }
    }

    /// Callers that each ask at `arrival`, wait what they are told and ask again; returns
    /// their send times. Simulated in time order, ties in arrival order.
    fn simulate(limiter: &mut RateLimiter, arrivals: &[f64]) -> Vec<f64> {
        let mut asking: Vec<f64> = arrivals.to_vec();
        let mut sends = vec![f64::NAN; arrivals.len()];
        let mut done = 0;
        while done < arrivals.len() {
            let (i, &now) = asking
                .iter()
                .enumerate()
                .filter(|(i, _)| sends[*i].is_nan())
                .min_by(|a, b| a.1.total_cmp(b.1))
                .unwrap();
            let wait = limiter.acquire(now);
            assert!(wait >= 0.0 && wait <= limiter.window_ms, "wait {wait}");
            if wait == 0.0 {
                sends[i] = now;
                done += 1;
            } else {
                asking[i] = now + wait;
            }
        }
        sends
    }

    #[test]
    fn zero_wait_under_the_limit() {
        let mut l = RateLimiter::new(3, 1000.0);
        for t in [0.0, 10.0, 20.0, 1000.0, 1010.0, 2500.0] {
            assert_eq!(l.acquire(t), 0.0, "{t}");
        }
    }

    #[test]
    fn waits_for_the_oldest_to_leave_the_window() {
        let mut l = RateLimiter::new(3, 1000.0);
        assert_eq!(l.acquire(0.0), 0.0);
        assert_eq!(l.acquire(100.0), 0.0);
        assert_eq!(l.acquire(200.0), 0.0);
        assert_eq!(l.acquire(300.0), 700.0);
        assert_eq!(l.acquire(300.0), 700.0, "a refused caller holds no slot");
        assert_eq!(l.acquire(1000.0), 0.0);
        assert_eq!(l.acquire(1000.0), 100.0);
        assert_eq!(l.acquire(5000.0), 0.0);
    }

    #[test]
    fn a_burst_is_spread_over_windows() {
        let mut l = RateLimiter::new(2, 1000.0);
        let mut sends = simulate(&mut l, &[0.0; 7]);
        sends.sort_by(f64::total_cmp);
        assert_eq!(sends, vec![0.0, 0.0, 1000.0, 1000.0, 2000.0, 2000.0, 3000.0]);
    }

    #[test]
    fn concurrent_bursts_never_exceed_the_limit() {
        for (limit, window) in [(1u32, 100.0), (3, 1000.0), (10, 60_000.0), (100, 60_000.0)] {
            let mut l = RateLimiter::new(limit, window);
            let mut arrivals = Vec::new();
            let mut now = 0.0;
            for round in 0..20u32 {
                for _ in 0..(round % 7) * limit / 2 + 1 {
                    arrivals.push(now);
                }
                now += window / 4.0 + 1.0;
            }
            let sends = simulate(&mut l, &arrivals);
            assert_within_limit(&sends, limit as usize, window);
            assert!(l.len() <= limit as usize);
        }
    }

    #[test]
    fn a_clock_that_goes_back_never_makes_a_wait_longer_than_the_window() {
        let mut l = RateLimiter::new(1, 1000.0);
        assert_eq!(l.acquire(3_600_000.0), 0.0);
        // The clock steps back an hour: the send an hour "ahead" counts as sent now.
        assert_eq!(l.acquire(0.0), 1000.0);
        assert_eq!(l.acquire(1000.0), 0.0);
        let mut l = RateLimiter::new(5, 60_000.0);
        for now in [10.0, 1e9, -1e9, 5.0, 1e12, 0.0, 3.0, 2.0, 1.0, 0.5] {
            let w = l.acquire(now);
            assert!((0.0..=60_000.0).contains(&w), "{now}: {w}");
        }
    }

    #[test]
    fn memory_is_bounded_by_limit() {
        let mut l = RateLimiter::new(5, 1000.0);
        for i in 0..10_000 {
            l.acquire(f64::from(i));
        }
        assert_eq!(l.len(), 5);
    }

    #[test]
    fn disabled_and_odd_inputs() {
        for mut l in [
            RateLimiter::new(0, 1000.0),
            RateLimiter::new(5, 0.0),
            RateLimiter::new(5, f64::NAN),
            RateLimiter::new(5, f64::INFINITY),
        ] {
            assert!(l.is_disabled());
            for _ in 0..100 {
                assert_eq!(l.acquire(0.0), 0.0);
            }
            assert_eq!(l.len(), 0);
        }
        let mut l = RateLimiter::new(1, 1000.0);
        assert_eq!(l.acquire(f64::NAN), 0.0);
        assert_eq!(l.acquire(f64::INFINITY), 0.0);
        assert_eq!(l.len(), 0);
    }

    #[test]
    fn per_host_and_tier() {
        let mut limits = RateLimits::new(RateLimitConfig { tier1: 2, tier2: 1, window_ms: 1000.0 });
        assert_eq!(limits.acquire("https://a", Tier::Two, 0.0), 0.0);
        assert_eq!(limits.acquire("https://a", Tier::Two, 0.0), 1000.0);
        assert_eq!(limits.acquire("https://a", Tier::One, 0.0), 0.0);
        assert_eq!(limits.acquire("https://a", Tier::One, 0.0), 0.0);
        assert_eq!(limits.acquire("https://a", Tier::One, 0.0), 1000.0);
        assert_eq!(limits.acquire("https://b", Tier::One, 0.0), 0.0);
        assert_eq!(limits.acquire("https://b", Tier::Two, 0.0), 0.0);
        assert_eq!(limits.acquire("https://a", Tier::Two, 999.0), 1.0);
    }

    #[test]
    fn default_config() {
        let c = RateLimitConfig::default();
        assert_eq!((c.tier1, c.tier2, c.window_ms), (1000, 100, 60_000.0));
        let mut limits = RateLimits::default();
        for _ in 0..100 {
            assert_eq!(limits.acquire("https://t", Tier::Two, 0.0), 0.0);
        }
        assert_eq!(limits.acquire("https://t", Tier::Two, 0.0), 60_000.0);
        for _ in 0..1000 {
            assert_eq!(limits.acquire("https://t", Tier::One, 1.0), 0.0);
        }
        assert_eq!(limits.acquire("https://t", Tier::One, 1.0), 60_000.0);
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Callers arriving in bursts at integer times, each waiting what it is told and asking
        /// again: every wait lies in [0, window], and no half-open window holds more than `limit`
        /// sends.
        #[test]
        fn rate_limiter_guarantees(
            limit in 1u32..8,
            window in 1u32..500,
            steps in prop::collection::vec((0u32..300, 0usize..12), 1..40),
        ) {
            let window = f64::from(window);
            let mut limiter = RateLimiter::new(limit, window);
            let mut asking: Vec<f64> = Vec::new();
            let mut now = 0.0;
            for (advance, burst) in steps {
                now += f64::from(advance);
                asking.extend(core::iter::repeat(now).take(burst));
            }
            let mut sends = Vec::new();
            while let Some(i) = (0..asking.len()).min_by(|&a, &b| asking[a].total_cmp(&asking[b])) {
                let at = asking[i];
                let wait = limiter.acquire(at);
                prop_assert!((0.0..=window).contains(&wait), "wait {}", wait);
                if wait == 0.0 {
                    sends.push(at);
                    asking.swap_remove(i);
                } else {
                    asking[i] = at + wait;
                }
            }
            sends.sort_by(f64::total_cmp);
            for (i, &start) in sends.iter().enumerate() {
                let count = sends[i..].iter().take_while(|&&s| s < start + window).count();
                prop_assert!(count <= limit as usize, "{} sends in [{}, {})", count, start, start + window);
            }
        }

        /// Whatever the clock does (steps back, jumps ahead), a wait never exceeds the window.
        #[test]
        fn rate_limiter_waits_are_bounded(
            limit in 1u32..8,
            window in 1u32..100_000,
            times in prop::collection::vec(-1e12f64..1e12, 1..60),
        ) {
            let window = f64::from(window);
            let mut limiter = RateLimiter::new(limit, window);
            for now in times {
                let wait = limiter.acquire(now);
                prop_assert!((0.0..=window).contains(&wait), "wait {} at {}", wait, now);
            }
        }
    }
}
