//! Shared helpers of the decoder's integration tests: drive a `Decoder` over chunked input,
//! collect every batch into owned values, and check the API's invariants on the way.
#![allow(dead_code)]

pub mod reference;

use std::fmt::Write;

use qlik_automl_predictions::decode::{Batch, ColumnKind, DecodeError, DecodeOptions, Decoder, Driver, Step};

/// The cells of one column of one batch. Numbers are kept as bits so NaN compares equal.
#[derive(Debug, Clone, PartialEq)]
pub enum Cells {
    Number(Vec<u64>),
    String(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct OwnedBatch {
    pub row_offset: u64,
    pub num_rows: usize,
    pub columns: Vec<Cells>,
}

/// Everything a decode produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub columns: Option<Vec<String>>,
    pub batches: Vec<OwnedBatch>,
    pub error: Option<DecodeError>,
}

impl Decoded {
    /// Total data rows in the batches.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows).sum()
    }

    /// A readable rendering for expectations: the header, one line per batch (`N[..]` for a
    /// number column, `S[..]` for a string column) and the error.
    pub fn render(&self) -> String {
        let mut out = String::new();
        match &self.columns {
            Some(columns) => writeln!(out, "columns: {columns:?}").unwrap(),
            None => writeln!(out, "columns: none").unwrap(),
        }
        for batch in &self.batches {
            write!(out, "batch @{} x{}:", batch.row_offset, batch.num_rows).unwrap();
            for (i, column) in batch.columns.iter().enumerate() {
                out.push_str(if i == 0 { " " } else { " | " });
                match column {
                    Cells::Number(bits) => {
                        let values: Vec<f64> = bits.iter().map(|&b| f64::from_bits(b)).collect();
                        write!(out, "N{values:?}").unwrap();
                    }
                    Cells::String(cells) => write!(out, "S{cells:?}").unwrap(),
                }
            }
            out.push('\n');
        }
        if let Some(e) = &self.error {
            writeln!(out, "error: {:?} at line {}, byte {}", e.kind, e.line, e.byte_offset).unwrap();
        }
        out
    }
}

/// Copies a ready batch, checking its internal consistency.
pub fn own_batch(batch: &Batch) -> OwnedBatch {
    let mut columns = Vec::new();
    for column in &batch.columns {
        match column.kind {
            ColumnKind::Number => {
                assert_eq!(column.numbers.len(), batch.num_rows);
                assert!(column.text.is_empty() && column.text_ends.is_empty());
                assert!(column.utf16_ends.is_empty());
                columns.push(Cells::Number(column.numbers.iter().map(|v| v.to_bits()).collect()));
            }
            ColumnKind::String => {
                assert!(column.numbers.is_empty());
                assert_eq!(column.text_ends.len(), batch.num_rows);
                assert_eq!(column.utf16_ends.len(), batch.num_rows);
                let text = std::str::from_utf8(&column.text).expect("column text is UTF-8");
                let mut cells = Vec::new();
                let (mut start, mut start16) = (0usize, 0u32);
                for (&end, &end16) in column.text_ends.iter().zip(&column.utf16_ends) {
                    let cell = &text[start..end as usize];
                    assert_eq!((end16 - start16) as usize, cell.encode_utf16().count(), "utf16 length of {cell:?}");
                    cells.push(cell.to_string());
                    start = end as usize;
                    start16 = end16;
                }
                assert_eq!(start, column.text.len());
                columns.push(Cells::String(cells));
            }
        }
    }
    OwnedBatch { row_offset: batch.row_offset, num_rows: batch.num_rows, columns }
}

/// Decodes `chunks` in order with `Decoder::feed` and `finish`, checking the API contract.
pub fn decode_chunks(chunks: &[&[u8]], options: &DecodeOptions) -> Decoded {
    decode_chunks_flushing(chunks, options, &|_| false)
}

