//! Error answers of the API.
//!
//! Qlik answers errors with `{"errors":[{"code","title","detail"?,"meta":{"details",...}},...]}`.
//! Proxies and gateways may answer with HTML, plain text or nothing; those still give an
//! [`ApiError`], with code `HTTP-<status>` and the status text as title.
//!
//! The body is parsed once, by the caller's JSON parser (`JSON.parse` in the browser, so the
//! `errors` array reaches JavaScript as parsed and no JSON parser is compiled into the wasm
//! module); [`ErrorBody::read`] takes the few fields the client acts on from the parsed value,
//! through [`JsonValue`].

use crate::prelude::*;
use core::fmt;

use super::response::{parse_retry_after_at, retry_after_from_text};
use super::text::{split_byte, uint};

/// The error code a 403 carries when the CSRF token is missing or stale.
const CSRF_REJECTION_CODE: &str = "CSRF-TOKEN-2";

/// The most bytes read of an error body or of the jobs answer (64 KiB); the rest is not
/// downloaded. Qlik's error answers and a prediction's jobs are a few hundred bytes; a longer
/// body (a proxy's page, a hostile answer) cannot make the client hold or parse more.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// A parsed JSON value, as far as reading an error body needs it.
pub trait JsonValue: Sized {
    /// The member `key` of an object (`None` for anything but an object, or no such member).
    fn member(&self, key: &str) -> Option<Self>;
    /// The value when it is a string.
    fn string(&self) -> Option<String>;
    /// The elements of an array (`None` for anything but an array).
    fn elements(&self) -> Option<Vec<Self>>;
}

/// What the client reads of an error body in Qlik's JSON error shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// The first entry's `code`, when a non-blank string.
    pub code: Option<String>,
    /// The first entry's `title`, when a non-blank string.
    pub title: Option<String>,
    /// The first entry's `detail`, else its `meta.details`, when a non-blank string.
    pub detail: Option<String>,
    /// The `code` of every entry that has a string code.
    pub codes: Vec<String>,
}

#[inline(never)]
fn non_blank<J: JsonValue>(v: Option<J>) -> Option<String> {
    v.and_then(|v| v.string()).filter(|s| !s.trim().is_empty())
}

impl ErrorBody {
    /// The fields of a parsed body: its `errors` array when it is an object holding one
    /// (anything else reads as no fields). Reads no deeper than `errors[i].meta.details`.
    pub fn read<J: JsonValue>(doc: &J) -> ErrorBody {
        let Some(errors) = doc.member("errors").and_then(|e| e.elements()) else { return ErrorBody::default() };
        let first = errors.first();
        ErrorBody {
            code: non_blank(first.and_then(|e| e.member("code"))),
            title: non_blank(first.and_then(|e| e.member("title"))),
            detail: non_blank(first.and_then(|e| e.member("detail")))
                .or_else(|| non_blank(first.and_then(|e| e.member("meta")).and_then(|m| m.member("details")))),
            codes: errors.iter().filter_map(|e| e.member("code").and_then(|c| c.string())).collect(),
        }
    }

    /// Whether a `status` answer with this body rejects the CSRF token: a 403 whose errors
    /// include the code `CSRF-TOKEN-2`.
    pub fn rejects_csrf_token(&self, status: u16) -> bool {
        status == 403 && self.codes.iter().any(|c| c == CSRF_REJECTION_CODE)
    }
}

/// An error answer of the API (after any retries).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    /// The first error's `code`, or `HTTP-<status>`.
    pub code: String,
    /// The first error's `title`, or the status text, or the standard reason phrase.
    pub title: String,
    /// The first error's `detail`, or its `meta.details`.
    pub detail: Option<String>,
    /// Seconds to wait before retrying, from the `retry-after` header or, for a 429 whose
    /// header is unreadable, from the "wait N seconds" of the error detail.
    pub retry_after: Option<f64>,
    /// The request's URL.
    pub url: String,
    /// On a 401 with a cookie session: where to sign in.
    pub login_url: Option<String>,
}

impl ApiError {
    /// The error of a `status` answer to `url`. Never fails: a body that is not the JSON error
    /// shape (a truncated one included) gives code `HTTP-<status>`, the status text (or reason
    /// phrase) as title and no detail. `retry_after_header` is delta-seconds or an HTTP-date
    /// read relative to `now_ms` (milliseconds since the Unix epoch).
    pub fn new(
        status: u16,
        status_text: &str,
        body: &ErrorBody,
        retry_after_header: Option<&str>,
        now_ms: f64,
        url: &str,
    ) -> ApiError {
        let code = body.code.clone().unwrap_or_else(|| ["HTTP-", &uint(status.into())].concat());
        let title = body.title.clone().unwrap_or_else(|| {
            let text = status_text.trim();
            if !text.is_empty() {
                text.to_string()
            } else {
                reason_phrase(status).map_or_else(|| ["HTTP ", &uint(status.into())].concat(), String::from)
            }
        });
        let from_header = retry_after_header.and_then(|h| parse_retry_after_at(h, now_ms));
        let from_text = || if status == 429 { body.detail.as_deref().and_then(retry_after_from_text) } else { None };
        ApiError {
            status,
            code,
            title,
            detail: body.detail.clone(),
            retry_after: from_header.or_else(from_text),
            url: url.to_string(),
            login_url: None,
        }
    }

