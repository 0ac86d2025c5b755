//! URL grammar: parsing and normalizing a configured host or a page origin, path prefixes,
//! dot segments and percent-encoding.
//!
//! # Host normalization
//!
//! - Surrounding whitespace is trimmed. A host without `scheme://` means `https://`
//!   (`tenant.eu.qlikcloud.com` and `localhost:8080` both get `https://`).
//! - Only `http` and `https` are accepted (case-insensitive). Scheme and host name are
//!   lower-cased, the scheme's default port (`:443`, `:80`) is dropped, and a port must be
//!   decimal and at most 65535. IPv6 literals are bracketed and written in their compressed
//!   form (`[0:0:0:0:0:0:0:1]` -> `[::1]`).
//! - Refused: user info (`user:pass@`), backslashes, a query or fragment, non-ASCII host names
//!   (they must be given in punycode), and characters outside `A-Z a-z 0-9 - . _` in a name.
//! - A path after the host is kept as a prefix of every URL ([`Base::path_prefix`]),
//!   trailing slashes stripped, so `https://proxy.example.com/qlik/` sends requests to
//!   `https://proxy.example.com/qlik/api/v1/...`, as the official client's plain string
//!   concatenation does. Plain tenant hosts have an empty prefix. A prefix must consist of URL
//!   path characters (percent-escapes allowed) and contain no `.` or `..` segment.

use crate::prelude::*;
use core::fmt;

use super::ip::{format_ipv6, parse_ipv4, parse_ipv6};
use super::text::{
    has_byte, parse_uint, push_uint, quoted, split_byte, split_once_byte, split_once_str, trim_end_byte, truncated,
};

/// Percent-encodes `s` as JavaScript's `encodeURIComponent` does (UTF-8, upper-case hex): every
/// byte but those of `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
#[inline(never)]
pub fn encode_uri_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// Why a configured host was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostError {
    /// The scheme is neither `http` nor `https`.
    UnsupportedScheme { scheme: String },
    /// The host cannot be used as the base of request URLs (`value` shortened, user info
    /// redacted).
    Invalid { value: String, reason: String },
}

