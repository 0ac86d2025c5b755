//! Records that need no CSV state machine, split 8 bytes per step: a record ended by LF or
//! CRLF within the input at hand, whose fields are either unquoted (no quote, CR or LF in
//! them) or quoted from their first byte to a closing quote followed by a comma or the line
//! break (doubled quotes and line breaks inside). That is every record of most files;
//! csv-core reads the others (a quote inside an unquoted field, text after a closing quote,
//! a lone CR ending a record, a record cut by the end of the input). Both give the same bytes
//! and field ends.

use super::lines::count_line_breaks;

/// A record split by [`split`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Simple {
    /// Line breaks skipped before the record (blank lines).
    pub skipped: usize,
    /// Bytes of the record, its line break included, after the skipped ones.
    pub consumed: usize,
    /// Bytes written to the output: the fields, concatenated.
    pub nout: usize,
    /// Field ends written.
    pub nend: usize,
    /// Line breaks in the record, its own included (more than 1 with line breaks in quotes).
    pub lines: u64,
}

/// Why [`split`] left a record to csv-core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Miss {
    /// It is not made of plain fields (see the module documentation).
    NotPlain,
    /// It does not end within the input, or does not fit the buffers.
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

/// Copies `line[*i..]` to `output[*nout..]` up to the first byte that `stops` flags, which
/// it returns with `*i` on it (not copied, `*nout` after the copied bytes).
#[inline(always)]
fn copy_until(
    line: &[u8],
    i: &mut usize,
    output: &mut [u8],
    nout: &mut usize,
    stops: impl Fn(u64) -> u64,
) -> Result<u8, Miss> {
    loop {
        match line.get(*i..*i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
            Some(word) => {
                output.get_mut(*nout..*nout + 8).ok_or(Miss::Incomplete)?.copy_from_slice(&word);
                let found = stops(u64::from_le_bytes(word));
                if found != 0 {
                    let k = (found.trailing_zeros() / 8) as usize;
                    *i += k;
                    *nout += k;
                    return word.get(k).copied().ok_or(Miss::Incomplete);
                }
                *i += 8;
                *nout += 8;
            }
            None => {
                // The last bytes of the input, one at a time.
                let b = *line.get(*i).ok_or(Miss::Incomplete)?;
                // Only the flag of byte 0 counts: the zero bytes above it are not input.
                if stops(u64::from(b)) & 0x80 != 0 {
                    return Ok(b);
                }
                *output.get_mut(*nout).ok_or(Miss::Incomplete)? = b;
                *i += 1;
                *nout += 1;
            }
        }
    }
}

