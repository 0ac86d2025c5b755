//! One API call: rate-limit queueing, authentication headers, the CSRF token, `fetch`, error
//! classification and retries, with the caller's `AbortSignal` and the idle timeout applied to
//! every wait.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, Headers, ReadableStreamDefaultReader, ReadableStreamReadResult, RequestInit, Response,
};

use super::client::ClientInner;
use super::failure::Failure;
use super::glue;
use crate::http::ranges::MAX_TIMER_MS;
use crate::http::{
    parse_api_error_at, ApiError, AuthType, Credentials, Decision, Endpoint, Failure as RetryFailure, Redirects,
    MAX_JSON_BODY_BYTES,
};

thread_local! {
    /// CSRF tokens per host origin; `Some(None)` records that the host has none (404).
    static CSRF_TOKENS: RefCell<HashMap<String, Option<String>>> = RefCell::new(HashMap::new());
}

/// Abort and timeout plumbing of one call. The fetch and the body reads use `controller`'s
/// signal; the caller's signal and the idle timer abort it.
pub struct RequestCtl {
    controller: AbortController,
    user_signal: Option<AbortSignal>,
    unlink: Function,
    timeout_ms: f64,
    timeout_marker: JsValue,
    pub url: String,
}

impl RequestCtl {
    pub fn new(user_signal: Option<AbortSignal>, timeout_ms: Option<f64>, url: String) -> Result<RequestCtl, Failure> {
        let controller = AbortController::new().map_err(Failure::Js)?;
        let unlink = glue::link_signal(user_signal.as_ref(), &controller);
        Ok(RequestCtl {
            controller,
            user_signal,
            unlink,
            timeout_ms: timeout_ms.unwrap_or(0.0),
            timeout_marker: js_sys::Object::new().into(),
            url,
        })
    }

    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// The controller whose signal the request uses (for cancelling from outside a read).
    pub fn controller(&self) -> AbortController {
        self.controller.clone()
    }

    /// Stops the request and any body read in progress.
    pub fn abort(&self, reason: &JsValue) {
        self.controller.abort_with_reason(reason);
    }

    /// The caller's abort reason, when the caller has aborted.
    pub fn user_abort_reason(&self) -> Option<JsValue> {
        self.user_signal.as_ref().filter(|s| s.aborted()).map(|s| s.reason())
    }

    /// Fails with the caller's reason when the caller has already aborted.
    pub fn check(&self) -> Result<(), Failure> {
        match self.user_abort_reason() {
            Some(reason) => Err(Failure::Js(reason)),
            None => Ok(()),
        }
    }

    /// `promise` raced with the idle timeout and with the abort of the call's controller (by
    /// the caller's signal, a cancellation or the timeout): every wait of a call ends on any
    /// of them.
    fn race(&self, promise: &Promise) -> JsFuture {
        JsFuture::from(glue::race_abort(promise, self.timeout_ms, &self.controller, &self.timeout_marker))
    }

    /// Awaits `promise` (a network operation), and classifies a rejection.
    pub async fn wait(&self, promise: Promise, what: &str, bytes_received: f64) -> Result<JsValue, Failure> {
        self.race(&promise).await.map_err(|e| self.classify(e, what, bytes_received))
    }

    /// Awaits `promise` (a value from the caller's code, such as an access token); its own
    /// rejection passes through unchanged.
    pub async fn wait_js(&self, promise: Promise, what: &str) -> Result<JsValue, Failure> {
        self.race(&promise).await.map_err(|e| match self.user_abort_reason() {
            Some(reason) => Failure::Js(reason),
            None if e == self.timeout_marker => self.timed_out(what, 0.0),
            None => Failure::Js(e),
        })
    }

    fn timed_out(&self, what: &str, bytes_received: f64) -> Failure {
        Failure::network(
            format!("timed out: nothing for {} ms (timeoutMs) while waiting for {what}", self.timeout_ms),
            bytes_received,
            &self.url,
        )
    }

    /// A rejection caused by the caller's abort keeps the caller's reason; the idle timeout and
    /// a failed connection become `NetworkError`s.
    pub fn classify(&self, e: JsValue, what: &str, bytes_received: f64) -> Failure {
        if let Some(reason) = self.user_abort_reason() {
            return Failure::Js(reason);
        }
        if e == self.timeout_marker {
            return self.timed_out(what, bytes_received);
        }
        Failure::network(format!("{what} failed: {}", glue::error_message(&e)), bytes_received, &self.url)
    }

    /// Waits `ms` (at most the longest timer delay), ending early on an abort, a cancellation
    /// or the idle timeout, like every other wait of the call.
    pub async fn sleep(&self, ms: f64, what: &str) -> Result<(), Failure> {
        if ms <= 0.0 {
            return self.check();
        }
        let timer = glue::sleep(ms.min(MAX_TIMER_MS), &self.controller.signal());
        self.wait_js(timer, what).await.map(|_| ())
    }
}