impl HostError {
    /// What is wrong with the host, in words.
    pub fn message(&self) -> String {
        match self {
            HostError::UnsupportedScheme { scheme } => {
                ["scheme ", &quoted(scheme), " is not supported; use https:// (or http:// for a local server)"].concat()
            }
            HostError::Invalid { value, reason } => [&quoted(value), " is not usable: ", reason.as_str()].concat(),
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// `localhost`, `*.localhost`, a dotted-quad address in `127.0.0.0/8` or `[::1]`.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return parse_ipv6(inner) == Some([0, 0, 0, 0, 0, 0, 0, 1]);
    }
    parse_ipv4(&host).is_some_and(|[first, ..]| first == 127)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

/// A parsed, normalized host URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    pub scheme: Scheme,
    /// Lower-case name, dotted quad or bracketed IPv6 literal.
    pub host: String,
    /// A non-default port.
    pub port: Option<u16>,
    pub path_prefix: String,
}

impl Base {
    #[inline(never)]
    pub fn origin(&self) -> String {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        let mut origin = String::with_capacity(scheme.len() + 3 + self.host.len() + 6);
        origin.push_str(scheme);
        origin.push_str("://");
        origin.push_str(&self.host);
        if let Some(p) = self.port {
            origin.push(':');
            push_uint(&mut origin, p.into(), 1);
        }
        origin
    }
}

/// Longest echo of user input in an error message, in characters.
const ECHO_MAX_CHARS: usize = 100;

/// `s` as error messages echo user input: at most [`ECHO_MAX_CHARS`] characters.
pub fn shorten(s: &str) -> String {
    truncated(s, ECHO_MAX_CHARS)
}

/// Splits `s` before the first character matching `pred`; `(s, "")` when none does.
fn split_before(s: &str, pred: impl Fn(char) -> bool) -> (&str, &str) {
    match s.char_indices().find(|&(_, c)| pred(c)) {
        Some((i, _)) => s.split_at_checked(i).unwrap_or((s, "")),
        Option::None => (s, ""),
    }
}

/// Splits `scheme://rest` when the part before `://` is a syntactically valid scheme.
fn split_scheme(input: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = split_once_str(input, "://")?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some((scheme, rest))
}

/// Why [`parse_authority`] rejected its input.
enum AuthorityError {
    /// A scheme other than `http` or `https`.
    Scheme(String),
    /// Anything else, with the reason.
    Other(String),
}

impl From<String> for AuthorityError {
    fn from(reason: String) -> AuthorityError {
        AuthorityError::Other(reason)
    }
}

impl From<&str> for AuthorityError {
    fn from(reason: &str) -> AuthorityError {
        AuthorityError::Other(reason.to_string())
    }
}

/// The scheme, normalized authority and the rest (`/path?query#fragment`) of `input`.
/// `default_https` decides whether a missing scheme means `https` or is an error.
fn parse_authority(input: &str, default_https: bool) -> Result<(Scheme, String, Option<u16>, &str), AuthorityError> {
    if has_byte(input, b'\\') {
        return Err("contains a backslash".into());
    }
    let (scheme, rest) = match split_scheme(input) {
        Some((s, rest)) => {
            let scheme = match s.to_ascii_lowercase().as_str() {
                "https" => Scheme::Https,
                "http" => Scheme::Http,
                _ => return Err(AuthorityError::Scheme(shorten(s))),
            };
            (scheme, rest)
        }
        Option::None if default_https => (Scheme::Https, input),
        Option::None => return Err("no scheme".into()),
    };
    let (authority, tail) = split_before(rest, |c| matches!(c, '/' | '?' | '#'));
    if has_byte(authority, b'@') {
        return Err("user info (`user:password@`) is not allowed in the host".into());
    }
    let (host, port) = if let Some(after_bracket) = authority.strip_prefix('[') {
        let Some((inner, after)) = split_once_byte(after_bracket, b']') else {
            return Err("unterminated IPv6 literal".into());
        };
        let addr = parse_ipv6(inner).ok_or_else(|| AuthorityError::from("invalid IPv6 literal"))?;
        let port = match after {
            "" => Option::None,
            p => Some(p.strip_prefix(':').ok_or(AuthorityError::from("unexpected text after the IPv6 literal"))?),
        };
        (["[", &format_ipv6(&addr), "]"].concat(), port)
    } else {
        let (name, port) = match split_once_byte(authority, b':') {
            Some((n, p)) => (n, Some(p)),
            Option::None => (authority, Option::None),
        };
        if name.is_empty() {
            return Err("the host name is empty".into());
        }
        if !name.is_ascii() {
            return Err("non-ASCII host names must be given in punycode (xn--...) form".into());
        }
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')) {
            return Err("the host name contains characters other than letters, digits, '-', '.' and '_'".into());
        }
        (name.to_ascii_lowercase(), port)
    };
    let port = match port {
        Option::None | Some("") => Option::None,
        Some(p) => {
            if !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err("the port is not a number".into());
            }
            let n = parse_uint(p).and_then(|n| u16::try_from(n).ok());
            let n = n.ok_or_else(|| AuthorityError::from("the port is larger than 65535"))?;
            match (scheme, n) {
                (Scheme::Https, 443) | (Scheme::Http, 80) => Option::None,
                _ => Some(n),
            }
        }
    };
    Ok((scheme, host, port, tail))
}

/// Whether `segment` is a `.` or `..` path segment, percent-encoded dots included (as the
/// WHATWG URL parser treats them).
#[inline(never)]
pub fn is_dot_segment(segment: &str) -> bool {
    let mut rest = segment.as_bytes();
    let mut dots = 0;
    while !rest.is_empty() {
        rest = match rest.strip_prefix(b".") {
            Some(after) => after,
            None if rest.get(..3).is_some_and(|b| b.eq_ignore_ascii_case(b"%2e")) => rest.get(3..).unwrap_or_default(),
            None => return false,
        };
        dots += 1;
    }
    dots == 1 || dots == 2
}

