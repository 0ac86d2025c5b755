//! Recognition and parsing of plain decimal numbers.
//!
//! Grammar: `[+-]? (digits ('.' digits?)? | '.' digits) ([eE] [+-]? digits)?`. Anything else
//! (`inf`, `NaN`, hex, surrounding whitespace, `1_000`, ...) is not a number.
//!
//! A short cell (digits, at most one point, a sign) is read from one 16-byte window: in wasm
//! as one SIMD vector that starts with the cell ([`scan_number_cell`], which the decoder's
//! plain rows call before they look for the cell's end: the same vector gives the end, the
//! first byte below `-`), one shuffle moving the digits to the right end and removing the
//! point, dot products summing them; natively as two 8-byte words that end with the cell
//! ([`parse_cell`]; the point found and removed with masks). No branch on the sign (signs
//! often alternate at random, and a mispredicted branch per cell costs more than the rest of
//! the work). Its mantissa `m` (at most 16 digits) is exact, and the value `m / 10^f`
//! (`f <= 15` fraction digits; `m <= 2^53` when `f > 0`) is one correctly rounded division of
//! two exact doubles (Clinger's fast path, as in std).
//!
//! A longer cell without exponent, with at most 19 significant digits and 22 fraction digits
//! (such as the 17 significant digits of a double printed in full), is read by
//! [`parse_number`]: 8 digits per step into a `u64`, then the same division when `m <= 2^53`,
//! else [`round_quotient`], which corrects that division's double rounding with two
//! 64-by-64-bit products ([`wide_product`], four 32-bit products inline: a `u128` product is
//! a call in wasm32) and no 128-bit division (emulated, and slow, in wasm32). Such a cell is
//! parsed out of line, its value returned alone (NaN for none: [`other_cell`]), so that the
//! call returns no `Option` through memory.
//!
//! Every other cell (an exponent, more digits) goes, once its grammar is checked, to
//! `f64::from_str` (natively) or the host's `parseFloat` (wasm32: [`parse_rest`]). Every path
//! is correctly rounded, so the result always equals `f64::from_str`'s.

/// Exact powers of ten representable as `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// `5^e` for the exponents of [`POW10`].
const POW5: [u64; 23] = {
    let mut p = [1u64; 23];
    let mut i = 1;
    while i < p.len() {
        p[i] = p[i - 1] * 5;
        i += 1;
    }
    p
};

/// Largest mantissa that converts to `f64` exactly.
const MAX_EXACT_MANTISSA: u64 = 1 << 53;

/// Most significant digits accumulated exactly in a `u64`.
const MAX_DIGITS: usize = 19;

/// The value of 8 ASCII digits read as little-endian `v` (first digit most significant).
#[inline(always)]
fn eight_digits_value(v: u64) -> u64 {
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    const MUL1: u64 = 100 + (1_000_000 << 32);
    const MUL2: u64 = 1 + (10_000 << 32);
    let v = v.wrapping_sub(0x3030_3030_3030_3030);
    // Pairs of digits, then groups of four combined into the full value in the high half.
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    (v & MASK).wrapping_mul(MUL1).wrapping_add(((v >> 16) & MASK).wrapping_mul(MUL2)) >> 32
}

/// Most bytes, after the sign, of a cell that [`parse_cell`] reads as two words.
const SHORT: usize = 16;

const ZEROS: u64 = 0x3030_3030_3030_3030;

/// The first 8 bytes of a 16-byte window.
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn first_half(w: &[u8; SHORT]) -> [u8; 8] {
    let [a, b, c, d, e, f, g, h, ..] = *w;
    [a, b, c, d, e, f, g, h]
}

/// The last 8 bytes of a 16-byte window.
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn second_half(w: &[u8; SHORT]) -> [u8; 8] {
    let [.., a, b, c, d, e, f, g, h] = *w;
    [a, b, c, d, e, f, g, h]
}

/// Mask of the bytes of a little-endian word below byte `q` (`q <= 8`).
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn low_bytes(q: usize) -> u64 {
    1u64.checked_shl(8 * q as u32).map_or(u64::MAX, |bit| bit - 1)
}

/// Flags (bit 7) exactly the bytes of `v` that are not ASCII digits: XOR with `'0'` maps the
/// digits, and only them, to 0..=9; a byte is flagged when its high bit is set or its low
/// seven bits plus 0x76 reach 0x80, which never carries into the next byte.
#[inline(always)]
fn non_digits(v: u64) -> u64 {
    let t = v ^ ZEROS;
    (((t & 0x7F7F_7F7F_7F7F_7F7F) + 0x7676_7676_7676_7676) | t) & 0x8080_8080_8080_8080
}

