//! Rows that need no CSV state machine, read 8 bytes per step (16 with SIMD in wasm, where an
//! unquoted number cell's end and value come from the same 16 bytes, and a short unquoted
//! ASCII text cell is found by one comparison of them) straight from the input
//! into the batch's columns: a record ended by LF or CRLF within the input at
//! hand, whose fields are either unquoted (no quote, CR or LF in them) or quoted from their
//! first byte to a closing quote followed by a comma or the line break (doubled quotes and
//! line breaks inside), with one field per column, valid UTF-8, a number (or nothing) in each
//! Number column and within the size limits. That is every row but the first of a batch in
//! most files; csv-core reads the others into the decoder's arena (a quote inside an unquoted
//! field, text after a closing quote, a lone CR ending a record, a record cut by the end of
//! the input, any row the batch does not take as it is), with the same result.

use super::batch::{Batch, ColumnKind};
use super::lines::count_line_breaks;
#[cfg(target_arch = "wasm32")]
use super::number::load16;
use super::number::{parse_cell, scan_number_cell};

/// A row taken by [`push_row`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    /// Line breaks skipped before the row (blank lines).
    pub skipped: usize,
    /// Bytes of the row, its line break included, after the skipped ones.
    pub consumed: usize,
    /// Bytes of its fields, decoded.
    pub len: usize,
    /// Line breaks in the row, its own included (more than 1 with line breaks in quotes).
    pub lines: u64,
}

/// Why [`push_row`] left a record to csv-core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Miss {
    /// It is not made of plain fields (see the module documentation), or has another field
    /// count than the header: such records come in runs.
    NotPlain,
    /// The batch does not take it as it is (a cell that is not a number in a Number column,
    /// invalid UTF-8, a size limit crossed): csv-core reads it and the decoder finds why.
    Declined,
    /// It does not end within the input.
    Incomplete,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Flags the bytes of little-endian `v` below `n` (at most 0x80). The first flagged byte is
/// exact: a borrow only flags bytes after a byte below `n`.
#[inline(always)]
fn below(v: u64, n: u8) -> u64 {
    v.wrapping_sub(ONES * u64::from(n)) & !v & HIGH
}

/// Flags the bytes of `v` equal to `b`, the first one exactly.
#[inline(always)]
fn equal(v: u64, b: u8) -> u64 {
    below(v ^ (ONES * u64::from(b)), 1)
}

/// In an unquoted field, every byte that matters (`"`, `,`, CR, LF) is below `-`.
#[inline(always)]
fn unquoted_stops(v: u64) -> u64 {
    below(v, b'-')
}

/// In a quoted field, the bytes that matter are `"`, CR and LF (the only bytes below 0x0E
/// that matter).
#[inline(always)]
fn quoted_stops(v: u64) -> u64 {
    equal(v, b'"') | below(v, 0x0E)
}

/// Finds the first byte from `line[*i]` on that stops a field, quoted or not, and returns it
/// with `*i` on it; ORs the bytes passed into `seen` (at least their high bits, to tell whether
/// any is outside ASCII). `None` when `line` ends first. In wasm, 16 bytes per step (SIMD).
#[inline(always)]
fn find_stop(line: &[u8], i: &mut usize, seen: &mut u64, quoted: bool) -> Option<u8> {
    #[cfg(target_arch = "wasm32")]
    if let Some(b) = find_in_blocks(line, i, seen, |block| simd_flags(block, quoted)) {
        return Some(b);
    }
    if quoted {
        find_in_words(line, i, seen, quoted_stops)
    } else {
        find_in_words(line, i, seen, unquoted_stops)
    }
}

