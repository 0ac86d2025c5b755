//! What every call of a client shares: the validated configuration, the retry policy, the
//! client's rate limiter, the `getAccessToken` callback, and the page's CSRF tokens (one cache
//! for every client of the page, as the tokens belong to the browser's session with a host).
//! A call steps its [`Call`] state machine through [`Context::step`], which lends it these.

use crate::prelude::*;
use alloc::rc::Rc;
use core::cell::{Cell, RefCell};

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Headers;

use super::arguments::{ClientOptions, TokenSource};
use super::globals;
use super::rejection::Rejection;
use crate::error::{ArgumentError, Error};
use crate::http::{
    deprecation_notice, quoted, Action, Call, CsrfTokens, Endpoint, Env, Event, HostConfig, Page, RateLimits,
    RetryPolicy,
};

/// The page's CSRF tokens: one cache for the module's one thread.
struct PageTokens(RefCell<CsrfTokens>);

// SAFETY: the wasm build has no threads (no `atomics` target feature; the allocator in
// src/lib.rs is chosen under the same condition), so the cell is only ever reached from one.
unsafe impl Sync for PageTokens {}

static CSRF_TOKENS: PageTokens = PageTokens(RefCell::new(CsrfTokens::new()));

pub struct Context {
    config: Rc<HostConfig>,
    policy: RetryPolicy,
    page_origin: Option<String>,
    get_access_token: Option<TokenSource>,
    rate_limits: Option<RefCell<RateLimits>>,
    deprecation_warned: Cell<bool>,
}

impl Context {
    /// Validates the configuration; the page's origin is the default host.
    pub fn new(options: ClientOptions) -> Result<Context, Error> {
        let page_origin = globals::page_origin();
        let config = HostConfig::from_input(options.host, page_origin.as_deref())?;
        Ok(Context {
            config: Rc::new(config),
            policy: RetryPolicy { retries: options.retries, timeout_ms: options.timeout_ms, ..RetryPolicy::default() },
            page_origin,
            get_access_token: options.get_access_token,
            rate_limits: options.rate_limit.map(|c| RefCell::new(RateLimits::new(c))),
            deprecation_warned: Cell::new(false),
        })
    }

    pub fn config(&self) -> &HostConfig {
        &self.config
    }

    /// The idle timeout in milliseconds (0: none).
    pub fn timeout_ms(&self) -> f64 {
        self.policy.timeout_ms
    }

    /// A call of `endpoint` at `url`, from the page where it is made.
    pub fn call(&self, endpoint: Endpoint, url: String) -> Call {
        let page = Page { origin: self.page_origin.clone(), href: globals::page_href() };
        Call::new(self.config.clone(), &self.policy, endpoint, url, page)
    }

    /// One step of `call`, with the clocks read now.
    pub fn step(&self, call: &mut Call, event: Event) -> Action {
        let mut limits = self.rate_limits.as_ref().map(RefCell::borrow_mut);
        let mut env = Env {
            rate_limits: limits.as_deref_mut(),
            csrf_tokens: &mut CSRF_TOKENS.0.borrow_mut(),
            now_ms: globals::monotonic_ms(),
            random: js_sys::Math::random(),
        };
        call.step(event, &mut env)
    }

    /// Calls `getAccessToken()` (a global function given by name is looked up now): its
    /// result as a promise, or what it threw.
    pub fn access_token(&self) -> Result<Promise, Rejection> {
        let function = match &self.get_access_token {
            Some(TokenSource::Function(f)) => f.clone(),
            Some(TokenSource::Global(name)) => {
                let found = Reflect::get(&js_sys::global(), &JsValue::from_str(name)).ok();
                found.and_then(|f| f.dyn_into::<Function>().ok()).ok_or_else(|| {
                    let message = ["getAccessToken: no function named ", &quoted(name), " on globalThis"].concat();
                    ArgumentError::new("getAccessToken", message)
                })?
            }
            None => return Ok(Promise::resolve(&JsValue::UNDEFINED)),
        };
        function.call0(&JsValue::UNDEFINED).map(|v| Promise::resolve(&v)).map_err(Rejection::Value)
    }

    /// The `Deprecation`/`Sunset` notice of a response, reported once per client with
    /// `console.warn`.
    pub fn note_deprecation(&self, headers: &Headers) -> Option<String> {
        let get = |name: &str| headers.get(name).ok().flatten();
        let notice = deprecation_notice(get("deprecation").as_deref(), get("sunset").as_deref())?;
        if !self.deprecation_warned.replace(true) {
            let mut message = String::from("qlik-automl-predictions: ");
            message.push_str(&notice);
            globals::warn(&message);
        }
        Some(notice)
    }
}
