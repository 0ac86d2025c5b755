//! Performs an API call: steps its [`Call`] state machine and does what each step says —
//! sleep, ask `getAccessToken`, `fetch`, read an error body and parse it with `JSON.parse` —
//! feeding the outcome back, until the call delivers its answer or fails. No decision is taken
//! here: which request, when to wait, retry, refresh the CSRF token or give up is the core's.

use crate::prelude::*;
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Headers, RequestInit, Response};

use super::context::Context;
use super::control::{Control, Interrupt};
use super::globals;
use super::rejection::Rejection;
use super::stream::read_prefix;
use crate::error::ArgumentError;
use crate::http::{
    Action, Call, Credentials, ErrorBody, Event, JsonValue, NetworkError, Redirects, Request, ResponseHead,
};

/// A value made by `JSON.parse`, read as [`ErrorBody::read`] needs.
struct Json(JsValue);

impl JsonValue for Json {
    fn member(&self, key: &str) -> Option<Json> {
        if !self.0.is_object() {
            return None;
        }
        Reflect::get(&self.0, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined()).map(Json)
    }
    fn string(&self) -> Option<String> {
        self.0.as_string()
    }
    fn elements(&self) -> Option<Vec<Json>> {
        Array::is_array(&self.0).then(|| self.0.unchecked_ref::<Array>().iter().map(Json).collect())
    }
}

/// An error body's fields, and its `errors` array as parsed (empty when it has none).
pub fn parse_error_body(bytes: &[u8]) -> (ErrorBody, JsValue) {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let Ok(doc) = js_sys::JSON::parse(text) else { return (ErrorBody::default(), Array::new().into()) };
    let doc = Json(doc);
    let errors = doc.member("errors").filter(|e| Array::is_array(&e.0)).map_or_else(|| Array::new().into(), |e| e.0);
    (ErrorBody::read(&doc), errors)
}

fn request_init(request: &Request, ctl: &Control) -> Result<RequestInit, Rejection> {
    let init = RequestInit::new();
    init.set_method(request.method);
    let headers = Headers::new().map_err(Rejection::Value)?;
    for (name, value) in &request.headers {
        if let Err(e) = headers.append(name, value) {
            // Values are checked when the client is made, but for a token of `getAccessToken`.
            let message = ["`", name, "` cannot carry this value: ", &globals::error_message(&e)].concat();
            return Err(ArgumentError::new("getAccessToken", message).into());
        }
    }
    init.set_headers(&headers);
    init.set_credentials(match request.credentials {
        Credentials::Include => web_sys::RequestCredentials::Include,
        Credentials::SameOrigin => web_sys::RequestCredentials::SameOrigin,
        Credentials::Omit => web_sys::RequestCredentials::Omit,
    });
    init.set_redirect(match request.redirects {
        Redirects::Refuse => web_sys::RequestRedirect::Manual,
        Redirects::FollowWithinOrigin => web_sys::RequestRedirect::Follow,
    });
    init.set_signal(Some(&ctl.signal()));
    Ok(init)
}

fn head(response: &Response) -> ResponseHead {
    let header = |name: &str| response.headers().get(name).ok().flatten();
    ResponseHead {
        status: response.status(),
        status_text: response.status_text(),
        unfollowed_redirect: response.type_() == web_sys::ResponseType::Opaqueredirect,
        redirected_to: response.redirected().then(|| response.url()),
        retry_after: header("retry-after"),
        csrf_token: header("qlik-csrf-token"),
        date_ms: globals::now_ms(),
    }
}

fn cancel_body(response: Option<Response>) {
    if let Some(body) = response.and_then(|r| r.body()) {
        globals::ignore_rejection(&body.cancel());
    }
}

/// What a step of the call waits for.
#[derive(Clone, Copy)]
enum Awaiting {
    /// A pause (before a retry, or for the rate limit).
    Pause,
    /// `getAccessToken()`'s result.
    AccessToken,
    /// The answer to a request.
    Response,
}

/// Sends the call's request until it has a successful response, as its state machine decides.
/// Only ever runs before any byte of a body is handed on.
pub async fn send(ctx: &Context, ctl: &Control, call: &mut Call) -> Result<Response, Rejection> {
    let mut event = Event::Start;
    let mut response: Option<Response> = None;
    // The `errors` array of the last error body read, for the error the call may end with.
    let mut errors = JsValue::UNDEFINED;
    loop {
        // A call stopped between two steps (the caller aborted before it started, say) takes no
        // further step: no rate-limit slot, no token asked for.
        if let Some(reason) = ctl.stopped() {
            cancel_body(response.take());
            return Err(Rejection::Value(reason));
        }
        // Every wait on the caller's code, a timer or the network is this one `wait`.
        let (promise, awaiting) = match ctx.step(call, event) {
            Action::Sleep { ms, .. } => match ctl.timer(ms) {
                Some(timer) => (timer, Awaiting::Pause),
                // No pause: a stop is seen at the top of the loop.
                None => {
                    event = Event::Slept;
                    continue;
                }
            },
            Action::GetAccessToken => (ctx.access_token()?, Awaiting::AccessToken),
            Action::Send(request) => {
                cancel_body(response.take());
                errors = JsValue::UNDEFINED;
                let init = request_init(&request, ctl)?;
                (globals::fetch_with_init(&request.url, &init), Awaiting::Response)
            }
            Action::ReadErrorBody { max_bytes } => {
                let Some(r) = response.take() else {
                    event = Event::ErrorBody(ErrorBody::default());
                    continue;
                };
                event = match read_prefix(&r, ctl, max_bytes).await {
                    Ok((bytes, _)) => {
                        let (body, parsed) = parse_error_body(&bytes);
                        errors = parsed;
                        Event::ErrorBody(body)
                    }
                    Err(Interrupt::TimedOut) => Event::TimedOut,
                    Err(Interrupt::Stopped(reason)) => return Err(Rejection::Value(reason)),
                    // An unreadable body counts as an empty one.
                    Err(Interrupt::Rejected(_)) => Event::ErrorBody(ErrorBody::default()),
                };
                continue;
            }
            Action::Deliver => {
                let out_of_order = || NetworkError::new("the call was driven out of order", 0.0, call.url()).into();
                return response.ok_or_else(out_of_order);
            }
            Action::Fail(error) => {
                cancel_body(response.take());
                return Err(Rejection::with_errors(error, errors));
            }
        };
        // A timeout is the machine's to judge; a stop, or the rejection of the caller's
        // callback (or of a timer, which only a stop rejects), ends the call with that value.
        event = match (ctl.wait(promise).await, awaiting) {
            (Ok(_), Awaiting::Pause) => Event::Slept,
            (Ok(token), Awaiting::AccessToken) => Event::AccessToken(token.as_string()),
            (Ok(r), Awaiting::Response) => {
                let r: Response = r.unchecked_into();
                let h = head(&r);
                response = Some(r);
                Event::Response(h)
            }
            (Err(Interrupt::TimedOut), _) => Event::TimedOut,
            (Err(Interrupt::Rejected(e)), Awaiting::Response) => Event::NoResponse(globals::error_message(&e)),
            (Err(Interrupt::Stopped(reason) | Interrupt::Rejected(reason)), _) => return Err(Rejection::Value(reason)),
        };
    }
}