/// The flags of a 16-byte block in wasm SIMD: bit `k` of the first mask for byte `k` when it
/// stops a field (see [`quoted_stops`] and [`unquoted_stops`]), of the second when it is
/// outside ASCII.
#[cfg(target_arch = "wasm32")]
#[inline(always)]
fn simd_flags(b: &[u8; 16], quoted: bool) -> (u32, u32) {
    use core::arch::wasm32::{u8x16_bitmask, u8x16_eq, u8x16_le, u8x16_splat, v128_or};
    let v = load16(b);
    let stops = if quoted {
        v128_or(u8x16_eq(v, u8x16_splat(b'"')), u8x16_le(v, u8x16_splat(0x0D)))
    } else {
        u8x16_le(v, u8x16_splat(b'-' - 1))
    };
    (u32::from(u8x16_bitmask(stops)), u32::from(u8x16_bitmask(v)))
}

/// [`find_stop`] 16 bytes per step while 16 bytes remain, `flags` giving each block's stops
/// and bytes outside ASCII as bit masks (bit `k` for byte `k`). `None` with `*i` on the first
/// byte not scanned when fewer than 16 bytes remain before a stop; `seen` gets 0x80 when a
/// byte passed is outside ASCII.
#[inline(always)]
#[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]
fn find_in_blocks(line: &[u8], i: &mut usize, seen: &mut u64, flags: impl Fn(&[u8; 16]) -> (u32, u32)) -> Option<u8> {
    while let Some(block) = line.get(*i..).and_then(<[u8]>::first_chunk::<16>) {
        let (stops, high) = flags(block);
        if stops != 0 {
            let k = stops.trailing_zeros();
            // The bytes below the stop.
            *seen |= u64::from(high & ((1u32 << k) - 1) != 0) << 7;
            *i += k as usize;
            return block.get(k as usize).copied();
        }
        *seen |= u64::from(high != 0) << 7;
        *i += 16;
    }
    None
}

/// [`find_stop`] 8 bytes per step (SWAR), `stops` flagging a word's stops, then one byte at a
/// time.
#[inline(always)]
fn find_in_words(line: &[u8], i: &mut usize, seen: &mut u64, stops: impl Fn(u64) -> u64) -> Option<u8> {
    loop {
        match line.get(*i..).and_then(<[u8]>::first_chunk::<8>) {
            Some(word) => {
                let v = u64::from_le_bytes(*word);
                let found = stops(v);
                if found != 0 {
                    let bits = found.trailing_zeros();
                    // The bytes below the stop.
                    *seen |= v & ((1u64 << (bits & !7)) - 1);
                    let k = (bits / 8) as usize;
                    *i += k;
                    return word.get(k).copied();
                }
                *seen |= v;
                *i += 8;
            }
            None => {
                // The last bytes of the input, one at a time; only the flag of byte 0 counts.
                let b = *line.get(*i)?;
                if stops(u64::from(b)) & 0x80 != 0 {
                    return Some(b);
                }
                *seen |= u64::from(b);
                *i += 1;
            }
        }
    }
}

/// The end of a row whose last field (the `col`-th, `len` bytes of fields in all) ends at the
/// line break `data[i]`: the position after the row, or why the row is not taken.
#[inline(always)]
fn row_end(data: &[u8], i: usize, col: usize, width: usize, len: usize, max_size: usize) -> Result<usize, Miss> {
    let consumed = match (data.get(i), data.get(i + 1)) {
        (Some(b'\n'), _) => i + 1,
        (Some(b'\r'), Some(b'\n')) => i + 2,
        // A CR at the end of the input may start a CRLF.
        (Some(b'\r'), None) => return Err(Miss::Incomplete),
        // A lone CR ending the record.
        _ => return Err(Miss::NotPlain),
    };
    if col != width {
        // Fewer fields than columns.
        return Err(Miss::NotPlain);
    }
    if len + col - 1 > max_size {
        return Err(Miss::Declined);
    }
    Ok(consumed)
}