/// Parses the cell `buf[start..end]` like [`parse_number`]. Natively a short one (at most 16
/// bytes after the sign, digits and at most one point) is read from the 16 bytes of `buf`
/// that end with it ([`swar_digits`]), so the digits are right-aligned whatever the cell's
/// length; a cell that starts closer than that to the start of `buf`, and any other cell,
/// goes to [`parse_number`]. In wasm ([`start_cell`]) a short cell is read from the 16 bytes
/// that start with it, when it ends there at a byte below `-`; the cells of plain rows are
/// read that way by [`scan_number_cell`] before they get here.
#[inline(always)]
pub(crate) fn parse_cell(buf: &[u8], start: usize, end: usize) -> Option<f64> {
    let cell = buf.get(start..end)?;
    #[cfg(target_arch = "wasm32")]
    return start_cell(buf, start, cell);
    #[cfg(not(target_arch = "wasm32"))]
    window_cell(buf, cell, end)
}

/// [`parse_cell`] in wasm: [`simd_cell`] when the cell ends within 16 bytes of its start at a
/// byte below `-` (a quoted cell's closing quote, the comma or line break after a cell),
/// else [`parse_number`].
#[cfg(target_arch = "wasm32")]
#[inline(always)]
fn start_cell(buf: &[u8], start: usize, cell: &[u8]) -> Option<f64> {
    match buf.get(start..).and_then(<[u8]>::first_chunk::<SHORT>).and_then(simd_cell) {
        Some((value, k, _)) if k == cell.len() => Some(value),
        _ => other_cell(cell),
    }
}

/// [`parse_cell`] natively: a short cell (at most 16 bytes after the sign) read from the 16
/// bytes of `buf` that end at `end`, as two words ([`swar_digits`]).
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn window_cell(buf: &[u8], cell: &[u8], end: usize) -> Option<f64> {
    // Signs are read without branches: they often alternate at random.
    let first = cell.first().copied().unwrap_or(0);
    let negative = first == b'-';
    let sign = usize::from(negative | (first == b'+'));
    let n = cell.len() - sign;
    if n == 0 || n > SHORT {
        return other_cell(cell);
    }
    // A cell closer than that to the start of `buf` (the first of the input) is rare.
    let Some(window) =
        end.checked_sub(SHORT).and_then(|from| buf.get(from..end)).and_then(<[u8]>::first_chunk::<SHORT>)
    else {
        return other_cell(cell);
    };
    let Some((mantissa, frac_digits)) = swar_digits(window, n) else {
        return other_cell(cell);
    };
    // Above 2^53 only with 16 digits and no point, where dividing by 1 leaves one correctly
    // rounded conversion; otherwise both operands are exact (at most 15 fraction digits): one
    // correctly rounded division.
    let value = match POW10.get(frac_digits) {
        _ if mantissa == 0 => 0.0,
        Some(p) if mantissa <= MAX_EXACT_MANTISSA || frac_digits == 0 => mantissa as f64 / p,
        _ => return other_cell(cell),
    };
    // `value` is positive or +0.0: setting the sign bit negates it.
    Some(f64::from_bits(value.to_bits() | (u64::from(negative) << 63)))
}

/// A number cell starting at `data[at]` and ending within the next 16 bytes, at the first byte
/// below `-` (a comma, a line break, a closing quote: the caller checks which): its value, its
/// length and that byte; `None` when no such byte comes within 16 bytes, when the cell is
/// empty or is not a number (the caller then reads it the general way). In wasm the cell is
/// found and its digits read from one SIMD vector ([`simd_cell`]).
#[inline(always)]
pub(crate) fn scan_number_cell(data: &[u8], at: usize) -> Option<(f64, usize, u8)> {
    let window = data.get(at..).and_then(<[u8]>::first_chunk::<SHORT>)?;
    #[cfg(target_arch = "wasm32")]
    return simd_cell(window);
    #[cfg(not(target_arch = "wasm32"))]
    {
        let k = window.iter().position(|&b| b < b'-').filter(|&k| k > 0)?;
        let stop = window.get(k).copied()?;
        parse_cell(data, at, at + k).map(|value| (value, k, stop))
    }
}

/// The 16 bytes of `b` as a SIMD vector: compiled to one 16-byte load (the decoder's vectors
/// over its input all start this way).
#[cfg(target_arch = "wasm32")]
#[inline(always)]
pub(crate) fn load16(b: &[u8; 16]) -> core::arch::wasm32::v128 {
    core::arch::wasm32::u8x16(
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15],
    )
}

