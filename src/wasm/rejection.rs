//! What a call or a constructor rejects (throws) with: the crate's [`Error`] as a plain
//! descriptor object, which the package entry turns into its error class by `qlikErrorKind`
//! (`js/errors.js`: `QlikApiError`, `CsvError`, `NetworkError`, or a `TypeError` with a `field`
//! property), or a value from the caller's side (an abort reason, an exception of a callback),
//! passed through unchanged. This is the one place where errors cross to JavaScript; their
//! messages come from the core's `Display`.

use crate::prelude::*;
use core::future::Future;
use core::pin::Pin;

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

use crate::error::Error;
use crate::http::CallError;

pub enum Rejection {
    /// A failure the crate found; `errors` is the `errors` array of an API error answer, as
    /// `JSON.parse` made it.
    Error { error: Error, errors: Option<JsValue> },
    /// A value thrown or rejected by the caller's side, passed on as it is.
    Value(JsValue),
}

impl Rejection {
    /// The failure of a call; an API error answer gets the `errors` array parsed from its body
    /// (`undefined` when none was read).
    pub fn with_errors(error: CallError, errors: JsValue) -> Rejection {
        let errors = (matches!(error, CallError::Api(_)) && !errors.is_undefined()).then_some(errors);
        Rejection::Error { error: error.into(), errors }
    }

    pub fn into_js(self) -> JsValue {
        match self {
            Rejection::Value(v) => v,
            Rejection::Error { error, errors } => descriptor(&error, errors),
        }
    }
}

impl<E: Into<Error>> From<E> for Rejection {
    fn from(e: E) -> Rejection {
        Rejection::Error { error: e.into(), errors: None }
    }
}

/// Throws `e` as a constructor or a synchronous export does.
pub fn throw(e: impl Into<Rejection>) -> JsValue {
    e.into().into_js()
}

/// The promise of an export's `future`, rejecting with its [`Rejection`] as JavaScript sees it.
/// Every export's future goes through this one boxed type, so the promise machinery is
/// compiled once.
pub fn promise(future: impl Future<Output = Result<JsValue, Rejection>> + 'static) -> Promise {
    spawn(Box::pin(future))
}

fn spawn(future: Pin<Box<dyn Future<Output = Result<JsValue, Rejection>>>>) -> Promise {
    future_to_promise(async move { future.await.map_err(Rejection::into_js) })
}

#[inline(never)]
fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a property on a plain object made here cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn opt_str(v: Option<&str>) -> JsValue {
    v.map(JsValue::from_str).unwrap_or(JsValue::UNDEFINED)
}

/// `{ qlikErrorKind, message, ...fields }` of the error class `error.name()`.
fn descriptor(error: &Error, errors: Option<JsValue>) -> JsValue {
    let o = Object::new();
    set(&o, "qlikErrorKind", &error.name().into());
    set(&o, "message", &error.message().into());
    match error {
        Error::Api(e) => {
            set(&o, "status", &JsValue::from(e.status));
            set(&o, "code", &e.code.as_str().into());
            set(&o, "title", &e.title.as_str().into());
            set(&o, "detail", &opt_str(e.detail.as_deref()));
            set(&o, "errors", &errors.unwrap_or_else(|| Array::new().into()));
            set(&o, "retryAfter", &e.retry_after.map(JsValue::from_f64).unwrap_or(JsValue::UNDEFINED));
            set(&o, "loginUrl", &opt_str(e.login_url.as_deref()));
            set(&o, "url", &e.url.as_str().into());
        }
        Error::Csv(e) => {
            set(&o, "reason", &e.kind.code().into());
            set(&o, "line", &JsValue::from_f64(e.line as f64));
            set(&o, "byteOffset", &JsValue::from_f64(e.byte_offset as f64));
        }
        Error::Network(e) => {
            set(&o, "bytesReceived", &JsValue::from_f64(e.bytes_received));
            set(&o, "url", &e.url.as_str().into());
        }
        Error::Argument(e) => set(&o, "field", &e.field.into()),
    }
    o.into()
}
