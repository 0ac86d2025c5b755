//! One API call as a state machine, in the manner of csv-core's `read_record`: the caller
//! performs the [`Action`] that [`Call::step`] returns — wait, ask for an access token, send a
//! request, read an error body — and feeds back what came of it as the next [`Event`], until
//! the call delivers its answer or fails. The machine holds every decision of a call: rate
//! limiting, the bearer token and the CSRF token (fetched, cached per host and refreshed once
//! when rejected), the redirect rules, error answers and their login URL, retries with their
//! budget and pauses, and what a timeout or a failed connection means at each step. It reads
//! no clock and performs no I/O: times and random samples come in through [`Env`].
//!
//! ```text
//! Start ─▶ [rate limit: Sleep ─▶ Slept ─▶ ask again] ─▶ [oauth2: GetAccessToken ─▶ AccessToken]
//!       ─▶ [cookie POST, no cached token: Send(CSRF) ─▶ Response / NoResponse (─▶ ReadErrorBody)]
//!       ─▶ Send(API) ─▶ Response 2xx ─▶ Deliver
//!                     └▶ Response 4xx/5xx ─▶ ReadErrorBody ─▶ ErrorBody ─▶ CSRF refresh | retry | Fail
//!                     └▶ NoResponse ─▶ retry | Fail          (a retry: Sleep ─▶ Slept ─▶ next attempt)
//! ```
//!
//! The call ends with [`Action::Deliver`] (read the answer's body: nothing of the call is
//! repeated after that) or [`Action::Fail`]. An abort by the caller is the driver's business:
//! it stops driving and rejects with the caller's reason.

use crate::prelude::*;
use alloc::rc::Rc;
use core::fmt;

use super::api_error::{ApiError, ErrorBody, MAX_JSON_BODY_BYTES};
use super::auth::{AuthType, Credentials, Redirects};
use super::config::HostConfig;
use super::endpoint::Endpoint;
use super::ratelimit::RateLimits;
use super::retry::{Decision, Fault, RetryPolicy};
use super::text::decimal;
use super::url::parse_origin;

/// What a call is waiting for; named in the message of a timeout or a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    AccessToken,
    RateLimit,
    RetryPause,
    CsrfToken,
    Response,
    ResponseBody,
}

impl Wait {
    /// `the …` as a message names it.
    pub fn describe(self) -> &'static str {
        match self {
            Wait::AccessToken => "the access token (getAccessToken)",
            Wait::RateLimit => "the client's rate limit",
            Wait::RetryPause => "the pause before a retry",
            Wait::CsrfToken => "the CSRF token",
            Wait::Response => "the response",
            Wait::ResponseBody => "the response body",
        }
    }
}

/// The connection failed, went idle past the timeout, or ended early.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkError {
    pub message: String,
    /// Body bytes received before the failure.
    pub bytes_received: f64,
    /// The call's URL.
    pub url: String,
}

impl NetworkError {
    #[inline(never)]
    pub fn new(message: impl Into<String>, bytes_received: f64, url: &str) -> NetworkError {
        NetworkError { message: message.into(), bytes_received, url: url.to_string() }
    }

    /// Nothing happened for `timeout_ms` while the call waited for `what`.
    pub fn timed_out(timeout_ms: f64, what: Wait, bytes_received: f64, url: &str) -> NetworkError {
        let message =
            ["timed out: nothing for ", &decimal(timeout_ms), " ms (timeoutMs) while waiting for ", what.describe()]
                .concat();
        NetworkError::new(message, bytes_received, url)
    }

