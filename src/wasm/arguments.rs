//! Reading the client configuration and the options of a call from JavaScript objects, and
//! their TypeScript declarations (which the package's `index.d.ts` imports).
//!
//! Read by hand with `Reflect` rather than through serde-wasm-bindgen: a wrong type or a number
//! out of range must be a `TypeError` naming the field, which serde's messages do not do, and
//! the hand-written reading is smaller in the wasm module (see the README's design notes).

use crate::prelude::*;
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::decode::DecodeOptions;
use crate::error::ArgumentError;
use crate::http::ranges::{self, Range};
use crate::http::{quoted, AuthInput, HostConfigInput, RateLimitConfig};

#[wasm_bindgen(typescript_custom_section)]
const OPTIONS_TS: &str = r#"
/**
 * The authentication types of the official Qlik client (`@qlik/api`'s `AuthType`), matched in
 * any case. This client serves `'cookie'`, `'apikey'`, `'oauth2'` (with `getAccessToken`) and
 * `'none'`/`'noauth'`; the others (`'anonymous'`, `'pfx'`, `'windowscookie'`, `'reference'`)
 * and unknown names throw a `TypeError` whose `field` is `'authType'`.
 */
export type AuthType = 'cookie' | 'apikey' | 'oauth2' | 'none' | 'noauth' | (string & {});

/**
 * A host configuration of the official Qlik client (`@qlik/api`'s `HostConfig`, which it
 * accepts as it is), plus this client's own options (`retries`, `rateLimit`, `timeoutMs`).
 * Fields that the configuration's authentication type does not use draw one `console.warn`
 * naming them when the client is made.
 */
export interface ClientConfig {
  /** Tenant host, e.g. `tenant.eu.qlikcloud.com` (https assumed) or a full origin, with an optional path prefix (kept). Default: the page's origin. */
  host?: string;
  /**
   * How requests authenticate. When absent or empty it is inferred as `@qlik/api` infers it:
   * from `apiKey` (`'apikey'`), `accessCode` (`'anonymous'`, refused), `clientId` (`'oauth2'`),
   * `webIntegrationId` (`'cookie'`), `reference` or `pfx` (refused), in that order; else
   * `'cookie'`, the signed-in user's session.
   */
  authType?: AuthType;
  /** Web integration ID, sent as `qlik-web-integration-id` (cookie auth, cross-origin pages). */
  webIntegrationId?: string;
  /** `false` sends cookies to the same origin only; by default they are sent to a cross-origin host too (cookie auth). */
  crossSiteCookies?: boolean;
  /** API key, sent as `Authorization: Bearer <apiKey>` (`authType: 'apikey'`, inferred from it). */
  apiKey?: string;
  /** The OAuth2 client's ID: makes the inferred `authType` `'oauth2'`; requests still need `getAccessToken`. */
  clientId?: string;
  /**
   * Gives the bearer token of each request for `authType: 'oauth2'`: a function (sync or async),
   * or the name of a global function, looked up on `globalThis` for each token.
   */
  getAccessToken?: string | (() => string | Promise<string>);
  /** On a 401, send the page to the tenant's login URL (at most once per page load and host). */
  autoRedirect?: boolean;
  /** Further attempts after a 429 or 503 answer, and for a GET after a failed connection, a 502 or a 504 (default 3, at most 100). */
  retries?: number;
  /** Space requests to stay within the API's rate tiers (default true: 1000/min tier 1, 100/min tier 2), or set the tiers. */
  rateLimit?: boolean | RateLimit;
  /** Idle timeout in ms: fail when a call waits this long for anything. None by default. */
  timeoutMs?: number;
}

/** The rate tiers `rateLimit` spaces requests within. */
export interface RateLimit {
  /** Requests per window to the file endpoints (default 1000; 1 to 1 000 000). */
  tier1?: number;
  /** Requests per window to the jobs endpoint (default 100; 1 to 1 000 000). */
  tier2?: number;
  /** The window in ms (default 60 000; 1 to 2^31−1). */
  windowMs?: number;
}

/** The options every call of `PredictionsClient` takes. */
export interface CallOptions {
  /** Optional `refId` query parameter (GET endpoints). */
  refId?: string;
  /** Aborts the request and the parse; the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each received chunk is parsed. */
  onProgress?: (progress: Progress) => void;
}

