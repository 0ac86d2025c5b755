//! Numbers and quoted strings in messages, written without `core::fmt`'s float formatting and
//! `Debug` escaping: those bring tens of KB of code and tables into the wasm module for a few
//! error messages (the README's design notes have the figures).

use crate::prelude::*;

pub use crate::decode::push_uint;

/// `s` in double quotes, as `{:?}` writes it for the text messages quote (user input, already
/// shortened): `"` and `\` escaped, `\t`, `\r`, `\n`, `\0` and other control characters
/// escaped as `\u{…}`. Unlike `{:?}`, other characters are kept as they are.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => {
                out.push_str("\\u{");
                push_hex(&mut out, u32::from(c));
                out.push('}');
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn push_hex(out: &mut String, n: u32) {
    let digits = (32 - (n | 1).leading_zeros()).div_ceil(4);
    for i in (0..digits).rev() {
        let d = (n >> (i * 4)) & 0xf;
        out.push(char::from_digit(d, 16).unwrap_or('0'));
    }
}

/// `s` cut after `max` characters, with an ellipsis when it was cut.
#[inline(never)]
pub fn truncated(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((end, _)) => {
            let mut out = String::with_capacity(end + '…'.len_utf8());
            out.push_str(s.get(..end).unwrap_or(s));
            out.push('…');
            out
        }
        None => s.to_string(),
    }
}

/// Whether `s` holds the ASCII byte `b`: `s.contains(b as char)`, by a plain byte search (the
/// standard library's character searcher and its `memchr` weigh about 1 KB in the wasm module
/// for the short strings searched here).
pub fn has_byte(s: &str, b: u8) -> bool {
    s.bytes().any(|c| c == b)
}

/// `s` split around the first ASCII byte `b`: `s.split_once(b as char)` (see [`has_byte`]).
#[inline(never)]
pub fn split_once_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let at = s.bytes().position(|c| c == b)?;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// The parts of `s` between the ASCII bytes `b`: `s.split(b as char)` (see [`has_byte`]).
pub fn split_byte(s: &str, b: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    core::iter::from_fn(move || {
        let r = rest?;
        Some(match split_once_byte(r, b) {
            Some((part, tail)) => {
                rest = Some(tail);
                part
            }
            None => {
                rest = None;
                r
            }
        })
    })
}

/// `s` without the ASCII bytes `b` at its end: `s.trim_end_matches(b as char)`.
pub fn trim_end_byte(s: &str, b: u8) -> &str {
    let end = s.bytes().rposition(|c| c != b).map_or(0, |i| i + 1);
    s.get(..end).unwrap_or(s)
}

/// `s` split around the first occurrence of `needle`: `str::split_once` with a string
/// pattern, by a plain byte search (the standard library's two-way string searcher and its
/// panic messages weigh several KB in the wasm module; the strings searched here are short).
#[inline(never)]
pub fn split_once_str<'a>(s: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let at = find_str(s, needle)?;
    Some((s.get(..at)?, s.get(at + needle.len()..)?))
}

/// The byte offset of every non-overlapping occurrence of `needle` (not empty) in `s`, from
/// the start.
pub fn find_all_str<'a>(s: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    let mut from = 0;
    core::iter::from_fn(move || {
        let at = from + find_str(s.get(from..)?, needle)?;
        from = at + needle.len().max(1);
        Some(at)
    })
}

fn find_str(s: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    s.as_bytes().windows(needle.len()).position(|w| w == needle.as_bytes())
}

/// Most whole units a decimal is written with: microseconds of a millisecond value.
const UNITS: f64 = 1e6;

/// `v` in decimal, as JavaScript's `String(v)` writes the numbers messages hold: a whole
/// number as an integer (up to 2^64), anything else rounded to six decimals, trailing zeros
/// dropped (`1.5`, `0.000001`). Larger magnitudes are written as whole numbers (saturating),
/// and `NaN` and the infinities by name.
pub fn decimal(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    let mut out = String::new();
    if v < 0.0 {
        out.push('-');
    }
    let v = v.abs();
    if v.is_infinite() {
        out.push_str("Infinity");
        return out;
    }
    let scaled = libm::round(v * UNITS);
    // Fractions are written only where the scaled value is exact as an integer.
    if libm::trunc(v) == v || scaled >= 9_007_199_254_740_992.0 {
        // `as` saturates (and truncates): the integer part, up to u64::MAX.
        push_uint(&mut out, v as u64, 1);
        return out;
    }
    let scaled = scaled as u64;
    let (whole, mut frac) = (scaled / 1_000_000, scaled % 1_000_000);
    push_uint(&mut out, whole, 1);
    if frac != 0 {
        let mut places = 6;
        while frac % 10 == 0 {
            frac /= 10;
            places -= 1;
        }
        out.push('.');
        push_uint(&mut out, frac, places);
    }
    out
}

/// `n` in decimal (see [`push_uint`]).
pub fn uint(n: u64) -> String {
    let mut out = String::new();
    push_uint(&mut out, n, 1);
    out
}

