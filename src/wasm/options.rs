//! Reading the client configuration and per-call options from JavaScript objects. Wrong types
//! are reported as `TypeError`s naming the field.

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

use super::failure::Failure;
use crate::decode::DecodeOptions;
use crate::http::ranges::{self, Range, RangeError};
use crate::http::{HostConfigInput, RateLimitConfig};

fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>, Failure> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or_else(|| Failure::Type(format!("`{key}` must be a string")))
}

fn opt_bool(obj: &JsValue, key: &str) -> Result<Option<bool>, Failure> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(None);
    }
    v.as_bool().map(Some).ok_or_else(|| Failure::Type(format!("`{key}` must be a boolean")))
}

/// A number option checked against its range; a value of another type or out of range is a
/// `TypeError` naming the field.
fn opt_in(obj: &JsValue, key: &str, range: Range) -> Result<Option<f64>, Failure> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(None);
    }
    let error = |e: RangeError| Failure::Type(e.to_string());
    match v.as_f64() {
        Some(n) => range.check(n).map(Some).map_err(error),
        None => Err(error(RangeError { range })),
    }
}

fn opt_function(obj: &JsValue, key: &str) -> Result<Option<Function>, Failure> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(None);
    }
    v.dyn_into::<Function>().map(Some).map_err(|_| Failure::Type(format!("`{key}` must be a function")))
}

fn opt_signal(obj: &JsValue) -> Result<Option<AbortSignal>, Failure> {
    let v = get(obj, "signal");
    if absent(&v) {
        return Ok(None);
    }
    v.dyn_into::<AbortSignal>().map(Some).map_err(|_| Failure::Type("`signal` must be an AbortSignal".into()))
}

/// The client configuration: the official client's host-config fields plus this library's own.
pub struct ClientOptions {
    pub host: HostConfigInput,
    pub get_access_token: Option<Function>,
    pub retries: u32,
    pub rate_limit: Option<RateLimitConfig>,
    pub timeout_ms: Option<f64>,
}

pub fn client_options(config: &JsValue) -> Result<ClientOptions, Failure> {
    if !absent(config) && !config.is_object() {
        return Err(Failure::Type("the client configuration must be an object".into()));
    }
    let get_access_token = opt_function(config, "getAccessToken")?;
    let host = HostConfigInput {
        host: opt_string(config, "host")?,
        auth_type: opt_string(config, "authType")?,
        web_integration_id: opt_string(config, "webIntegrationId")?,
        cross_site_cookies: opt_bool(config, "crossSiteCookies")?,
        api_key: opt_string(config, "apiKey")?,
        has_access_token_fn: get_access_token.is_some(),
        auto_redirect: opt_bool(config, "autoRedirect")?,
    };
    let retries = opt_in(config, "retries", ranges::RETRIES)?.map_or(3, |n| n as u32);
    let rate_limit_value = get(config, "rateLimit");
    let rate_limit = if absent(&rate_limit_value) {
        Some(RateLimitConfig::default())
    } else if let Some(on) = rate_limit_value.as_bool() {
        on.then(RateLimitConfig::default)
    } else if rate_limit_value.is_object() {
        let mut limits = RateLimitConfig::default();
        if let Some(n) = opt_in(&rate_limit_value, "tier1", ranges::TIER1)? {
            limits.tier1 = n as u32;
        }
        if let Some(n) = opt_in(&rate_limit_value, "tier2", ranges::TIER2)? {
            limits.tier2 = n as u32;
        }
        if let Some(n) = opt_in(&rate_limit_value, "windowMs", ranges::WINDOW_MS)? {
            limits.window_ms = n;
        }
        Some(limits)
    } else {
        return Err(Failure::Type("`rateLimit` must be a boolean or an object { tier1, tier2, windowMs }".into()));
    };
    let timeout_ms = opt_in(config, "timeoutMs", ranges::TIMEOUT_MS)?.filter(|ms| *ms > 0.0);
    Ok(ClientOptions { host, get_access_token, retries, rate_limit, timeout_ms })
}

/// Options shared by every call.
pub struct CallOptions {
    pub ref_id: Option<String>,
    pub signal: Option<AbortSignal>,
    pub on_progress: Option<Function>,
}

pub fn call_options(options: &JsValue) -> Result<CallOptions, Failure> {
    if !absent(options) && !options.is_object() {
        return Err(Failure::Type("options must be an object".into()));
    }
    Ok(CallOptions {
        ref_id: opt_string(options, "refId")?,
        signal: opt_signal(options)?,
        on_progress: opt_function(options, "onProgress")?,
    })
}

/// Parsing options of `stream()` and `table()`.
pub fn decode_options(options: &JsValue) -> Result<DecodeOptions, Failure> {
    let mut decode = DecodeOptions::default();
    if let Some(n) = opt_in(options, "batchRows", ranges::BATCH_ROWS)? {
        decode.batch_rows = n as usize;
    }
    match opt_string(options, "types")?.as_deref() {
        None | Some("infer") => decode.infer_types = true,
        Some("string") => decode.infer_types = false,
        Some(other) => return Err(Failure::Type(format!("`types` must be 'infer' or 'string', not '{other}'"))),
    }
    if let Some(flexible) = opt_bool(options, "flexible")? {
        decode.flexible = flexible;
    }
    if let Some(n) = opt_in(options, "maxRowBytes", ranges::MAX_ROW_BYTES)? {
        decode.max_row_bytes = n as usize;
        decode.max_field_bytes = decode.max_field_bytes.min(decode.max_row_bytes);
    }
    if let Some(n) = opt_in(options, "maxColumns", ranges::MAX_COLUMNS)? {
        decode.max_columns = n as usize;
    }
    Ok(decode)
}
