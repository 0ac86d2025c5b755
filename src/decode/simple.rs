//! Records that need no CSV state machine: a line without quotes, ended by LF or CRLF within
//! the input at hand, is its fields split at the commas. Such records (all of a numeric
//! file's) are split here, 8 bytes per step, and csv-core reads every other record; both
//! give the same bytes and field ends.

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
}

/// Why [`split`] left a record to csv-core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Miss {
    /// It holds a quote or a lone CR.
    NotPlain,
    /// It does not end within the input, or does not fit the buffers.
    Incomplete,
}

/// Every byte that matters to the split (`"`, `,`, CR, LF) is below `-`.
const BELOW: u64 = 0x2D2D_2D2D_2D2D_2D2D;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Position of the first byte of little-endian `v` below `-`, if any. (A byte below it makes
/// the subtraction borrow, which can flag bytes after it too, but never one before.)
#[inline(always)]
fn first_below_dash(v: u64) -> Option<usize> {
    let found = v.wrapping_sub(BELOW) & !v & HIGH;
    (found != 0).then(|| (found.trailing_zeros() / 8) as usize)
}

/// Splits the record at the start of `input` (after blank lines), as csv-core would when
/// the record starts a line, writing its fields' bytes to `output` and the end of each field
/// (relative to the record's start) to `ends`. Returns why not, having consumed nothing,
/// when the record holds a quote or a lone CR, does not end within `input`, or does not fit
/// in `output` (which needs up to 8 bytes to spare) or `ends`: csv-core then reads it.
#[inline]
pub(crate) fn split(input: &[u8], output: &mut [u8], ends: &mut [usize]) -> Result<Simple, Miss> {
    use Miss::{Incomplete, NotPlain};
    let skipped = input.iter().position(|&b| b != b'\n' && b != b'\r').ok_or(Incomplete)?;
    let line = input.get(skipped..).ok_or(Incomplete)?;
    let (mut i, mut nout, mut nend) = (0usize, 0usize, 0usize);
    loop {
        // Copy up to the next byte below `-`.
        let special = loop {
            match line.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
                Some(word) => {
                    output.get_mut(nout..nout + 8).ok_or(Incomplete)?.copy_from_slice(&word);
                    match first_below_dash(u64::from_le_bytes(word)) {
                        Some(k) => {
                            i += k;
                            nout += k;
                            break word.get(k).copied().ok_or(Incomplete)?;
                        }
                        None => {
                            i += 8;
                            nout += 8;
                        }
                    }
                }
                None => {
                    // The last bytes of the input, one at a time.
                    let b = *line.get(i).ok_or(Incomplete)?;
                    if b < b'-' {
                        break b;
                    }
                    *output.get_mut(nout).ok_or(Incomplete)? = b;
                    i += 1;
                    nout += 1;
                }
            }
        };
        match special {
            b',' => {
                *ends.get_mut(nend).ok_or(Incomplete)? = nout;
                nend += 1;
                i += 1;
            }
            b'\n' | b'\r' => {
                let consumed = match (special, line.get(i + 1)) {
                    (b'\n', _) => i + 1,
                    (_, Some(b'\n')) => i + 2,
                    (_, Some(_)) => return Err(NotPlain),
                    // A CR at the end of the input may start a CRLF.
                    (_, None) => return Err(Incomplete),
                };
                *ends.get_mut(nend).ok_or(Incomplete)? = nout;
                return Ok(Simple { skipped, consumed, nout, nend: nend + 1 });
            }
            b'"' => return Err(NotPlain),
            other => {
                // Any other byte below `-` is data.
                *output.get_mut(nout).ok_or(Incomplete)? = other;
                nout += 1;
                i += 1;
            }
        }
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
        let (mut out, mut ends) = (vec![0; 256], vec![0; 64]);
        let s = split(input, &mut out, &mut ends).ok()?;
        Some((s.skipped + s.consumed, out[..s.nout].to_vec(), ends[..s.nend].to_vec()))
    }

    #[test]
    fn splits_plain_lines_like_csv_core() {
        for input in [
            &b"a,b,c\n"[..],
            b"a,b,c\r\nnext",
            b"\n\r\n\r1,-2.5,x y\nz",
            b",\n",
            b"\n",
            b"12345678,abcdefghijklmnop,q\n",
            b"a b!#$%&'()*+,x\r\n",
            b"caf\xc3\xa9,\xf0\x9f\x98\x80\n",
            b"x\"y,z\n",
        ] {
            match ours(input) {
                Some(split) => assert_eq!(Some(split), csv_core(input), "{:?}", String::from_utf8_lossy(input)),
                // Left to csv-core here: the quote in a field, and no record at all.
                None => assert!(input == b"x\"y,z\n" || input == b"\n"),
            }
        }
    }

    #[test]
    fn leaves_the_rest_to_csv_core() {
        for input in [&b"\"a\",b\n"[..], b"a,\"b\"\n", b"a,b", b"a,b\r", b"a\rb\n", b"\r\n\n", b""] {
            assert_eq!(ours(input), None, "{:?}", String::from_utf8_lossy(input));
        }
        // Not enough room: nothing is claimed.
        let (mut out, mut ends) = (vec![0; 7], vec![0; 4]);
        assert_eq!(split(b"abcdef,g\n", &mut out, &mut ends), Err(Miss::Incomplete));
        let (mut out, mut ends) = (vec![0; 64], vec![0; 2]);
        assert_eq!(split(b"a,b,c\n", &mut out, &mut ends), Err(Miss::Incomplete));
        let (mut out, mut ends) = (vec![0; 64], vec![0; 8]);
        assert_eq!(split(b"a,\"b\"\n", &mut out, &mut ends), Err(Miss::NotPlain));
        assert_eq!(split(b"a\rb\n", &mut out, &mut ends), Err(Miss::NotPlain));
        assert_eq!(split(b"a,b\r", &mut out, &mut ends), Err(Miss::Incomplete));
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_csv_core(input in proptest::collection::vec(
            proptest::sample::select(&b",\"\r\n a1-.\xc3\xa9+"[..]), 0..40)) {
            if let Some(split) = ours(&input) {
                proptest::prop_assert_eq!(Some(split), csv_core(&input));
            }
        }
    }
}
