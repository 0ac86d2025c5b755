//! Client-side rate limiting: a sliding-window log per host and tier, with time passed in.
//!
//! [`RateLimiter::acquire`] reserves a send time for each caller: now when fewer than `limit`
//! sends fall in the window that ends now, otherwise the moment the oldest of the last `limit`
//! sends leaves its window. Reserved times never decrease, so callers that arrive while the
//! limiter is saturated are served in arrival order, and any half-open interval of length
//! `window_ms` contains at most `limit` reserved times. A reserved slot counts even if its
//! caller gives up before sending.

use std::collections::{HashMap, VecDeque};

use super::endpoint::Tier;

/// A sliding-window limiter: at most `limit` sends in any `window_ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimiter {
    limit: u32,
    window_ms: f64,
    /// The last (at most `limit`) reserved send times, non-decreasing.
    slots: VecDeque<f64>,
}

impl RateLimiter {
    /// A limiter allowing `limit` sends per `window_ms`. A `limit` of 0, or a window that is
    /// not a positive finite number, disables limiting.
    pub fn new(limit: u32, window_ms: f64) -> RateLimiter {
        RateLimiter { limit, window_ms, slots: VecDeque::new() }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    pub fn window_ms(&self) -> f64 {
        self.window_ms
    }

    /// Whether the limiter lets everything through.
    pub fn is_disabled(&self) -> bool {
        self.limit == 0 || !(self.window_ms.is_finite() && self.window_ms > 0.0)
    }

    /// The time the next caller could send at, without reserving it.
    fn next_slot(&self, now_ms: f64) -> f64 {
        let mut t = now_ms;
        if let Some(&last) = self.slots.back() {
            t = t.max(last);
        }
        if self.slots.len() >= self.limit as usize {
            if let Some(&oldest) = self.slots.front() {
                t = t.max(oldest + self.window_ms);
            }
        }
        t
    }

    /// Reserves the next send slot and returns how long (ms) the caller must wait before
    /// sending: 0 when it may send now. `now_ms` is a monotonic clock (`performance.now()`);
    /// a non-finite `now_ms` reserves nothing and returns 0.
    pub fn acquire(&mut self, now_ms: f64) -> f64 {
        if self.is_disabled() || !now_ms.is_finite() {
            return 0.0;
        }
        let t = self.next_slot(now_ms);
        self.slots.push_back(t);
        while self.slots.len() > self.limit as usize {
            self.slots.pop_front();
        }
        t - now_ms
    }

    /// How long a caller acquiring at `now_ms` would wait, without reserving.
    pub fn wait_ms(&self, now_ms: f64) -> f64 {
        if self.is_disabled() || !now_ms.is_finite() {
            return 0.0;
        }
        self.next_slot(now_ms) - now_ms
    }

    /// The number of reserved send times kept (at most `limit`).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
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

impl RateLimitConfig {
    /// The limit of `tier`.
    pub fn limit(&self, tier: Tier) -> u32 {
        match tier {
            Tier::One => self.tier1,
            Tier::Two => self.tier2,
        }
    }
}

/// The two limiters of one host.
#[derive(Debug, Clone)]
struct HostLimiters {
    one: RateLimiter,
    two: RateLimiter,
}

/// One [`RateLimiter`] per (host origin, tier), created on first use.
#[derive(Debug, Clone, Default)]
pub struct RateLimits {
    config: RateLimitConfig,
    hosts: HashMap<String, HostLimiters>,
}

impl RateLimits {
    pub fn new(config: RateLimitConfig) -> RateLimits {
        RateLimits { config, hosts: HashMap::new() }
    }

    pub fn config(&self) -> RateLimitConfig {
        self.config
    }

    fn limiter(&mut self, origin: &str, tier: Tier) -> &mut RateLimiter {
        let config = self.config;
        let host = self.hosts.entry(origin.to_string()).or_insert_with(|| HostLimiters {
            one: RateLimiter::new(config.tier1, config.window_ms),
            two: RateLimiter::new(config.tier2, config.window_ms),
        });
        match tier {
            Tier::One => &mut host.one,
            Tier::Two => &mut host.two,
        }
    }

    /// Reserves a send slot for `tier` on `origin`; see [`RateLimiter::acquire`].
    pub fn acquire(&mut self, origin: &str, tier: Tier, now_ms: f64) -> f64 {
        if let Some(host) = self.hosts.get_mut(origin) {
            return match tier {
                Tier::One => host.one.acquire(now_ms),
                Tier::Two => host.two.acquire(now_ms),
            };
        }
        self.limiter(origin, tier).acquire(now_ms)
    }

    /// How long a caller acquiring at `now_ms` would wait, without reserving.
    pub fn wait_ms(&self, origin: &str, tier: Tier, now_ms: f64) -> f64 {
        match self.hosts.get(origin) {
            Some(host) => match tier {
                Tier::One => host.one.wait_ms(now_ms),
                Tier::Two => host.two.wait_ms(now_ms),
            },
            None => 0.0,
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

    #[test]
    fn zero_wait_under_the_limit() {
        let mut l = RateLimiter::new(3, 1000.0);
        assert_eq!(l.acquire(0.0), 0.0);
        assert_eq!(l.acquire(10.0), 0.0);
        assert_eq!(l.acquire(20.0), 0.0);
        assert_eq!(l.acquire(1000.0), 0.0);
        assert_eq!(l.acquire(1010.0), 0.0);
        assert_eq!(l.acquire(2500.0), 0.0);
        assert_eq!(l.wait_ms(2500.0), 0.0);
    }

    #[test]
    fn burst_gets_ordered_slots() {
        let mut l = RateLimiter::new(2, 1000.0);
        let waits: Vec<f64> = (0..7).map(|_| l.acquire(0.0)).collect();
        assert_eq!(waits, vec![0.0, 0.0, 1000.0, 1000.0, 2000.0, 2000.0, 3000.0]);
        assert_eq!(l.len(), 2);
        assert_eq!(l.wait_ms(500.0), 2500.0);
        assert_eq!(l.acquire(500.0), 2500.0);
        assert_eq!(l.acquire(500.0), 3500.0);
    }

    #[test]
    fn waits_for_the_oldest_to_leave_the_window() {
        let mut l = RateLimiter::new(3, 1000.0);
        assert_eq!(l.acquire(0.0), 0.0);
        assert_eq!(l.acquire(100.0), 0.0);
        assert_eq!(l.acquire(200.0), 0.0);
        assert_eq!(l.acquire(300.0), 700.0);
        assert_eq!(l.acquire(300.0), 800.0);
        assert_eq!(l.acquire(300.0), 900.0);
        assert_eq!(l.acquire(300.0), 1700.0);
        assert_eq!(l.acquire(5000.0), 0.0);
    }

    #[test]
    fn concurrent_bursts_never_exceed_the_limit() {
        for (limit, window) in [(1u32, 100.0), (3, 1000.0), (10, 60_000.0), (100, 60_000.0)] {
            let mut l = RateLimiter::new(limit, window);
            let mut sends = Vec::new();
            let mut now = 0.0;
            let mut prev_send = f64::NEG_INFINITY;
            for round in 0..40u32 {
                for _ in 0..(round % 7) * limit / 2 + 1 {
                    let send = now + l.acquire(now);
                    assert!(send >= prev_send, "slots out of order");
                    prev_send = send;
                    sends.push(send);
                }
                now += window / 4.0 + 1.0;
            }
            assert_within_limit(&sends, limit as usize, window);
            assert!(l.len() <= limit as usize);
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
            assert!(l.is_empty());
        }
        let mut l = RateLimiter::new(1, 1000.0);
        assert_eq!(l.acquire(f64::NAN), 0.0);
        assert_eq!(l.acquire(f64::INFINITY), 0.0);
        assert!(l.is_empty());
        assert_eq!(l.acquire(5000.0), 0.0);
        let w = l.acquire(4000.0);
        assert_eq!(w, 2000.0, "a clock that goes back still queues behind reserved slots");
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
        assert_eq!(limits.wait_ms("https://a", Tier::Two, 0.0), 2000.0);
        assert_eq!(limits.wait_ms("https://c", Tier::Two, 0.0), 0.0);
    }

    #[test]
    fn default_config() {
        let c = RateLimitConfig::default();
        assert_eq!((c.tier1, c.tier2, c.window_ms), (1000, 100, 60_000.0));
        assert_eq!(c.limit(Tier::One), 1000);
        assert_eq!(c.limit(Tier::Two), 100);
        let mut limits = RateLimits::default();
        assert_eq!(limits.config(), c);
        for _ in 0..100 {
            assert_eq!(limits.acquire("https://t", Tier::Two, 0.0), 0.0);
        }
        assert_eq!(limits.acquire("https://t", Tier::Two, 0.0), 60_000.0);
        for _ in 0..1000 {
            assert_eq!(limits.acquire("https://t", Tier::One, 1.0), 0.0);
        }
        assert_eq!(limits.acquire("https://t", Tier::One, 1.0), 60_000.0);
    }
}
