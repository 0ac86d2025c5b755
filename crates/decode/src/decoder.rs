//! The incremental decoder: chunks in, batches out; see the module documentation of
//! [`crate::decode`].

use crate::prelude::*;
use csv_core::{ReadRecordResult, Reader};

use super::arena::{Arena, MAX_RECORD_CAP};
use super::batch::{Batch, ColumnKind, Pushed};
use super::error::{DecodeError, DecodeErrorKind};
use super::lines::LineCounter;
use super::options::DecodeOptions;
use super::record::{check_utf8, Limits};
use super::simple;

/// The UTF-8 byte order mark.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Records read by csv-core, after one that [`simple::push_row`] found not plain, before it
/// is tried again.
const SIMPLE_SKIPS: u32 = 32;

/// A batch whose memory (see [`CELL_COST`]) exceeds this is handed out early, whatever its
/// row count: text offsets fit in `u32` (also on wasm32), and a wide file cannot make one
/// batch outgrow wasm32's memory.
const BATCH_MEMORY_CAP: usize = 32 << 20;

/// Bytes counted per cell of a batch, beyond its text: the larger of a number cell (`f64`)
/// and a string cell (two `u32` offsets).
const CELL_COST: usize = 8;

/// What one [`Decoder::feed`] call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feed {
    /// Bytes of the input consumed; all of them unless `batch_ready`.
    pub consumed: usize,
    /// Whether a batch is ready in [`Decoder::batch`].
    pub batch_ready: bool,
}

/// Whether the stream starts with a BOM, decided once its first 3 bytes are seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bom {
    /// This many leading bytes matched the BOM so far and are held back.
    Pending(usize),
    Decided,
}

/// Where the record being read starts.
#[derive(Debug, Clone, Copy)]
struct RecordStart {
    /// Whether the record's first byte has been read (line breaks before it are skipped).
    started: bool,
    /// Stream offset of its first byte.
    offset: u64,
    /// Line of its first byte, once counted.
    line: Option<u64>,
    /// Position of its first byte in the slice being parsed, while `line` is not counted.
    at: usize,
}

/// How a parse pass ended.
enum Outcome {
    /// All the input was consumed.
    NeedInput,
    /// The batch is full.
    BatchFull,
    /// A bad record was found; the error is stored in the decoder.
    Failed,
}

/// Incremental CSV decoder. See the module documentation.
pub struct Decoder {
    batch_rows: usize,
    infer_types: bool,
    flexible: bool,
    limits: Limits,
    reader: Reader,
    bom: Bom,
    header: Option<Vec<String>>,
    batch: Batch,
    /// Whether `batch` has been handed out and must be cleared on the next call.
    handed_out: bool,
    /// The record csv-core is reading.
    arena: Arena,
    /// Whether the record in the buffers is complete and waits for the next batch, which it
    /// starts (it turns a column String).
    pending: bool,
    /// Memory of the batch's rows: decoded bytes plus [`CELL_COST`] per cell.
    batch_memory: usize,
    record: RecordStart,
    /// Records left to csv-core before [`simple::push_row`] is tried again.
    simple_skips: u32,
    /// Line position of the next byte given to `reader`.
    lines: LineCounter,
    /// Stream offset of the next byte given to `reader`.
    parse_pos: u64,
    bytes_consumed: u64,
    rows_decoded: u64,
    finished: bool,
    error: Option<DecodeError>,
}

