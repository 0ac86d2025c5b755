//! Columnar batches and how decoded records are appended to them.

use super::number::parse_cell;
use super::record::NonAscii;
use crate::prelude::*;

/// Longest text cell copied in 16-byte blocks; longer ones are copied in one call.
const LONG_CELL: usize = 64;

/// How a column's cells are stored in a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Cells are in `numbers`; an empty cell is NaN.
    Number,
    /// Cells are in `text`, delimited by `text_ends` and `utf16_ends`.
    String,
}

/// One column of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub kind: ColumnKind,
    /// When `kind` is `Number`: one value per row, NaN for an empty cell.
    pub numbers: Vec<f64>,
    /// When `kind` is `String`: the cells' UTF-8 bytes, concatenated.
    pub text: Vec<u8>,
    /// When `kind` is `String`: the end of each cell in `text`, in bytes.
    pub text_ends: Vec<u32>,
    /// When `kind` is `String`: the end of each cell in UTF-16 code units of the decoded
    /// `text`; equal to `text_ends` for ASCII.
    pub utf16_ends: Vec<u32>,
}

impl Column {
    fn new(kind: ColumnKind) -> Column {
        Column { kind, numbers: Vec::new(), text: Vec::new(), text_ends: Vec::new(), utf16_ends: Vec::new() }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        match self.kind {
            ColumnKind::Number => self.numbers.len(),
            ColumnKind::String => self.text_ends.len(),
        }
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number in `row` of a `Number` column.
    pub fn number(&self, row: usize) -> Option<f64> {
        match self.kind {
            ColumnKind::Number => self.numbers.get(row).copied(),
            ColumnKind::String => None,
        }
    }

    /// The text in `row` of a `String` column.
    pub fn str(&self, row: usize) -> Option<&str> {
        if self.kind != ColumnKind::String {
            return None;
        }
        let end = *self.text_ends.get(row)? as usize;
        let start = match row.checked_sub(1) {
            Some(prev) => *self.text_ends.get(prev)? as usize,
            None => 0,
        };
        core::str::from_utf8(self.text.get(start..end)?).ok()
    }

    fn clear(&mut self) {
        self.numbers.clear();
        self.text.clear();
        self.text_ends.clear();
        self.utf16_ends.clear();
    }

    fn capacity_bytes(&self) -> usize {
        self.numbers.capacity() * core::mem::size_of::<f64>()
            + self.text.capacity()
            + (self.text_ends.capacity() + self.utf16_ends.capacity()) * core::mem::size_of::<u32>()
    }

    /// Appends the text cell `buf[start..end]`; `ascii` tells that it holds no multi-byte
    /// characters. The bytes of `buf` after the cell may be read.
    #[inline(always)]
    pub(super) fn push_text(&mut self, buf: &[u8], start: usize, end: usize, ascii: bool) {
        let old = self.text.len();
        self.extend_text(buf, start, end);
        self.end_text(old, ascii);
    }

    /// Appends `buf[start..end]` to the text of the cell being written.
    #[inline(always)]
    fn extend_text(&mut self, buf: &[u8], start: usize, end: usize) {
        let old = self.text.len();
        let len = end.saturating_sub(start);
        if len <= LONG_CELL && self.text.capacity() - old >= len.next_multiple_of(16) {
            // In blocks of 16 bytes, reading past the cell where `buf` allows and cutting the
            // surplus off: copies of a fixed size are plain loads and stores, where one of a
            // variable size is a call (in wasm, a `memory.copy`), costly for short cells. Only
            // within the room the text has, so that the surplus never makes it grow.
            let mut at = start;
            while at < end {
                match buf.get(at..).and_then(<[u8]>::first_chunk::<16>) {
                    Some(block) => self.text.extend_from_slice(block),
                    None => {
                        self.text.extend_from_slice(buf.get(at..end).unwrap_or_default());
                        break;
                    }
                }
                at += 16;
            }
            self.text.truncate(old + len);
        } else {
            self.text.extend_from_slice(buf.get(start..end).unwrap_or_default());
        }
    }

    /// Ends the cell whose text started at `text[old]`; `ascii` tells that it holds no
    /// multi-byte characters.
    #[inline(always)]
    fn end_text(&mut self, old: usize, ascii: bool) {
        let len = self.text.len() - old;
        // The decoder keeps a batch's bytes far below 4 GiB, so the offsets fit.
        self.text_ends.push(self.text.len() as u32);
        let units = if ascii { len } else { utf16_len(self.text.get(old..).unwrap_or_default()) };
        let prev = self.utf16_ends.last().copied().unwrap_or(0);
        self.utf16_ends.push(prev + units as u32);
    }

    /// Appends the text cell `buf[start..end]`, the inside of a quoted field, each of its
    /// doubled quotes taken as one.
    #[cold]
    pub(super) fn push_unescaped(&mut self, buf: &[u8], start: usize, end: usize, ascii: bool) {
        let old = self.text.len();
        let mut from = start;
        while let Some(q) = buf.get(from..end).and_then(|rest| rest.iter().position(|&b| b == b'"')) {
            // The first quote of the pair is kept.
            self.extend_text(buf, from, from + q + 1);
            from += q + 2;
        }
        self.extend_text(buf, from, end);
        self.end_text(old, ascii);
    }

    /// Removes the last cell.
    pub(super) fn pop(&mut self) {
        match self.kind {
            ColumnKind::Number => {
                self.numbers.pop();
            }
            ColumnKind::String => {
                self.text_ends.pop();
                self.utf16_ends.pop();
                self.text.truncate(self.text_ends.last().map_or(0, |&end| end as usize));
            }
        }
    }
}

/// Number of UTF-16 code units of valid UTF-8 `s`: one per character, two for characters
/// outside the Basic Multilingual Plane (those encoded in 4 bytes). That is the byte length,
/// less the continuation bytes, plus the 4-byte leads; both are counted 8 bytes at a time,
/// skipping all-ASCII words.
#[inline(never)]
pub(crate) fn utf16_len(s: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut continuations = 0;
    let mut leads4 = 0;
    let mut count = |w: u64| {
        if w & HIGH != 0 {
            // Bit 7 of each byte of `w << k` is bit 7 - k of the same byte of `w`.
            continuations += (w & !(w << 1) & HIGH).count_ones() as usize;
            leads4 += (w & (w << 1) & (w << 2) & (w << 3) & HIGH).count_ones() as usize;
        }
    };
    let mut words = s.chunks_exact(8);
    for word in words.by_ref() {
        if let Ok(bytes) = <[u8; 8]>::try_from(word) {
            count(u64::from_le_bytes(bytes));
        }
    }
    // The last bytes, padded with zeros (ASCII, so not counted); their order in the word
    // does not matter.
    count(words.remainder().iter().fold(0, |w, &b| (w << 8) | u64::from(b)));
    s.len() - continuations + leads4
}

/// A batch of rows, stored by column. Its buffers are cleared and reused for the next batch.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Batch {
    /// 0-based index of this batch's first data row in the file.
    pub row_offset: u64,
    pub num_rows: usize,
    /// One per header column, in header order.
    pub columns: Vec<Column>,
}