impl Drop for RequestCtl {
    fn drop(&mut self) {
        let _ = self.unlink.call0(&JsValue::UNDEFINED);
    }
}

fn header(response: &Response, name: &str) -> Option<String> {
    response.headers().get(name).ok().flatten()
}

async fn bearer_token(client: &ClientInner, ctl: &RequestCtl) -> Result<Option<String>, Failure> {
    match client.config.auth {
        AuthType::ApiKey => Ok(client.config.api_key.clone()),
        AuthType::OAuth2 => {
            let Some(f) = &client.get_access_token else { return Ok(None) };
            let value = f.call0(&JsValue::UNDEFINED).map_err(Failure::Js)?;
            let value = ctl.wait_js(Promise::resolve(&value), "the access token (getAccessToken)").await?;
            ctl.check()?;
            match value.as_string() {
                Some(token) if !token.is_empty() => Ok(Some(token)),
                _ => Err(Failure::Type("`getAccessToken` must resolve to a non-empty string".into())),
            }
        }
        AuthType::Cookie | AuthType::None => Ok(None),
    }
}

fn request_init(
    client: &ClientInner,
    method: &str,
    headers: &[(&'static str, String)],
    signal: &AbortSignal,
) -> Result<RequestInit, Failure> {
    let init = RequestInit::new();
    init.set_method(method);
    let h = Headers::new().map_err(Failure::Js)?;
    for (name, value) in headers {
        h.append(name, value)
            .map_err(|e| Failure::Type(format!("invalid `{name}` header: {}", glue::error_message(&e))))?;
    }
    init.set_headers(&h);
    init.set_credentials(match client.config.credentials_mode(client.page_origin.as_deref()) {
        Credentials::Include => web_sys::RequestCredentials::Include,
        Credentials::SameOrigin => web_sys::RequestCredentials::SameOrigin,
        Credentials::Omit => web_sys::RequestCredentials::Omit,
    });
    init.set_redirect(match client.config.redirects(method) {
        Redirects::Refuse => web_sys::RequestRedirect::Manual,
        Redirects::FollowWithinOrigin => web_sys::RequestRedirect::Follow,
    });
    init.set_signal(Some(signal));
    Ok(init)
}

/// Fails a response that is a redirect the request does not follow (an opaque redirect), or
/// that was followed off the host's origin: another origin's answer never passes for the
/// tenant's. Its body is cancelled.
fn check_redirect(client: &ClientInner, response: &Response, url: &str) -> Result<(), Failure> {
    let message = if response.type_() == web_sys::ResponseType::Opaqueredirect {
        format!(
            "the answer is a redirect, which is not followed: requests with credentials stay on {}",
            client.config.origin
        )
    } else if response.redirected() && !client.config.is_own_url(&response.url()) {
        format!("the answer was redirected off {}; it is not used", client.config.origin)
    } else {
        return Ok(());
    };
    if let Some(body) = response.body() {
        glue::ignore_rejection(&body.cancel());
    }
    Err(Failure::network(message, 0.0, url))
}

/// The host's CSRF token (cached per host), fetched from `/api/v1/csrf-token` when needed.
async fn csrf_token(client: &ClientInner, ctl: &RequestCtl) -> Result<Option<String>, Failure> {
    let origin = client.config.origin.clone();
    if let Some(cached) = CSRF_TOKENS.with(|c| c.borrow().get(&origin).cloned()) {
        return Ok(cached);
    }
    let headers = client.config.headers("GET", None, None);
    let init = request_init(client, "GET", &headers, &ctl.signal())?;
    let url = client.config.csrf_url();
    let response: Response =
        ctl.wait(glue::fetch_with_init(&url, &init), "the CSRF token", 0.0).await?.unchecked_into();
    check_redirect(client, &response, &url)?;
    let token = match response.status() {
        200..=299 => header(&response, "qlik-csrf-token").filter(|t| !t.is_empty()),
        404 => None,
        _ => return Err(Failure::Api { error: api_error(&response, ctl).await, url, login_url: None }),
    };
    CSRF_TOKENS.with(|c| c.borrow_mut().insert(origin, token.clone()));
    Ok(token)
}

fn forget_csrf_token(origin: &str) {
    CSRF_TOKENS.with(|c| c.borrow_mut().remove(origin));
}

/// The first `cap` bytes of a response body, and whether the body is longer: reading stops
/// there and the rest is cancelled (not downloaded).
pub async fn read_prefix(response: &Response, ctl: &RequestCtl, cap: usize) -> Result<(Vec<u8>, bool), Failure> {
    let Some(body) = response.body() else { return Ok((Vec::new(), false)) };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut out = Vec::new();
    while let Some(chunk) = read_chunk(&reader, ctl, out.len() as f64).await? {
        let room = cap - out.len();
        let length = chunk.length() as usize;
        let take = length.min(room);
        let start = out.len();
        out.resize(start + take, 0);
        chunk.subarray(0, take as u32).copy_to(&mut out[start..]);
        if length > room {
            glue::ignore_rejection(&reader.cancel());
            return Ok((out, true));
        }
    }
    Ok((out, false))
}

/// The API error an error response carries: its body's first [`MAX_JSON_BODY_BYTES`] read under
/// the call's timeout and parsed once (an unreadable body counts as empty, a longer one is cut).
async fn api_error(response: &Response, ctl: &RequestCtl) -> ApiError {
    let body = read_prefix(response, ctl, MAX_JSON_BODY_BYTES).await.map(|(body, _)| body).unwrap_or_default();
    let retry_after = header(response, "retry-after");
    parse_api_error_at(response.status(), &response.status_text(), &body, retry_after.as_deref(), Some(glue::now_ms()))
}

/// After attempt `attempt` failed with `failure`: waits the pause before the next attempt when
/// the client's policy retries it, else returns the failure. A network failure counts only
/// when the call was not aborted (a timeout, a cancellation or the caller's abort end it).
async fn retry_or(
    client: &ClientInner,
    ctl: &RequestCtl,
    attempt: u32,
    failure: Failure,
    resend_safe: bool,
) -> Result<(), Failure> {
    let what = match &failure {
        Failure::Api { error, .. } => RetryFailure::Status { status: error.status, retry_after: error.retry_after },
        Failure::Network { .. } if !ctl.signal().aborted() => RetryFailure::Network,
        _ => return Err(failure),
    };
    match client.policy.decide(attempt, what, resend_safe, js_sys::Math::random()) {
        Decision::RetryAfter { delay_ms } => ctl.sleep(delay_ms, "the pause before a retry").await,
        Decision::GiveUp => Err(failure),
    }
}

/// Sends one API request and returns a successful response, retrying according to the
/// client's policy (429 and 503; 502, 504 and network failures when resending is safe: a GET,
/// or a POST whose CSRF token could not be fetched, so that it was not sent) and refreshing a
/// rejected CSRF token once. Only ever called before any byte of a body is handed on.
pub async fn send(client: &ClientInner, endpoint: Endpoint, ctl: &RequestCtl) -> Result<Response, Failure> {
    let method = endpoint.method();
    let idempotent = method == "GET";
    let needs_csrf = method != "GET" && client.config.auth == AuthType::Cookie;
    let mut attempt: u32 = 0;
    let mut csrf_refreshed = false;
    loop {
        attempt += 1;
        ctl.check()?;
        if let Some(limits) = &client.rate_limits {
            // Each wait is at most the window; the limiter is asked again after it.
            loop {
                let wait = limits.borrow_mut().acquire(&client.config.origin, endpoint.tier(), glue::monotonic_ms());
                if wait <= 0.0 {
                    break;
                }
                ctl.sleep(wait, "the client's rate limit").await?;
            }
        }
        let bearer = bearer_token(client, ctl).await?;
        let csrf = if needs_csrf {
            match csrf_token(client, ctl).await {
                Ok(token) => token,
                Err(failure) => {
                    retry_or(client, ctl, attempt, failure, true).await?;
                    continue;
                }
            }
        } else {
            None
        };
        let headers = client.config.headers(method, bearer.as_deref(), csrf.as_deref());
        let init = request_init(client, method, &headers, &ctl.signal())?;
        let response: Response = match ctl.wait(glue::fetch_with_init(&ctl.url, &init), "the response", 0.0).await {
            Ok(response) => response.unchecked_into(),
            Err(failure) => {
                retry_or(client, ctl, attempt, failure, idempotent).await?;
                continue;
            }
        };
        check_redirect(client, &response, &ctl.url)?;
        let status = response.status();
        if (200..300).contains(&status) {
            return Ok(response);
        }
        let error = api_error(&response, ctl).await;
        ctl.check()?;
        if needs_csrf && !csrf_refreshed && crate::http::is_csrf_rejection(&error) {
            forget_csrf_token(&client.config.origin);
            csrf_refreshed = true;
            attempt -= 1;
            continue;
        }
        let login_url = (status == 401 && client.config.auth == AuthType::Cookie)
            .then(|| client.config.login_url(&glue::page_href().unwrap_or_default()));
        retry_or(client, ctl, attempt, Failure::Api { error, url: ctl.url.clone(), login_url }, idempotent).await?;
    }
}

/// Reads the next body chunk; `None` at the end of the body.
pub async fn read_chunk(
    reader: &ReadableStreamDefaultReader,
    ctl: &RequestCtl,
    bytes_received: f64,
) -> Result<Option<Uint8Array>, Failure> {
    let result: ReadableStreamReadResult =
        ctl.wait(reader.read(), "the response body", bytes_received).await?.unchecked_into();
    if result.get_done().unwrap_or(true) {
        return Ok(None);
    }
    result
        .get_value()
        .dyn_into::<Uint8Array>()
        .map(Some)
        .map_err(|_| Failure::network("the response body yielded a chunk that is not bytes", bytes_received, &ctl.url))
}
