//! `Reader.fromSource`: a reader of record batches decoded from a CSV source of the caller's
//! (`parseCsv` in the package entry), with the same decoding, progress and abort as a dataset's
//! reader: the source is read by a [`Body`], the batches made by the same decode loop.

use wasm_bindgen::prelude::*;
use web_sys::{ReadableStream, Response};

use super::arguments::{decode_options, source_options};
use super::body::{Body, Source};
use super::control::Control;
use super::reader::Reader;
use super::rejection::throw;
use crate::error::ArgumentError;

/// The source as the package entry hands it over: `{ fetch, url }` (an absolute URL or a
/// `Request` to fetch, and its URL), `{ response }`, or `{ stream, size }` (a `ReadableStream`,
/// `size` when known).
fn source(value: &JsValue) -> Result<Source, ArgumentError> {
    let get = |key: &str| js_sys::Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    let input = get("fetch");
    if let (false, Some(url)) = (input.is_undefined(), get("url").as_string()) {
        return Ok(Source::Fetch { input, url });
    }
    if let Ok(response) = get("response").dyn_into::<Response>() {
        return Ok(Source::Response(response));
    }
    if let Ok(stream) = get("stream").dyn_into::<ReadableStream>() {
        return Ok(Source::Stream { stream, size: get("size").as_f64() });
    }
    let message = "source: must be a URL (string or URL), a Request, a Response, a ReadableStream or a Blob";
    Err(ArgumentError::new("source", message))
}

#[wasm_bindgen]
impl Reader {
    /// A reader of the record batches of a CSV source; reading starts on the first `next()`.
    #[wasm_bindgen(js_name = fromSource)]
    pub fn from_source(source: JsValue, options: JsValue) -> Result<Reader, JsValue> {
        let (signal, on_progress) = source_options(&options).map_err(throw)?;
        let (decode, fixed) = decode_options(&options).map_err(throw)?;
        let source = self::source(&source).map_err(throw)?;
        let ctl = Control::new(signal.as_ref(), 0.0)?;
        Ok(Reader::batches(Body::of_source(source, ctl), on_progress, decode, fixed))
    }
}