    /// The connection failed while the call waited for `what`; `cause` says how.
    #[inline(never)]
    pub fn failed(what: Wait, cause: &str, bytes_received: f64, url: &str) -> NetworkError {
        NetworkError::new([what.describe(), " failed: ", cause].concat(), bytes_received, url)
    }
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for NetworkError {}

/// What a request without an answer may also mean when the page (at `page_origin`) is not on
/// `url`'s origin: a browser reports a request whose answer does not allow the page's origin
/// (CORS) as it reports one that never reached the server. `qlik` adds where Qlik Cloud lists
/// the origins allowed. `None` without a page on another origin (Node, a `null` origin).
pub fn cors_note(page_origin: Option<&str>, url: &str, qlik: bool) -> Option<String> {
    let page = page_origin?;
    let (page_base, url_base) = (parse_origin(page)?, parse_origin(url)?);
    if page_base.origin() == url_base.origin() {
        return None;
    }
    let where_allowed =
        if qlik { "; in Qlik Cloud, a web integration of the tenant lists the origins allowed" } else { "" };
    let note = [
        " (this page's origin, ",
        page,
        ", is not the URL's: a browser reports a request whose answer does not allow this origin (CORS) the same way",
        where_allowed,
        ")",
    ];
    Some(note.concat())
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// The API answered with an error status (after any retries).
    Api(ApiError),
    /// No usable answer: a failed connection, a timeout, a redirect that is not followed.
    Network(NetworkError),
    /// `getAccessToken` resolved to something other than a non-empty string.
    AccessToken,
}

impl CallError {
    /// The error's message.
    pub fn message(&self) -> String {
        match self {
            CallError::Api(e) => e.message(),
            CallError::Network(e) => e.message.clone(),
            CallError::AccessToken => "`getAccessToken` must resolve to a non-empty string".into(),
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for CallError {}

/// The CSRF tokens of the hosts a page talks to, by origin; shared by every call and client
/// of the page. `None` records that a host has none (its token endpoint answered 404).
/// A page talks to a handful of hosts: a list is searched (a hash map would add its code to
/// the wasm module for nothing).
#[derive(Debug, Clone, Default)]
pub struct CsrfTokens {
    by_origin: Vec<(String, Option<String>)>,
}

impl CsrfTokens {
    /// No token known yet.
    pub const fn new() -> CsrfTokens {
        CsrfTokens { by_origin: Vec::new() }
    }

    fn get(&self, origin: &str) -> Option<&Option<String>> {
        self.by_origin.iter().find(|(o, _)| o == origin).map(|(_, token)| token)
    }

    fn insert(&mut self, origin: &str, token: Option<String>) {
        self.remove(origin);
        self.by_origin.push((origin.to_string(), token));
    }

    fn remove(&mut self, origin: &str) {
        self.by_origin.retain(|(o, _)| o != origin);
    }
}

/// Where the calling page is: its origin decides the `credentials` mode of requests, and its
/// address is where a login returns to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub origin: Option<String>,
    pub href: Option<String>,
}

/// What the machine needs from outside at each step.
pub struct Env<'a> {
    /// The client's rate limiter, unless rate limiting is off.
    pub rate_limits: Option<&'a mut RateLimits>,
    pub csrf_tokens: &'a mut CsrfTokens,
    /// Milliseconds on a monotonic clock (`performance.now()`).
    pub now_ms: f64,
    /// A uniform sample in `[0, 1)` (`Math.random()`), for the jitter of a backoff.
    pub random: f64,
}

/// A request to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub url: String,
    pub method: &'static str,
    /// Lower-case names.
    pub headers: Vec<(&'static str, String)>,
    pub credentials: Credentials,
    pub redirects: Redirects,
    /// What the call waits for while the request is in flight.
    pub awaiting: Wait,
}

/// What the driver does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Wait `ms` milliseconds (finite, non-negative), then feed [`Event::Slept`].
    Sleep { ms: f64, reason: Wait },
    /// Call `getAccessToken()` and feed [`Event::AccessToken`].
    GetAccessToken,
    /// Send the request; feed [`Event::Response`] or [`Event::NoResponse`].
    Send(Request),
    /// Read at most `max_bytes` of the body of the response just fed, cancel the rest, parse
    /// it as JSON and feed [`Event::ErrorBody`] ([`ErrorBody::default`] for an unreadable or
    /// unparsable body).
    ReadErrorBody { max_bytes: usize },
    /// The response just fed is the call's answer: read its body.
    Deliver,
    /// The call failed (cancel the body of a response held).
    Fail(CallError),
}

/// What a response says, as far as the call needs it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseHead {
    pub status: u16,
    pub status_text: String,
    /// The answer is a redirect that the request did not follow (`opaqueredirect`).
    pub unfollowed_redirect: bool,
    /// The final URL, when the request followed a redirect.
    pub redirected_to: Option<String>,
    /// The `retry-after` header.
    pub retry_after: Option<String>,
    /// The `qlik-csrf-token` header.
    pub csrf_token: Option<String>,
    /// The wall clock (milliseconds since the Unix epoch), for a `retry-after` HTTP-date.
    pub date_ms: f64,
}