impl core::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Decoder")
            .field("columns", &self.header)
            .field("bytes_consumed", &self.bytes_consumed)
            .field("rows_decoded", &self.rows_decoded)
            .field("batch_rows", &self.batch.num_rows)
            .field("buffer_bytes", &self.buffer_bytes())
            .field("finished", &self.finished)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Decoder {
    pub fn new(options: DecodeOptions) -> Decoder {
        let mut reader = Reader::new();
        // csv-core strips a BOM only when it comes whole in its first call; the decoder
        // strips it itself, in any chunking. A first call with no output room consumes
        // nothing and turns csv-core's own stripping off.
        let _ = reader.read_record(b",", &mut [], &mut []);
        Decoder {
            batch_rows: options.batch_rows.max(1),
            infer_types: options.infer_types,
            flexible: options.flexible,
            limits: Limits {
                max_field: options.max_field_bytes.min(MAX_RECORD_CAP),
                max_row: options.max_row_bytes.min(MAX_RECORD_CAP),
                max_columns: options.max_columns.max(1),
            },
            reader,
            bom: Bom::Pending(0),
            header: None,
            batch: Batch::default(),
            handed_out: false,
            arena: Arena::default(),
            pending: false,
            batch_memory: 0,
            record: RecordStart { started: false, offset: 0, line: None, at: 0 },
            simple_skips: 0,
            lines: LineCounter::new(),
            parse_pos: 0,
            bytes_consumed: 0,
            rows_decoded: 0,
            finished: false,
            error: None,
        }
    }

    /// Parses from `input` (any length, 0 included; an empty slice is not the end of the
    /// input). Stops early when a batch is full. Returns the bytes consumed and whether a
    /// batch is ready in [`Decoder::batch`]. Input given after [`Decoder::finish`] is
    /// ignored (reported consumed).
    ///
    /// When a bad record follows rows of the current batch, those rows are handed out first
    /// and the error is returned by the next call; after an error every call returns it.
    pub fn feed(&mut self, input: &[u8]) -> Result<Feed, DecodeError> {
        let full = self.release_batch();
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        if full {
            self.hand_out();
            return Ok(Feed { consumed: 0, batch_ready: true });
        }
        if self.finished {
            self.bytes_consumed += input.len() as u64;
            return Ok(Feed { consumed: input.len(), batch_ready: false });
        }
        let mut taken = 0;
        if let Bom::Pending(mut matched) = self.bom {
            while let (Some(&want), Some(&b)) = (BOM.get(matched), input.get(taken)) {
                if b != want {
                    break;
                }
                matched += 1;
                taken += 1;
            }
            self.bytes_consumed += taken as u64;
            if matched == BOM.len() {
                self.bom = Bom::Decided;
                self.parse_pos = BOM.len() as u64;
            } else if taken == input.len() {
                // Still a BOM prefix: wait for more input.
                self.bom = Bom::Pending(matched);
                return Ok(Feed { consumed: taken, batch_ready: false });
            } else {
                self.bom = Bom::Decided;
                let held = BOM;
                let outcome = self.parse(held.get(..matched).unwrap_or_default());
                if !matches!(outcome, Outcome::NeedInput) {
                    return self.conclude_feed(outcome, taken);
                }
            }
        }
        let rest = input.get(taken..).unwrap_or_default();
        let before = self.parse_pos;
        let outcome = self.parse(rest);
        let used = (self.parse_pos - before) as usize;
        self.bytes_consumed += used as u64;
        self.conclude_feed(outcome, taken + used)
    }

    /// Ends the input: completes the last record (no trailing line break needed). Returns
    /// true when a final, possibly partial, batch is ready in [`Decoder::batch`]; once
    /// finished, returns `Ok(false)`.
    #[inline(never)]
    pub fn finish(&mut self) -> Result<bool, DecodeError> {
        let full = self.release_batch();
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        if full {
            self.hand_out();
            return Ok(true);
        }
        if self.finished {
            // A record the last batch left behind may be waiting.
            return self.conclude_finish();
        }
        self.finished = true;
        if let Bom::Pending(matched) = self.bom {
            // Fewer than 3 bytes that start like a BOM: they are data.
            self.bom = Bom::Decided;
            let held = BOM;
            if let Outcome::Failed = self.parse(held.get(..matched).unwrap_or_default()) {
                return self.conclude_finish();
            }
        }
        if self.record.started {
            // A limit crossed in the record comes before what its end tells (an open quote),
            // whether or not the buffers had to grow while it was read.
            if let Err(kind) = self.arena.check_partial(&self.limits) {
                self.fail(kind);
                return self.conclude_finish();
            }
            // csv-core completes an open quoted field at the end of input without telling.
            // A line break ends the record the same way the end of input does, unless a
            // quote is open: then it is taken into the field and no record comes out.
            self.arena.make_room(&self.limits);
            let (result, _) = self.arena.read(&mut self.reader, b"\n");
            let step = match result {
                ReadRecordResult::Record => self.complete_record().map(|_| ()),
                _ => Err(DecodeErrorKind::UnterminatedQuote),
            };
            if let Err(kind) = step {
                self.fail(kind);
            }
        }
        self.conclude_finish()
    }

    /// The header's column names, once the first record has been read; `None` before, and
    /// for an empty input.
    pub fn columns(&self) -> Option<&[String]> {
        self.header.as_deref()
    }

    /// The ready batch; valid until the next `feed` or `finish` call, which reuses its
    /// buffers.
    pub fn batch(&self) -> &Batch {
        &self.batch
    }

    /// Hands out the rows gathered so far as a batch, before it is full: returns true when
    /// there were any (the batch is then in [`Decoder::batch`], valid until the next call),
    /// false when there were none. A record still being read stays for the next batch. A
    /// flush changes where batches end, never the decoded cells.
    pub fn flush(&mut self) -> bool {
        // A batch the waiting record fills is handed out like any other.
        let _ = self.release_batch();
        if self.batch.num_rows == 0 {
            return false;
        }
        self.hand_out();
        true
    }

    /// Sets the most rows of a batch from now on (0 is treated as 1); rows already gathered
    /// beyond it are handed out with the next record.
    pub fn set_batch_rows(&mut self, rows: usize) {
        self.batch_rows = rows.max(1);
    }

    /// The most rows of a batch.
    pub fn batch_rows(&self) -> usize {
        self.batch_rows
    }

    /// Input bytes consumed so far, BOM included.
    pub fn bytes_consumed(&self) -> u64 {
        self.bytes_consumed
    }

    /// Data rows (header excluded) handed out in batches so far.
    pub fn rows_decoded(&self) -> u64 {
        self.rows_decoded
    }

    /// Data rows parsed so far: those handed out plus those gathered for the next batch.
    pub fn rows_parsed(&self) -> u64 {
        if self.handed_out {
            self.rows_decoded
        } else {
            self.rows_decoded + self.batch.num_rows as u64
        }
    }

    /// Bytes reserved by the decoder's buffers (arena, field ends, batch columns, header).
    pub fn buffer_bytes(&self) -> usize {
        self.arena.capacity_bytes()
            + self.batch.capacity_bytes()
            + self.header.as_ref().map_or(0, |h| {
                h.capacity() * core::mem::size_of::<String>() + h.iter().map(String::capacity).sum::<usize>()
            })
    }

    /// Clears a batch handed out by the previous call, and starts the next one with the
    /// record that ended it, if one waits. Returns whether that record fills the batch.
    fn release_batch(&mut self) -> bool {
        if !self.handed_out {
            return false;
        }
        self.start_next_batch()
    }

    /// [`Decoder::release_batch`] once a batch has been handed out: once per batch, out of
    /// line.
    #[inline(never)]
    fn start_next_batch(&mut self) -> bool {
        self.handed_out = false;
        self.batch.clear(self.rows_decoded);
        self.batch_memory = 0;
        if !self.pending {
            return false;
        }
        self.pending = false;
        // Checked when first read (and checked alike again); the first row of a batch ends
        // none, so it is taken.
        match self.complete_record() {
            Ok(full) => full,
            Err(kind) => {
                self.fail(kind);
                false
            }
        }
    }

    fn hand_out(&mut self) {
        self.rows_decoded += self.batch.num_rows as u64;
        self.handed_out = true;
    }

    /// Turns the end of a parse pass into `feed`'s result.
    fn conclude_feed(&mut self, outcome: Outcome, consumed: usize) -> Result<Feed, DecodeError> {
        let batch_ready = match outcome {
            Outcome::NeedInput => false,
            Outcome::BatchFull => true,
            Outcome::Failed => match &self.error {
                Some(error) if self.batch.num_rows == 0 => return Err(error.clone()),
                _ => true,
            },
        };
        if batch_ready {
            self.hand_out();
        }
        Ok(Feed { consumed, batch_ready })
    }

    /// Turns the end of input into `finish`'s result.
    fn conclude_finish(&mut self) -> Result<bool, DecodeError> {
        if self.batch.num_rows > 0 {
            self.hand_out();
            return Ok(true);
        }
        match &self.error {
            Some(error) => Err(error.clone()),
            None => Ok(false),
        }
    }

    /// Parses `data`, the stream's next bytes, until it is consumed, the batch is full or a
    /// record is bad. Advances `parse_pos` by the bytes consumed.
    fn parse(&mut self, data: &[u8]) -> Outcome {
        let mut pos = 0;
        // Bytes of `data` whose line breaks have been counted.
        let mut counted = 0;
        let outcome = loop {
            if !self.record.started && self.simple_skips > 0 {
                self.simple_skips -= 1;
            } else if !self.record.started && self.batch.num_rows > 0 {
                // A row starts here: a plain one goes straight from the input into the batch's
                // columns. The first row of a batch (where a column may turn String) and the
                // rows the batch does not take as they are go to csv-core.
                match simple::push_row(&mut self.batch, data, pos, self.limits.max_field.min(self.limits.max_row)) {
                    Ok(row) => {
                        let start = pos + row.skipped;
                        self.lines.advance(data.get(counted..start).unwrap_or_default());
                        pos = start + row.consumed;
                        // The row ends with LF or CRLF.
                        self.lines.add_lines(row.lines);
                        counted = pos;
                        self.batch_memory += row.len + self.batch.columns.len() * CELL_COST;
                        if self.batch.num_rows >= self.batch_rows || self.batch_memory > BATCH_MEMORY_CAP {
                            break Outcome::BatchFull;
                        }
                        continue;
                    }
                    // Such records come in runs: leave the next ones to csv-core.
                    Err(simple::Miss::NotPlain) => self.simple_skips = SIMPLE_SKIPS,
                    Err(_) => {}
                }
            }
            let input = data.get(pos..).unwrap_or_default();
            if input.is_empty() {
                break Outcome::NeedInput;
            }
            let (result, nin) = self.arena.read(&mut self.reader, input);
            if !self.record.started {
                // Line breaks before a record are skipped; its first other byte starts it.
                let consumed = input.get(..nin).unwrap_or_default();
                if let Some(k) = consumed.iter().position(|&b| b != b'\n' && b != b'\r') {
                    self.record = RecordStart {
                        started: true,
                        offset: self.parse_pos + (pos + k) as u64,
                        line: None,
                        at: pos + k,
                    };
                }
            }
            pos += nin;
            let step = match result {
                ReadRecordResult::InputEmpty | ReadRecordResult::End => Ok(()),
                ReadRecordResult::OutputFull => self.arena.grow_bytes(&self.limits),
                ReadRecordResult::OutputEndsFull => self.arena.grow_ends(&self.limits),
                ReadRecordResult::Record => match self.complete_record() {
                    Ok(true) => break Outcome::BatchFull,
                    Ok(false) => Ok(()),
                    Err(kind) => Err(kind),
                },
            };
            if let Err(kind) = step {
                self.count_record_line(data, &mut counted);
                self.fail(kind);
                break Outcome::Failed;
            }
        };
        if self.record.started {
            self.count_record_line(data, &mut counted);
        }
        self.lines.advance(data.get(counted..pos).unwrap_or_default());
        self.parse_pos += pos as u64;
        outcome
    }

    /// Counts lines up to the start of the record being read, if it starts in `data` and is
    /// not counted yet.
    fn count_record_line(&mut self, data: &[u8], counted: &mut usize) {
        if self.record.line.is_none() {
            let at = self.record.at.max(*counted);
            self.lines.advance(data.get(*counted..at).unwrap_or_default());
            *counted = at;
            self.record.line = Some(self.lines.line);
        }
    }

    /// Records the error `kind` for the record being read.
    #[cold]
    #[inline(never)]
    fn fail(&mut self, kind: DecodeErrorKind) {
        self.error = Some(DecodeError {
            kind,
            line: self.record.line.unwrap_or(self.lines.line),
            byte_offset: self.record.offset,
        });
    }

    /// Checks the record just read and adds it to the batch (or takes it as the header).
    /// Returns whether the batch is full, which it also is when the record turns a column
    /// String: the record then waits for the next batch (`pending`).
    fn complete_record(&mut self) -> Result<bool, DecodeErrorKind> {
        let record = self.arena.record();
        let ends = self.arena.ends();
        let (len, fields) = (record.len(), ends.len());
        self.limits.check(ends, len, true)?;
        let non_ascii = check_utf8(record, ends)?;

        let Some(header) = &self.header else {
            self.take_header();
            return Ok(false);
        };

        let width = header.len();
        if self.batch.columns.len() != width {
            self.make_columns(width);
        }
        if fields != width && !self.flexible {
            return Err(field_count(width, fields));
        }
        // Flexible rows: missing cells are empty, extra ones dropped.
        self.arena.pad_ends(width);
        let (buf, row_ends) = self.arena.row(width);
        if self.batch.push_row(buf, row_ends, non_ascii) == Pushed::Held {
            self.pending = true;
            return Ok(true);
        }
        self.batch_memory += len + width * CELL_COST;
        self.end_record();
        Ok(self.batch.num_rows >= self.batch_rows || self.batch_memory > BATCH_MEMORY_CAP)
    }

    /// Takes the record just read as the header.
    #[cold]
    #[inline(never)]
    fn take_header(&mut self) {
        let record = self.arena.record();
        let mut names = Vec::with_capacity(self.arena.ends().len());
        let mut field_start = 0;
        for &end in self.arena.ends() {
            let name = record.get(field_start..end).unwrap_or_default();
            names.push(String::from_utf8_lossy(name).into_owned());
            field_start = end;
        }
        self.header = Some(names);
        self.end_record();
    }

    /// Makes the batch's columns, for the first row: a header alone costs no more than its
    /// names (a million of them, for example).
    #[cold]
    #[inline(never)]
    fn make_columns(&mut self, width: usize) {
        let kind = if self.infer_types { ColumnKind::Number } else { ColumnKind::String };
        self.batch.set_width(width, kind);
    }

    /// Resets the state of the record being read, after a record has been taken.
    fn end_record(&mut self) {
        self.arena.clear();
        self.record.started = false;
    }
}

/// The error of a row with `found` fields under a header of `expected`.
#[cold]
#[inline(never)]
fn field_count(expected: usize, found: usize) -> DecodeErrorKind {
    DecodeErrorKind::FieldCount { expected, found }
}