/// The length of the cell starting at `data[at]` and the byte after it, when within the next
/// 16 bytes a byte below `-` or above 0x7F comes (the caller takes the cell when that byte
/// ends it: a comma or a line break, so the cell is ASCII without quotes). In wasm one SIMD
/// comparison finds it.
#[inline(always)]
fn scan_text_cell(data: &[u8], at: usize) -> Option<(usize, u8)> {
    let w = data.get(at..).and_then(<[u8]>::first_chunk::<16>)?;
    #[cfg(target_arch = "wasm32")]
    let k = {
        use core::arch::wasm32::{i8x16_lt, i8x16_splat, u8x16_bitmask};
        // Bytes above 0x7F are negative as i8.
        let v = load16(w);
        (u32::from(u8x16_bitmask(i8x16_lt(v, i8x16_splat(b'-' as i8)))) | 1 << 16).trailing_zeros() as usize
    };
    #[cfg(not(target_arch = "wasm32"))]
    let k = w.iter().position(|&b| !(b'-'..0x80).contains(&b)).unwrap_or(16);
    Some((k, *w.get(k)?))
}

/// Appends the record at `data[from..]` (after blank lines) to `batch` when it is a plain row
/// the batch takes as it is (see the module documentation), `max_size` bounding its fields'
/// bytes plus one per separator. Returns what it took, or why not, having changed nothing.
/// The bytes of `data` around the record may be read, never used.
#[inline]
pub(crate) fn push_row(batch: &mut Batch, data: &[u8], from: usize, max_size: usize) -> Result<Row, Miss> {
    use Miss::{Declined, Incomplete, NotPlain};
    let rest = data.get(from..).ok_or(Incomplete)?;
    let skipped = rest.iter().position(|&b| b != b'\n' && b != b'\r').ok_or(Incomplete)?;
    let line_start = from + skipped;
    let width = batch.columns.len();
    let mut i = line_start;
    let mut col = 0;
    let mut len = 0;
    let mut inner_breaks = false;
    let outcome = loop {
        let Some(column) = batch.columns.get_mut(col) else {
            // More fields than columns.
            break Err(NotPlain);
        };
        // A cell ending within 16 bytes at a comma or a line break, unquoted (a quoted one
        // starts with a byte below `-`): a Number column's number read in the same step as its
        // end, a String column's ASCII text taken at once.
        let quick = match column.kind {
            ColumnKind::Number => match scan_number_cell(data, i) {
                Some((value, k, after @ (b',' | b'\n' | b'\r'))) => {
                    column.numbers.push(value);
                    Some((k, after))
                }
                _ => None,
            },
            ColumnKind::String => match scan_text_cell(data, i) {
                Some((k, after @ (b',' | b'\n' | b'\r'))) => {
                    column.push_text(data, i, i + k, true);
                    Some((k, after))
                }
                _ => None,
            },
        };
        if let Some((k, after)) = quick {
            col += 1;
            len += k;
            i += k;
            if after == b',' {
                i += 1;
                continue;
            }
            break row_end(data, i, col, width, len, max_size);
        }
        // Any other field, read the general way. `seen` gathers its bytes, `pairs` counts its
        // doubled quotes (each standing for one quote).
        let mut seen = 0u64;
        let mut pairs = 0;
        let (start, end, after) = if data.get(i) == Some(&b'"') {
            let start = i + 1;
            i = start;
            let stop = loop {
                match find_stop(data, &mut i, &mut seen, true) {
                    Some(b'"') => match data.get(i + 1) {
                        Some(b'"') => {
                            pairs += 1;
                            i += 2;
                        }
                        Some(&b @ (b',' | b'\n' | b'\r')) => break Ok(b),
                        // Text after the closing quote.
                        Some(_) => break Err(NotPlain),
                        // The quote may be followed by another in the next input.
                        None => break Err(Incomplete),
                    },
                    Some(b) => {
                        // A line break, or another byte below 0x0E, in the field.
                        inner_breaks |= b == b'\n' || b == b'\r';
                        seen |= u64::from(b);
                        i += 1;
                    }
                    None => break Err(Incomplete),
                }
            };
            match stop {
                Ok(b) => {
                    i += 1;
                    (start, i - 1, b)
                }
                Err(miss) => break Err(miss),
            }
        } else {
            let start = i;
            let stop = loop {
                match find_stop(data, &mut i, &mut seen, false) {
                    Some(b @ (b',' | b'\n' | b'\r')) => break Ok(b),
                    Some(b'"') => break Err(NotPlain),
                    Some(b) => {
                        // Any other byte below `-` is data.
                        seen |= u64::from(b);
                        i += 1;
                    }
                    None => break Err(Incomplete),
                }
            };
            match stop {
                Ok(b) => (start, i, b),
                Err(miss) => break Err(miss),
            }
        };
        // `data[i]` is `after`, the byte that ends the field.
        let ascii = seen & HIGH == 0;
        if !ascii && core::str::from_utf8(data.get(start..end).unwrap_or_default()).is_err() {
            break Err(Declined);
        }
        match column.kind {
            ColumnKind::Number if start == end => column.numbers.push(f64::NAN),
            ColumnKind::Number => match parse_cell(data, start, end) {
                Some(v) if pairs == 0 => column.numbers.push(v),
                _ => break Err(Declined),
            },
            ColumnKind::String if pairs > 0 => column.push_unescaped(data, start, end, ascii),
            ColumnKind::String => column.push_text(data, start, end, ascii),
        }
        col += 1;
        len += end - start - pairs;
        if after == b',' {
            i += 1;
            continue;
        }
        break row_end(data, i, col, width, len, max_size);
    };
    match outcome {
        Ok(end) => {
            batch.num_rows += 1;
            let record = data.get(line_start..end).unwrap_or_default();
            let lines = if inner_breaks { count_line_breaks(record, false) } else { 1 };
            Ok(Row { skipped, consumed: end - line_start, len, lines })
        }
        Err(miss) => {
            for column in batch.columns.iter_mut().take(col) {
                column.pop();
            }
            Err(miss)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use csv_core::{ReadRecordResult, Reader};

    /// What csv-core reads from `input`'s first record: consumed bytes and fields. csv-core
    /// ends a CRLF record at the CR and skips the LF with the next record; it is counted here
    /// with the record, as `push_row` takes it.
    fn csv_core(input: &[u8]) -> Option<(usize, Vec<Vec<u8>>)> {
        let mut reader = Reader::new();
        let (mut out, mut ends) = (vec![0; 256], vec![0; 64]);
        let (result, mut nin, _, nend) = reader.read_record(input, &mut out, &mut ends);
        if nin > 0 && input[nin - 1] == b'\r' && input.get(nin) == Some(&b'\n') {
            nin += 1;
        }
        let mut start = 0;
        let fields = ends[..nend]
            .iter()
            .map(|&end| {
                let field = out[start..end].to_vec();
                start = end;
                field
            })
            .collect();
        (result == ReadRecordResult::Record).then_some((nin, fields))
    }

    /// A batch of `width` columns of `kind` holding one row (of zeros) already.
    fn batch(width: usize, kind: ColumnKind) -> Batch {
        let mut batch = Batch::default();
        batch.set_width(width, kind);
        let mut data = vec!["0"; width].join(",").into_bytes();
        data.push(b'\n');
        push_row(&mut batch, &data, 0, 1000).expect("a row of zeros");
        batch
    }

    /// `push_row` of `input` into a batch of String columns as wide as csv-core's record:
    /// consumed bytes and fields. Checks what it reports and that a miss changes nothing.
    fn ours(input: &[u8], width: usize) -> Result<(usize, Vec<Vec<u8>>), Miss> {
        let mut b = batch(width, ColumnKind::String);
        let before = b.clone();
        // Bytes before the record may be read, never used.
        let mut data = b"\"x,1.5e".to_vec();
        data.extend_from_slice(input);
        let row = match push_row(&mut b, &data, 7, 1000) {
            Ok(row) => row,
            Err(miss) => {
                assert_eq!(b, before, "a miss changed the batch");
                return Err(miss);
            }
        };
        assert_eq!(b.num_rows, 2);
        let record = &input[row.skipped..row.skipped + row.consumed];
        assert_eq!(row.lines, count_line_breaks(record, false), "{record:?}");
        let fields: Vec<Vec<u8>> = b.columns.iter().map(|c| c.str(1).expect("a cell").as_bytes().to_vec()).collect();
        assert_eq!(row.len, fields.iter().map(Vec::len).sum::<usize>());
        for c in &b.columns {
            let units = c.str(1).expect("a cell").encode_utf16().count() as u32;
            assert_eq!(c.utf16_ends[1] - c.utf16_ends[0], units);
        }
        Ok((row.skipped + row.consumed, fields))
    }

    fn width(input: &[u8]) -> usize {
        csv_core(input).map_or(1, |(_, fields)| fields.len())
    }

    #[test]
    fn reads_plain_lines_like_csv_core() {
        for input in [
            &b"a,b,c\n"[..],
            b"a,b,c\r\nnext",
            b"\n\r\n\r1,-2.5,x y\nz",
            b",\n",
            b"12345678,abcdefghijklmnop,q\n",
            b"a b!#$%&'()*+,x\r\n",
            b"caf\xc3\xa9,\xf0\x9f\x98\x80\n",
            b"\"a\",b\n",
            b"a,\"b\"\n",
            b"\"Smith, John\",\"said \"\"call me back\"\"\",\"\"\n",
            b"1,\"multi\nline\r\nfield\rhere\",2\r\n",
            b"\"\"\"\"\"\",\"\",\"a\tb\"\n",
            b"\"quoted, long enough to take several words of eight bytes\",x\n",
            b"\"a\"\r\n",
            b"\"a long field with \"\"doubled quotes\"\" in several words of eight bytes\"\n",
            "é,a,\"a😀b\",abcdefgh€,abcdefgh,\"x\"\"é\"\n".as_bytes(),
        ] {
            assert_eq!(ours(input, width(input)).ok(), csv_core(input), "{:?}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn text_cells_end_at_the_first_byte_below_dash_or_above_ascii() {
        let padded = |cell: &[u8]| [cell, &[b'x'; 16][..]].concat();
        for (cell, expected) in [
            (&b",rest"[..], Some((0, b','))),
            (b"AC10000001,renewed", Some((10, b','))),
            (b"renewed\r\n", Some((7, b'\r'))),
            (b"-.-/09AZaz~\n", Some((11, b'\n'))),
            (b"a b,", Some((1, b' '))),
            (b"x\"y,", Some((1, b'"'))),
            (b"caf\xc3\xa9,", Some((3, 0xc3))),
            (b"\x7f\x80", Some((1, 0x80))),
            (b"fifteen bytes..,", Some((7, b' '))),
            (b"fifteen_bytes__,", Some((15, b','))),
            (b"sixteen_bytes___,", None),
        ] {
            assert_eq!(scan_text_cell(&padded(cell), 0), expected, "{:?}", String::from_utf8_lossy(cell));
        }
        // Fewer than 16 bytes left: the general path reads the cell.
        assert_eq!(scan_text_cell(b"a,b\n", 0), None);
    }

    #[test]
    fn leaves_the_rest_to_csv_core() {
        use Miss::{Declined, Incomplete, NotPlain};
        let cases: [(&[u8], usize, Miss); 17] = [
            // A quote inside an unquoted field, text after a closing quote, a lone CR.
            (b"x\"y,z\n", 2, NotPlain),
            (b"\"a\"b,c\n", 2, NotPlain),
            (b"\"a\" ,c\n", 2, NotPlain),
            (b"a\rb\n", 1, NotPlain),
            (b"\"a\"\rb\n", 1, NotPlain),
            // Another field count than the header's.
            (b"a,b,c\n", 2, NotPlain),
            (b"a,b\n", 3, NotPlain),
            // No record, or one the input does not end.
            (b"\n", 1, Incomplete),
            (b"\r\n\n", 1, Incomplete),
            (b"", 1, Incomplete),
            (b"a,b", 2, Incomplete),
            (b"a,b\r", 2, Incomplete),
            (b"a,\"b", 2, Incomplete),
            (b"a,\"b\"", 2, Incomplete),
            (b"a,\"b\"\"", 2, Incomplete),
            // Invalid UTF-8, in any field.
            (b"a,\xff\n", 2, Declined),
            (b"\"\xc3\",b\n", 2, Declined),
        ];
        for (input, width, miss) in cases {
            assert_eq!(ours(input, width), Err(miss), "{:?}", String::from_utf8_lossy(input));
        }
        // Over the size limit: 5 bytes of fields and 2 separators.
        let mut b = batch(3, ColumnKind::String);
        assert_eq!(push_row(&mut b, b"ab,c,de\n", 0, 6), Err(Declined));
        assert_eq!(push_row(&mut b, b"ab,c,de\n", 0, 7).map(|r| r.len), Ok(5));
    }

    #[test]
    fn number_columns_take_numbers_and_empty_cells() {
        let mut b = batch(3, ColumnKind::Number);
        let row = push_row(&mut b, b"-0.25,,\"1e3\"\r\n", 0, 1000).expect("a plain row");
        assert_eq!((row.consumed, row.len), (14, 8));
        let cells: Vec<u64> = b.columns.iter().map(|c| c.numbers[1].to_bits()).collect();
        assert_eq!(cells, [(-0.25f64).to_bits(), f64::NAN.to_bits(), 1000f64.to_bits()]);
        // A cell that is not a number, or a quoted one with a doubled quote: declined, and
        // the cells taken before it are taken back.
        let before = format!("{b:?}");
        for input in [&b"1,2,x\n"[..], b"1,\"2\"\"\",3\n", b"1,2,1e\n", b"1,inf,3\n"] {
            assert_eq!(push_row(&mut b, input, 0, 1000), Err(Miss::Declined), "{input:?}");
            // Compared as text: NaN is not equal to itself.
            assert_eq!(format!("{b:?}"), before);
        }
    }

    /// The flags of a block as the wasm SIMD code computes them, a byte at a time.
    fn scalar_flags(block: &[u8; 16], quoted: bool) -> (u32, u32) {
        let mut flags = (0, 0);
        for (k, &b) in block.iter().enumerate() {
            let stop = if quoted { b == b'"' || b <= 0x0D } else { b < b'-' };
            flags.0 |= u32::from(stop) << k;
            flags.1 |= u32::from(b >= 0x80) << k;
        }
        flags
    }

    proptest::proptest! {
        #[test]
        fn blocks_find_the_stops_words_find(
            line in proptest::collection::vec(proptest::sample::select(
                &b",\"\r\n\x0c\x0d\x0e\x2c\x2d\x00a9.\x7f\x80\xc3\xa9\xff"[..]), 0..70),
            from in 0usize..40,
            quoted: bool,
        ) {
            let stops = |v| if quoted { quoted_stops(v) } else { unquoted_stops(v) };
            let (mut i, mut seen) = (from, 0u64);
            let words = find_in_words(&line, &mut i, &mut seen, stops);
            let (mut j, mut seen2) = (from, 0u64);
            let blocks = match find_in_blocks(&line, &mut j, &mut seen2, |b| scalar_flags(b, quoted)) {
                Some(b) => Some(b),
                None => find_in_words(&line, &mut j, &mut seen2, stops),
            };
            proptest::prop_assert_eq!((words, i, seen & HIGH != 0), (blocks, j, seen2 & HIGH != 0));
        }

        #[test]
        fn agrees_with_csv_core(input in proptest::collection::vec(
            proptest::sample::select(&b",\"\r\n a1-.\xc3\xa9+\t\xff"[..]), 0..40)) {
            if let Ok(ours) = ours(&input, width(&input)) {
                proptest::prop_assert_eq!(Some(ours), csv_core(&input));
            }
        }
    }
}
