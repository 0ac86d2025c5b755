//! IP address literals in hosts, read and written here rather than with `std::net`, whose
//! parser and `Display` add several KB to the wasm module; the tests check both against
//! `std::net`.

use super::text::{has_byte, split_byte, split_once_str};
use crate::prelude::*;

/// A dotted-quad IPv4 address: four decimal octets, without leading zeros (`127.0.0.1`, not
/// `127.1` nor `127.000.000.001`), as `std::net::Ipv4Addr` reads them.
pub fn parse_ipv4(s: &str) -> Option<[u8; 4]> {
    let mut octets = [0u8; 4];
    let mut parts = split_byte(s, b'.');
    for octet in &mut octets {
        let part = parts.next()?;
        let leading_zero = part.len() > 1 && part.starts_with('0');
        if part.is_empty() || part.len() > 3 || leading_zero || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *octet = u8::try_from(part.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))).ok()?;
    }
    parts.next().is_none().then_some(octets)
}

/// The pieces of `s`, a `:`-separated list of 1 to 4 hex digits each, the last one possibly a
/// dotted-quad IPv4 address (two pieces) when `ipv4_last`; empty for `""`.
fn ipv6_pieces(s: &str, ipv4_last: bool, out: &mut Vec<u16>) -> Option<()> {
    if s.is_empty() {
        return Some(());
    }
    let mut parts = split_byte(s, b':').peekable();
    while let Some(part) = parts.next() {
        if ipv4_last && parts.peek().is_none() && has_byte(part, b'.') {
            let [a, b, c, d] = parse_ipv4(part)?;
            out.push(u16::from_be_bytes([a, b]));
            out.push(u16::from_be_bytes([c, d]));
        } else {
            if part.is_empty() || part.len() > 4 {
                return None;
            }
            let hex = part.bytes().try_fold(0u32, |n, b| Some(n << 4 | char::from(b).to_digit(16)?))?;
            out.push(hex as u16);
        }
    }
    Some(())
}

/// An IPv6 address in text form (RFC 4291 section 2.2): eight hex pieces, or fewer with one
/// `::` standing for at least one zero piece; the last 32 bits may be a dotted-quad IPv4
/// address. Accepts what `std::net::Ipv6Addr` accepts.
pub fn parse_ipv6(s: &str) -> Option<[u16; 8]> {
    if !s.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') {
        return None;
    }
    let (mut head, mut tail) = (Vec::new(), Vec::new());
    match split_once_str(s, "::") {
        Some((before, after)) => {
            ipv6_pieces(before, false, &mut head)?;
            ipv6_pieces(after, true, &mut tail)?;
            if head.len() + tail.len() > 7 {
                return None;
            }
        }
        None => {
            ipv6_pieces(s, true, &mut head)?;
            if head.len() != 8 {
                return None;
            }
        }
    }
    let mut pieces = [0u16; 8];
    pieces.get_mut(..head.len())?.copy_from_slice(&head);
    pieces.get_mut(8 - tail.len()..)?.copy_from_slice(&tail);
    Some(pieces)
}