/// [`scan_number_cell`] in wasm SIMD, `window` starting at the cell: the cell ends at the first
/// byte below `-`; its digits (after a `-`) are moved to the right end of the vector by the
/// shuffle that removes the point, then summed by dot products of 16-bit lanes (pairs,
/// fours, eights). A cell that is not plain digits with at most one point goes to
/// [`other_cell`].
#[cfg(target_arch = "wasm32")]
#[inline(always)]
fn simd_cell(window: &[u8; SHORT]) -> Option<(f64, usize, u8)> {
    use core::arch::wasm32::{
        i16x8, i16x8_narrow_i32x4, i32x4_dot_i16x8, i32x4_extract_lane, i8x16_add, i8x16_lt, i8x16_splat, i8x16_sub,
        i8x16_swizzle, u16x8_extend_high_u8x16, u16x8_extend_low_u8x16, u8x16, u8x16_bitmask, u8x16_gt, u8x16_le,
        u8x16_splat, u8x16_sub, v128_or,
    };
    let w = window;
    let v = load16(w);
    let stops = u32::from(u8x16_bitmask(u8x16_le(v, u8x16_splat(b'-' - 1)))) | 1 << SHORT;
    let k = stops.trailing_zeros() as usize;
    let stop = *w.get(k)?;
    let negative = w[0] == b'-';
    let sign = usize::from(negative);
    let n = k.checked_sub(sign).filter(|&n| n > 0)?;
    let digits = u8x16_sub(v, u8x16_splat(b'0'));
    // The cell's bytes after the sign that are not digits.
    let cell = ((1u32 << k) - 1) & !((1u32 << sign) - 1);
    let odd = u32::from(u8x16_bitmask(u8x16_gt(digits, u8x16_splat(9)))) & cell;
    // The digits are summed right-aligned (the cell's last byte at byte 15), `shift` bytes to
    // the right of where they are.
    let shift = (SHORT - k) as u8;
    let iota = u8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    let (from, frac_digits) = if odd == 0 {
        (iota, 0)
    } else {
        // One byte that is not a digit, a point, next to at least one digit.
        let at = odd.trailing_zeros() as usize;
        if odd & (odd - 1) != 0 || n < 2 || w.get(at) != Some(&b'.') {
            return other_cell(w.get(..k)?).map(|value| (value, k, stop));
        }
        // Byte j takes byte j - 1 up to the point (-1: none, so 0), byte j after it.
        (i8x16_add(iota, u8x16_le(iota, u8x16_splat(at as u8 + shift))), k - 1 - at)
    };
    // Back to where the bytes are; those before the digits (the sign, bytes before the cell)
    // read as 0 (an index out of range gives 0).
    let from = i8x16_sub(from, i8x16_splat(shift as i8));
    let from = v128_or(from, i8x16_lt(from, i8x16_splat(sign as i8)));
    let d = i8x16_swizzle(digits, from);
    let tens = i16x8(10, 1, 10, 1, 10, 1, 10, 1);
    let pairs = i16x8_narrow_i32x4(
        i32x4_dot_i16x8(u16x8_extend_low_u8x16(d), tens),
        i32x4_dot_i16x8(u16x8_extend_high_u8x16(d), tens),
    );
    let fours = i32x4_dot_i16x8(pairs, i16x8(100, 1, 100, 1, 100, 1, 100, 1));
    let fours = i16x8_narrow_i32x4(fours, fours);
    let eights = i32x4_dot_i16x8(fours, i16x8(10_000, 1, 10_000, 1, 10_000, 1, 10_000, 1));
    let high = u64::from(i32x4_extract_lane::<0>(eights) as u32);
    let low = u64::from(i32x4_extract_lane::<1>(eights) as u32);
    let mantissa = high * 100_000_000 + low;
    // At most 15 digits (the stop is among the 16 bytes): exact, as are the at most 14
    // fraction digits' power of ten, so one correctly rounded division.
    let value = match POW10.get(frac_digits) {
        _ if mantissa == 0 => 0.0,
        Some(p) => mantissa as f64 / p,
        None => return None,
    };
    // `value` is positive or +0.0: setting the sign bit negates it.
    Some((f64::from_bits(value.to_bits() | (u64::from(negative) << 63)), k, stop))
}

