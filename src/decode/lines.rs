//! Physical line counting: LF, CRLF and a lone CR each end one line.

/// Bytes per inner block; small enough for a `u8` counter, so the inner loop vectorizes on
/// byte lanes.
const BLOCK: usize = 255;

/// Counts the line breaks that end in `bytes`. `prev_cr` tells whether the byte just before
/// `bytes` was a CR, so a CRLF split across two calls counts once.
pub(crate) fn count_line_breaks(bytes: &[u8], prev_cr: bool) -> u64 {
    let Some((&first, rest)) = bytes.split_first() else {
        return 0;
    };
    // A break is every CR, and every LF not preceded by CR.
    let mut total = u64::from(first == b'\r' || (first == b'\n' && !prev_cr));
    for (cur, prev) in rest.chunks(BLOCK).zip(bytes.chunks(BLOCK)) {
        let mut n: u8 = 0;
        for (&c, &p) in cur.iter().zip(prev) {
            n += u8::from((c == b'\r') | ((c == b'\n') & (p != b'\r')));
        }
        total += u64::from(n);
    }
    total
}

/// Line position of the next byte of a stream whose earlier bytes have been counted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineCounter {
    /// 1-based line of the next byte.
    pub line: u64,
    /// Whether the last counted byte was a CR.
    prev_cr: bool,
}

impl LineCounter {
    pub fn new() -> LineCounter {
        LineCounter { line: 1, prev_cr: false }
    }

    /// Counts `bytes`, the stream's next bytes.
    pub fn advance(&mut self, bytes: &[u8]) {
        if let Some(&last) = bytes.last() {
            self.line += count_line_breaks(bytes, self.prev_cr);
            self.prev_cr = last == b'\r';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(bytes: &[u8]) -> u64 {
        let mut n = 0;
        let mut prev = 0u8;
        for &b in bytes {
            if b == b'\r' || (b == b'\n' && prev != b'\r') {
                n += 1;
            }
            prev = b;
        }
        n
    }

    #[test]
    fn counts_every_ending_once_across_splits() {
        let mut data = Vec::new();
        for i in 0..2000u32 {
            data.extend_from_slice(b"ab");
            data.extend_from_slice(match i % 5 {
                0 => b"\r\n".as_slice(),
                1 => b"\n",
                2 => b"\r",
                3 => b"\r\r\n",
                _ => b"\n\r",
            });
        }
        let expected = naive(&data);
        assert_eq!(count_line_breaks(&data, false), expected);
        for split in [0, 1, 2, 3, 4, 5, 255, 256, 257, 1000, data.len()] {
            let mut c = LineCounter::new();
            c.advance(&data[..split]);
            c.advance(&data[split..]);
            assert_eq!(c.line, expected + 1, "split {split}");
        }
        assert_eq!(count_line_breaks(b"\n", true), 0);
        assert_eq!(count_line_breaks(b"\r", true), 1);
    }
}
