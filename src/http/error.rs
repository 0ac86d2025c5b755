//! Parsing of API error responses.
//!
//! Qlik answers errors with `{"errors":[{"code","title","detail"?,"meta":{"details",...}},...]}`.
//! Proxies and gateways may answer with HTML, plain text or nothing; those still give an
//! [`ApiError`], with code `HTTP-<status>` and the status text as title.

use std::fmt;

use serde_json::Value;

use super::response::{parse_retry_after, parse_retry_after_at, retry_after_from_text};

/// The error code a 403 carries when the CSRF token is missing or stale.
pub const CSRF_REJECTION_CODE: &str = "CSRF-TOKEN-2";

/// The most bytes read of an error body or of the jobs answer (64 KiB); the rest is not
/// downloaded. Qlik's error answers and a prediction's jobs are a few hundred bytes; a longer
/// body (a proxy's page, a hostile answer) cannot make the client hold or parse more.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// An error response of the API.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    /// The first error's `code`, or `HTTP-<status>`.
    pub code: String,
    /// The first error's `title`, or the status text, or the standard reason phrase.
    pub title: String,
    /// The first error's `detail`, or its `meta.details`.
    pub detail: Option<String>,
    /// The response's `errors` array as parsed; empty when the body has none.
    pub errors: Vec<Value>,
    /// Seconds to wait before retrying, from the `retry-after` header or, for a 429 whose
    /// header is unreadable, from the "wait N seconds" of the error detail.
    pub retry_after: Option<f64>,
}