/** How a CSV file is decoded into record batches (`stream()`, `table()`, `parseCsv()`). */
export interface ParseOptions {
  /**
   * Most rows per batch. Given, every batch has this many rows (the last, and one cut by the
   * 32 MiB batch memory cap, fewer). Absent, batches are sized adaptively: the first one is
   * handed out as soon as the first chunk is parsed (at most 64 rows), later ones grow towards
   * about 4 ms of parsing each, up to 10000 rows.
   */
  batchRows?: number;
  /** `'infer'` (default): all-numeric columns become Float64Array; `'string'`: all strings. */
  types?: 'infer' | 'string';
  /** Accept rows whose field count differs from the header's (padding or truncating). Default false: CsvError. */
  flexible?: boolean;
  /** Largest record accepted, in bytes (default 16 MiB; at most 512 MiB). */
  maxRowBytes?: number;
  /** Most fields in a record, the header included (default 100000): a wider one is a CsvError `TooManyColumns`. */
  maxColumns?: number;
}
"#;

fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

/// `Ok(None)` when absent, `read(v)` when it gives a value, else a `TypeError` saying what
/// `key` must be.
fn opt<T>(
    obj: &JsValue,
    key: &'static str,
    what: &str,
    read: impl FnOnce(JsValue) -> Option<T>,
) -> Result<Option<T>, ArgumentError> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(None);
    }
    read(v).map(Some).ok_or_else(|| must_be(key, what))
}

/// The `TypeError` of a value of `key` that is not `what` (shared by every reader of [`opt`]).
#[inline(never)]
fn must_be(key: &'static str, what: &str) -> ArgumentError {
    ArgumentError::new(key, ["`", key, "` must be ", what].concat())
}

fn opt_string(obj: &JsValue, key: &'static str) -> Result<Option<String>, ArgumentError> {
    opt(obj, key, "a string", |v| v.as_string())
}

fn opt_bool(obj: &JsValue, key: &'static str) -> Result<Option<bool>, ArgumentError> {
    opt(obj, key, "a boolean", |v| v.as_bool())
}

fn opt_function(obj: &JsValue, key: &'static str) -> Result<Option<Function>, ArgumentError> {
    opt(obj, key, "a function", |v| v.dyn_into::<Function>().ok())
}

#[wasm_bindgen]
extern "C" {
    /// `Object.keys(obj)`; what a hostile object (a Proxy) throws is caught.
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn object_keys(obj: &JsValue) -> Result<Array, JsValue>;
}

/// The own enumerable field names of `obj` (none when they cannot be listed).
fn field_names(obj: &JsValue) -> Vec<String> {
    if !obj.is_object() {
        return Vec::new();
    }
    object_keys(obj).map(|keys| keys.iter().filter_map(|k| k.as_string()).collect()).unwrap_or_default()
}

/// Whether `obj[key]` is set, as JavaScript tests a value (truthy).
#[inline(never)]
fn is_set(obj: &JsValue, key: &str) -> bool {
    get(obj, key).is_truthy()
}

/// Where access tokens come from (`getAccessToken`).
pub enum TokenSource {
    /// A function returning the token or a promise of it.
    Function(Function),
    /// The name of a global function, looked up on `globalThis` for each token, as the official
    /// client does (`resolveTokenIfPresent`, src/auth/internal/internal-auth-functions.ts).
    Global(String),
}

/// `getAccessToken`: a function or the name of a global function; an empty name is absent.
fn token_source(obj: &JsValue) -> Result<Option<TokenSource>, ArgumentError> {
    let what = "a function or the name of a global function";
    let source = opt(obj, "getAccessToken", what, |v| match v.as_string() {
        Some(name) => Some((!name.is_empty()).then_some(TokenSource::Global(name))),
        None => v.dyn_into::<Function>().ok().map(|f| Some(TokenSource::Function(f))),
    })?;
    Ok(source.flatten())
}

/// A number option checked against its range; a value of another type or out of range is a
/// `TypeError` naming the field.
fn opt_in(obj: &JsValue, key: &str, range: Range) -> Result<Option<f64>, crate::error::Error> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(None);
    }
    Ok(Some(range.check(v.as_f64().unwrap_or(f64::NAN))?))
}

#[inline(never)]
fn must_be_object(v: &JsValue, field: &'static str, message: &str) -> Result<(), ArgumentError> {
    if absent(v) || v.is_object() {
        Ok(())
    } else {
        Err(ArgumentError::new(field, message))
    }
}