/// The mantissa and fraction digits of the cell ending `window`, `n` bytes long after its sign
/// (1 to 16), when those bytes are digits with at most one point (and a digit); `None`
/// otherwise. As two 8-byte words: the bytes before the digits (the sign, earlier cells)
/// replaced by `'0'`, the point removed by moving the bytes before it up by one, and the 16
/// digits accumulated 8 at a time.
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn swar_digits(window: &[u8; SHORT], n: usize) -> Option<(u64, usize)> {
    let (mut lo, mut hi) = (u64::from_le_bytes(first_half(window)), u64::from_le_bytes(second_half(window)));
    // The bytes before the digits (the sign, earlier cells) read as leading zeros.
    let pad = SHORT - n;
    if pad < 8 {
        let mask = low_bytes(pad);
        lo = (lo & !mask) | (ZEROS & mask);
    } else {
        let mask = low_bytes(pad - 8);
        lo = ZEROS;
        hi = (hi & !mask) | (ZEROS & mask);
    }
    let (odd_lo, odd_hi) = (non_digits(lo), non_digits(hi));
    let mut frac_digits = 0;
    if odd_lo | odd_hi != 0 {
        // One byte that is not a digit (a single flag: clearing the lowest leaves none), a
        // point, next to at least one digit.
        let (odd, base) = if odd_lo != 0 { (odd_lo, 0) } else { (odd_hi, 8) };
        if odd & (odd - 1) != 0 || (base == 0 && odd_hi != 0) || n < 2 {
            return None;
        }
        let at = base + (odd.trailing_zeros() / 8) as usize;
        if window.get(at) != Some(&b'.') {
            return None;
        }
        // Bytes below the point move up by one over it; a '0' comes in at byte 0.
        if at < 8 {
            let below = low_bytes(at);
            lo = ((lo & below) << 8) | (lo & !((below << 8) | 0xFF)) | 0x30;
        } else {
            let below = low_bytes(at - 8);
            hi = ((hi & below) << 8) | (lo >> 56) | (hi & !((below << 8) | 0xFF));
            lo = (lo << 8) | 0x30;
        }
        frac_digits = SHORT - 1 - at;
    }
    // At most 16 digits: exact in a u64.
    Some((eight_digits_value(lo) * 100_000_000 + eight_digits_value(hi), frac_digits))
}

/// Accumulates the decimal digits of `s` from `i` into `mantissa` (wrapping: exact only for
/// at most 19 digits). Returns the position after the last digit.
#[inline(always)]
fn digits(s: &[u8], mut i: usize, mantissa: &mut u64) -> usize {
    // Eight digits at a time while they last.
    while let Some(eight) = s.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let v = u64::from_le_bytes(*eight);
        if non_digits(v) != 0 {
            break;
        }
        *mantissa = mantissa.wrapping_mul(100_000_000).wrapping_add(eight_digits_value(v));
        i += 8;
    }
    while let Some(&b) = s.get(i) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    i
}

/// Number of `0` digits before the first other digit of the mantissa `s` (a decimal point
/// among them is skipped).
#[cold]
fn leading_zeros(s: &[u8]) -> usize {
    s.iter().take_while(|&&b| b == b'0' || b == b'.').filter(|&&b| b == b'0').count()
}

/// [`parse_number`] for the cells [`parse_cell`] does not read itself, as an `Option` again
/// once inlined: the call returns the value alone, NaN standing for `None` (no cell of the
/// grammar is NaN), so that it comes back in a register rather than through memory (an
/// `Option<f64>` result, in wasm32).
#[inline(always)]
fn other_cell(cell: &[u8]) -> Option<f64> {
    let v = parse_number_or_nan(cell);
    (!v.is_nan()).then_some(v)
}

/// [`parse_number`], NaN for `None`.
#[inline(never)]
fn parse_number_or_nan(s: &[u8]) -> f64 {
    parse_number(s).unwrap_or(f64::NAN)
}

/// Parses `s` as a plain decimal number; `None` when it does not match the grammar. A
/// decimal without exponent, with at most 19 significant digits and 22 fraction digits, is
/// rounded here ([`round_quotient`] above 2^53); any other cell starting (after its sign)
/// with a digit or a point goes to [`parse_rest`].
#[inline]
pub(crate) fn parse_number(s: &[u8]) -> Option<f64> {
    let first = s.first().copied().unwrap_or(0);
    let negative = first == b'-';
    let start = usize::from(negative | (first == b'+'));
    let mut mantissa = 0u64;
    let mut i = digits(s, start, &mut mantissa);
    let int_digits = i - start;
    let mut frac_digits = 0;
    if s.get(i) == Some(&b'.') {
        let frac_start = i + 1;
        i = digits(s, frac_start, &mut mantissa);
        frac_digits = i - frac_start;
    }
    let total = int_digits + frac_digits;
    if total == 0 {
        return None;
    }
    // Leading zeros add nothing to the mantissa: only the digits after them count towards
    // the 19 that keep it exact.
    let exact =
        total <= MAX_DIGITS || total.saturating_sub(leading_zeros(s.get(start..i).unwrap_or_default())) <= MAX_DIGITS;
    let value = match POW10.get(frac_digits) {
        _ if i != s.len() || !exact => None,
        _ if mantissa == 0 => Some(0.0),
        Some(p) if mantissa <= MAX_EXACT_MANTISSA => Some(mantissa as f64 / p),
        // A whole number: one correctly rounded conversion.
        Some(_) if frac_digits == 0 => Some(mantissa as f64),
        Some(_) => round_quotient(mantissa, frac_digits),
        None => None,
    };
    match value {
        Some(v) => Some(f64::from_bits(v.to_bits() | (u64::from(negative) << 63))),
        // An exponent, more digits, or not a number.
        None => parse_rest(s, i),
    }
}

