//! The `Client` export: validated configuration shared by every call, the retry policy and the
//! client's rate limiter.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::Response;

use super::failure::Failure;
use super::glue;
use super::options::{call_options, client_options, decode_options};
use super::reader::{Body, Reader};
use super::request::{read_prefix, send, RequestCtl};
use crate::http::{deprecation_notice, Dataset, Endpoint, HostConfig, RateLimits, RetryPolicy, MAX_JSON_BODY_BYTES};

pub struct ClientInner {
    pub config: HostConfig,
    pub page_origin: Option<String>,
    pub get_access_token: Option<Function>,
    pub policy: RetryPolicy,
    pub rate_limits: Option<RefCell<RateLimits>>,
    pub timeout_ms: Option<f64>,
    deprecation_warned: Cell<bool>,
}

impl ClientInner {
    /// The `Deprecation`/`Sunset` notice of a response, reported once per client with `console.warn`.
    pub fn note_deprecation(&self, response: &Response) -> Option<String> {
        let get = |name: &str| response.headers().get(name).ok().flatten();
        let notice = deprecation_notice(get("deprecation").as_deref(), get("sunset").as_deref())?;
        if !self.deprecation_warned.replace(true) {
            glue::warn(&format!("qlik-automl-predictions: {notice}"));
        }
        Some(notice)
    }
}

/// A client for one tenant host (the `PredictionsClient` of the package wraps it).
#[wasm_bindgen]
pub struct Client {
    inner: Rc<ClientInner>,
}

fn endpoint_for(dataset: &str) -> Result<Endpoint, Failure> {
    Dataset::parse(dataset).map(Endpoint::Dataset).ok_or_else(|| {
        Failure::Type(format!(
            "unknown dataset '{dataset}': expected 'predictions', 'shap', 'coordinate-shap', 'not-predicted-reasons' or 'source'"
        ))
    })
}

impl Client {
    fn ctl(
        &self,
        endpoint: Endpoint,
        prediction_id: &str,
        options: &JsValue,
    ) -> Result<(RequestCtl, Option<Function>), Failure> {
        let call = call_options(options)?;
        let ref_id = match endpoint {
            Endpoint::Jobs => None,
            Endpoint::Dataset(_) => call.ref_id.as_deref(),
        };
        let url = self.inner.config.url(endpoint, prediction_id, ref_id).map_err(|e| Failure::Type(e.to_string()))?;
        let ctl = RequestCtl::new(call.signal, self.inner.timeout_ms, url)?;
        Ok((ctl, call.on_progress))
    }

    fn body(&self, prediction_id: &str, dataset: &str, options: &JsValue) -> Result<Body, Failure> {
        let endpoint = endpoint_for(dataset)?;
        let (ctl, on_progress) = self.ctl(endpoint, prediction_id, options)?;
        Ok(Body::new(self.inner.clone(), endpoint, ctl, on_progress))
    }
}

#[wasm_bindgen]
impl Client {
    /// Validates the host configuration; throws a `TypeError` naming the bad field.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Client, JsValue> {
        let options = client_options(&config).map_err(Failure::into_js)?;
        let page_origin = glue::page_origin();
        let host = HostConfig::from_input(options.host, page_origin.as_deref())
            .map_err(|e| Failure::Type(e.to_string()).into_js())?;
        let policy = RetryPolicy {
            retries: options.retries,
            timeout_ms: options.timeout_ms.unwrap_or(0.0),
            ..RetryPolicy::default()
        };
        let inner = ClientInner {
            config: host,
            page_origin,
            get_access_token: options.get_access_token,
            policy,
            rate_limits: options.rate_limit.map(|c| RefCell::new(RateLimits::new(c))),
            timeout_ms: options.timeout_ms,
            deprecation_warned: Cell::new(false),
        };
        Ok(Client { inner: Rc::new(inner) })
    }

    /// The normalized host origin requests go to.
    #[wasm_bindgen(getter)]
    pub fn origin(&self) -> String {
        self.inner.config.origin.clone()
    }

    /// Whether a 401 should send the page to the login URL.
    #[wasm_bindgen(getter, js_name = autoRedirect)]
    pub fn auto_redirect(&self) -> bool {
        self.inner.config.auto_redirect
    }

    /// A reader of the dataset's record batches; the request starts on the first `next()`.
    #[wasm_bindgen(js_name = openBatches)]
    pub fn open_batches(&self, prediction_id: &str, dataset: &str, options: JsValue) -> Result<Reader, JsValue> {
        let decode = decode_options(&options).map_err(Failure::into_js)?;
        let body = self.body(prediction_id, dataset, &options).map_err(Failure::into_js)?;
        Ok(Reader::batches(body, decode))
    }

    /// A reader of the dataset's raw bytes; the request starts on the first `next()`.
    #[wasm_bindgen(js_name = openBytes)]
    pub fn open_bytes(&self, prediction_id: &str, dataset: &str, options: JsValue) -> Result<Reader, JsValue> {
        let body = self.body(prediction_id, dataset, &options).map_err(Failure::into_js)?;
        Ok(Reader::bytes(body))
    }

    /// POSTs to the jobs endpoint; resolves to the parsed JSON body, or `null` when it is empty.
    pub fn jobs(&self, prediction_id: &str, options: JsValue) -> Promise {
        let prepared = self.ctl(Endpoint::Jobs, prediction_id, &options);
        let inner = self.inner.clone();
        future_to_promise(async move {
            let (ctl, _) = prepared.map_err(Failure::into_js)?;
            let response = send(&inner, Endpoint::Jobs, &ctl).await.map_err(Failure::into_js)?;
            inner.note_deprecation(&response);
            let (body, longer) = read_prefix(&response, &ctl, MAX_JSON_BODY_BYTES).await.map_err(Failure::into_js)?;
            let not_json = |why: String| Failure::network(why, body.len() as f64, &ctl.url).into_js();
            if longer {
                return Err(not_json(format!("the jobs response is larger than {MAX_JSON_BODY_BYTES} bytes")));
            }
            let text = String::from_utf8_lossy(&body);
            if text.trim().is_empty() {
                return Ok(JsValue::NULL);
            }
            // Parsed once, by JSON.parse: the answer keeps its members' order.
            js_sys::JSON::parse(&text)
                .map_err(|e| not_json(format!("the jobs response is not JSON: {}", glue::error_message(&e))))
        })
    }
}
