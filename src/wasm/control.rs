//! The abort and timeout plumbing of one call. The call's requests and body reads use its own
//! controller's signal; the caller's signal, a cancellation and the idle timeout abort it, so
//! every wait of the call ends on any of them.

use js_sys::{Function, Object, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use super::globals;
use crate::http::ranges::MAX_TIMER_MS;

/// How a wait ended other than with its value.
pub enum Interrupt {
    /// Nothing happened for the call's `timeoutMs`.
    TimedOut,
    /// The call was stopped: the caller aborted (the reason is the caller's) or cancelled.
    Stopped(JsValue),
    /// The awaited promise rejected with this value (a failed connection, or a callback's
    /// rejection).
    Rejected(JsValue),
}

pub struct Control {
    controller: AbortController,
    unlink: Function,
    timeout_ms: f64,
    /// The abort reason of a timeout: an object of our own, unlike anything a caller passes.
    timeout_marker: JsValue,
}

impl Control {
    /// A call stopped by `user_signal` (when given), and by `timeout_ms` of idleness (0: never).
    pub fn new(user_signal: Option<&AbortSignal>, timeout_ms: f64) -> Result<Control, JsValue> {
        let controller = AbortController::new()?;
        let unlink = globals::link_signal(user_signal, &controller);
        Ok(Control { controller, unlink, timeout_ms, timeout_marker: Object::new().into() })
    }

    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// The controller whose signal the call uses (for cancelling from outside a wait).
    pub fn controller(&self) -> AbortController {
        self.controller.clone()
    }

    /// Stops the call: its request and any wait in progress.
    pub fn abort(&self, reason: &JsValue) {
        self.controller.abort_with_reason(reason);
    }

    /// Why the call was stopped, when it was (a timeout is not a stop).
    pub fn stopped(&self) -> Option<JsValue> {
        let signal = self.controller.signal();
        let reason = signal.aborted().then(|| signal.reason())?;
        (reason != self.timeout_marker).then_some(reason)
    }

    /// Awaits `promise`, raced with the idle timeout and with the call's abort.
    pub async fn wait(&self, promise: Promise) -> Result<JsValue, Interrupt> {
        let raced = globals::race_abort(&promise, self.timeout_ms, &self.controller, &self.timeout_marker);
        JsFuture::from(raced).await.map_err(|e| self.interrupt(e))
    }

    /// A timer of `ms` (at most the longest timer delay) to [`Control::wait`] for, which ends
    /// early like every other wait; `None` for no time at all.
    pub fn timer(&self, ms: f64) -> Option<Promise> {
        (ms > 0.0).then(|| globals::sleep(ms.min(MAX_TIMER_MS), &self.controller.signal()))
    }

    fn interrupt(&self, e: JsValue) -> Interrupt {
        if let Some(reason) = self.stopped() {
            Interrupt::Stopped(reason)
        } else if self.controller.signal().aborted() {
            Interrupt::TimedOut
        } else {
            Interrupt::Rejected(e)
        }
    }
}

impl Drop for Control {
    fn drop(&mut self) {
        let _ = self.unlink.call0(&JsValue::UNDEFINED);
    }
}