/// What came of the last action.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The first step.
    Start,
    /// The [`Action::Sleep`] is over.
    Slept,
    /// What `getAccessToken()` resolved to, when a string.
    AccessToken(Option<String>),
    Response(ResponseHead),
    /// The request got no response: the connection failed, `cause` says how.
    NoResponse(String),
    ErrorBody(ErrorBody),
    /// The call's idle timeout ended the wait of the last action.
    TimedOut,
}

impl Event {
    /// The variant's name, for a message.
    fn name(&self) -> &'static str {
        match self {
            Event::Start => "Start",
            Event::Slept => "Slept",
            Event::AccessToken(_) => "AccessToken",
            Event::Response(_) => "Response",
            Event::NoResponse(_) => "NoResponse",
            Event::ErrorBody(_) => "ErrorBody",
            Event::TimedOut => "TimedOut",
        }
    }
}

/// The head of an error answer whose body is being read.
#[derive(Debug, Clone, PartialEq)]
struct Answer {
    head: ResponseHead,
    /// The URL the request went to (the CSRF token endpoint or the call's).
    url: String,
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Ready,
    RateLimited,
    Token,
    Csrf,
    CsrfAnswer(Answer),
    Sent,
    ApiAnswer(Answer),
    Pausing,
    Ended,
}

impl State {
    /// The variant's name, for a message.
    fn name(&self) -> &'static str {
        match self {
            State::Ready => "Ready",
            State::RateLimited => "RateLimited",
            State::Token => "Token",
            State::Csrf => "Csrf",
            State::CsrfAnswer(_) => "CsrfAnswer",
            State::Sent => "Sent",
            State::ApiAnswer(_) => "ApiAnswer",
            State::Pausing => "Pausing",
            State::Ended => "Ended",
        }
    }
}

/// One call; see the module documentation.
#[derive(Debug, Clone)]
pub struct Call {
    /// The client's configuration, shared by its calls.
    config: Rc<HostConfig>,
    policy: RetryPolicy,
    endpoint: Endpoint,
    url: String,
    page: Page,
    /// The attempt in progress (1-based).
    attempt: u32,
    csrf_refreshed: bool,
    bearer: Option<String>,
    state: State,
}

impl Call {
    /// A call of `endpoint` at `url` (made by [`HostConfig::url`]).
    pub fn new(config: Rc<HostConfig>, policy: &RetryPolicy, endpoint: Endpoint, url: String, page: Page) -> Call {
        Call {
            config,
            policy: *policy,
            endpoint,
            url,
            page,
            attempt: 0,
            csrf_refreshed: false,
            bearer: None,
            state: State::Ready,
        }
    }

