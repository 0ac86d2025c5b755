//! Physical line counting: LF, CRLF and a lone CR each end one line.

/// Bytes compared per step: a fixed width the compiler turns into vector operations.
const LANES: usize = 32;

/// Steps whose per-lane counts fit in a `u8`.
const STEPS_PER_FLUSH: usize = 255;

/// Whether `c` ends a line, given the byte `p` before it: every CR does, and every LF not
/// preceded by a CR (a CRLF counts once, at its CR).
#[inline(always)]
fn ends_line(c: u8, p: u8) -> u8 {
    u8::from((c == b'\r') | ((c == b'\n') & (p != b'\r')))
}

/// Counts the line breaks that end in `bytes`. `prev_cr` tells whether the byte just before
/// `bytes` was a CR, so a CRLF split across two calls counts once.
pub(crate) fn count_line_breaks(bytes: &[u8], prev_cr: bool) -> u64 {
    let Some((&first, rest)) = bytes.split_first() else {
        return 0;
    };
    let mut total = u64::from(ends_line(first, if prev_cr { b'\r' } else { 0 }));
    // Byte i of `rest` is compared with byte i of `bytes`, the one before it.
    let mut cur = rest.chunks_exact(LANES);
    let mut prev = bytes.chunks_exact(LANES);
    let mut lanes = [0u8; LANES];
    let mut steps = 0;
    for (c, p) in cur.by_ref().zip(prev.by_ref()) {
        let (Ok(c), Ok(p)) = (<&[u8; LANES]>::try_from(c), <&[u8; LANES]>::try_from(p)) else {
            break;
        };
        for ((lane, &c), &p) in lanes.iter_mut().zip(c).zip(p) {
            *lane += ends_line(c, p);
        }
        steps += 1;
        if steps == STEPS_PER_FLUSH {
            total += lanes.iter().map(|&n| u64::from(n)).sum::<u64>();
            lanes = [0; LANES];
            steps = 0;
        }
    }
    total += lanes.iter().map(|&n| u64::from(n)).sum::<u64>();
    let done = rest.len() - cur.remainder().len();
    let tail = rest.get(done..).unwrap_or_default();
    let tail_prev = bytes.get(done..).unwrap_or_default();
    for (&c, &p) in tail.iter().zip(tail_prev) {
        total += u64::from(ends_line(c, p));
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

    /// Counts `n` line breaks passed, the last one an LF (alone or in a CRLF).
    pub fn add_lines(&mut self, n: u64) {
        self.line += n;
        self.prev_cr = false;
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
        for i in 0..20000u32 {
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
        for split in [0, 1, 2, 3, 4, 5, 31, 32, 33, 255, 256, 257, 1000, data.len()] {
            let mut c = LineCounter::new();
            c.advance(&data[..split]);
            c.advance(&data[split..]);
            assert_eq!(c.line, expected + 1, "split {split}");
        }
        for len in 0..200 {
            assert_eq!(count_line_breaks(&data[..len], false), naive(&data[..len]), "len {len}");
        }
        assert_eq!(count_line_breaks(b"\n", true), 0);
        assert_eq!(count_line_breaks(b"\r", true), 1);
    }
}
