//! Columnar batches and how decoded records are appended to them.

use super::number::parse_cell;
use super::record::NonAscii;

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
        std::str::from_utf8(self.text.get(start..end)?).ok()
    }

    fn clear(&mut self) {
        self.numbers.clear();
        self.text.clear();
        self.text_ends.clear();
        self.utf16_ends.clear();
    }

    fn capacity_bytes(&self) -> usize {
        self.numbers.capacity() * std::mem::size_of::<f64>()
            + self.text.capacity()
            + (self.text_ends.capacity() + self.utf16_ends.capacity()) * std::mem::size_of::<u32>()
    }

    /// Appends the text cell `buf[start..end]`; `ascii` tells that it holds no multi-byte
    /// characters. The bytes of `buf` after the cell may be read.
    #[inline(always)]
    fn push_text(&mut self, buf: &[u8], start: usize, end: usize, ascii: bool) {
        let old = self.text.len();
        let len = end.saturating_sub(start);
        if len <= LONG_CELL {
            // In blocks of 16 bytes, reading past the cell where `buf` allows and cutting the
            // surplus off: copies of a fixed size are plain loads and stores, where one of a
            // variable size is a call (in wasm, a `memory.copy`), costly for short cells.
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
        // The decoder keeps a batch's bytes far below 4 GiB, so the offsets fit.
        self.text_ends.push(self.text.len() as u32);
        let units = if ascii { len } else { utf16_len(buf.get(start..end).unwrap_or_default()) };
        let prev = self.utf16_ends.last().copied().unwrap_or(0);
        self.utf16_ends.push(prev + units as u32);
    }

    /// Turns a `Number` column into a `String` one, rebuilding its earlier cells of this
    /// batch from their original text.
    #[cold]
    fn demote(&mut self, rows: &Rows<'_>, col: usize) {
        self.kind = ColumnKind::String;
        self.numbers.clear();
        for row in 0..rows.starts.len() {
            // Cells of a Number column are numbers or empty: ASCII.
            let (start, end) = rows.cell(row, col);
            self.push_text(rows.arena, start, end, true);
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
        self.columns.capacity() * std::mem::size_of::<Column>()
            + self.columns.iter().map(Column::capacity_bytes).sum::<usize>()
    }

    /// Appends one validated record. `buf[at..]` holds its decoded bytes (the bytes around it
    /// may be read, never used) and `ends` the end of each of its cells relative to `at`,
    /// exactly one per column; `non_ascii` tells which cells may hold multi-byte characters.
    /// `rows` locates the batch's earlier rows, in case a column has to turn String. Returns
    /// whether some column is still a number column.
    #[inline]
    pub(crate) fn push_row(
        &mut self,
        buf: &[u8],
        at: usize,
        ends: &[usize],
        non_ascii: NonAscii,
        rows: &Rows<'_>,
    ) -> bool {
        let mut numbers_left = false;
        let mut start = at;
        for (col, (column, &end)) in self.columns.iter_mut().zip(ends).enumerate() {
            let (cell_start, cell_end) = (start, at + end);
            let cell = buf.get(cell_start..cell_end).unwrap_or_default();
            start = cell_end;
            match column.kind {
                ColumnKind::Number => {
                    if cell.is_empty() {
                        column.numbers.push(f64::NAN);
                    } else if let Some(v) = parse_cell(buf, cell_start, cell_end) {
                        column.numbers.push(v);
                    } else {
                        column.demote(rows, col);
                        column.push_text(buf, cell_start, cell_end, !non_ascii.field(col));
                    }
                    numbers_left |= column.kind == ColumnKind::Number;
                }
                ColumnKind::String => column.push_text(buf, cell_start, cell_end, !non_ascii.field(col)),
            }
        }
        self.num_rows += 1;
        numbers_left
    }
}

/// The decoded bytes of a batch's rows so far.
pub(crate) struct Rows<'a> {
    /// Decoded bytes of all rows.
    pub arena: &'a [u8],
    /// Offset in `arena` of each row.
    pub starts: &'a [usize],
    /// `width` cell ends per row, row after row, relative to the row's start.
    pub ends: &'a [usize],
    pub width: usize,
}

impl Rows<'_> {
    /// Where the cell of `row` and `col` is in `arena`.
    fn cell(&self, row: usize, col: usize) -> (usize, usize) {
        let base = self.starts.get(row).copied().unwrap_or(0);
        let at = row * self.width + col;
        let end = self.ends.get(at).copied().unwrap_or(0);
        let start = match col {
            0 => 0,
            _ => self.ends.get(at - 1).copied().unwrap_or(0),
        };
        (base + start, base + end)
    }
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
    fn column_turns_string_keeping_earlier_cells() {
        let mut batch = Batch::default();
        batch.set_width(2, ColumnKind::Number);
        let arena = b"1x007yabz".to_vec();
        let mut starts = Vec::new();
        let mut ends = Vec::new();
        for (start, row_ends) in [(0usize, [1usize, 2]), (2, [3, 4]), (6, [2, 3])] {
            let rows = Rows { arena: &arena, starts: &starts, ends: &ends, width: 2 };
            batch.push_row(&arena, start, &row_ends, NonAscii::NONE, &rows);
            starts.push(start);
            ends.extend_from_slice(&row_ends);
        }
        let a = &batch.columns[0];
        assert_eq!(a.kind, ColumnKind::String);
        assert_eq!((a.str(0), a.str(1), a.str(2)), (Some("1"), Some("007"), Some("ab")));
        assert_eq!(batch.columns[1].kind, ColumnKind::String);
        assert_eq!(batch.columns[1].str(0), Some("x"));
        batch.clear(3);
        assert_eq!(batch.columns[0].kind, ColumnKind::String);
        assert!(batch.columns[0].is_empty());
    }
}