fn valid_path_prefix(path: &str) -> Result<(), String> {
    let bytes = path.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let ok = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
                    | b'/'
            );
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(|h| h.is_ascii_hexdigit());
            if !(hex(i + 1) && hex(i + 2)) {
                return Err("the path has a '%' that is not a percent-escape".into());
            }
            i += 3;
            continue;
        }
        if !ok {
            return Err("the path contains characters that must be percent-encoded".into());
        }
        i += 1;
    }
    if split_byte(path, b'/').any(is_dot_segment) {
        return Err("the path contains a '.' or '..' segment".into());
    }
    Ok(())
}

/// Parses a configured host (see the module documentation).
pub fn parse_host(input: &str) -> Result<Base, HostError> {
    let invalid = |reason: String| {
        if has_byte(input, b'@') {
            HostError::Invalid { value: "<redacted: contains user info>".into(), reason }
        } else {
            HostError::Invalid { value: shorten(input), reason }
        }
    };
    let (scheme, host, port, tail) = parse_authority(input, true).map_err(|e| match e {
        AuthorityError::Scheme(scheme) => HostError::UnsupportedScheme { scheme },
        AuthorityError::Other(reason) => invalid(reason),
    })?;
    if has_byte(tail, b'?') || has_byte(tail, b'#') {
        return Err(invalid("a query or fragment is not allowed in the host".into()));
    }
    let path_prefix = trim_end_byte(tail, b'/');
    valid_path_prefix(path_prefix).map_err(invalid)?;
    Ok(Base { scheme, host, port, path_prefix: path_prefix.to_string() })
}