/// Like [`decode_chunks`], calling `Decoder::flush` after chunk `i` when `flush_after(i)`.
pub fn decode_chunks_flushing(
    chunks: &[&[u8]],
    options: &DecodeOptions,
    flush_after: &dyn Fn(usize) -> bool,
) -> Decoded {
    let batch_rows = options.batch_rows.max(1);
    let mut d = Decoder::new(options.clone());
    let mut batches: Vec<OwnedBatch> = Vec::new();
    let mut fed = 0u64;
    let mut flushed = false;
    let take = |d: &Decoder, batches: &mut Vec<OwnedBatch>| {
        let batch = d.batch();
        let before: u64 = batches.iter().map(|b| b.num_rows as u64).sum();
        assert!(batch.num_rows >= 1 && batch.num_rows <= batch_rows, "batch of {}", batch.num_rows);
        assert_eq!(batch.row_offset, before);
        assert_eq!(d.rows_decoded(), before + batch.num_rows as u64);
        assert_eq!(d.rows_parsed(), d.rows_decoded());
        assert_eq!(Some(batch.columns.len()), d.columns().map(|c| c.len()));
        batches.push(own_batch(batch));
    };
    let mut error = None;
    'input: for (i, chunk) in chunks.iter().enumerate() {
        let mut rest: &[u8] = chunk;
        loop {
            match d.feed(rest) {
                Ok(f) => {
                    assert!(f.consumed <= rest.len());
                    if !f.batch_ready {
                        assert_eq!(f.consumed, rest.len(), "feed stopped without a batch");
                    }
                    fed += f.consumed as u64;
                    assert_eq!(d.bytes_consumed(), fed);
                    rest = &rest[f.consumed..];
                    if f.batch_ready {
                        take(&d, &mut batches);
                    } else if rest.is_empty() {
                        break;
                    }
                }
                Err(e) => {
                    error = Some(e);
                    break 'input;
                }
            }
        }
        if flush_after(i) {
            let pending = d.rows_parsed() - d.rows_decoded();
            if d.flush() {
                flushed = true;
                assert_eq!(d.batch().num_rows as u64, pending);
                take(&d, &mut batches);
            } else {
                assert_eq!(pending, 0);
            }
            // A second flush has nothing to hand out.
            assert!(!d.flush());
        }
    }
    if error.is_none() {
        loop {
            match d.finish() {
                Ok(true) => take(&d, &mut batches),
                Ok(false) => break,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
    }
    match &error {
        Some(e) => {
            // Sticky: every later call reports the same error.
            assert_eq!(d.feed(b"x").as_ref().err(), Some(e));
            assert_eq!(d.finish().as_ref().err(), Some(e));
            assert!(!d.flush());
            assert_eq!(d.batch().num_rows, 0);
        }
        None => {
            assert_eq!(d.finish(), Ok(false));
            assert!(!d.flush());
            assert_eq!(d.batch().num_rows, 0);
            let total: usize = chunks.iter().map(|c| c.len()).sum();
            assert_eq!(d.bytes_consumed(), total as u64);
            // All batches but the last are full, unless flushed or ended by a record that
            // turns a column String, which starts the next batch.
            for pair in batches.windows(2) {
                assert!(
                    flushed || pair[0].num_rows == batch_rows || starts_string(&pair[0], &pair[1]),
                    "a batch of {} rows before {:?}",
                    pair[0].num_rows,
                    pair[1]
                );
            }
        }
    }
    check_sticky_strings(&batches, d.columns().map_or(0, |c| c.len()));
    Decoded { columns: d.columns().map(|c| c.to_vec()), batches, error }
}

/// Whether `next` starts with a row that has a cell other than empty or a number in a
/// column that is a Number column in `batch`.
fn starts_string(batch: &OwnedBatch, next: &OwnedBatch) -> bool {
    batch.columns.iter().zip(&next.columns).any(|pair| match pair {
        (Cells::Number(_), Cells::String(cells)) => cells.first().is_some_and(|c| !c.is_empty() && !is_number(c)),
        _ => false,
    })
}

/// Asserts that a column that has been String in a batch stays String in later ones.
fn check_sticky_strings(batches: &[OwnedBatch], width: usize) {
    for col in 0..width {
        let mut seen_string = false;
        for batch in batches {
            let is_string = matches!(batch.columns[col], Cells::String(_));
            assert!(is_string || !seen_string, "column {col} turned back to Number");
            seen_string |= is_string;
        }
    }
}

/// Decodes `chunks` through `driver`, pushing a chunk at every `NeedInput`, checking the
/// progress it reports.
pub fn drive(mut driver: Driver, chunks: &[&[u8]]) -> Decoded {
    let mut batches: Vec<OwnedBatch> = Vec::new();
    let mut chunks = chunks.iter();
    let mut pushed = 0u64;
    let error = loop {
        let before = driver.progress();
        match driver.next_step() {
            Step::Batch => {
                let p = driver.progress();
                let batch = driver.batch();
                assert!(batch.num_rows >= 1);
                assert_eq!(batch.row_offset, before.rows_delivered);
                assert_eq!(p.rows_delivered, before.rows_delivered + batch.num_rows as u64);
                assert_eq!(p.columns, Some(batch.columns.len()));
                batches.push(own_batch(batch));
            }
            Step::NeedInput => {
                let p = driver.progress();
                assert_eq!(p.bytes_consumed, pushed, "NeedInput before all input was parsed");
                match chunks.next() {
                    Some(chunk) => {
                        driver.push(chunk);
                        pushed += chunk.len() as u64;
                        assert_eq!(driver.progress().bytes_pushed, pushed);
                    }
                    None => driver.end(),
                }
            }
            Step::Done => break None,
            Step::Failed(e) => break Some(e),
        }
    };
    // The outcome is repeated, and nothing more is handed out.
    let last = match &error {
        Some(e) => Step::Failed(e.clone()),
        None => Step::Done,
    };
    assert_eq!(driver.next_step(), last);
    assert!(!driver.flush());
    driver.push(b"more");
    assert_eq!(driver.next_step(), last);
    let p = driver.progress();
    assert_eq!(p.rows_parsed, p.rows_delivered);
    if error.is_none() {
        assert_eq!(p.bytes_consumed, pushed);
    }
    check_sticky_strings(&batches, driver.columns().map_or(0, |c| c.len()));
    Decoded { columns: driver.columns().map(|c| c.to_vec()), batches, error }
}

/// A driver sizing batches by a fake clock that advances `step` ms at every reading.
pub fn adaptive_driver(options: &DecodeOptions, step: f64) -> Driver {
    let now = std::cell::Cell::new(0.0);
    Driver::adaptive(options.clone(), move || {
        now.set(now.get() + step);
        now.get()
    })
}

/// Decodes `input` in one piece, split at every point into two chunks (also with empty
/// chunks interleaved, and with a flush between the two) and in 1-byte chunks (also with a
/// flush after every byte); through the decoder and through a [`Driver`] (also an adaptive
/// one). Asserts all give the same cells and, where batches end alike, the same batches;
/// returns the whole decode.
pub fn decode_all_paths(input: &[u8], options: &DecodeOptions) -> Decoded {
    let whole = decode_chunks(&[input], options);
    assert_eq!(drive(Driver::new(options.clone()), &[input]), whole, "driver");
    let empty: &[u8] = &[];
    for k in 0..=input.len() {
        let (a, b) = input.split_at(k);
        assert_eq!(decode_chunks(&[a, b], options), whole, "split at {k}");
        assert_eq!(
            decode_chunks(&[empty, a, empty, empty, b, empty], options),
            whole,
            "split at {k} with empty chunks"
        );
        assert_eq!(drive(Driver::new(options.clone()), &[a, empty, b]), whole, "driver, split at {k}");
        assert_same_cells(&whole, &decode_chunks_flushing(&[a, b], options, &|i| i == 0));
        assert_same_cells(&whole, &drive(adaptive_driver(options, 0.0), &[a, b]));
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(decode_chunks(&bytes, options), whole, "1-byte chunks");
    assert_eq!(drive(Driver::new(options.clone()), &bytes), whole, "driver, 1-byte chunks");
    assert_same_cells(&whole, &decode_chunks_flushing(&bytes, options, &|_| true));
    assert_same_cells(&whole, &drive(adaptive_driver(options, 1.0), &bytes));
    whole
}

/// The reference grammar of a number cell, written independently of the decoder's.
pub fn is_number(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = match exponent {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && digits(e)
        }
    };
    mantissa_ok && exponent_ok
}

/// One cell as the decoder stored it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Number(u64),
    String(String),
}