/// `s` as a whole number when it is one or more ASCII digits (no sign, no spaces) whose value
/// fits in `u64`: what `s.parse::<u64>()` gives for digits only, without `core`'s integer
/// parsers (one per type).
#[inline(never)]
pub fn parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.bytes().try_fold(0u64, |n, b| {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// `s` as `s.parse::<i64>()` reads it: an optional `+` or `-`, then digits (see [`parse_uint`]).
pub fn parse_int(s: &str) -> Option<i64> {
    match s.strip_prefix('-') {
        Some(digits) => 0i64.checked_sub_unsigned(parse_uint(digits)?),
        None => i64::try_from(parse_uint(s.strip_prefix('+').unwrap_or(s))?).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_debug_for_the_text_messages_hold() {
        for s in ["", "ftp", "a \"b\" c", "back\\slash", "tab\there", "line\nbreak\r", "nul\0", "é😀", "'single'"] {
            assert_eq!(quoted(s), format!("{s:?}"), "{s:?}");
        }
        assert_eq!(quoted("\u{1}\u{7f}\u{9f}"), "\"\\u{1}\\u{7f}\\u{9f}\"");
        assert_eq!(quoted("\u{1}\u{7f}\u{9f}"), format!("{:?}", "\u{1}\u{7f}\u{9f}"));
    }

    #[test]
    fn string_searches_agree_with_str() {
        for (s, needle) in [
            ("https://x", "://"),
            ("a::b::c", "::"),
            ("::", "::"),
            ("é::ü", "::"),
            ("nothing", "::"),
            ("", "::"),
            ("abc", ""),
            ("wait wait, waitwait", "wait"),
            ("ééé", "é"),
        ] {
            assert_eq!(split_once_str(s, needle), s.split_once(needle), "{s:?} {needle:?}");
            if !needle.is_empty() {
                let all: Vec<usize> = s.match_indices(needle).map(|(i, _)| i).collect();
                assert_eq!(find_all_str(s, needle).collect::<Vec<_>>(), all, "{s:?} {needle:?}");
            }
        }
    }

    #[test]
    fn numbers_as_javascript_writes_them() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (400.0, "400"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (2.25, "2.25"),
            (0.000001, "0.000001"),
            (123.456789, "123.456789"),
            (2_147_483_647.0, "2147483647"),
            (2_147_483_646.5, "2147483646.5"),
            (4_294_967_295.0, "4294967295"),
            (536_870_912.0, "536870912"),
            (1e15, "1000000000000000"),
            (-3.0, "-3"),
            (-0.5, "-0.5"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for &(v, text) in cases {
            assert_eq!(decimal(v), text, "{v}");
        }
        // Where Rust's shortest representation has at most six decimals, both agree.
        let mut compared = 0;
        for i in 0..20_000u32 {
            let v = f64::from(i) * 0.125 + f64::from(i % 7) * 0.001;
            let rust = format!("{v}");
            if rust.split_once('.').is_none_or(|(_, decimals)| decimals.len() <= 6) {
                assert_eq!(decimal(v), rust);
                compared += 1;
            }
        }
        assert!(compared > 10_000, "{compared}");
        assert_eq!(decimal(1.0000004), "1");
    }

    #[test]
    fn byte_searches_agree_with_str() {
        for s in ["", ":", "a:b", "::", "a::b:", "é:ü:", "no", ":lead", "trail:", "x//", "//", "a/b//", "ééé:"] {
            for b in [b':', b'/', b'x', b'C'] {
                let c = char::from(b);
                assert_eq!(has_byte(s, b), s.contains(c), "{s:?} {c:?}");
                assert_eq!(split_once_byte(s, b), s.split_once(c), "{s:?} {c:?}");
                assert_eq!(split_byte(s, b).collect::<Vec<_>>(), s.split(c).collect::<Vec<_>>(), "{s:?} {c:?}");
                assert_eq!(trim_end_byte(s, b), s.trim_end_matches(c), "{s:?} {c:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn byte_searches_agree_with_str_everywhere(s in "[a:/.é]{0,12}", b in proptest::sample::select(vec![b':', b'/', b'.'])) {
            let c = char::from(b);
            proptest::prop_assert_eq!(has_byte(&s, b), s.contains(c));
            proptest::prop_assert_eq!(split_once_byte(&s, b), s.split_once(c));
            proptest::prop_assert_eq!(split_byte(&s, b).collect::<Vec<_>>(), s.split(c).collect::<Vec<_>>());
            proptest::prop_assert_eq!(trim_end_byte(&s, b), s.trim_end_matches(c));
        }
    }

    #[test]
    fn integers_as_core_writes_and_reads_them() {
        for n in [0, 1, 9, 10, 99, 100, 65_535, 1_000_000, u64::from(u32::MAX), 10u64.pow(19), u64::MAX - 1, u64::MAX] {
            assert_eq!(uint(n), n.to_string());
            for width in [0, 1, 2, 4, 6, 20] {
                let mut out = String::from("x");
                push_uint(&mut out, n, width);
                assert_eq!(out, format!("x{n:0width$}", width = width as usize));
            }
        }
        for s in [
            "",
            "0",
            "007",
            "65535",
            "65536",
            "+1",
            "-1",
            "+",
            "-",
            "1 ",
            " 1",
            "1.5",
            "1e3",
            "٣",
            "18446744073709551615",
            "18446744073709551616",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "+-1",
            "--1",
            "++1",
        ] {
            let digits_only = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            assert_eq!(parse_uint(s), s.parse::<u64>().ok().filter(|_| digits_only), "{s:?}");
            assert_eq!(parse_int(s), s.parse::<i64>().ok(), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn integers_agree_with_core(n in proptest::prelude::any::<u64>(), i in proptest::prelude::any::<i64>(), s in "[-+]?[0-9]{0,21}") {
            proptest::prop_assert_eq!(uint(n), n.to_string());
            proptest::prop_assert_eq!(parse_uint(&n.to_string()), Some(n));
            proptest::prop_assert_eq!(parse_int(&i.to_string()), Some(i));
            proptest::prop_assert_eq!(parse_int(&s), s.parse::<i64>().ok());
        }
    }
}