    /// The call's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Takes what came of the last action (or [`Event::Start`]) and says what to do next.
    pub fn step(&mut self, event: Event, env: &mut Env<'_>) -> Action {
        let state = core::mem::replace(&mut self.state, State::Ended);
        match (state, event) {
            (State::Ready, Event::Start) | (State::Pausing, Event::Slept) => self.attempt(env, true),
            (State::RateLimited, Event::Slept) => self.acquire(env),
            (State::Token, Event::AccessToken(token)) => match token.filter(|t| !t.is_empty()) {
                Some(token) => {
                    self.bearer = Some(token);
                    self.csrf(env)
                }
                None => Action::Fail(CallError::AccessToken),
            },
            (State::Csrf, Event::Response(head)) => self.csrf_answer(head, env),
            (State::Csrf, Event::NoResponse(cause)) => {
                // The request needing the token was not sent: sending it again is safe.
                let e = self.no_answer(Wait::CsrfToken, &cause);
                self.retry(CallError::Network(e), true, env)
            }
            (State::Sent, Event::Response(head)) => self.api_answer(head),
            (State::Sent, Event::NoResponse(cause)) => {
                let e = self.no_answer(Wait::Response, &cause);
                self.retry(CallError::Network(e), self.endpoint.is_idempotent(), env)
            }
            (State::CsrfAnswer(answer), Event::ErrorBody(body)) => {
                let error = self.api_error(&answer, &body);
                self.retry(CallError::Api(error), true, env)
            }
            (State::ApiAnswer(answer), Event::ErrorBody(body)) => {
                let needs_csrf = self.config.auth().needs_csrf_token(self.endpoint.method());
                if needs_csrf && !self.csrf_refreshed && body.rejects_csrf_token(answer.head.status) {
                    env.csrf_tokens.remove(self.config.origin());
                    self.csrf_refreshed = true;
                    return self.attempt(env, false);
                }
                let error = self.api_error(&answer, &body);
                self.retry(CallError::Api(error), self.endpoint.is_idempotent(), env)
            }
            // The error answer is known, its body did not come in time: it is reported as it
            // is, without a retry (the call's time is up).
            (State::CsrfAnswer(answer) | State::ApiAnswer(answer), Event::TimedOut) => {
                Action::Fail(CallError::Api(self.api_error(&answer, &ErrorBody::default())))
            }
            (state, Event::TimedOut) => {
                let what = match state {
                    State::RateLimited => Wait::RateLimit,
                    State::Token => Wait::AccessToken,
                    State::Csrf => Wait::CsrfToken,
                    State::Pausing => Wait::RetryPause,
                    _ => Wait::Response,
                };
                Action::Fail(CallError::Network(NetworkError::timed_out(self.policy.timeout_ms, what, 0.0, &self.url)))
            }
            (state, event) => {
                let message = ["the call was driven out of order (", event.name(), " in ", state.name(), ")"].concat();
                Action::Fail(CallError::Network(NetworkError::new(message, 0.0, &self.url)))
            }
        }
    }

    /// Starts an attempt (counted unless it repeats one after a CSRF refresh).
    fn attempt(&mut self, env: &mut Env<'_>, counted: bool) -> Action {
        if counted {
            self.attempt = self.attempt.saturating_add(1);
        }
        self.acquire(env)
    }

    /// Takes a slot of the rate limiter, or waits (at most one window) and asks again.
    fn acquire(&mut self, env: &mut Env<'_>) -> Action {
        if let Some(limits) = env.rate_limits.as_deref_mut() {
            let wait = limits.acquire(self.config.origin(), self.endpoint.tier(), env.now_ms);
            if wait > 0.0 {
                self.state = State::RateLimited;
                return Action::Sleep { ms: wait, reason: Wait::RateLimit };
            }
        }
        if self.config.auth().kind() == AuthType::OAuth2 {
            self.state = State::Token;
            return Action::GetAccessToken;
        }
        self.csrf(env)
    }

    /// Sends the request, with the host's CSRF token when it needs one (fetched first unless
    /// cached).
    fn csrf(&mut self, env: &mut Env<'_>) -> Action {
        let method = self.endpoint.method();
        if !self.config.auth().needs_csrf_token(method) {
            return self.send(None);
        }
        match env.csrf_tokens.get(self.config.origin()) {
            Some(token) => {
                let token = token.clone();
                self.send(token)
            }
            None => {
                self.state = State::Csrf;
                Action::Send(self.request(self.config.csrf_url(), "GET", None, Wait::CsrfToken))
            }
        }
    }

    fn send(&mut self, csrf_token: Option<String>) -> Action {
        self.state = State::Sent;
        let method = self.endpoint.method();
        Action::Send(self.request(self.url.clone(), method, csrf_token.as_deref(), Wait::Response))
    }