/// The cells [`parse_number`] does not round itself: an exponent, or more digits. `None`
/// unless the mantissa (up to `mantissa_end`) is followed by nothing or by a valid exponent
/// (`[eE] [+-]? digits`). A mantissa of at most 19 significant digits whose value is one
/// correctly rounded product or quotient ([`exact_product`]) is rounded here; any other
/// cell goes to a full float parser: natively `f64::from_str`; in wasm32 the host's
/// `parseFloat`, which engines round correctly too (V8, SpiderMonkey and JavaScriptCore;
/// ECMAScript leaves only digits past the 20th to the engine), so std's float parser and its
/// tables stay out of the module. The grammar is checked here because `parseFloat` also takes
/// `Infinity`, surrounding whitespace and trailing text.
#[cold]
#[inline(never)]
fn parse_rest(s: &[u8], mantissa_end: usize) -> Option<f64> {
    let (mantissa, exponent) = s.split_at_checked(mantissa_end)?;
    let exp10 = match exponent.split_first() {
        None => 0,
        Some((e, rest)) => {
            let (negative, digits) = match rest.split_first() {
                Some((b'-', digits)) => (true, digits),
                Some((b'+', digits)) => (false, digits),
                _ => (false, rest),
            };
            if !matches!(e, b'e' | b'E') || digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let n = digits.iter().fold(0i64, |n, d| n.saturating_mul(10).saturating_add(i64::from(d - b'0')));
            if negative {
                -n
            } else {
                n
            }
        }
    };
    match exact_product(mantissa, exp10) {
        Some(v) => Some(v),
        None => parse_float(core::str::from_utf8(s).ok()?),
    }
}

/// The value of the mantissa `s` (sign, digits, at most one point) times `10^exp10` when it
/// takes one correctly rounded operation: at most 19 significant digits `m`, and either
/// `m <= 2^53` and `m * 10^e` or `m / 10^-e` with `|e| <= 22` (both operands exact: Clinger's
/// fast path), or `m / 10^-e` by [`round_quotient`]; else `None`.
fn exact_product(s: &[u8], exp10: i64) -> Option<f64> {
    let negative = s.first() == Some(&b'-');
    let (mut m, mut significant, mut fraction, mut after_point) = (0u64, 0usize, 0i64, false);
    for &b in s {
        match b {
            b'.' => after_point = true,
            b'0'..=b'9' => {
                fraction += i64::from(after_point);
                if m == 0 && b == b'0' {
                    continue;
                }
                significant += 1;
                if significant > MAX_DIGITS {
                    return None;
                }
                m = m * 10 + u64::from(b - b'0');
            }
            _ => {}
        }
    }
    let e = exp10.saturating_sub(fraction);
    let power = |e: i64| usize::try_from(e).ok().and_then(|e| POW10.get(e)).copied();
    let v = match (m, power(e), e.checked_neg().and_then(power)) {
        (0, _, _) => 0.0,
        (m, Some(p), _) if m <= MAX_EXACT_MANTISSA => m as f64 * p,
        (m, _, Some(p)) if m <= MAX_EXACT_MANTISSA => m as f64 / p,
        (m, _, _) if e == 0 => m as f64,
        (m, _, Some(_)) => round_quotient(m, usize::try_from(-e).ok()?)?,
        _ => return None,
    };
    Some(if negative { -v } else { v })
}

#[cfg(not(target_arch = "wasm32"))]
fn parse_float(text: &str) -> Option<f64> {
    text.parse().ok()
}

#[cfg(target_arch = "wasm32")]
fn parse_float(text: &str) -> Option<f64> {
    Some(js_sys::parse_float(text))
}

/// The full product of `a` and `b`, from four 32-by-32-bit products: wasm32 has no 64-by-64
/// multiplication to 128 bits, and a `u128` product there is a call multiplying all 128 bits.
#[inline(always)]
fn wide_product(a: u64, b: u64) -> u128 {
    let (a_lo, a_hi, b_lo, b_hi) = (a & 0xFFFF_FFFF, a >> 32, b & 0xFFFF_FFFF, b >> 32);
    let low = a_lo * b_lo;
    let (cross1, cross2) = (a_hi * b_lo, a_lo * b_hi);
    // At most (2^32 - 1) * 3 + 2^32 - 1: no overflow.
    let middle = (low >> 32) + (cross1 & 0xFFFF_FFFF) + (cross2 & 0xFFFF_FFFF);
    let high = a_hi * b_hi + (cross1 >> 32) + (cross2 >> 32) + (middle >> 32);
    (u128::from(high) << 64) | u128::from((middle << 32) | (low & 0xFFFF_FFFF))
}

