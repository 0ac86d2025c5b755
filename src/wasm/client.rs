//! The `Client` export: validated configuration shared by every call (the [`Context`]), and
//! the calls: readers of a dataset (batches or bytes) and the jobs answer.

use crate::prelude::*;
use alloc::rc::Rc;

use js_sys::{JsString, Promise};
use wasm_bindgen::prelude::*;

use super::arguments::{call_options, client_options, decode_options, CallOptions};
use super::body::{read_json, Body};
use super::context::Context;
use super::control::Control;
use super::reader::Reader;
use super::rejection::{promise, throw, Rejection};
use crate::error::ArgumentError;
use crate::http::{quoted, Call, Dataset, Endpoint};

#[wasm_bindgen(typescript_custom_section)]
const DATASET_TS: &str = Dataset::TYPESCRIPT;

/// A client for one tenant host (the `PredictionsClient` of the package wraps it). Its string
/// getters return JavaScript strings made in the module (`JsString`), which needs less glue than
/// a returned `String`.
#[wasm_bindgen]
pub struct Client {
    ctx: Rc<Context>,
}

fn prediction_id(value: &JsValue) -> Result<String, ArgumentError> {
    value.as_string().ok_or_else(|| ArgumentError::new("predictionId", "predictionId: must be a string"))
}

fn dataset(value: &JsValue) -> Result<Endpoint, ArgumentError> {
    value.as_string().as_deref().and_then(Dataset::parse).map(Endpoint::Dataset).ok_or_else(|| {
        let mut message = String::from("dataset: ");
        match value.as_string() {
            Some(s) => message.push_str(&quoted(&s)),
            None => message.push_str("this value"),
        }
        message.push_str(" is not a dataset; expected one of ");
        for (i, d) in Dataset::ALL.iter().enumerate() {
            if i > 0 {
                message.push_str(", ");
            }
            message.push('\'');
            message.push_str(d.as_str());
            message.push('\'');
        }
        ArgumentError::new("dataset", message)
    })
}

impl Client {
    /// A call of `endpoint`: its URL, state machine, and abort and timeout plumbing.
    fn call(
        &self,
        endpoint: Endpoint,
        prediction_id: &JsValue,
        options: &CallOptions,
    ) -> Result<(Call, Control), Rejection> {
        let id = self::prediction_id(prediction_id)?;
        let ref_id = options.ref_id.as_deref().filter(|_| endpoint.accepts_ref_id());
        let url = self.ctx.config().url(endpoint, &id, ref_id)?;
        let ctl = Control::new(options.signal.as_ref(), self.ctx.timeout_ms()).map_err(Rejection::Value)?;
        Ok((self.ctx.call(endpoint, url), ctl))
    }

    fn body(&self, prediction_id: &JsValue, dataset: &JsValue, options: &CallOptions) -> Result<Body, Rejection> {
        let endpoint = self::dataset(dataset)?;
        let (call, ctl) = self.call(endpoint, prediction_id, options)?;
        Ok(Body::new(self.ctx.clone(), call, ctl))
    }
}

#[wasm_bindgen]
impl Client {
    /// Validates the configuration; throws a `TypeError` descriptor naming the bad field.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Client, JsValue> {
        let options = client_options(&config).map_err(throw)?;
        let ctx = Context::new(options).map_err(throw)?;
        Ok(Client { ctx: Rc::new(ctx) })
    }

    /// The normalized host origin requests go to.
    #[wasm_bindgen(getter)]
    pub fn origin(&self) -> JsString {
        self.ctx.config().origin().into()
    }

    /// The configured host's base URL: the origin, and the path prefix when the host has one.
    #[wasm_bindgen(getter)]
    pub fn host(&self) -> JsString {
        self.ctx.config().base_url().as_str().into()
    }

    /// The authentication type in use, given or inferred: `cookie`, `apikey`, `oauth2`, `none`
    /// or `noauth`.
    #[wasm_bindgen(getter, js_name = authType)]
    pub fn auth_type(&self) -> JsString {
        self.ctx.config().auth().module().into()
    }

    /// The warning about fields of the configuration that are not used, when there are any.
    #[wasm_bindgen(getter, js_name = configWarning)]
    pub fn config_warning(&self) -> Option<JsString> {
        self.ctx.config().unknown_fields_warning().map(|w| w.as_str().into())
    }

    /// Whether a 401 should send the page to the login URL.
    #[wasm_bindgen(getter, js_name = autoRedirect)]
    pub fn auto_redirect(&self) -> bool {
        self.ctx.config().auto_redirect()
    }

    /// A reader of the dataset's record batches; the request starts on the first `next()`.
    #[wasm_bindgen(js_name = openBatches)]
    pub fn open_batches(&self, prediction_id: JsValue, dataset: JsValue, options: JsValue) -> Result<Reader, JsValue> {
        let call = call_options(&options).map_err(throw)?;
        let (decode, fixed) = decode_options(&options).map_err(throw)?;
        let body = self.body(&prediction_id, &dataset, &call).map_err(throw)?;
        Ok(Reader::batches(body, call.on_progress, decode, fixed))
    }

    /// A reader of the dataset's raw bytes; the request starts on the first `next()`.
    #[wasm_bindgen(js_name = openBytes)]
    pub fn open_bytes(&self, prediction_id: JsValue, dataset: JsValue, options: JsValue) -> Result<Reader, JsValue> {
        let call = call_options(&options).map_err(throw)?;
        let body = self.body(&prediction_id, &dataset, &call).map_err(throw)?;
        Ok(Reader::bytes(body, call.on_progress))
    }

    /// POSTs to the jobs endpoint; resolves to the parsed JSON body, or `null` when it is empty.
    pub fn jobs(&self, prediction_id: JsValue, options: JsValue) -> Promise {
        let prepared =
            call_options(&options).map_err(Rejection::from).and_then(|o| self.call(Endpoint::Jobs, &prediction_id, &o));
        let ctx = self.ctx.clone();
        promise(async move {
            let (mut call, ctl) = prepared?;
            read_json(&ctx, &ctl, &mut call, "jobs response").await
        })
    }
}
