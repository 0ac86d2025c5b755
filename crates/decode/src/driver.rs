//! The feed/finish loop around a [`Decoder`], as a push/pull state machine: the caller
//! pushes chunks as they arrive (from memory or asynchronously from the network) and pulls
//! [`Step`]s: a batch, a request for more input, the end, or the error found in the input,
//! which always comes after the batches holding the rows before it.
//!
//! With [`Driver::adaptive`] the batches are sized by a [`BatchSizer`]: the first batch is
//! handed out once the first input is parsed (or at [`FIRST_BATCH_ROWS`](super::sizing::FIRST_BATCH_ROWS)
//! rows), later ones grow so that building each takes about the same few milliseconds, as
//! measured by a clock the caller supplies; `batch_rows` stays the upper bound.

use super::batch::Batch;
use super::decoder::Decoder;
use super::error::DecodeError;
use super::options::DecodeOptions;
use super::sizing::BatchSizer;
use crate::prelude::*;

/// What the driver has for the caller, returned by [`Driver::next_step`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A batch is ready in [`Driver::batch`], valid until the next call that takes `&mut`.
    Batch,
    /// Every byte pushed so far is parsed: push the next chunk, or call [`Driver::end`].
    NeedInput,
    /// The input has ended and every batch has been handed out. Repeated on later calls.
    Done,
    /// The input is malformed. Every row before the bad record has been handed out in
    /// earlier batches. Repeated on later calls.
    Failed(DecodeError),
}

/// How far the decoding has come, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Bytes pushed so far.
    pub bytes_pushed: u64,
    /// Bytes parsed so far (at most `bytes_pushed`).
    pub bytes_consumed: u64,
    /// Data rows parsed so far, handed out or not.
    pub rows_parsed: u64,
    /// Data rows handed out in batches so far.
    pub rows_delivered: u64,
    /// Number of columns, once the header has been read.
    pub columns: Option<usize>,
}

/// Batch sizing by measured time.
struct Adaptive {
    sizer: BatchSizer,
    clock: Box<dyn FnMut() -> f64>,
    /// Milliseconds spent on the rows of the batch being gathered.
    work: f64,
}

/// Drives a [`Decoder`] over pushed chunks. See the module documentation.
pub struct Driver {
    decoder: Decoder,
    /// Pushed bytes in `input[..filled]`, those before `pos` parsed. The bytes after
    /// `filled` are spare room kept initialized, so that a chunk is copied into the buffer
    /// without zeroing it first.
    input: Vec<u8>,
    filled: usize,
    pos: usize,
    bytes_pushed: u64,
    ended: bool,
    /// `Done` or `Failed` once reached.
    outcome: Option<Step>,
    max_rows: usize,
    adaptive: Option<Adaptive>,
}

impl core::fmt::Debug for Driver {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Driver")
            .field("decoder", &self.decoder)
            .field("pending_bytes", &(self.filled - self.pos.min(self.filled)))
            .field("ended", &self.ended)
            .field("outcome", &self.outcome)
            .field("adaptive", &self.adaptive.as_ref().map(|a| &a.sizer))
            .finish_non_exhaustive()
    }
}

impl Driver {
    /// A driver handing out batches of `options.batch_rows` rows (the last one, and those
    /// ended by the batch memory cap, a [`Driver::flush`] or a record that turns a column
    /// String, may be smaller).
    pub fn new(options: DecodeOptions) -> Driver {
        let max_rows = options.batch_rows.max(1);
        Driver {
            decoder: Decoder::new(options),
            input: Vec::new(),
            filled: 0,
            pos: 0,
            bytes_pushed: 0,
            ended: false,
            outcome: None,
            max_rows,
            adaptive: None,
        }
    }

    /// A driver sizing its batches with a [`BatchSizer`] bounded by `options.batch_rows`.
    /// `clock` returns a monotonic time in milliseconds (e.g. `performance.now()`); it is
    /// read when [`Driver::next_step`] starts and ends, so a batch is measured by the time spent
    /// parsing its rows, not by the time spent waiting for input or handing batches on.
    pub fn adaptive(options: DecodeOptions, clock: impl FnMut() -> f64 + 'static) -> Driver {
        let sizer = BatchSizer::new(options.batch_rows);
        Driver::with_sizer(options, sizer, clock)
    }

    /// Like [`Driver::adaptive`] with a given policy (for example another target time, to
    /// leave room for handing each batch on); its batches stay within `options.batch_rows`.
    pub fn with_sizer(options: DecodeOptions, sizer: BatchSizer, clock: impl FnMut() -> f64 + 'static) -> Driver {
        let mut driver = Driver::new(options);
        driver.decoder.set_batch_rows(sizer.rows().min(driver.max_rows));
        driver.adaptive = Some(Adaptive { sizer, clock: Box::new(clock), work: 0.0 });
        driver
    }

