//! The HTTP layer, as plain Rust: endpoint metadata, host configuration, request URLs and
//! headers, error-response parsing, retry policy and client-side rate limiting.
//!
//! Nothing here performs I/O or reads a clock: the wasm binding drives `fetch` and timers,
//! passes the current time and random samples in, and acts on the values returned.

mod config;
mod endpoint;
mod error;
mod httpdate;
pub mod ranges;
mod ratelimit;
mod request;
mod response;
mod retry;

pub use config::{is_header_token, is_loopback_host, AuthType, ConfigError, Credentials, HostConfig, HostConfigInput};
pub use endpoint::{Dataset, Endpoint, Tier};
pub use error::{
    is_csrf_rejection, parse_api_error, parse_api_error_at, reason_phrase, ApiError, CSRF_REJECTION_CODE,
    MAX_JSON_BODY_BYTES,
};
pub use httpdate::{format_iso8601, parse_http_date};
pub use ratelimit::{RateLimitConfig, RateLimiter, RateLimits};
pub use request::{encode_uri_component, Redirects, API_PATH, CSRF_PATH};
pub use response::{deprecation_notice, parse_retry_after, parse_retry_after_at, retry_after_from_text};
pub use retry::{Decision, Failure, RetryPolicy, MAX_RETRY_AFTER_MS};