/// `m / 10^e` correctly rounded (to nearest, ties to even) for `m` above 2^53 and
/// `1 <= e <= 22`, such as the 17 significant digits of a double printed in full; `None`
/// in the rare case left to std (a result at the bottom of a binade).
///
/// `m as f64 / 10^e` rounds twice, so it is within 1.5 units in the last place of the
/// exact quotient `x`: the answer is it or a neighbour. Which one follows from comparing
/// `x` with the midpoints `(2M ± 1) * 2^(k-1)` around it (`M * 2^k` its value, `M` the
/// 53-bit significand), exactly: `m` against `(2M ± 1) * 5^e * 2^(k+e-1)`, both sides
/// integers below 2^128 once scaled by a power of two. Two 64-by-64-bit products and a
/// shift, where rounding `m * 2^s / 10^e` directly would take a 128-bit division (emulated
/// in wasm32, and slow there).
#[inline(never)]
fn round_quotient(m: u64, e: usize) -> Option<f64> {
    let p = *POW10.get(e)?;
    let v = m as f64 / p;
    let bits = v.to_bits();
    let significand = (bits & ((1 << 52) - 1)) | (1 << 52);
    if significand == 1 << 52 || bits >> 63 != 0 {
        // The neighbour below is half as far: leave it to std.
        return None;
    }
    let five = *POW5.get(e)?;
    let up = wide_product(2 * significand + 1, five);
    let down = wide_product(2 * significand - 1, five);
    // v = significand * 2^k; the midpoints are compared scaled by 2^-(k + e - 1).
    let k = i64::try_from(bits >> 52).ok()? - 1075;
    let t = k + e as i64 - 1;
    let (x, up, down) = if t <= 0 {
        // x * 10^e * 2^-t = m * 2^-t, below 2^116 here (`m < 2^64`, `-t <= 52`).
        let shift = u32::try_from(-t).ok().filter(|&s| s < 64)?;
        (u128::from(m) << shift, up, down)
    } else {
        // The midpoints below 2^106, times 2^t.
        let shift = u32::try_from(t).ok().filter(|&s| s <= 20)?;
        (u128::from(m), up << shift, down << shift)
    };
    let odd = significand & 1 == 1;
    let bits = if x > up || (x == up && odd) {
        bits + 1
    } else if x < down || (x == down && odd) {
        bits - 1
    } else {
        bits
    };
    Some(f64::from_bits(bits))
}

#[cfg(test)]
mod tests {
    use super::{parse_cell, parse_number, scan_number_cell};
    use proptest::prelude::*;

    /// Bytes that may precede a cell in the decoder's buffer: digits, points and signs that
    /// must not be taken for part of it, and bytes outside ASCII.
    const PREFIXES: [&[u8]; 4] = [b"", b"9999999999999999", b".-+e.1.2-3+4e5.6\xff", b"\x00\xff7"];

    /// `parse_cell` on `s` placed after each of [`PREFIXES`] (the shorter ones make it copy
    /// the cell) and followed by other bytes.
    fn cells(s: &str) -> Vec<Option<u64>> {
        PREFIXES
            .iter()
            .map(|prefix| {
                let mut buf = prefix.to_vec();
                buf.extend_from_slice(s.as_bytes());
                let end = buf.len();
                buf.extend_from_slice(b"12.5e3-");
                parse_cell(&buf, prefix.len(), end).map(f64::to_bits)
            })
            .collect()
    }

    fn same(s: &str) {
        let ours = parse_number(s.as_bytes());
        let std: Option<f64> = s.parse().ok();
        assert_eq!(ours.map(f64::to_bits), std.map(f64::to_bits), "{s:?}");
        for cell in cells(s) {
            assert_eq!(cell, std.map(f64::to_bits), "cell {s:?}");
        }
    }

    #[test]
    fn accepts_plain_decimals() {
        for s in [
            "0",
            "-0",
            "+0",
            "1",
            "-2.5",
            ".5",
            "-.5",
            "1.",
            "1e-7",
            "+3",
            "007",
            "0.0123456789",
            "-0.0123456789",
            "1E5",
            "1e+05",
            "1.e5",
            "123456789012345678901234567890",
            "0.000000000000000000000000000001",
            "9007199254740993",
            "1e308",
            "1e309",
            "1e-400",
            "2.2250738585072014e-308",
            "4.9e-324",
            "0e999999999999999",
            "179769313486231570e291",
            "0.1",
            "0.3",
            "1234567890123456789",
            "12345678901234567890",
            "0.012345678901234567",
            "-0.0012345678901234567",
            "9007199254740993e-22",
            "9999999999999999999e-22",
            "9999999999999999999e19",
            "18446744073709551615",
            "1844674407370955161.5",
            "4503599627370497.5",
            "9007199254740993.0",
            "0.00000000000000000000012345678901234567",
            "000000000000000000000000001.5",
            "0.0000000000000000000000000000",
            "-000.000",
            "00.1234567890123456789",
            "0.1234567890123456789e-30",
        ] {
            assert!(parse_number(s.as_bytes()).is_some(), "{s:?}");
            same(s);
        }
    }

