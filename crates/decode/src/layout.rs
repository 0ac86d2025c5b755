//! The layout in which a decoded [`Batch`] crosses to JavaScript: one byte buffer, copied once,
//! holding every number column and the offsets of every text cell, and the cells' text cut into
//! pieces of at most [`PIECE_BYTES`] at cell boundaries, each decoded once into a JS string
//! (`src/wasm/handoff.rs`). `js/record-batch.js` reads it: number columns as `Float64Array` views
//! of the buffer, string cells sliced from the pieces, dictionary columns from their distinct
//! values. Plain Rust, so the layout is tested natively; depends on the decoder's [`Batch`] only.
//!
//! `data` is the f64 values of every number column, column after column, then, from `words_at`,
//! u32 words: first [`META_WORDS`] per column (`kind, at, piece, at2, count`), then what the
//! columns point to:
//! - [`NUMBER`]: `at` is the index of its first value among the f64s.
//! - [`STRING`]: `at` is the word index of its cells' UTF-16 ends (one per row, counted from
//!   the start of the column's first piece); its pieces are `piece..piece + count`, and the
//!   words from `at2` hold each piece's UTF-16 end in the same count. A piece ends at a cell's
//!   end, so no cell spans two pieces.
//! - [`DICTIONARY`]: `at` is the word index of each row's value index; the `count` distinct
//!   values are the text of piece `piece`, the words from `at2` holding their UTF-16 ends in it.
//!
//! A column whose cells repeat (no more than [`DICT_FLOOR`] distinct values, or a quarter of
//! the rows) goes as a dictionary: JavaScript then makes one string per distinct value instead of
//! one per cell. After a batch in which a column's cells did not, a dictionary is tried for it
//! again only [`DICT_RETRY`] batches later. Decoding text in pieces keeps each string small, which Chromium's `TextDecoder`
//! decodes several times faster than a string of megabytes.

use crate::prelude::*;
use core::hash::Hasher;

use rustc_hash::FxHasher;

use crate::{Batch, Column, ColumnKind};

/// Most bytes of text in one piece (a single longer cell makes a piece of its own).
pub const PIECE_BYTES: usize = 32 * 1024;

/// Words of each column's description.
pub const META_WORDS: usize = 5;

/// Column kinds in the layout.
pub const NUMBER: u32 = 0;
pub const STRING: u32 = 1;
pub const DICTIONARY: u32 = 2;

/// A column with at most this many distinct values in a batch goes as a dictionary (when it
/// has at least [`DICT_MIN_ROWS`] rows); so does one with at most a quarter of its rows, up to
/// [`DICT_MAX`] values.
pub const DICT_FLOOR: usize = 256;

/// Most distinct values of a dictionary.
pub const DICT_MAX: usize = 4096;

/// After a column's cells did not make a dictionary, a dictionary is tried again for it once
/// in this many batches.
pub const DICT_RETRY: u8 = 8;

/// Fewer rows than this never go as a dictionary.
pub const DICT_MIN_ROWS: usize = 16;

/// The buffers of one batch's layout, reused from one batch to the next.
#[derive(Default)]
pub struct Layout {
    /// The f64 values, then the u32 words (from `words_at`).
    pub data: Vec<u8>,
    /// Byte offset of the words in `data` (a multiple of 8).
    pub words_at: usize,
    /// The text of every piece, one after the other.
    pub text: Vec<u8>,
    /// The byte end of each piece in `text`.
    pub cuts: Vec<u32>,
    words: Vec<u32>,
    scratch: Dictionary,
    /// Per column: batches left before a dictionary is tried again, after one was not made.
    retry: Vec<u8>,
}

/// A dictionary being built for one column.
#[derive(Default)]
struct Dictionary {
    /// Each row's value index.
    indices: Vec<u32>,
    /// The distinct values' text, with the byte and UTF-16 end of each.
    text: Vec<u8>,
    ends: Vec<u32>,
    utf16_ends: Vec<u32>,
    /// Each value's key (see [`cell_key`]).
    keys: Vec<u64>,
    /// An open-addressing table of the values (index + 1; 0: empty), probed linearly. (No
    /// `HashMap`: its code would cost the wasm several KB for this one use.)
    slots: Vec<u32>,
}