    /// Queues a chunk of input (any length). Ignored after [`Driver::end`].
    pub fn push(&mut self, chunk: &[u8]) {
        self.push_with(chunk.len(), |room| room.copy_from_slice(chunk));
    }

    /// Queues `len` bytes written by `fill` into the room it is given, for a caller that
    /// copies its chunk straight into the driver's buffer (such as a `Uint8Array` copied
    /// into wasm memory). The room holds earlier bytes, not zeros: `fill` writes all of it.
    /// Ignored after [`Driver::end`].
    pub fn push_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) {
        if let Some(room) = self.room(len) {
            fill(room);
        }
    }

    /// Makes room for `len` pushed bytes after those not parsed yet and counts them pushed;
    /// `None` after [`Driver::end`]. One copy for every caller of [`Driver::push_with`].
    #[inline(never)]
    fn room(&mut self, len: usize) -> Option<&mut [u8]> {
        if self.ended || self.outcome.is_some() {
            return None;
        }
        if self.pos >= self.filled {
            self.filled = 0;
        } else if self.pos > 0 {
            self.input.copy_within(self.pos..self.filled, 0);
            self.filled -= self.pos;
        }
        self.pos = 0;
        let end = self.filled.saturating_add(len);
        if self.input.len() < end {
            self.input.resize(end, 0);
        }
        let start = self.filled;
        self.filled = end;
        self.bytes_pushed += len as u64;
        self.input.get_mut(start..end)
    }

    /// Marks the end of the input: the last record needs no line break, and a record left
    /// open (an unterminated quote, a short last row) is reported after the rows before it.
    pub fn end(&mut self) {
        self.ended = true;
    }

    /// Parses what was pushed until a batch is ready, more input is needed, or the input is
    /// done or failed.
    pub fn next_step(&mut self) -> Step {
        let started = self.adaptive.as_mut().map(|a| (a.clock)());
        let step = self.advance();
        if let (Some(a), Some(t0)) = (self.adaptive.as_mut(), started) {
            let spent = (a.clock)() - t0;
            if spent.is_finite() && spent > 0.0 {
                a.work += spent;
            }
        }
        if step == Step::Batch {
            self.batch_handed_out();
        }
        step
    }

    /// Hands out the rows parsed so far as a batch, before it is full (for example when the
    /// input stalls). Returns true when there were any; they are then in [`Driver::batch`].
    pub fn flush(&mut self) -> bool {
        let flushed = self.decoder.flush();
        if flushed {
            self.batch_handed_out();
        }
        flushed
    }

    /// The batch of the last [`Step::Batch`] or successful [`Driver::flush`].
    pub fn batch(&self) -> &Batch {
        self.decoder.batch()
    }

    /// The header's column names, once read.
    pub fn columns(&self) -> Option<&[String]> {
        self.decoder.columns()
    }

    pub fn progress(&self) -> Progress {
        Progress {
            bytes_pushed: self.bytes_pushed,
            bytes_consumed: self.decoder.bytes_consumed(),
            rows_parsed: self.decoder.rows_parsed(),
            rows_delivered: self.decoder.rows_decoded(),
            columns: self.decoder.columns().map(<[String]>::len),
        }
    }

    /// The decoder being driven.
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// Bytes reserved by the driver's input buffer and the decoder's buffers.
    pub fn buffer_bytes(&self) -> usize {
        self.input.capacity() + self.decoder.buffer_bytes()
    }

    fn advance(&mut self) -> Step {
        if let Some(outcome) = &self.outcome {
            return outcome.clone();
        }
        while let Some(rest) = self.input.get(self.pos..self.filled).filter(|rest| !rest.is_empty()) {
            match self.decoder.feed(rest) {
                Ok(fed) => {
                    self.pos += fed.consumed;
                    if fed.batch_ready {
                        return Step::Batch;
                    }
                }
                Err(error) => return self.conclude(Step::Failed(error)),
            }
        }
        if self.ended {
            return match self.decoder.finish() {
                Ok(true) => Step::Batch,
                Ok(false) => self.conclude(Step::Done),
                Err(error) => self.conclude(Step::Failed(error)),
            };
        }
        let flush_now = self.adaptive.as_ref().is_some_and(|a| a.sizer.flush_at_input_end());
        if flush_now && self.decoder.flush() {
            return Step::Batch;
        }
        Step::NeedInput
    }

    #[cold]
    #[inline(never)]
    fn conclude(&mut self, outcome: Step) -> Step {
        self.outcome = Some(outcome.clone());
        self.input = Vec::new();
        self.filled = 0;
        self.pos = 0;
        outcome
    }

    /// Gives the measure of the batch just handed out to the sizer and sets the next size.
    #[inline(never)]
    fn batch_handed_out(&mut self) {
        if let Some(a) = self.adaptive.as_mut() {
            a.sizer.observe(self.decoder.batch().num_rows, a.work);
            a.work = 0.0;
            self.decoder.set_batch_rows(a.sizer.rows().min(self.max_rows));
        }
    }
}
