//! An answer's body: sent for by [`fetch::send`] on the first read, then
//! read chunk by chunk (a body shorter than its `Content-Length` is a `NetworkError`, never a
//! complete file); or, for the jobs answer, read whole up to 64 KiB and parsed by `JSON.parse`.

use std::rc::Rc;

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, ReadableStreamDefaultReader};

use super::context::Context;
use super::control::{Control, Interrupt};
use super::fetch;
use super::globals;
use super::rejection::Rejection;
use super::stream::{read_chunk, read_prefix};
use crate::http::{Call, Download, MAX_JSON_BODY_BYTES};

/// The body of one call's answer, the request made on the first [`Body::next`].
pub struct Body {
    ctx: Rc<Context>,
    call: Call,
    ctl: Control,
    download: Option<Download>,
    reader: Option<ReadableStreamDefaultReader>,
    deprecation: Option<String>,
    finished: bool,
}

impl Body {
    pub fn new(ctx: Rc<Context>, call: Call, ctl: Control) -> Body {
        Body { ctx, call, ctl, download: None, reader: None, deprecation: None, finished: false }
    }

    /// The controller whose signal the call uses.
    pub fn controller(&self) -> AbortController {
        self.ctl.controller()
    }

    /// The stream reader of the body, once the answer has come.
    pub fn stream_reader(&self) -> Option<ReadableStreamDefaultReader> {
        self.reader.clone()
    }

    /// Body bytes received so far.
    pub fn received(&self) -> f64 {
        self.download.as_ref().map_or(0.0, Download::received)
    }

    /// `Content-Length` when known (and the body is not content-encoded).
    pub fn total_bytes(&self) -> Option<f64> {
        self.download.as_ref().and_then(Download::total_bytes)
    }

    /// The endpoint's `Deprecation`/`Sunset` notice, once the answer has come.
    pub fn deprecation(&self) -> Option<String> {
        self.deprecation.clone()
    }

    /// Stops the request and any read in progress.
    pub fn stop(&self) {
        self.ctl.abort(&JsValue::UNDEFINED);
    }

    async fn start(&mut self) -> Result<(), Rejection> {
        let response = fetch::send(&self.ctx, &self.ctl, &mut self.call).await?;
        let headers = response.headers();
        let header = |name: &str| headers.get(name).ok().flatten();
        let (length, encoding) = (header("content-length"), header("content-encoding"));
        self.download = Some(Download::new(self.call.url(), length.as_deref(), encoding.as_deref()));
        self.deprecation = self.ctx.note_deprecation(&headers);
        self.reader = response.body().map(|stream| stream.get_reader().unchecked_into());
        self.finished = self.reader.is_none();
        Ok(())
    }

    /// The next chunk of the body, or `None` at its end.
    pub async fn next(&mut self) -> Result<Option<Uint8Array>, Rejection> {
        if self.download.is_none() {
            self.start().await?;
        }
        let (Some(reader), Some(download), false) = (&self.reader, &mut self.download, self.finished) else {
            return Ok(None);
        };
        match read_chunk(reader, &self.ctl).await {
            Ok(Some(chunk)) => {
                download.chunk(chunk.length() as usize);
                Ok(Some(chunk))
            }
            Ok(None) => {
                self.finished = true;
                download.end()?;
                Ok(None)
            }
            Err(Interrupt::TimedOut) => Err(download.timed_out(self.ctx.timeout_ms()).into()),
            Err(Interrupt::Stopped(reason)) => Err(Rejection::Value(reason)),
            Err(Interrupt::Rejected(e)) => Err(download.failed(&globals::error_message(&e)).into()),
        }
    }
}

/// A JSON answer (the jobs answer): parsed by `JSON.parse` (which keeps the members' order), or
/// `null` when the body is empty; longer than 64 KiB it is not read but failed.
pub async fn read_json(ctx: &Context, ctl: &Control, call: &mut Call, what: &str) -> Result<JsValue, Rejection> {
    let response = fetch::send(ctx, ctl, call).await?;
    ctx.note_deprecation(&response.headers());
    let mut download = Download::new(call.url(), None, None);
    let (body, longer) = match read_prefix(&response, ctl, MAX_JSON_BODY_BYTES).await {
        Ok(read) => read,
        Err(Interrupt::TimedOut) => return Err(download.timed_out(ctx.timeout_ms()).into()),
        Err(Interrupt::Stopped(reason)) => return Err(Rejection::Value(reason)),
        Err(Interrupt::Rejected(e)) => return Err(download.failed(&globals::error_message(&e)).into()),
    };
    download.chunk(body.len());
    if longer {
        return Err(download.too_long(what).into());
    }
    let text = String::from_utf8_lossy(&body);
    if text.trim().is_empty() {
        return Ok(JsValue::NULL);
    }
    js_sys::JSON::parse(&text).map_err(|e| download.not_json(what, &globals::error_message(&e)).into())
}