impl Layout {
    /// Lays out `batch` into the buffers, replacing the previous batch's.
    pub fn build(&mut self, batch: &Batch) {
        let rows = batch.num_rows;
        self.data.clear();
        self.text.clear();
        self.cuts.clear();
        self.words.clear();
        self.words.resize(batch.columns.len() * META_WORDS, 0);
        let mut values = 0usize;
        self.retry.resize(batch.columns.len(), 0);
        for (i, column) in batch.columns.iter().enumerate() {
            let meta = match column.kind {
                ColumnKind::Number => {
                    let numbers = column.numbers.get(..rows).unwrap_or(&column.numbers);
                    self.data.extend_from_slice(bytemuck::cast_slice(numbers));
                    let at = values;
                    values += numbers.len();
                    [NUMBER, word(at), 0, 0, 0]
                }
                ColumnKind::String => {
                    // A column whose values did not repeat enough in one batch (an id, free
                    // text) seldom does in the next: the attempt, which costs up to a quarter of
                    // its rows, is made again only every DICT_RETRY batches.
                    let wait = self.retry.get(i).copied().unwrap_or(0);
                    if rows < DICT_MIN_ROWS {
                        self.pieces(column)
                    } else if wait > 0 {
                        self.set_retry(i, wait - 1);
                        self.pieces(column)
                    } else if self.scratch.build(column, rows) {
                        self.dictionary()
                    } else {
                        self.set_retry(i, DICT_RETRY - 1);
                        self.pieces(column)
                    }
                }
            };
            if let Some(slot) = self.words.get_mut(i * META_WORDS..(i + 1) * META_WORDS) {
                slot.copy_from_slice(&meta);
            }
        }
        self.words_at = self.data.len();
        self.data.extend_from_slice(bytemuck::cast_slice(&self.words));
    }

    fn set_retry(&mut self, column: usize, wait: u8) {
        if let Some(r) = self.retry.get_mut(column) {
            *r = wait;
        }
    }

    /// The description of a dictionary column just built in `scratch`; its words and text appended.
    fn dictionary(&mut self) -> [u32; META_WORDS] {
        let d = &self.scratch;
        let at = self.words.len();
        self.words.extend_from_slice(&d.indices);
        let at2 = self.words.len();
        self.words.extend_from_slice(&d.utf16_ends);
        let piece = self.cuts.len();
        self.text.extend_from_slice(&d.text);
        self.cuts.push(word(self.text.len()));
        [DICTIONARY, word(at), word(piece), word(at2), word(d.utf16_ends.len())]
    }

    /// The description of a string column cut into pieces; its words and text appended.
    fn pieces(&mut self, column: &Column) -> [u32; META_WORDS] {
        let at = self.words.len();
        self.words.extend_from_slice(&column.utf16_ends);
        let first_piece = self.cuts.len();
        let ends = &column.text_ends;
        let n = ends.len();
        // The pieces' UTF-16 ends follow the cells' in the words.
        let at2 = self.words.len();
        let mut cell = 0;
        let mut start = 0usize;
        loop {
            // The cells that end within PIECE_BYTES of the piece's start; at least one.
            let limit = start.saturating_add(PIECE_BYTES);
            let rest = ends.get(cell..).unwrap_or_default();
            let next = (cell + rest.partition_point(|&e| e as usize <= limit)).max(cell + 1).min(n);
            let (end, utf16_end) = match next.checked_sub(1) {
                Some(last) => {
                    (ends.get(last).map_or(start, |&e| e as usize), column.utf16_ends.get(last).copied().unwrap_or(0))
                }
                None => (start, 0),
            };
            self.text.extend_from_slice(column.text.get(start..end).unwrap_or_default());
            self.cuts.push(word(self.text.len()));
            self.words.push(utf16_end);
            cell = next;
            start = end;
            if cell >= n {
                break;
            }
        }
        [STRING, word(at), word(first_piece), word(at2), word(self.words.len() - at2)]
    }
}