/// The client configuration: the official client's host-config fields plus this library's own.
pub struct ClientOptions {
    pub host: HostConfigInput,
    pub get_access_token: Option<TokenSource>,
    pub retries: u32,
    pub rate_limit: Option<RateLimitConfig>,
    /// 0: none.
    pub timeout_ms: f64,
}

pub fn client_options(config: &JsValue) -> Result<ClientOptions, crate::error::Error> {
    must_be_object(config, "config", "the client configuration must be an object")?;
    let get_access_token = token_source(config)?;
    let fields = field_names(config);
    let host = HostConfigInput {
        host: opt_string(config, "host")?,
        auth: AuthInput {
            auth_type: opt_string(config, "authType")?,
            web_integration_id: opt_string(config, "webIntegrationId")?,
            api_key: opt_string(config, "apiKey")?,
            has_access_token_fn: get_access_token.is_some(),
            cross_site_cookies: opt_bool(config, "crossSiteCookies")?,
            has_access_code: is_set(config, "accessCode"),
            has_client_id: is_set(config, "clientId"),
            has_reference: is_set(config, "reference"),
            has_pfx: is_set(config, "pfx"),
        },
        auto_redirect: opt_bool(config, "autoRedirect")?,
        fields,
    };
    let retries = opt_in(config, "retries", ranges::RETRIES)?.map_or(3, |n| n as u32);
    let limits = get(config, "rateLimit");
    let rate_limit = if absent(&limits) {
        Some(RateLimitConfig::default())
    } else if let Some(on) = limits.as_bool() {
        on.then(RateLimitConfig::default)
    } else if limits.is_object() {
        let mut c = RateLimitConfig::default();
        if let Some(n) = opt_in(&limits, "tier1", ranges::TIER1)? {
            c.tier1 = n as u32;
        }
        if let Some(n) = opt_in(&limits, "tier2", ranges::TIER2)? {
            c.tier2 = n as u32;
        }
        if let Some(n) = opt_in(&limits, "windowMs", ranges::WINDOW_MS)? {
            c.window_ms = n;
        }
        Some(c)
    } else {
        let message = "`rateLimit` must be a boolean or an object { tier1, tier2, windowMs }";
        return Err(ArgumentError::new("rateLimit", message).into());
    };
    let timeout_ms = opt_in(config, "timeoutMs", ranges::TIMEOUT_MS)?.unwrap_or(0.0);
    Ok(ClientOptions { host, get_access_token, retries, rate_limit, timeout_ms })
}

/// Options shared by every call.
pub struct CallOptions {
    pub ref_id: Option<String>,
    pub signal: Option<AbortSignal>,
    pub on_progress: Option<Function>,
}

pub fn call_options(options: &JsValue) -> Result<CallOptions, ArgumentError> {
    must_be_object(options, "options", "options must be an object")?;
    let ref_id = opt_string(options, "refId")?;
    let (signal, on_progress) = source_options(options)?;
    Ok(CallOptions { ref_id, signal, on_progress })
}

/// The options of `parseCsv` besides the parsing ones, `signal` and `onProgress`, which every
/// call takes too.
pub fn source_options(options: &JsValue) -> Result<(Option<AbortSignal>, Option<Function>), ArgumentError> {
    must_be_object(options, "options", "options must be an object")?;
    let signal = opt(options, "signal", "an AbortSignal", |v| v.dyn_into::<AbortSignal>().ok())?;
    Ok((signal, opt_function(options, "onProgress")?))
}

/// Parsing options of `stream()`, `table()` and `parseCsv`, and whether `batchRows` was given (else the
/// batches are sized adaptively, up to the default `batch_rows`).
pub fn decode_options(options: &JsValue) -> Result<(DecodeOptions, bool), crate::error::Error> {
    let mut decode = DecodeOptions::default();
    let batch_rows = opt_in(options, "batchRows", ranges::BATCH_ROWS)?;
    if let Some(n) = batch_rows {
        decode.batch_rows = n as usize;
    }
    match opt_string(options, "types")?.as_deref() {
        None | Some("infer") => decode.infer_types = true,
        Some("string") => decode.infer_types = false,
        Some(other) => {
            let message = ["`types` must be 'infer' or 'string', not ", &quoted(other)].concat();
            return Err(ArgumentError::new("types", message).into());
        }
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
    Ok((decode, batch_rows.is_some()))
}
