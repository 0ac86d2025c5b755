//! The HTTP layer, as plain Rust: endpoints, the host configuration and authentication, URLs
//! and headers, error answers, the retry policy, client-side rate limiting, and one call as a
//! state machine ([`Call`]) that holds every decision of a request.
//!
//! Nothing here performs I/O or reads a clock: the wasm binding drives `fetch` and timers as
//! the [`Call`] says, and passes the current time and random samples in.
//!
//! Modules, each importing only those listed before it: `text` (numbers and quoted strings in
//! messages), `ip` (IP address literals), `url` (host and origin grammar, percent-encoding),
//! `auth_type` (authentication types, and the official client's host-config fields), `auth`,
//! `endpoint`, `config`, `httpdate`, `response` (response headers), `api_error`, `ranges`,
//! `ratelimit`, `retry`, `call`, `download`.

mod api_error;
mod auth;
mod auth_type;
mod call;
mod config;
mod download;
mod endpoint;
mod httpdate;
mod ip;
pub mod ranges;
mod ratelimit;
mod response;
mod retry;
mod text;
mod url;

pub use api_error::{ApiError, ErrorBody, JsonValue, MAX_JSON_BODY_BYTES};
pub use auth::{Auth, AuthError, AuthInput, AuthType, Credentials, Redirects};
pub use call::{
    cors_note, Action, Call, CallError, CsrfTokens, Env, Event, NetworkError, Page, Request, ResponseHead, Wait,
};
pub use config::{ConfigError, HostConfig, HostConfigInput};
pub use download::Download;
pub use endpoint::{Dataset, Endpoint, Tier};
pub use ratelimit::{RateLimitConfig, RateLimits};
pub use response::deprecation_notice;
pub use retry::RetryPolicy;
pub use text::{decimal, quoted, uint};