/// An IPv6 address as the URL standard writes a host: lower-case hex pieces without leading
/// zeros, the first longest run of two or more zero pieces written `::` (RFC 5952).
pub fn format_ipv6(pieces: &[u16; 8]) -> String {
    // The first longest run of zeros, when at least two long.
    let (mut best, mut best_len, mut run) = (0, 0, 0);
    for (i, &p) in pieces.iter().enumerate() {
        run = if p == 0 { run + 1 } else { 0 };
        if run > best_len {
            (best, best_len) = (i + 1 - run, run);
        }
    }
    let mut out = String::with_capacity(39);
    let mut i = 0;
    while i < 8 {
        if best_len >= 2 && i == best {
            out.push_str(if i == 0 { "::" } else { ":" });
            i += best_len;
            continue;
        }
        let p = pieces.get(i).copied().unwrap_or(0);
        for shift in [12, 8, 4, 0] {
            let d = u32::from(p >> shift) & 0xf;
            if p >> shift != 0 || shift == 0 {
                out.push(char::from_digit(d, 16).unwrap_or('0'));
            }
        }
        i += 1;
        if i < 8 {
            out.push(':');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_addresses_read_and_written_as_std_net_does() {
        use std::net::{Ipv4Addr, Ipv6Addr};
        for s in [
            "::1",
            "::",
            "1::",
            "::ffff:1.2.3.4",
            "0:0:0:0:0:0:0:1",
            "1:0:0:2:0:0:0:3",
            "fe80::1:2",
            "ABCD::ef",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:1.2.3.4",
            "::1.2.3.4",
            "0001:02::3",
            "1:0:0:0:1:0:0:1",
        ] {
            let std = s.parse::<Ipv6Addr>().unwrap();
            assert_eq!(parse_ipv6(s), Some(std.segments()), "{s}");
        }
        for s in [
            "",
            ":",
            ":::",
            "1:::2",
            "1::2::3",
            ":1::2",
            "1::2:",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4::5:6:7:8",
            "12345::",
            "g::",
            "+1::",
            "::1.2.3",
            "::1.2.3.04",
            "::256.1.1.1",
            "1.2.3.4::",
            "::1.2.3.4:1",
            " ::1",
            "[::1]",
        ] {
            assert_eq!(parse_ipv6(s), None, "{s}");
            assert!(s.parse::<Ipv6Addr>().is_err(), "{s}");
        }
        // The URL standard writes an IPv4-mapped address in hex; std in dotted form.
        assert_eq!(format_ipv6(&[0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]), "::ffff:102:304");
        assert_eq!(format_ipv6(&[1, 0, 0, 2, 0, 0, 0, 3]), "1:0:0:2::3");
        assert_eq!(format_ipv6(&[1, 0, 0, 2, 0, 0, 3, 4]), "1::2:0:0:3:4");
        assert_eq!(format_ipv6(&[0xabcd, 0, 1, 0, 1, 0, 1, 0]), "abcd:0:1:0:1:0:1:0");
        for s in ["127.0.0.1", "0.0.0.0", "255.255.255.255", "10.20.30.40"] {
            assert_eq!(parse_ipv4(s), Some(s.parse::<Ipv4Addr>().unwrap().octets()), "{s}");
        }
        for s in ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1..2.3", "+1.2.3.4", "1.2.3.4 ", "1.2.3.1000"] {
            assert_eq!(parse_ipv4(s), None, "{s}");
            assert!(s.parse::<Ipv4Addr>().is_err(), "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn ipv6_agrees_with_std_net(s in "[0-9a-fA-F:.]{0,45}", pieces in proptest::prelude::any::<[u16; 8]>()) {
            use std::net::Ipv6Addr;
            proptest::prop_assert_eq!(parse_ipv6(&s), s.parse::<Ipv6Addr>().ok().map(|a| a.segments()));
            let addr = Ipv6Addr::from(pieces);
            let text = format_ipv6(&pieces);
            proptest::prop_assert_eq!(parse_ipv6(&text), Some(pieces));
            if addr.to_ipv4_mapped().is_none() {
                proptest::prop_assert_eq!(text, addr.to_string());
            }
        }

        #[test]
        fn ipv6_text_forms_agree_with_std_net(pieces in proptest::prelude::any::<[u16; 8]>(), zeros in 0usize..8, from in 0usize..8) {
            use std::net::Ipv6Addr;
            // Runs of zeros, written long and short, with an IPv4 tail now and then.
            let mut p = pieces;
            for x in p.iter_mut().skip(from).take(zeros) {
                *x = 0;
            }
            let addr = Ipv6Addr::from(p);
            for text in [addr.to_string(), p.map(|x| format!("{x:x}")).join(":"), p.map(|x| format!("{x:04X}")).join(":")] {
                proptest::prop_assert_eq!(parse_ipv6(&text), Some(p), "{}", text);
            }
            if addr.to_ipv4_mapped().is_none() {
                proptest::prop_assert_eq!(format_ipv6(&p), addr.to_string());
            }
        }

        #[test]
        fn ipv4_agrees_with_std_net(s in "[0-9.]{0,16}") {
            use std::net::Ipv4Addr;
            proptest::prop_assert_eq!(parse_ipv4(&s), s.parse::<Ipv4Addr>().ok().map(|a| a.octets()));
        }
    }
}