/// Parses a page origin (`location.origin`, or a full page URL whose path is ignored).
/// `None` for opaque origins (`null`), missing or non-http(s) schemes and malformed hosts.
#[inline(never)]
pub fn parse_origin(input: &str) -> Option<Base> {
    let (scheme, host, port, _) = parse_authority(input.trim(), false).ok()?;
    Some(Base { scheme, host, port, path_prefix: String::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin_of(host: &str) -> Result<(String, String), HostError> {
        parse_host(host.trim()).map(|b| (b.origin(), b.path_prefix))
    }

    #[test]
    fn host_normalization_table() {
        let table: &[(&str, &str, &str)] = &[
            ("tenant.eu.qlikcloud.com", "https://tenant.eu.qlikcloud.com", ""),
            ("tenant.eu.qlikcloud.com/", "https://tenant.eu.qlikcloud.com", ""),
            ("https://tenant.eu.qlikcloud.com", "https://tenant.eu.qlikcloud.com", ""),
            ("https://tenant.eu.qlikcloud.com///", "https://tenant.eu.qlikcloud.com", ""),
            ("  https://tenant.eu.qlikcloud.com/ \n", "https://tenant.eu.qlikcloud.com", ""),
            ("HTTPS://Tenant.EU.QlikCloud.com", "https://tenant.eu.qlikcloud.com", ""),
            ("https://tenant.eu.qlikcloud.com:443/", "https://tenant.eu.qlikcloud.com", ""),
            ("https://tenant.eu.qlikcloud.com:8443", "https://tenant.eu.qlikcloud.com:8443", ""),
            ("https://tenant.eu.qlikcloud.com:", "https://tenant.eu.qlikcloud.com", ""),
            ("localhost:8080", "https://localhost:8080", ""),
            ("http://localhost:80", "http://localhost", ""),
            ("http://localhost:8080/", "http://localhost:8080", ""),
            ("https://[0:0:0:0:0:0:0:1]:3000", "https://[::1]:3000", ""),
            ("[::1]", "https://[::1]", ""),
            ("https://proxy.example.com/qlik/", "https://proxy.example.com", "/qlik"),
            ("proxy.example.com/a/b//", "https://proxy.example.com", "/a/b"),
            ("https://proxy.example.com/a%20b", "https://proxy.example.com", "/a%20b"),
            ("https://under_score.example.com", "https://under_score.example.com", ""),
        ];
        for (raw, origin, prefix) in table {
            assert_eq!(origin_of(raw), Ok((origin.to_string(), prefix.to_string())), "{raw:?}");
        }
    }

    #[test]
    fn host_rejections() {
        let bad = [
            "ftp://tenant.example.com",
            "ws://tenant.example.com",
            "https://",
            "https:///path",
            "https://user:pass@tenant.example.com",
            "https://tenant.example.com?x=1",
            "https://tenant.example.com/#frag",
            "https://tenant.example.com:99999",
            "https://tenant.example.com:-1",
            "https://tenant.example.com:+80",
            "https://tenant.example.com:8o",
            "https://tén.example.com",
            "https://te nant.example.com",
            "https://evil.com\\@good.com",
            "https://[::1",
            "https://[::1]x",
            "https://[not-v6]",
            "https://a:1:2",
            "https://tenant.example.com/a/../b",
            "https://tenant.example.com/%2e%2E/b",
            "https://tenant.example.com/a b",
            "https://tenant.example.com/a%zz",
            "https://tenant.example.com/ä",
        ];
        for raw in bad {
            assert!(parse_host(raw).is_err(), "{raw:?}");
        }
        assert_eq!(parse_host("ftp://x.example.com"), Err(HostError::UnsupportedScheme { scheme: "ftp".into() }));
        let err = parse_host("https://user:secret@tenant.example.com").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        let long = format!("https://{}", "x".repeat(5000));
        assert!(parse_host(&format!("{long}?q")).unwrap_err().to_string().len() < 400);
    }

    #[test]
    fn page_origins() {
        assert_eq!(
            parse_origin(" https://App.example.com:443/page?q#f ").map(|b| b.origin()),
            Some("https://app.example.com".into())
        );
        assert_eq!(parse_origin("http://localhost:5173").map(|b| b.origin()), Some("http://localhost:5173".into()));
        for bad in ["null", "file:///x", "app.example.com", "", "ftp://x.example.com"] {
            assert_eq!(parse_origin(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn loopback_hosts() {
        for host in ["localhost", "app.localhost", "127.0.0.1", "127.1.2.3", "127.255.255.255", "[::1]", "LOCALHOST"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "evil.com",
            "localhost.evil.com",
            "127.0.0.1.evil.com",
            "128.0.0.1",
            "0.0.0.0",
            "[::2]",
            "10.0.0.1",
            "127.1",
            "127.000.000.001",
            "notlocalhost",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn dot_segments() {
        for dot in [".", "..", "%2e", "%2E%2e", ".%2E"] {
            assert!(is_dot_segment(dot), "{dot:?}");
        }
        for other in ["...", "", "a", "%2e%2e%2e", "%"] {
            assert!(!is_dot_segment(other), "{other:?}");
        }
    }

    #[test]
    fn encodes_like_encode_uri_component() {
        assert_eq!(encode_uri_component("AZaz09-_.!~*'()"), "AZaz09-_.!~*'()");
        assert_eq!(encode_uri_component("a/b?c#d é"), "a%2Fb%3Fc%23d%20%C3%A9");
        assert_eq!(
            encode_uri_component("&=+,;:@$%[]{}|^`\"<>\\"),
            "%26%3D%2B%2C%3B%3A%40%24%25%5B%5D%7B%7D%7C%5E%60%22%3C%3E%5C"
        );
        assert_eq!(encode_uri_component("\u{0}\n\t"), "%00%0A%09");
        assert_eq!(encode_uri_component("😀"), "%F0%9F%98%80");
        assert_eq!(encode_uri_component(""), "");
        // Every ASCII character: kept exactly when `encodeURIComponent` keeps it.
        for b in 0u8..128 {
            let c = char::from(b).to_string();
            let kept = b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b);
            let expected = if kept { c.clone() } else { format!("%{b:02X}") };
            assert_eq!(encode_uri_component(&c), expected, "{b}");
        }
    }

    /// The characters `encodeURIComponent` escapes: all but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
    const URI_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'!')
        .remove(b'~')
        .remove(b'*')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')');

    proptest::proptest! {
        #[test]
        fn encode_uri_component_round_trips(s in proptest::prelude::any::<String>()) {
            let encoded = encode_uri_component(&s);
            proptest::prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()%".contains(&b)));
            let decoded = percent_encoding::percent_decode_str(&encoded).decode_utf8().map(|c| c.into_owned());
            proptest::prop_assert_eq!(decoded, Ok(s.clone()));
            // The same as the percent-encoding crate with the set of `encodeURIComponent`.
            proptest::prop_assert_eq!(encoded, percent_encoding::utf8_percent_encode(&s, URI_COMPONENT).to_string());
        }
    }
}