impl ApiError {
    /// The `code` of every entry of the `errors` array that has a string code.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.errors.iter().filter_map(|e| e.get("code").and_then(Value::as_str))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({})", self.status, self.title, self.code)?;
        match &self.detail {
            Some(d) if !d.is_empty() => write!(f, ": {d}"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for ApiError {}

/// The standard reason phrase of `status`, for responses without status text (HTTP/2).
pub fn reason_phrase(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        511 => "Network Authentication Required",
        _ => return None,
    })
}

fn non_empty_str(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// Builds an [`ApiError`] from an error response (the body parsed once). Never fails: a body
/// that is not the JSON error shape (a truncated one included) gives code `HTTP-<status>`, the
/// status text (or reason phrase) as title, no detail and no `errors`. The code, title and
/// detail are taken independently from the first entry of `errors`, each falling back when
/// missing or not a non-empty string.
/// `retry_after_header` is read as delta-seconds only; see [`parse_api_error_at`] for dates.
pub fn parse_api_error(status: u16, status_text: &str, body: &[u8], retry_after_header: Option<&str>) -> ApiError {
    parse_api_error_at(status, status_text, body, retry_after_header, None)
}

/// [`parse_api_error`], reading a `retry-after` HTTP-date relative to `now_ms` (milliseconds
/// since the Unix epoch) when given.
pub fn parse_api_error_at(
    status: u16,
    status_text: &str,
    body: &[u8],
    retry_after_header: Option<&str>,
    now_ms: Option<f64>,
) -> ApiError {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let errors = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut top)) => match top.remove("errors") {
            Some(Value::Array(errors)) => errors,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let first = errors.first().filter(|e| e.is_object());

    let code = match non_empty_str(first.and_then(|e| e.get("code"))) {
        Some(c) => c.to_string(),
        None => format!("HTTP-{status}"),
    };
    let title = match non_empty_str(first.and_then(|e| e.get("title"))) {
        Some(t) => t.to_string(),
        None => {
            let text = status_text.trim();
            if !text.is_empty() {
                text.to_string()
            } else {
                reason_phrase(status).map_or_else(|| format!("HTTP {status}"), String::from)
            }
        }
    };
    let detail = non_empty_str(first.and_then(|e| e.get("detail")))
        .or_else(|| non_empty_str(first.and_then(|e| e.get("meta")).and_then(|m| m.get("details"))))
        .map(String::from);

    let from_header = retry_after_header.and_then(|h| match now_ms {
        Some(now) => parse_retry_after_at(h, now),
        None => parse_retry_after(h),
    });
    let retry_after =
        from_header.or_else(|| if status == 429 { detail.as_deref().and_then(retry_after_from_text) } else { None });

    ApiError { status, code, title, detail, errors, retry_after }
}

/// Whether `e` is a 403 rejecting the CSRF token: any entry of `errors` (or the top-level
/// code) is `CSRF-TOKEN-2`.
pub fn is_csrf_rejection(e: &ApiError) -> bool {
    e.status == 403 && (e.code == CSRF_REJECTION_CODE || e.codes().any(|c| c == CSRF_REJECTION_CODE))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOT_FOUND: &str = r#"{"errors":[{"code":"AUTOML-404","title":"Not found","detail":"no such prediction","meta":{"details":"meta says","errorId":"e1","argument":"predictionId","resource":"prediction","resourceId":"p1"}},{"code":"OTHER","title":"Second"}]}"#;

    #[test]
    fn json_error_shape() {
        let e = parse_api_error(404, "Not Found", NOT_FOUND.as_bytes(), None);
        assert_eq!(e.status, 404);
        assert_eq!(e.code, "AUTOML-404");
        assert_eq!(e.title, "Not found");
        assert_eq!(e.detail.as_deref(), Some("no such prediction"));
        assert_eq!(e.retry_after, None);
        let sent: Value = serde_json::from_str(NOT_FOUND).unwrap();
        assert_eq!(Value::Array(e.errors.clone()), sent["errors"]);
        assert_eq!(e.codes().collect::<Vec<_>>(), vec!["AUTOML-404", "OTHER"]);
        assert_eq!(e.to_string(), "404 Not found (AUTOML-404): no such prediction");
    }

    #[test]
    fn meta_details_fallback() {
        let body = r#"{"errors":[{"code":"AUTOML-400","title":"Bad argument","meta":{"details":"refId is malformed","argument":"refId"}}]}"#;
        let e = parse_api_error(400, "Bad Request", body.as_bytes(), None);
        assert_eq!(e.code, "AUTOML-400");
        assert_eq!(e.detail.as_deref(), Some("refId is malformed"));
        let body = r#"{"errors":[{"code":"X","title":"T","detail":"","meta":{"details":"from meta"}}]}"#;
        assert_eq!(parse_api_error(400, "", body.as_bytes(), None).detail.as_deref(), Some("from meta"));
        let body = r#"{"errors":[{"code":"X","title":"T","meta":{"details":42}}]}"#;
        assert_eq!(parse_api_error(400, "", body.as_bytes(), None).detail, None);
    }

    #[test]
    fn non_json_bodies() {
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
            b"{\"error\":\"x\",\"message\":\"y\"}",
        ];
        for body in cases {
            let e = parse_api_error(502, "Bad Gateway", body, None);
            assert_eq!(e.code, "HTTP-502", "{:?}", String::from_utf8_lossy(body));
            assert_eq!(e.title, "Bad Gateway");
            assert_eq!(e.detail, None);
            assert_eq!(e.retry_after, None);
        }
        assert_eq!(parse_api_error(502, "", b"<html>", None).errors, Vec::<Value>::new());
        assert_eq!(parse_api_error(502, "", b"{\"errors\":{\"code\":\"X\"}}", None).errors, Vec::<Value>::new());
        assert_eq!(parse_api_error(502, "", b"{\"errors\":[42]}", None).errors, vec![Value::from(42)]);
        assert_eq!(parse_api_error(502, "", b"{\"errors\":[]}", None).errors, Vec::<Value>::new());
    }

    #[test]
    fn title_fallbacks() {
        assert_eq!(parse_api_error(503, "", b"", None).title, "Service Unavailable");
        assert_eq!(parse_api_error(404, "  ", b"", None).title, "Not Found");
        assert_eq!(parse_api_error(599, "", b"", None).title, "HTTP 599");
        assert_eq!(parse_api_error(503, "Custom", b"", None).title, "Custom");
        let body = br#"{"errors":[{"code":"C","title":""}]}"#;
        let e = parse_api_error(409, "", body, None);
        assert_eq!((e.code.as_str(), e.title.as_str()), ("C", "Conflict"));
        let body = br#"{"errors":[{"title":"Only a title"}]}"#;
        let e = parse_api_error(409, "Conflict", body, None);
        assert_eq!((e.code.as_str(), e.title.as_str()), ("HTTP-409", "Only a title"));
        let e = parse_api_error(
            401,
            "",
            b"\xEF\xBB\xBF{\"errors\":[{\"code\":\"AUTH\",\"title\":\"Unauthorized\"}]}",
            None,
        );
        assert_eq!(e.code, "AUTH");
        assert_eq!(e.to_string(), "401 Unauthorized (AUTH)");
    }