    #[inline(never)]
    fn request(&self, url: String, method: &'static str, csrf_token: Option<&str>, awaiting: Wait) -> Request {
        let auth = self.config.auth();
        Request {
            url,
            method,
            headers: auth.headers(method, self.bearer.as_deref(), csrf_token),
            credentials: self.config.credentials_mode(self.page.origin.as_deref()),
            redirects: auth.redirects(method),
            awaiting,
        }
    }

    /// A redirect that was not followed, or that left the host's origin: another origin's
    /// answer never passes for the tenant's.
    fn refused_redirect(&self, head: &ResponseHead) -> Option<Action> {
        let origin = self.config.origin();
        let message = if head.unfollowed_redirect {
            ["the answer is a redirect, which is not followed: requests with credentials stay on ", origin].concat()
        } else if head.redirected_to.as_deref().is_some_and(|to| !self.config.is_own_url(to)) {
            ["the answer was redirected off ", origin, "; it is not used"].concat()
        } else {
            return None;
        };
        Some(Action::Fail(CallError::Network(NetworkError::new(message, 0.0, &self.url))))
    }

    fn csrf_answer(&mut self, head: ResponseHead, env: &mut Env<'_>) -> Action {
        if let Some(refused) = self.refused_redirect(&head) {
            return refused;
        }
        let token = match head.status {
            200..=299 => head.csrf_token.filter(|t| !t.is_empty()),
            404 => None,
            _ => {
                self.state = State::CsrfAnswer(Answer { head, url: self.config.csrf_url() });
                return Action::ReadErrorBody { max_bytes: MAX_JSON_BODY_BYTES };
            }
        };
        env.csrf_tokens.insert(self.config.origin(), token.clone());
        self.send(token)
    }

    fn api_answer(&mut self, head: ResponseHead) -> Action {
        if let Some(refused) = self.refused_redirect(&head) {
            return refused;
        }
        if (200..300).contains(&head.status) {
            return Action::Deliver;
        }
        self.state = State::ApiAnswer(Answer { head, url: self.url.clone() });
        Action::ReadErrorBody { max_bytes: MAX_JSON_BODY_BYTES }
    }

    /// The failure of a request that got no answer while the call waited for `what`; from a
    /// page on another origin, with what that may also mean ([`cors_note`]).
    #[inline(never)]
    fn no_answer(&self, what: Wait, cause: &str) -> NetworkError {
        let mut e = NetworkError::failed(what, cause, 0.0, &self.url);
        if let Some(note) = cors_note(self.page.origin.as_deref(), &self.url, true) {
            e.message.push_str(&note);
        }
        e
    }

    /// The error of an answer; a 401 with a cookie session carries the login URL.
    fn api_error(&self, answer: &Answer, body: &ErrorBody) -> ApiError {
        let head = &answer.head;
        let mut error =
            ApiError::new(head.status, &head.status_text, body, head.retry_after.as_deref(), head.date_ms, &answer.url);
        if head.status == 401 && self.config.auth().kind() == AuthType::Cookie {
            error.login_url = Some(self.config.login_url(self.page.href.as_deref().unwrap_or_default()));
        }
        error
    }

    /// After a failed attempt: pauses before the next one when the policy retries, else fails.
    fn retry(&mut self, error: CallError, resend_safe: bool, env: &mut Env<'_>) -> Action {
        let fault = match &error {
            CallError::Api(e) => Fault::Status { status: e.status, retry_after: e.retry_after },
            CallError::Network(_) => Fault::Network,
            CallError::AccessToken => return Action::Fail(error),
        };
        match self.policy.decide(self.attempt, fault, resend_safe, env.random) {
            Decision::RetryAfter { delay_ms } => {
                self.state = State::Pausing;
                Action::Sleep { ms: delay_ms, reason: Wait::RetryPause }
            }
            Decision::GiveUp => Action::Fail(error),
        }
    }
}