impl Dictionary {
    /// Builds the dictionary of `column`'s first `rows` cells; false when the column has too
    /// many distinct values (or too much distinct text) for one.
    fn build(&mut self, column: &Column, rows: usize) -> bool {
        self.indices.clear();
        self.text.clear();
        self.ends.clear();
        self.utf16_ends.clear();
        self.keys.clear();
        if rows < DICT_MIN_ROWS {
            return false;
        }
        let most = DICT_FLOOR.max(rows / 4).min(DICT_MAX);
        // At most half full.
        let size = (2 * most).next_power_of_two();
        let mask = size - 1;
        self.slots.clear();
        self.slots.resize(size, 0);
        let mut start = 0usize;
        let mut utf16_start = 0u32;
        for (&end, &utf16_end) in column.text_ends.iter().zip(&column.utf16_ends).take(rows) {
            let cell = column.text.get(start..end as usize).unwrap_or_default();
            let key = cell_key(&column.text, start, cell);
            let mut slot = ((key ^ cell.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & mask;
            let index = loop {
                match self.slots.get(slot).copied().unwrap_or(0) {
                    0 => {
                        // A new value.
                        let index = self.ends.len();
                        if index >= most || self.text.len() + cell.len() > PIECE_BYTES {
                            return false;
                        }
                        self.text.extend_from_slice(cell);
                        self.ends.push(word(self.text.len()));
                        self.keys.push(key);
                        let units = utf16_end.saturating_sub(utf16_start);
                        self.utf16_ends.push(self.utf16_ends.last().copied().unwrap_or(0) + units);
                        if let Some(s) = self.slots.get_mut(slot) {
                            *s = word(index + 1);
                        }
                        break index;
                    }
                    taken => {
                        let index = taken as usize - 1;
                        if self.keys.get(index) == Some(&key) {
                            let from = index.checked_sub(1).and_then(|i| self.ends.get(i)).map_or(0, |&e| e as usize);
                            let to = self.ends.get(index).map_or(0, |&e| e as usize);
                            // Equal keys of values of at most 8 bytes and equal lengths are equal
                            // values; longer ones are compared.
                            if to - from == cell.len() && (cell.len() <= 8 || self.text.get(from..to) == Some(cell)) {
                                break index;
                            }
                        }
                        slot = (slot + 1) & mask;
                    }
                }
            };
            self.indices.push(word(index));
            start = end as usize;
            utf16_start = utf16_end;
        }
        true
    }
}

/// The key of `cell`, which starts at `text[start]`: a value of at most 8 bytes is its own key
/// (its bytes as a little-endian u64, zeros after them), a longer one is keyed by its hash; so
/// values of at most 8 bytes are equal when their keys and lengths are.
#[inline(always)]
fn cell_key(text: &[u8], start: usize, cell: &[u8]) -> u64 {
    if cell.len() > 8 {
        let mut hasher = FxHasher::default();
        hasher.write(cell);
        return hasher.finish();
    }
    match text.get(start..).and_then(<[u8]>::first_chunk::<8>) {
        // The bytes after the cell are cut off.
        Some(word) => {
            let kept = match cell.len() {
                0 => 0,
                n => u64::MAX >> (64 - 8 * n as u32),
            };
            u64::from_le_bytes(*word) & kept
        }
        None => cell.iter().rev().fold(0, |key, &b| (key << 8) | u64::from(b)),
    }
}

/// A count or offset as a u32 word: a batch's buffers stay far below 4 GiB (the decoder caps a
/// batch at 32 MiB), so it fits.
fn word(n: usize) -> u32 {
    n as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DecodeOptions, Driver, Step};

    /// A cell as JavaScript reads it (a number by its bits, so NaN equals NaN).
    #[derive(Debug, Clone, PartialEq)]
    enum Cell {
        Number(u64),
        Text(String),
    }

    /// Reads a layout back the way js/record-batch.js does, pieces decoded as UTF-16.
    fn read(layout: &Layout, rows: usize, width: usize) -> Vec<Vec<Cell>> {
        let f64s: Vec<f64> =
            layout.data[..layout.words_at].chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
        let words: Vec<u32> =
            layout.data[layout.words_at..].chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
        let mut start = 0;
        let pieces: Vec<Vec<u16>> = layout
            .cuts
            .iter()
            .map(|&end| {
                let s = core::str::from_utf8(&layout.text[start..end as usize]).unwrap();
                start = end as usize;
                s.encode_utf16().collect()
            })
            .collect();
        let mut columns = Vec::new();
        for c in 0..width {
            let m = &words[c * META_WORDS..(c + 1) * META_WORDS];
            let (kind, at, piece, at2, count) = (m[0], m[1] as usize, m[2] as usize, m[3] as usize, m[4] as usize);
            let cells: Vec<Cell> = match kind {
                NUMBER => f64s[at..at + rows].iter().map(|&v| Cell::Number(v.to_bits())).collect(),
                STRING => {
                    let (mut p, mut base, mut piece_end, mut k) = (piece, 0u32, words[at2], at2);
                    let mut from = 0u32;
                    (0..rows)
                        .map(|r| {
                            let end = words[at + r];
                            while end > piece_end {
                                base = piece_end;
                                k += 1;
                                p += 1;
                                piece_end = words[k];
                                assert!(k < at2 + count, "ran past the column's pieces");
                            }
                            let units = &pieces[p][(from - base) as usize..(end - base) as usize];
                            from = end;
                            Cell::Text(String::from_utf16(units).unwrap())
                        })
                        .collect()
                }
                DICTIONARY => {
                    let mut from = 0;
                    let values: Vec<String> = (0..count)
                        .map(|k| {
                            let end = words[at2 + k] as usize;
                            let s = String::from_utf16(&pieces[piece][from..end]).unwrap();
                            from = end;
                            s
                        })
                        .collect();
                    (0..rows).map(|r| Cell::Text(values[words[at + r] as usize].clone())).collect()
                }
                other => panic!("kind {other}"),
            };
            columns.push(cells);
        }
        (0..rows).map(|r| columns.iter().map(|col| col[r].clone()).collect()).collect()
    }

    /// The cells of `batch` as the decoder holds them.
    fn cells(batch: &Batch) -> Vec<Vec<Cell>> {
        (0..batch.num_rows)
            .map(|r| {
                batch
                    .columns
                    .iter()
                    .map(|c| match c.kind {
                        ColumnKind::Number => Cell::Number(c.number(r).unwrap().to_bits()),
                        ColumnKind::String => Cell::Text(c.str(r).unwrap().to_owned()),
                    })
                    .collect()
            })
            .collect()
    }

    /// Decodes `csv` in batches of `batch_rows`, lays out each batch (reusing one Layout) and
    /// checks that reading the layout gives the decoder's cells; returns the kinds of the
    /// columns of each batch.
    fn round_trip(csv: &str, batch_rows: usize) -> Vec<Vec<u32>> {
        round_trip_with(csv, DecodeOptions::default(), batch_rows)
    }

    fn round_trip_with(csv: &str, options: DecodeOptions, batch_rows: usize) -> Vec<Vec<u32>> {
        let mut driver = Driver::new(DecodeOptions { batch_rows, ..options });
        driver.push(csv.as_bytes());
        driver.end();
        let mut layout = Layout::default();
        let mut kinds = Vec::new();
        loop {
            match driver.next_step() {
                Step::Batch => {
                    let batch = driver.batch();
                    layout.build(batch);
                    assert_eq!(layout.words_at % 8, 0);
                    let width = batch.columns.len();
                    assert_eq!(read(&layout, batch.num_rows, width), cells(batch));
                    let words = &layout.data[layout.words_at..];
                    kinds.push(
                        (0..width).map(|c| u32::from_le_bytes(words[c * 20..c * 20 + 4].try_into().unwrap())).collect(),
                    );
                }
                Step::Done => return kinds,
                Step::NeedInput => driver.end(),
                Step::Failed(e) => panic!("{e}"),
            }
        }
    }

    #[test]
    fn numbers_strings_and_dictionaries_read_back_exactly() {
        let mut csv = String::from("id,label,score,note\n");
        for i in 0..1000 {
            let label = ["churned", "renewed", "é😀", ""][i % 4];
            // The first row's note is text: an empty first cell would make the column a number
            // column, and the first text would then end the batch.
            let note = if i % 7 == 3 { String::new() } else { format!("note {i}, \"q\" ü{}", "x".repeat(i % 50)) };
            csv += &format!("AC{i},{label},{},\"{}\"\n", i as f64 / 3.0, note.replace('"', "\"\""));
        }
        let kinds = round_trip(&csv, 300);
        // id and note differ in every row; label has four values; score is a number.
        assert_eq!(kinds[0], [STRING, DICTIONARY, NUMBER, STRING]);
        assert_eq!(kinds.len(), 4);
    }

    #[test]
    fn long_text_is_cut_into_pieces_at_cell_boundaries() {
        let mut csv = String::from("a,b\n");
        for i in 0..400 {
            // Cells of up to ~40 KB, multi-byte characters and surrogate pairs across piece sizes.
            let a = "ß😀".repeat((i * 37) % 300) + &"y".repeat(if i % 50 == 0 { PIECE_BYTES + 5 } else { i % 9 });
            csv += &format!("{a},{i}x\n");
        }
        round_trip(&csv, 400);
        let mut layout = Layout::default();
        let mut driver = Driver::new(DecodeOptions::default());
        driver.push(csv.as_bytes());
        driver.end();
        assert_eq!(driver.next_step(), Step::Batch);
        layout.build(driver.batch());
        let mut start = 0;
        for &end in &layout.cuts {
            let piece = end as usize - start;
            assert!(piece <= PIECE_BYTES + 5 + 4 * 300 * 6, "piece of {piece} bytes");
            start = end as usize;
        }
        assert!(layout.cuts.len() > 10, "{} pieces", layout.cuts.len());
    }

    #[test]
    fn empty_columns_and_tiny_batches() {
        assert_eq!(round_trip("a,b,c\n,,1\n,,2\n", 10), [vec![NUMBER, NUMBER, NUMBER]]);
        let strings = DecodeOptions { infer_types: false, ..DecodeOptions::default() };
        assert_eq!(round_trip_with("a,b\n,\n,\n", strings.clone(), 10), [vec![STRING, STRING]]);
        assert_eq!(round_trip("a,b\nx,\ny,\n", 1), [vec![STRING, NUMBER], vec![STRING, NUMBER]]);
        // A dictionary needs DICT_MIN_ROWS rows.
        let csv = "a\n".to_owned() + &"same\n".repeat(DICT_MIN_ROWS);
        assert_eq!(round_trip(&csv, DICT_MIN_ROWS - 1), [vec![STRING], vec![STRING]]);
        assert_eq!(round_trip(&csv, DICT_MIN_ROWS), [vec![DICTIONARY]]);
    }

    #[test]
    fn a_dictionary_stays_within_its_limits() {
        // DICT_FLOOR distinct values in 2 * DICT_FLOOR rows: a dictionary; one more: none.
        let rows = |distinct: usize| {
            let mut csv = String::from("v\n");
            for i in 0..2 * DICT_FLOOR {
                csv += &format!("v{}\n", i % distinct);
            }
            csv
        };
        assert_eq!(round_trip(&rows(DICT_FLOOR), 2 * DICT_FLOOR), [vec![DICTIONARY]]);
        assert_eq!(round_trip(&rows(DICT_FLOOR + 1), 2 * DICT_FLOOR), [vec![STRING]]);
        // A quarter of the rows when that is more.
        let mut csv = String::from("v\n");
        for i in 0..8 * DICT_FLOOR {
            csv += &format!("v{}\n", i % (2 * DICT_FLOOR));
        }
        assert_eq!(round_trip(&csv, 8 * DICT_FLOOR), [vec![DICTIONARY]]);
        // Never more than DICT_MAX values.
        let mut csv = String::from("v\n");
        for i in 0..8 * (DICT_MAX + 1) {
            csv += &format!("v{}\n", i % (DICT_MAX + 1));
        }
        assert_eq!(round_trip(&csv, 8 * (DICT_MAX + 1)), [vec![STRING]]);
        // Distinct text over PIECE_BYTES: none.
        let mut csv = String::from("v\n");
        for i in 0..64 {
            csv += &format!("{}{}\n", i % 20, "z".repeat(PIECE_BYTES / 16));
        }
        assert_eq!(round_trip(&csv, 64), [vec![STRING]]);
    }

    #[test]
    fn a_column_that_makes_no_dictionary_is_tried_again_every_few_batches() {
        // `id` differs in every row of the first batch, then repeats; `label` always repeats.
        let rows = 4 * DICT_FLOOR;
        let mut csv = String::from("id,label\n");
        for i in 0..rows * (DICT_RETRY as usize + 2) {
            let id = if i < rows { format!("AC{i}") } else { "AC0".to_owned() };
            csv += &format!("{id},{}\n", ["churned", "renewed"][i % 2]);
        }
        let kinds = round_trip(&csv, rows);
        let ids: Vec<u32> = kinds.iter().map(|k| k[0]).collect();
        // Tried in the first batch, then again DICT_RETRY batches later.
        let mut expected = vec![STRING; DICT_RETRY as usize];
        expected.extend([DICTIONARY; 2]);
        assert_eq!(ids, expected);
        assert!(kinds.iter().all(|k| k[1] == DICTIONARY));
    }

    #[test]
    fn a_batch_too_small_for_a_dictionary_does_not_delay_the_next() {
        // The first row's text in `n` is a number: the second row, whose `n` is not, waits
        // for the next batch, so the first batch has one row.
        let mut csv = String::from("v,n\nx,1\n");
        for i in 0..2 * DICT_MIN_ROWS {
            csv += &format!("{},y\n", ["a", "b"][i % 2]);
        }
        assert_eq!(round_trip(&csv, 1000), [vec![STRING, NUMBER], vec![DICTIONARY, DICTIONARY]]);
    }

    #[test]
    fn dictionary_values_differ_in_any_byte_and_length() {
        // Values of at most 8 bytes are keyed by their bytes: ones that differ only in length
        // (trailing NULs), in their 8th byte or after it.
        let values = [
            "",
            "\0",
            "a",
            "a\0",
            "a\0\0",
            "abcdefgh",
            "abcdefgi",
            "abcdefg",
            "abcdefgh\0",
            "abcdefghi",
            "abcdefghj",
            "é",
            "😀",
            "abcdefg😀",
        ];
        let mut csv = String::from("v,w\n\"first\",x\n");
        for i in 0..values.len() * 8 {
            csv += &format!("\"{}\",{}\n", values[(i * 5) % values.len()], values[i % values.len()]);
        }
        let kinds = round_trip(&csv, 1000);
        assert_eq!(kinds, [vec![DICTIONARY, DICTIONARY]]);
    }

    proptest::proptest! {
        #[test]
        fn any_cells_read_back(
            cells in proptest::collection::vec(
                proptest::prop_oneof!["[ab]{0,2}", "\\PC{0,12}", "[x😀é\r\n,\"\u{feff}]{0,40}"],
                1..300,
            ),
            batch_rows in 1usize..120,
        ) {
            // Two columns of the cells, quoted: the second shifted, so the columns differ.
            let quote = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
            let mut csv = String::from("a,b\n");
            for (i, cell) in cells.iter().enumerate() {
                csv += &format!("{},{}\n", quote(cell), quote(&cells[(i * 7) % cells.len()]));
            }
            round_trip(&csv, batch_rows);
        }
    }
}