    #[test]
    fn rate_limited() {
        let body = br#"{"errors":[{"code":"HTTP-429","title":"API rate limit reached.","detail":"You need to wait 12 seconds before making another request."}]}"#;
        let e = parse_api_error(429, "Too Many Requests", body, Some("7"));
        assert_eq!(e.code, "HTTP-429");
        assert_eq!(e.title, "API rate limit reached.");
        assert_eq!(e.retry_after, Some(7.0));
        assert_eq!(parse_api_error(429, "", body, None).retry_after, Some(12.0));
        assert_eq!(parse_api_error(429, "", body, Some("soon")).retry_after, Some(12.0));
        assert_eq!(parse_api_error(429, "", b"", None).retry_after, None);
        assert_eq!(parse_api_error(429, "", b"", Some("2.5")).retry_after, Some(2.5));
        assert_eq!(parse_api_error(503, "", b"", Some("30")).retry_after, Some(30.0));
        let body_503 = br#"{"errors":[{"code":"X","title":"Y","detail":"wait 5 seconds"}]}"#;
        assert_eq!(parse_api_error(503, "", body_503, None).retry_after, None);
        let date = "Sun, 06 Nov 1994 08:50:07 GMT";
        assert_eq!(parse_api_error(429, "", b"", Some(date)).retry_after, None);
        assert_eq!(parse_api_error_at(429, "", b"", Some(date), Some(784_111_777_000.0)).retry_after, Some(30.0));
    }

    #[test]
    fn csrf_detection() {
        let first = br#"{"errors":[{"code":"CSRF-TOKEN-2","title":"Invalid CSRF token"}]}"#;
        assert!(is_csrf_rejection(&parse_api_error(403, "", first, None)));
        let later =
            br#"{"errors":[{"code":"FORBIDDEN","title":"No"},{"code":"CSRF-TOKEN-2","title":"Invalid CSRF token"}]}"#;
        assert!(is_csrf_rejection(&parse_api_error(403, "", later, None)));
        assert!(!is_csrf_rejection(&parse_api_error(401, "", first, None)));
        assert!(!is_csrf_rejection(&parse_api_error(400, "", later, None)));
        let other = br#"{"errors":[{"code":"CSRF-TOKEN-1","title":"x"},{"code":"FORBIDDEN"}]}"#;
        assert!(!is_csrf_rejection(&parse_api_error(403, "", other, None)));
        assert!(!is_csrf_rejection(&parse_api_error(403, "", b"<html>CSRF-TOKEN-2</html>", None)));
        let hand_made = ApiError {
            status: 403,
            code: "CSRF-TOKEN-2".into(),
            title: "t".into(),
            detail: None,
            errors: vec![Value::from("not an object")],
            retry_after: None,
        };
        assert!(is_csrf_rejection(&hand_made));
    }

    #[test]
    fn a_truncated_body_is_not_the_error_shape() {
        let mut body = br#"{"errors":[{"code":"BIG","title":"Big","detail":""#.to_vec();
        body.resize(MAX_JSON_BODY_BYTES, b'x');
        let e = parse_api_error(500, "Internal Server Error", &body, None);
        assert_eq!((e.code.as_str(), e.title.as_str(), e.errors.len()), ("HTTP-500", "Internal Server Error", 0));
    }

    #[test]
    fn deeply_nested_json_does_not_overflow() {
        let deep = format!("{{\"errors\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        let e = parse_api_error(400, "", deep.as_bytes(), None);
        assert_eq!(e.code, "HTTP-400");
    }
}