impl Batch {
    /// Sets up one empty column per header column.
    pub(crate) fn set_width(&mut self, width: usize, kind: ColumnKind) {
        self.columns = (0..width).map(|_| Column::new(kind)).collect();
    }

    /// Empties the batch for rows from `row_offset` on; column kinds are kept, so a column
    /// that has turned String stays String.
    pub(crate) fn clear(&mut self, row_offset: u64) {
        self.row_offset = row_offset;
        self.num_rows = 0;
        for column in &mut self.columns {
            column.clear();
        }
    }

    pub(crate) fn capacity_bytes(&self) -> usize {
        self.columns.capacity() * core::mem::size_of::<Column>()
            + self.columns.iter().map(Column::capacity_bytes).sum::<usize>()
    }

    /// Appends one validated record, unless it has a cell that is not a number in a column
    /// that is a Number column in this batch so far: that record is held back for the next
    /// batch (unless it is the first row, which turns the column String), so that a column
    /// turns String only at the first row of a batch and no earlier cell has to be rebuilt.
    /// `buf` holds the record's decoded bytes from its start (the bytes after it may be read,
    /// never used), `ends` the end of each of its cells, exactly one per column;
    /// `non_ascii` tells which cells may hold multi-byte characters.
    #[inline]
    pub(crate) fn push_row(&mut self, buf: &[u8], ends: &[usize], non_ascii: NonAscii) -> Pushed {
        let first_row = self.num_rows == 0;
        let mut start = 0;
        let mut held = None;
        for (col, (column, &end)) in self.columns.iter_mut().zip(ends).enumerate() {
            let (cell_start, cell_end) = (start, end);
            start = end;
            if column.kind == ColumnKind::Number {
                if cell_end <= cell_start {
                    column.numbers.push(f64::NAN);
                    continue;
                } else if let Some(v) = parse_cell(buf, cell_start, cell_end) {
                    column.numbers.push(v);
                    continue;
                } else if !first_row {
                    held = Some(col);
                    break;
                }
                column.kind = ColumnKind::String;
            }
            // One copy of the text cell's code, for String columns and the one turning String.
            column.push_text(buf, cell_start, cell_end, !non_ascii.field(col));
        }
        if let Some(col) = held {
            // Take back the cells of this record already added.
            for column in self.columns.iter_mut().take(col) {
                column.pop();
            }
            return Pushed::Held;
        }
        self.num_rows += 1;
        Pushed::Row
    }
}