    /// `m` with a decimal point `e` digits from the right.
    fn with_point(m: u64, e: usize) -> String {
        let digits = format!("{m:0>width$}", width = e + 1);
        let (int, frac) = digits.split_at(digits.len() - e);
        format!("{int}.{frac}")
    }

    #[test]
    fn long_mantissas_round_like_std() {
        // xorshift64: deterministic, and far more cases than a property test runs.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        // Mantissas above 2^53 (17 to 19 digits) with 1 to 22 fraction digits.
        for _ in 0..200_000 {
            let m = (1u64 << 53) + next() % (10_000_000_000_000_000_000 - (1 << 53));
            same(&with_point(m, (next() % 22 + 1) as usize));
        }
        // Exact midpoints between two doubles, (2M + 1) * 2^(t - e) with M a 53-bit
        // significand, and their neighbours: ties go to the even significand.
        for _ in 0..50_000 {
            let significand = (1u64 << 52) | (next() & ((1 << 52) - 1));
            let e = (next() % 3 + 1) as u32;
            let mut m = (2 * significand + 1) * 5u64.pow(e);
            while m <= 4_000_000_000_000_000_000 && next() & 1 == 1 {
                m *= 2;
            }
            for m in [m - 1, m, m + 1] {
                same(&with_point(m, e as usize));
            }
        }
        for s in ["9007199254740993.5", "18446744073709551615.0", "0.18446744073709551615", "4503599627370497.5"] {
            same(s);
        }
    }

    #[test]
    fn eight_digit_blocks() {
        for s in ["12345678", "00000000", "99999999", "01234567"] {
            let v = u64::from_le_bytes(s.as_bytes().try_into().unwrap());
            assert_eq!(super::non_digits(v), 0, "{s}");
            assert_eq!(super::eight_digits_value(v), s.parse::<u64>().unwrap(), "{s}");
        }
        // Exactly the byte that is not a digit is flagged, whatever its neighbours.
        for pos in 0..8 {
            for b in 0..=255u8 {
                for fill in [*b"05050505", *b"99999999", *b"00000000"] {
                    let mut bytes = fill;
                    bytes[pos] = b;
                    let flag = if b.is_ascii_digit() { 0 } else { 0x80 << (8 * pos) };
                    assert_eq!(super::non_digits(u64::from_le_bytes(bytes)), flag, "byte {b} at {pos}");
                }
            }
        }
    }

    #[test]
    fn rejects_everything_else() {
        for s in [
            "",
            "-",
            "+",
            ".",
            "-.",
            "e5",
            ".e5",
            "1e",
            "1e+",
            "1e-",
            "inf",
            "-inf",
            "NaN",
            "nan",
            "Infinity",
            "0x10",
            " 1",
            "1 ",
            "1_000",
            "1,5",
            "--1",
            "+-1",
            "1..2",
            "1.2.3",
            "1e5.5",
            "1e5e5",
            "١",
            "1\u{0}",
            "infinity",
            "0.00000000000000000000.0",
            "000000000000000000000.0.0",
            "12345678901234567890.1.2",
        ] {
            assert_eq!(parse_number(s.as_bytes()), None, "{s:?}");
            assert_eq!(cells(s), vec![None; PREFIXES.len()], "cell {s:?}");
        }
    }

    #[test]
    fn short_cells_in_every_layout() {
        // Every split of up to 16 digits by a point, with every sign, right up to the limit
        // of the two-word path and one past it.
        for digits in ["7", "12", "305", "0000", "98765", "123456789", "9007199254740993", "99999999999999999"] {
            for point in 0..=digits.len() {
                for sign in ["", "-", "+"] {
                    same(&format!("{sign}{}.{}", &digits[..point], &digits[point..]));
                    same(&format!("{sign}{digits}"));
                }
            }
        }
        for s in ["..1", "1..", ".1.", "1.1.1", "-.", "+.", ".", "1-", "1+", "12e", "1e1", "0x1", "1 ", "\u{1}1", "١"]
        {
            same(s);
        }
    }

