//! Reading a delivered answer's body: bytes received against the announced length (a body
//! that ends short is a failure, never a complete file), and the limits of a JSON answer.

use super::api_error::MAX_JSON_BODY_BYTES;
use super::call::{NetworkError, Wait};
use super::text::{parse_uint, uint};
use crate::prelude::*;

/// The body of an answer being read.
#[derive(Debug, Clone, PartialEq)]
pub struct Download {
    url: String,
    expected: Option<u64>,
    received: u64,
}

impl Download {
    /// A body announced by `content_length`, unless it is content-encoded (the header then
    /// counts encoded bytes, and `fetch` yields decoded ones) or not a whole number.
    pub fn new(url: &str, content_length: Option<&str>, content_encoding: Option<&str>) -> Download {
        let encoded = content_encoding.is_some_and(|e| !e.trim().eq_ignore_ascii_case("identity"));
        // A `+` sign is read as `str::parse` reads it.
        let length = content_length.map(str::trim).map(|v| v.strip_prefix('+').unwrap_or(v));
        let expected = length.and_then(parse_uint).filter(|_| !encoded);
        Download { url: url.to_string(), expected, received: 0 }
    }

    /// The announced length, when known.
    pub fn total_bytes(&self) -> Option<f64> {
        self.expected.map(|n| n as f64)
    }

    /// Bytes received so far.
    pub fn received(&self) -> f64 {
        self.received as f64
    }

    /// Counts a chunk of `len` bytes.
    pub fn chunk(&mut self, len: usize) {
        self.received = self.received.saturating_add(len as u64);
    }

    /// The body has ended: a failure when it is shorter than announced.
    pub fn end(&self) -> Result<(), NetworkError> {
        match self.expected {
            Some(expected) if self.received < expected => Err(self.error(
                ["the response ended after ", &uint(self.received), " of ", &uint(expected), " bytes"].concat(),
            )),
            _ => Ok(()),
        }
    }

    /// Reading failed; `cause` says how.
    pub fn failed(&self, cause: &str) -> NetworkError {
        NetworkError::failed(Wait::ResponseBody, cause, self.received(), &self.url)
    }

    /// Nothing came for `timeout_ms`.
    pub fn timed_out(&self, timeout_ms: f64) -> NetworkError {
        NetworkError::timed_out(timeout_ms, Wait::ResponseBody, self.received(), &self.url)
    }

    /// A JSON answer (the jobs answer) longer than [`MAX_JSON_BODY_BYTES`]: it is not read.
    pub fn too_long(&self, what: &str) -> NetworkError {
        self.error(["the ", what, " is larger than ", &uint(MAX_JSON_BODY_BYTES as u64), " bytes"].concat())
    }

    /// A JSON answer that does not parse; `cause` is the parser's message.
    pub fn not_json(&self, what: &str, cause: &str) -> NetworkError {
        self.error(["the ", what, " is not JSON: ", cause].concat())
    }

    fn error(&self, message: String) -> NetworkError {
        NetworkError::new(message, self.received(), &self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_body_is_a_failure() {
        let mut d = Download::new("https://t/x", Some(" 100 "), None);
        assert_eq!(d.total_bytes(), Some(100.0));
        d.chunk(60);
        d.chunk(30);
        let e = d.end().unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.bytes_received, e.url.as_str()),
            ("the response ended after 90 of 100 bytes", 90.0, "https://t/x")
        );
        d.chunk(10);
        assert_eq!(d.end(), Ok(()));
        d.chunk(5);
        assert_eq!(d.end(), Ok(()), "a longer body is not cut");
    }

    #[test]
    fn an_unknown_length_is_never_short() {
        for (length, encoding) in [
            (None, None),
            (Some("12"), Some("gzip")),
            (Some("12"), Some("br")),
            (Some("x"), None),
            (Some("1e3"), None),
            (Some("-1"), None),
        ] {
            let d = Download::new("u", length, encoding);
            assert_eq!(d.total_bytes(), None, "{length:?} {encoding:?}");
            assert_eq!(d.end(), Ok(()));
        }
        assert_eq!(Download::new("u", Some("12"), Some("identity")).total_bytes(), Some(12.0));
    }

    #[test]
    fn messages() {
        let mut d = Download::new("https://t/jobs", None, None);
        d.chunk(7);
        assert_eq!(d.failed("TypeError: network error").message, "the response body failed: TypeError: network error");
        let t = d.timed_out(400.0);
        assert_eq!(
            (t.message.as_str(), t.bytes_received),
            ("timed out: nothing for 400 ms (timeoutMs) while waiting for the response body", 7.0)
        );
        assert_eq!(d.too_long("jobs response").message, "the jobs response is larger than 65536 bytes");
        assert_eq!(
            d.not_json("jobs response", "Unexpected token").message,
            "the jobs response is not JSON: Unexpected token"
        );
    }
}