    /// `<status> <title> (<code>)`, then `: <detail>` when there is one.
    pub fn message(&self) -> String {
        let mut out = uint(self.status.into());
        for part in [" ", &self.title, " (", &self.code, ")"] {
            out.push_str(part);
        }
        if let Some(d) = self.detail.as_deref().filter(|d| !d.is_empty()) {
            out.push_str(": ");
            out.push_str(d);
        }
        out
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for ApiError {}

/// The statuses that have a standard reason phrase, in the order of [`REASON_PHRASES`].
const REASON_STATUSES: [u16; 37] = [
    400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 423, 424, 425,
    426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 507, 508, 511,
];

/// The standard reason phrases of [`REASON_STATUSES`], one a line (RFC 9110 section 15).
const REASON_PHRASES: &str = "Bad Request\n\
     Unauthorized\n\
     Payment Required\n\
     Forbidden\n\
     Not Found\n\
     Method Not Allowed\n\
     Not Acceptable\n\
     Proxy Authentication Required\n\
     Request Timeout\n\
     Conflict\n\
     Gone\n\
     Length Required\n\
     Precondition Failed\n\
     Content Too Large\n\
     URI Too Long\n\
     Unsupported Media Type\n\
     Range Not Satisfiable\n\
     Expectation Failed\n\
     Misdirected Request\n\
     Unprocessable Content\n\
     Locked\n\
     Failed Dependency\n\
     Too Early\n\
     Upgrade Required\n\
     Precondition Required\n\
     Too Many Requests\n\
     Request Header Fields Too Large\n\
     Unavailable For Legal Reasons\n\
     Internal Server Error\n\
     Not Implemented\n\
     Bad Gateway\n\
     Service Unavailable\n\
     Gateway Timeout\n\
     HTTP Version Not Supported\n\
     Insufficient Storage\n\
     Loop Detected\n\
     Network Authentication Required";

/// The standard reason phrase of `status`, for responses without status text (HTTP/2).
fn reason_phrase(status: u16) -> Option<&'static str> {
    let i = REASON_STATUSES.iter().position(|&s| s == status)?;
    split_byte(REASON_PHRASES, b'\n').nth(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    impl JsonValue for Value {
        fn member(&self, key: &str) -> Option<Value> {
            self.as_object().and_then(|o| o.get(key)).cloned()
        }
        fn string(&self) -> Option<String> {
            self.as_str().map(String::from)
        }
        fn elements(&self) -> Option<Vec<Value>> {
            self.as_array().cloned()
        }
    }

    /// The error of a `status` answer with `body`, parsed as `JSON.parse` would (a BOM
    /// dropped, anything unparsable read as no fields).
    fn answer(status: u16, status_text: &str, body: &[u8], retry_after: Option<&str>) -> ApiError {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        let fields = serde_json::from_slice::<Value>(body).map(|v| ErrorBody::read(&v)).unwrap_or_default();
        ApiError::new(status, status_text, &fields, retry_after, 784_111_777_000.0, "https://t/x")
    }

    fn fields(body: &str) -> ErrorBody {
        ErrorBody::read(&serde_json::from_str::<Value>(body).unwrap())
    }

    const NOT_FOUND: &str = r#"{"errors":[{"code":"AUTOML-404","title":"Not found","detail":"no such prediction","meta":{"details":"meta says","errorId":"e1","argument":"predictionId","resource":"prediction","resourceId":"p1"}},{"code":"OTHER","title":"Second"}]}"#;

    #[test]
    fn json_error_shape() {
        let e = answer(404, "Not Found", NOT_FOUND.as_bytes(), None);
        assert_eq!(e.status, 404);
        assert_eq!(e.code, "AUTOML-404");
        assert_eq!(e.title, "Not found");
        assert_eq!(e.detail.as_deref(), Some("no such prediction"));
        assert_eq!(e.retry_after, None);
        assert_eq!((e.url.as_str(), e.login_url.as_deref()), ("https://t/x", None));
        assert_eq!(fields(NOT_FOUND).codes, vec!["AUTOML-404", "OTHER"]);
        assert_eq!(e.to_string(), "404 Not found (AUTOML-404): no such prediction");
    }

    #[test]
    fn meta_details_fallback() {
        let body = r#"{"errors":[{"code":"AUTOML-400","title":"Bad argument","meta":{"details":"refId is malformed","argument":"refId"}}]}"#;
        let e = answer(400, "Bad Request", body.as_bytes(), None);
        assert_eq!(e.code, "AUTOML-400");
        assert_eq!(e.detail.as_deref(), Some("refId is malformed"));
        let body = r#"{"errors":[{"code":"X","title":"T","detail":"","meta":{"details":"from meta"}}]}"#;
        assert_eq!(answer(400, "", body.as_bytes(), None).detail.as_deref(), Some("from meta"));
        let body = r#"{"errors":[{"code":"X","title":"T","meta":{"details":42}}]}"#;
        assert_eq!(answer(400, "", body.as_bytes(), None).detail, None);
    }

    #[test]
    fn other_bodies() {
        let cases: &[&[u8]] = &[
            b"<html><body><h1>502 Bad Gateway</h1></body></html>",
            b"",
            b"garbage \xff\xfe",
            b"{\"errors\":",
            b"null",
            b"[]",
            b"\"errors\"",
            b"{\"errors\":{\"code\":\"X\"}}",
            b"{\"errors\":[]}",
            b"{\"errors\":[42]}",
            b"{\"errors\":[{\"code\":7,\"title\":false}]}",
            b"{\"errors\":[[{\"code\":\"X\"}]]}",
            b"{\"error\":\"x\",\"message\":\"y\"}",
        ];
        for body in cases {
            let e = answer(502, "Bad Gateway", body, None);
            assert_eq!(e.code, "HTTP-502", "{:?}", String::from_utf8_lossy(body));
            assert_eq!(e.title, "Bad Gateway");
            assert_eq!(e.detail, None);
            assert_eq!(e.retry_after, None);
        }
        assert_eq!(fields("{\"errors\":[42]}").codes, Vec::<String>::new());
    }

    #[test]
    fn title_fallbacks() {
        assert_eq!(answer(503, "", b"", None).title, "Service Unavailable");
        assert_eq!(answer(404, "  ", b"", None).title, "Not Found");
        assert_eq!(answer(599, "", b"", None).title, "HTTP 599");
        assert_eq!(REASON_PHRASES.lines().count(), REASON_STATUSES.len());
        let first_and_last = [(400, "Bad Request"), (511, "Network Authentication Required")];
        for (status, phrase) in
            [(413, "Content Too Large"), (451, "Unavailable For Legal Reasons")].into_iter().chain(first_and_last)
        {
            assert_eq!(answer(status, "", b"", None).title, phrase);
        }
        assert_eq!(reason_phrase(418), None);
        assert_eq!(answer(503, "Custom", b"", None).title, "Custom");
        let e = answer(409, "", br#"{"errors":[{"code":"C","title":""}]}"#, None);
        assert_eq!((e.code.as_str(), e.title.as_str()), ("C", "Conflict"));
        let e = answer(409, "Conflict", br#"{"errors":[{"title":"Only a title"}]}"#, None);
        assert_eq!((e.code.as_str(), e.title.as_str()), ("HTTP-409", "Only a title"));
        let e = answer(401, "", b"\xEF\xBB\xBF{\"errors\":[{\"code\":\"AUTH\",\"title\":\"Unauthorized\"}]}", None);
        assert_eq!(e.code, "AUTH");
        assert_eq!(e.to_string(), "401 Unauthorized (AUTH)");
    }

    #[test]
    fn rate_limited() {
        let body = br#"{"errors":[{"code":"HTTP-429","title":"API rate limit reached.","detail":"You need to wait 12 seconds before making another request."}]}"#;
        let e = answer(429, "Too Many Requests", body, Some("7"));
        assert_eq!(e.code, "HTTP-429");
        assert_eq!(e.title, "API rate limit reached.");
        assert_eq!(e.retry_after, Some(7.0));
        assert_eq!(answer(429, "", body, None).retry_after, Some(12.0));
        assert_eq!(answer(429, "", body, Some("soon")).retry_after, Some(12.0));
        assert_eq!(answer(429, "", b"", None).retry_after, None);
        assert_eq!(answer(429, "", b"", Some("2.5")).retry_after, Some(2.5));
        assert_eq!(answer(503, "", b"", Some("30")).retry_after, Some(30.0));
        let body_503 = br#"{"errors":[{"code":"X","title":"Y","detail":"wait 5 seconds"}]}"#;
        assert_eq!(answer(503, "", body_503, None).retry_after, None);
        // An HTTP-date, relative to the wall clock (784111777000 ms: 08:49:37).
        assert_eq!(answer(429, "", b"", Some("Sun, 06 Nov 1994 08:50:07 GMT")).retry_after, Some(30.0));
        let nan = ApiError::new(429, "", &ErrorBody::default(), Some("Sun, 06 Nov 1994 08:50:07 GMT"), f64::NAN, "u");
        assert_eq!(nan.retry_after, None);
    }

    #[test]
    fn csrf_rejection() {
        let first = fields(r#"{"errors":[{"code":"CSRF-TOKEN-2","title":"Invalid CSRF token"}]}"#);
        assert!(first.rejects_csrf_token(403));
        assert!(!first.rejects_csrf_token(401));
        let later = fields(
            r#"{"errors":[{"code":"FORBIDDEN","title":"No"},{"code":"CSRF-TOKEN-2","title":"Invalid CSRF token"}]}"#,
        );
        assert!(later.rejects_csrf_token(403));
        assert!(!later.rejects_csrf_token(400));
        let other = fields(r#"{"errors":[{"code":"CSRF-TOKEN-1","title":"x"},{"code":"FORBIDDEN"}]}"#);
        assert!(!other.rejects_csrf_token(403));
        assert!(!ErrorBody::default().rejects_csrf_token(403));
    }
}