    #[test]
    fn number_cells_read_with_their_end() {
        // The cell from the start of the input to the first byte below `-`, when one comes
        // within 16 bytes: its value (as std's), length and that byte; the caller checks the byte.
        let padded = |s: &str| format!("{s}{}", "x".repeat(16));
        for (input, expected) in [
            ("12.5,", Some((12.5, 4, b','))),
            ("-0.25\n", Some((-0.25, 5, b'\n'))),
            ("-0\r\n", Some((-0.0, 2, b'\r'))),
            (".5\"", Some((0.5, 2, b'"'))),
            ("7.,", Some((7.0, 2, b','))),
            ("1e5,", Some((1e5, 3, b','))),
            ("1e-5,", Some((1e-5, 4, b','))),
            ("123456789012345,", Some((123456789012345.0, 15, b','))),
            ("0.0000000000001,", Some((1e-13, 15, b','))),
            ("1 2,", Some((1.0, 1, b' '))),
            // No byte below `-` within 16 bytes: left to the caller.
            ("1234567890123456,", None),
            // Empty, a sign alone, a `+` (below `-`), a quote first, not numbers.
            (",1", None),
            ("-,", None),
            ("+1,", None),
            ("\"1\",", None),
            ("1.2.3,", None),
            ("1-2,", None),
            ("12e,", None),
            ("0x1,", None),
            ("\u{e9}1,", None),
        ] {
            let data = padded(input);
            let got = scan_number_cell(data.as_bytes(), 0);
            assert_eq!(
                got.map(|(v, k, b)| (v.to_bits(), k, b)),
                expected.map(|(v, k, b)| (f64::to_bits(v), k, b)),
                "{input:?}"
            );
            // The same from the middle of a buffer, after bytes that are not its own.
            let data = format!("-9.9{}", padded(input));
            let got = scan_number_cell(data.as_bytes(), 4);
            assert_eq!(
                got.map(|(v, k, b)| (v.to_bits(), k, b)),
                expected.map(|(v, k, b)| (f64::to_bits(v), k, b)),
                "{input:?}"
            );
        }
        // Fewer than 16 bytes from the start: left to the caller.
        assert_eq!(scan_number_cell(b"1.5,2\n", 0), None);
        assert_eq!(scan_number_cell(b"0123456789abcdef", 1), None);
    }

    fn decimal() -> impl Strategy<Value = String> {
        (
            prop::option::of(prop_oneof![Just("-"), Just("+")]),
            "[0-9]{0,25}",
            prop::option::of("[0-9]{0,25}"),
            prop::option::of((prop_oneof![Just("e"), Just("E")], "[+-]?", 0u32..400)),
        )
            .prop_map(|(sign, int, frac, exp)| {
                let mut s = String::from(sign.unwrap_or(""));
                s.push_str(&int);
                if let Some(frac) = frac {
                    s.push('.');
                    s.push_str(&frac);
                }
                if let Some((e, sign, n)) = exp {
                    s.push_str(e);
                    s.push_str(&sign);
                    s.push_str(&n.to_string());
                }
                s
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn matches_std_on_decimals(s in decimal()) {
            same(&s);
        }

        #[test]
        fn matches_std_on_formatted_doubles(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            if v.is_finite() {
                same(&format!("{v}"));
                same(&format!("{v:e}"));
                same(&format!("{v:.10}"));
            }
        }

        /// Long mantissas (those above 2^53 go to std): 17 to 19 digits with the decimal
        /// point anywhere and exponents around the fast path's range.
        #[test]
        fn matches_std_on_long_mantissas(
            m in prop_oneof![0u64..10_000_000_000_000_000_000, 9_007_199_254_740_993u64..100_000_000_000_000_000],
            point in 0usize..20,
            e in prop::option::of(-45i32..45),
        ) {
            let digits = m.to_string();
            let point = point.min(digits.len());
            let mut s = format!("{}.{}", &digits[..point], &digits[point..]);
            if let Some(e) = e {
                s.push_str(&format!("e{e}"));
            }
            same(&s);
        }

        #[test]
        fn wide_products_are_full_products(a: u64, b: u64) {
            prop_assert_eq!(super::wide_product(a, b), u128::from(a) * u128::from(b));
        }

        #[test]
        fn never_accepts_what_std_rejects(s in "[-+.eE0-9a-z _]{0,12}") {
            if let Some(v) = parse_number(s.as_bytes()) {
                prop_assert_eq!(Some(v.to_bits()), s.parse::<f64>().ok().map(f64::to_bits));
            }
            let std = s.parse::<f64>().ok().map(f64::to_bits);
            for cell in cells(&s) {
                prop_assert!(cell.is_none() || cell == std, "{:?}", s);
            }
        }

        /// Cells of at most 18 bytes made of digits, points and signs, in any order, placed
        /// after any bytes: accepted exactly when std accepts them (the grammar forbids what
        /// std alone would take: `inf`, `nan`), with the same value.
        #[test]
        fn short_cells_match_std(
            s in "[-+]?[0-9.]{0,17}",
            prefix in proptest::collection::vec(any::<u8>(), 0..20),
        ) {
            let mut buf = prefix.clone();
            buf.extend_from_slice(s.as_bytes());
            let std = s.parse::<f64>().ok().map(f64::to_bits);
            prop_assert_eq!(parse_cell(&buf, prefix.len(), buf.len()).map(f64::to_bits), std, "{:?}", s);
        }
    }
}
