//! Why a call failed, and how that reaches JavaScript. The package entry turns the plain
//! descriptor objects made here into instances of its exported error classes (`QlikApiError`,
//! `CsvError`, `NetworkError`); values thrown by the caller's own code (an abort reason, an
//! exception from a callback) pass through untouched.

use js_sys::{Object, Reflect};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::decode::DecodeError;
use crate::http::ApiError;

pub enum Failure {
    /// The API answered with an error status.
    Api { error: ApiError, url: String, login_url: Option<String> },
    /// The body is not valid CSV.
    Csv(DecodeError),
    /// The connection failed, timed out or the body ended early.
    Network { message: String, bytes_received: f64, url: String },
    /// A value thrown or rejected by the caller's side (abort reason, callback exception).
    Js(JsValue),
    /// A bad argument (TypeError).
    Type(String),
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a property on a plain object made here cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn opt_str(v: &Option<String>) -> JsValue {
    v.as_deref().map(JsValue::from_str).unwrap_or(JsValue::UNDEFINED)
}

/// A parsed JSON value as JavaScript builds it with `JSON.parse` (object keys as own data
/// properties, `__proto__` included). serde_json caps nesting at 128 levels, which bounds the
/// recursion.
pub fn json_to_js(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(items) => items.iter().map(json_to_js).collect::<js_sys::Array>().into(),
        Value::Object(members) => {
            let o = Object::new();
            for (key, member) in members {
                let descriptor = Object::new();
                set(&descriptor, "value", &json_to_js(member));
                for flag in ["writable", "enumerable", "configurable"] {
                    set(&descriptor, flag, &JsValue::TRUE);
                }
                Object::define_property(&o, &JsValue::from_str(key), &descriptor);
            }
            o.into()
        }
    }
}

impl Failure {
    pub fn network(message: impl Into<String>, bytes_received: f64, url: &str) -> Failure {
        Failure::Network { message: message.into(), bytes_received, url: url.to_string() }
    }

    pub fn into_js(self) -> JsValue {
        match self {
            Failure::Js(v) => v,
            Failure::Type(message) => js_sys::TypeError::new(&message).into(),
            Failure::Api { error, url, login_url } => {
                let o = Object::new();
                set(&o, "qlikErrorKind", &"QlikApiError".into());
                let message = match &error.detail {
                    Some(d) if !d.is_empty() => format!("{} {} ({}): {}", error.status, error.title, error.code, d),
                    _ => format!("{} {} ({})", error.status, error.title, error.code),
                };
                set(&o, "message", &message.into());
                set(&o, "status", &JsValue::from(error.status));
                set(&o, "code", &error.code.as_str().into());
                set(&o, "title", &error.title.as_str().into());
                set(&o, "detail", &opt_str(&error.detail));
                let errors: js_sys::Array = error.errors.iter().map(json_to_js).collect();
                set(&o, "errors", &errors);
                set(&o, "retryAfter", &error.retry_after.map(JsValue::from_f64).unwrap_or(JsValue::UNDEFINED));
                set(&o, "loginUrl", &opt_str(&login_url));
                set(&o, "url", &url.into());
                o.into()
            }
            Failure::Csv(e) => {
                let o = Object::new();
                set(&o, "qlikErrorKind", &"CsvError".into());
                set(&o, "message", &format!("Malformed CSV at line {} (byte {}): {}", e.line, e.byte_offset, e).into());
                set(&o, "reason", &e.kind.code().into());
                set(&o, "line", &JsValue::from_f64(e.line as f64));
                set(&o, "byteOffset", &JsValue::from_f64(e.byte_offset as f64));
                o.into()
            }
            Failure::Network { message, bytes_received, url } => {
                let o = Object::new();
                set(&o, "qlikErrorKind", &"NetworkError".into());
                set(&o, "message", &message.into());
                set(&o, "bytesReceived", &JsValue::from_f64(bytes_received));
                set(&o, "url", &url.into());
                o.into()
            }
        }
    }
}

impl From<DecodeError> for Failure {
    fn from(e: DecodeError) -> Failure {
        Failure::Csv(e)
    }
}