/// All rows of all batches, row after row.
pub fn rows(decoded: &Decoded) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for batch in &decoded.batches {
        for r in 0..batch.num_rows {
            rows.push(
                batch
                    .columns
                    .iter()
                    .map(|c| match c {
                        Cells::Number(v) => Cell::Number(v[r]),
                        Cells::String(v) => Cell::String(v[r].clone()),
                    })
                    .collect(),
            );
        }
    }
    rows
}

/// Asserts that `a` and `b` (decodes of the same input with different batch sizes) hold the
/// same cells: equal where both have the same kind, and a string that parses to the number
/// (or is empty for NaN) where they differ.
pub fn assert_same_cells(a: &Decoded, b: &Decoded) {
    assert_eq!(a.columns, b.columns);
    assert_eq!(a.error, b.error);
    let (ra, rb) = (rows(a), rows(b));
    assert_eq!(ra.len(), rb.len());
    for (i, (x, y)) in ra.iter().zip(&rb).enumerate() {
        for (p, q) in x.iter().zip(y) {
            let same = match (p, q) {
                (Cell::Number(n), Cell::String(s)) | (Cell::String(s), Cell::Number(n)) => {
                    if s.is_empty() {
                        f64::from_bits(*n).is_nan()
                    } else {
                        is_number(s) && s.parse::<f64>().map(f64::to_bits).ok() == Some(*n)
                    }
                }
                _ => p == q,
            };
            assert!(same, "row {i}: {p:?} vs {q:?}");
        }
    }
}

pub fn options(batch_rows: usize) -> DecodeOptions {
    DecodeOptions { batch_rows, ..DecodeOptions::default() }
}