/// What [`Batch::push_row`] did with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// It is the batch's last row.
    Row,
    /// It waits for the next batch, which it starts.
    Held,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_lengths() {
        for s in [
            "",
            "abc",
            "é",
            "€uro",
            "😀",
            "a😀é€",
            "abcdefgh😀",
            "abcdefg😀",
            "ééééééééé",
            "😀😀😀😀😀",
            "\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}",
        ] {
            assert_eq!(utf16_len(s.as_bytes()), s.encode_utf16().count(), "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn utf16_length_of_any_string(s in ".{0,40}") {
            proptest::prop_assert_eq!(utf16_len(s.as_bytes()), s.encode_utf16().count());
        }
    }

    #[test]
    fn a_column_turns_string_at_the_first_row_of_a_batch_only() {
        let mut batch = Batch::default();
        batch.set_width(2, ColumnKind::Number);
        // Each record with 8 bytes to spare after it, as the decoder's arena has.
        let push = |batch: &mut Batch, record: &[u8], ends: &[usize]| {
            let mut buf = record.to_vec();
            buf.extend_from_slice(b"99999999");
            batch.push_row(&buf, ends, NonAscii::NONE)
        };
        assert_eq!(push(&mut batch, b"1x", &[1, 2]), Pushed::Row);
        assert_eq!(batch.columns[0].kind, ColumnKind::Number);
        assert_eq!(batch.columns[1].kind, ColumnKind::String);
        assert_eq!(push(&mut batch, b"007y", &[3, 4]), Pushed::Row);
        // "ab" is not a number: the record is held back, its first cells taken back.
        assert_eq!(push(&mut batch, b"abz", &[2, 3]), Pushed::Held);
        assert_eq!(push(&mut batch, b"5zz", &[1, 3]), Pushed::Row);
        assert_eq!(batch.num_rows, 3);
        assert_eq!(batch.columns[0].numbers, [1.0, 7.0, 5.0]);
        let b = &batch.columns[1];
        assert_eq!((b.str(0), b.str(1), b.str(2), b.str(3)), (Some("x"), Some("y"), Some("zz"), None));
        assert_eq!((b.text_ends.as_slice(), b.utf16_ends.as_slice()), (&[1, 2, 4][..], &[1, 2, 4][..]));
        // A string cell taken back: a held record with a non-number in the second column.
        let mut batch = Batch::default();
        batch.set_width(3, ColumnKind::Number);
        assert_eq!(push(&mut batch, b"a12", &[1, 2, 3]), Pushed::Row);
        assert_eq!(push(&mut batch, b"cdex2", &[3, 4, 5]), Pushed::Held);
        assert_eq!(batch.columns[0].str(0), Some("a"));
        assert_eq!((batch.columns[0].text.as_slice(), batch.columns[0].text_ends.len()), (&b"a"[..], 1));
        assert_eq!(batch.columns[0].utf16_ends, [1]);
        assert_eq!(batch.columns[1].numbers, [1.0]);
        // The next batch starts with it: the column turns String there.
        batch.clear(1);
        assert_eq!(push(&mut batch, b"cdex2", &[3, 4, 5]), Pushed::Row);
        assert_eq!(batch.columns[0].str(0), Some("cde"));
        assert_eq!(batch.columns[1].str(0), Some("x"));
        assert_eq!(batch.columns[2].numbers, [2.0]);
    }
}