/// Splits the record at the start of `input` (after blank lines), as csv-core would when
/// the record starts a line, writing its fields' bytes to `output` and the end of each field
/// (relative to the record's start) to `ends`. Returns why not, having consumed nothing,
/// when the record is not plain (see the module documentation), does not end within
/// `input`, or does not fit in `output` (which needs up to 8 bytes to spare) or `ends`:
/// csv-core then reads it.
#[inline]
pub(crate) fn split(input: &[u8], output: &mut [u8], ends: &mut [usize]) -> Result<Simple, Miss> {
    use Miss::{Incomplete, NotPlain};
    let skipped = input.iter().position(|&b| b != b'\n' && b != b'\r').ok_or(Incomplete)?;
    let line = input.get(skipped..).ok_or(Incomplete)?;
    let (mut i, mut nout, mut nend) = (0usize, 0usize, 0usize);
    let mut inner_breaks = false;
    loop {
        // At the start of a field.
        let after = if line.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match copy_until(line, &mut i, output, &mut nout, quoted_stops)? {
                    b'"' => match line.get(i + 1) {
                        // A doubled quote is one quote of the field.
                        Some(b'"') => {
                            *output.get_mut(nout).ok_or(Incomplete)? = b'"';
                            nout += 1;
                            i += 2;
                        }
                        Some(_) => {
                            i += 1;
                            break *line.get(i).ok_or(Incomplete)?;
                        }
                        // The quote may be followed by another in the next input.
                        None => return Err(Incomplete),
                    },
                    other => {
                        // A line break, or another byte below 0x0E, in the field.
                        inner_breaks |= other == b'\n' || other == b'\r';
                        *output.get_mut(nout).ok_or(Incomplete)? = other;
                        nout += 1;
                        i += 1;
                    }
                }
            }
        } else {
            loop {
                match copy_until(line, &mut i, output, &mut nout, unquoted_stops)? {
                    special @ (b',' | b'\n' | b'\r') => break special,
                    b'"' => return Err(NotPlain),
                    other => {
                        // Any other byte below `-` is data.
                        *output.get_mut(nout).ok_or(Incomplete)? = other;
                        nout += 1;
                        i += 1;
                    }
                }
            }
        };
        // `line[i]` is `after`, the byte that ends the field.
        *ends.get_mut(nend).ok_or(Incomplete)? = nout;
        nend += 1;
        let consumed = match (after, line.get(i + 1)) {
            (b',', _) => {
                i += 1;
                continue;
            }
            (b'\n', _) => i + 1,
            (b'\r', Some(b'\n')) => i + 2,
            // A CR at the end of the input may start a CRLF.
            (b'\r', None) => return Err(Incomplete),
            // A lone CR ending the record, or text after a closing quote.
            _ => return Err(NotPlain),
        };
        let record = line.get(..consumed).unwrap_or_default();
        let lines = if inner_breaks { count_line_breaks(record, false) } else { 1 };
        return Ok(Simple { skipped, consumed, nout, nend, lines });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use csv_core::{ReadRecordResult, Reader};

    /// What csv-core reads from `input`'s first record: consumed bytes, field bytes, ends.
    /// csv-core ends a CRLF record at the CR and skips the LF with the next record; it is
    /// counted here with the record, as `split` takes it.
    fn csv_core(input: &[u8]) -> Option<(usize, Vec<u8>, Vec<usize>)> {
        let mut reader = Reader::new();
        let (mut out, mut ends) = (vec![0; 256], vec![0; 64]);
        let (result, mut nin, nout, nend) = reader.read_record(input, &mut out, &mut ends);
        if nin > 0 && input[nin - 1] == b'\r' && input.get(nin) == Some(&b'\n') {
            nin += 1;
        }
        (result == ReadRecordResult::Record).then(|| (nin, out[..nout].to_vec(), ends[..nend].to_vec()))
    }

    fn ours(input: &[u8]) -> Option<(usize, Vec<u8>, Vec<usize>)> {
        let (mut out, mut ends) = (vec![0; 256], vec![0; 80]);
        let s = split(input, &mut out, &mut ends).ok()?;
        let record = &input[s.skipped..s.skipped + s.consumed];
        assert_eq!(s.lines, crate::decode::lines::count_line_breaks(record, false), "{record:?}");
        Some((s.skipped + s.consumed, out[..s.nout].to_vec(), ends[..s.nend].to_vec()))
    }

    #[test]
    fn splits_plain_lines_like_csv_core() {
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
            "é,a,\"a😀b\",abcdefgh€,abcdefgh,\"x\"\"é\"\n".as_bytes(),
        ] {
            assert_eq!(ours(input), csv_core(input), "{:?}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn leaves_the_rest_to_csv_core() {
        let cases: [(&[u8], Miss); 12] = [
            // A quote inside an unquoted field, text after a closing quote, a lone CR.
            (b"x\"y,z\n", Miss::NotPlain),
            (b"\"a\"b,c\n", Miss::NotPlain),
            (b"\"a\" ,c\n", Miss::NotPlain),
            (b"a\rb\n", Miss::NotPlain),
            (b"\"a\"\rb\n", Miss::NotPlain),
            // No record, or one the input does not end.
            (b"\n", Miss::Incomplete),
            (b"\r\n\n", Miss::Incomplete),
            (b"", Miss::Incomplete),
            (b"a,b", Miss::Incomplete),
            (b"a,b\r", Miss::Incomplete),
            (b"a,\"b", Miss::Incomplete),
            (b"a,\"b\"", Miss::Incomplete),
        ];
        for (input, miss) in cases {
            let (mut out, mut ends) = (vec![0; 64], vec![0; 8]);
            assert_eq!(split(input, &mut out, &mut ends), Err(miss), "{:?}", String::from_utf8_lossy(input));
        }
        // Not enough room: nothing is claimed.
        let (mut out, mut ends) = (vec![0; 7], vec![0; 4]);
        assert_eq!(split(b"abcdef,g\n", &mut out, &mut ends), Err(Miss::Incomplete));
        let (mut out, mut ends) = (vec![0; 64], vec![0; 2]);
        assert_eq!(split(b"a,b,c\n", &mut out, &mut ends), Err(Miss::Incomplete));
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_csv_core(input in proptest::collection::vec(
            proptest::sample::select(&b",\"\r\n a1-.\xc3\xa9+\t"[..]), 0..40)) {
            if let Some(split) = ours(&input) {
                proptest::prop_assert_eq!(Some(split), csv_core(&input));
            }
        }
    }
}
