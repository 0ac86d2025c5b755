//! How many rows the next batch should hold: the first batch small, so the first rows arrive
//! at once, later batches sized so that building each takes about the same short time.
//!
//! The policy only does arithmetic on what it is told (rows and milliseconds of the batches
//! built so far); reading a clock is the caller's business.

/// Rows of the first batch (fewer when the first chunk of input ends sooner).
pub const FIRST_BATCH_ROWS: usize = 64;

/// Time the building of one batch should take, in milliseconds.
pub const TARGET_BATCH_MS: f64 = 4.0;

/// Most a batch may grow over the rows of the batch before it, as a factor: a batch too
/// quick to time (a coarse clock reads 0) grows by this much.
pub const MAX_GROWTH: usize = 4;

/// Weight of the earlier batches in the running cost per row (halved at every batch), so
/// one batch slowed down by something else (a garbage collection, another tab) moves the
/// next size only part of the way.
const DECAY: f64 = 0.5;

/// The batch-sizing policy. See the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchSizer {
    max_rows: usize,
    target_ms: f64,
    rows: usize,
    /// Decayed sums of the milliseconds and rows of the batches observed so far.
    ms: f64,
    measured_rows: f64,
    observed: bool,
}

impl BatchSizer {
    /// A policy whose batches never exceed `max_rows` rows (0 is treated as 1), aiming at
    /// [`TARGET_BATCH_MS`] per batch.
    pub fn new(max_rows: usize) -> BatchSizer {
        BatchSizer::with_target(max_rows, TARGET_BATCH_MS)
    }

    /// A policy aiming at `target_ms` milliseconds per batch (a non-positive or non-finite
    /// target gives batches of `max_rows` after the first).
    pub fn with_target(max_rows: usize, target_ms: f64) -> BatchSizer {
        let max_rows = max_rows.max(1);
        BatchSizer {
            max_rows,
            target_ms,
            rows: FIRST_BATCH_ROWS.min(max_rows),
            ms: 0.0,
            measured_rows: 0.0,
            observed: false,
        }
    }

    /// Most rows of the next batch.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Whether the rows parsed so far should be handed out as soon as the input given so
    /// far is parsed: true until the first batch is out, so that the first rows do not wait
    /// for more input.
    pub fn flush_at_input_end(&self) -> bool {
        !self.observed
    }

    /// Takes the measure of a batch just built (`rows` rows in `millis` milliseconds) and
    /// sets the size of the next one: the rows that the running cost per row fits in the
    /// target time, at most [`MAX_GROWTH`] times `rows` and at most `max_rows`. A negative or
    /// non-finite time (a clock that stepped back) counts as 0.
    pub fn observe(&mut self, rows: usize, millis: f64) {
        if rows == 0 {
            return;
        }
        self.observed = true;
        let millis = if millis.is_finite() && millis > 0.0 { millis } else { 0.0 };
        self.ms = self.ms * DECAY + millis;
        self.measured_rows = self.measured_rows * DECAY + rows as f64;
        let ceiling = rows.saturating_mul(MAX_GROWTH).min(self.max_rows);
        let fitting = if self.ms > 0.0 && self.target_ms.is_finite() && self.target_ms > 0.0 {
            // Rows that fit the target at the running cost per row; `as` saturates.
            (self.target_ms * self.measured_rows / self.ms) as usize
        } else {
            usize::MAX
        };
        self.rows = fitting.clamp(1, ceiling.max(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_small_and_grows_by_at_most_the_growth_factor() {
        let mut s = BatchSizer::new(10_000);
        assert_eq!(s.rows(), FIRST_BATCH_ROWS);
        assert!(s.flush_at_input_end());
        // Too fast to time: each batch is MAX_GROWTH times the one before, up to the bound.
        let mut sizes = Vec::new();
        for _ in 0..6 {
            s.observe(s.rows(), 0.0);
            sizes.push(s.rows());
        }
        assert_eq!(sizes, [256, 1024, 4096, 10_000, 10_000, 10_000]);
        assert!(!s.flush_at_input_end());
    }

    #[test]
    fn aims_at_the_target_time() {
        // 1 ms per 1000 rows: a 4 ms target fits 4000 rows once the growth allows it.
        let mut s = BatchSizer::new(1_000_000);
        for _ in 0..8 {
            let rows = s.rows();
            s.observe(rows, rows as f64 / 1000.0);
        }
        assert_eq!(s.rows(), 4000);
        // Rows ten times as costly: the size falls towards 400 at once, partly smoothed.
        s.observe(4000, 40.0);
        assert!(s.rows() < 1000, "{}", s.rows());
        for _ in 0..30 {
            let rows = s.rows();
            s.observe(rows, rows as f64 / 100.0);
        }
        assert!((399..=400).contains(&s.rows()), "{}", s.rows());
    }

    #[test]
    fn a_batch_cut_short_limits_the_growth() {
        let mut s = BatchSizer::new(10_000);
        // The first batch ended with its chunk after 3 rows.
        s.observe(3, 0.0);
        assert_eq!(s.rows(), 12);
        // An empty observation changes nothing.
        s.observe(0, 5.0);
        assert_eq!(s.rows(), 12);
    }

    #[test]
    fn odd_clock_readings_and_bounds() {
        let mut s = BatchSizer::new(100);
        assert_eq!(s.rows(), 64);
        for millis in [f64::NAN, f64::INFINITY, -3.0, f64::NEG_INFINITY] {
            s.observe(10, millis);
            assert_eq!(s.rows(), 40, "{millis}");
        }
        s.observe(1000, 0.0);
        assert_eq!(s.rows(), 100);
        // Very slow rows: never below one row.
        s.observe(1, 1e9);
        assert_eq!(s.rows(), 1);
        let mut z = BatchSizer::new(0);
        assert_eq!(z.rows(), 1);
        z.observe(1, 1.0);
        assert_eq!(z.rows(), 1);
        let mut t = BatchSizer::with_target(500, f64::NAN);
        t.observe(64, 1.0);
        assert_eq!(t.rows(), 256);
    }

    proptest::proptest! {
        #[test]
        fn always_between_one_row_and_the_bound(
            max_rows in 0usize..100_000,
            target in proptest::prop_oneof![0.1f64..100.0, proptest::prelude::Just(f64::NAN)],
            batches in proptest::collection::vec((0usize..200_000, proptest::num::f64::ANY), 0..20),
        ) {
            let mut s = BatchSizer::with_target(max_rows, target);
            for (rows, millis) in batches {
                let before = s.rows();
                s.observe(rows, millis);
                proptest::prop_assert!(s.rows() >= 1 && s.rows() <= max_rows.max(1));
                if rows > 0 {
                    proptest::prop_assert!(s.rows() <= rows.saturating_mul(MAX_GROWTH).max(1));
                } else {
                    proptest::prop_assert_eq!(s.rows(), before);
                }
            }
        }
    }
}
