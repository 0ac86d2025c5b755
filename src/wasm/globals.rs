//! Bindings to globals (`fetch`, timers, clocks, the page's location) and a few promise helpers.
//! Everything goes through `globalThis`, so the module works in a page and in a Worker alike.

use crate::prelude::*;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::{AbortController, AbortSignal, RequestInit};

#[wasm_bindgen(inline_js = r#"
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(signal.reason); return; }
    const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
export function raceAbort(promise, ms, controller, marker) {
  const signal = controller.signal;
  let timer;
  let onAbort;
  const ended = new Promise((_, reject) => {
    if (signal.aborted) { reject(signal.reason); return; }
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    if (ms > 0) timer = setTimeout(() => controller.abort(marker), ms);
  });
  return Promise.race([promise, ended]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  });
}
export function linkSignal(signal, controller) {
  if (!signal) return () => {};
  if (signal.aborted) { controller.abort(signal.reason); return () => {}; }
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}
export function pageHref() {
  const loc = globalThis.location;
  return loc && typeof loc.href === 'string' ? loc.href : null;
}
export function pageOrigin() {
  const loc = globalThis.location;
  return loc && typeof loc.origin === 'string' && loc.origin !== 'null' ? loc.origin : null;
}
export function ignoreRejection(promise) {
  promise.catch(() => {});
}
export function monotonicNow() {
  return globalThis.performance.now();
}
export function errorMessage(e) {
  if (e instanceof Error) return e.message;
  try { return String(e); } catch (_) { return 'unknown error'; }
}
"#)]
extern "C" {
    /// Resolves after `ms`, or rejects with the signal's reason when it aborts first.
    pub fn sleep(ms: f64, signal: &AbortSignal) -> Promise;
    /// `promise`, or a rejection with the reason of `controller`'s signal when it aborts
    /// first; when `ms` (a positive number) passes first, `controller` is aborted with
    /// `marker`. The timer and the listener are removed once it settles.
    #[wasm_bindgen(js_name = raceAbort)]
    pub fn race_abort(promise: &Promise, ms: f64, controller: &AbortController, marker: &JsValue) -> Promise;
    /// Aborts `controller` with the reason of `signal` when it aborts; returns the unlink function.
    #[wasm_bindgen(js_name = linkSignal)]
    pub fn link_signal(signal: Option<&AbortSignal>, controller: &AbortController) -> Function;
    #[wasm_bindgen(js_name = pageHref)]
    pub fn page_href() -> Option<String>;
    #[wasm_bindgen(js_name = pageOrigin)]
    pub fn page_origin() -> Option<String>;
    /// Marks a promise's rejection as handled (its outcome is known to the caller).
    #[wasm_bindgen(js_name = ignoreRejection)]
    pub fn ignore_rejection(promise: &Promise);
    #[wasm_bindgen(js_name = errorMessage)]
    pub fn error_message(e: &JsValue) -> String;
    /// Milliseconds on a monotonic clock (`performance.now()`, in pages and Workers alike),
    /// which a change of the system clock does not move.
    #[wasm_bindgen(js_name = monotonicNow)]
    pub fn monotonic_ms() -> f64;
}

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (window or worker scope), looked up at call time.
    #[wasm_bindgen(js_name = fetch)]
    pub fn fetch_with_init(input: &str, init: &RequestInit) -> Promise;
}

/// Milliseconds since the epoch (the wall clock, for HTTP dates only).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// `console.warn(message)`.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}
