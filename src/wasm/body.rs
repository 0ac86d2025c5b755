//! An answer's body: sent for by [`fetch::send`] on the first read, then
//! read chunk by chunk (a body shorter than its `Content-Length` is a `NetworkError`, never a
//! complete file); or, for the jobs answer, read whole up to 64 KiB and parsed by `JSON.parse`.
//!
//! A body can also be a source of the caller's (`parseCsv`): a URL or `Request` fetched with
//! plain `fetch` on the first read, a `Response`, or a stream of bytes. Such a body is read the
//! same way, under the same control (abort, cancel); an answer with an error status is a
//! `QlikApiError` (its body read as an error body, at most 64 KiB), one without a readable body
//! (opaque, or a redirect not followed) a `NetworkError`.

use crate::prelude::*;
use alloc::rc::Rc;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::{AbortController, ReadableStream, RequestInit, Response};

use super::context::Context;
use super::control::{Control, Interrupt};
use super::fetch::{self, parse_error_body};
use super::globals;
use super::rejection::Rejection;
use super::stream::{read_prefix, ChunkReader, StreamReader};
use crate::error::ArgumentError;
use crate::http::{cors_note, decimal, uint, ApiError, Call, CallError, Download, NetworkError, MAX_JSON_BODY_BYTES};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` with a URL or a `Request`.
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_input(input: &JsValue, init: &RequestInit) -> Promise;
}

/// A source of the caller's, read as a body.
pub enum Source {
    /// A URL (absolute) or a `Request`, fetched with plain `fetch` on the first read; `url`
    /// names it in errors.
    Fetch { input: JsValue, url: String },
    /// A `Response`.
    Response(Response),
    /// A stream of bytes, with its length when known (a `Blob`'s size).
    Stream { stream: ReadableStream, size: Option<f64> },
}

/// Where a body comes from. (One per body, never in a collection: the size of the larger
/// variant costs nothing.)
#[allow(clippy::large_enum_variant)]
enum Origin {
    /// An API call of a client.
    Call { ctx: Rc<Context>, call: Call },
    /// A source of the caller's.
    Source(Source),
}

/// The body of one call's answer, the request made on the first [`Body::next`].
pub struct Body {
    origin: Origin,
    ctl: Control,
    /// The idle timeout (0: none).
    timeout_ms: f64,
    download: Option<Download>,
    reader: Option<ChunkReader>,
    /// Whether a chunk may be given back to the stream at the next read (see [`ChunkReader`]).
    reuse_chunks: bool,
    deprecation: Option<String>,
    finished: bool,
}

/// A `TypeError` about a source that cannot be read (any more).
fn unreadable(what: &str) -> Rejection {
    ArgumentError::new("source", ["source: ", what].concat()).into()
}

/// The reader of a stream (reusing its chunks' buffer when `reuse`), unless another reader holds it.
fn reader_of(stream: &ReadableStream, reuse: bool) -> Result<ChunkReader, Rejection> {
    if stream.locked() {
        return Err(unreadable("the stream is locked: another reader is reading it"));
    }
    Ok(if reuse { ChunkReader::reusing(stream) } else { ChunkReader::new(stream) })
}

impl Body {
    pub fn new(ctx: Rc<Context>, call: Call, ctl: Control) -> Body {
        let timeout_ms = ctx.timeout_ms();
        Body::with_origin(Origin::Call { ctx, call }, ctl, timeout_ms)
    }

    /// The body of a source of the caller's, read under `ctl` (no idle timeout).
    pub fn of_source(source: Source, ctl: Control) -> Body {
        Body::with_origin(Origin::Source(source), ctl, 0.0)
    }

    fn with_origin(origin: Origin, ctl: Control, timeout_ms: f64) -> Body {
        Body {
            origin,
            ctl,
            timeout_ms,
            download: None,
            reader: None,
            reuse_chunks: false,
            deprecation: None,
            finished: false,
        }
    }

    /// Lets each chunk of [`Body::next`] be valid only until the next call, so that a byte
    /// stream is read into one buffer, reused (for a body that is decoded, not handed out).
    pub fn reuse_chunks(&mut self) {
        self.reuse_chunks = true;
    }

    /// The controller whose signal the call uses.
    pub fn controller(&self) -> AbortController {
        self.ctl.controller()
    }

    /// The stream reader of the body, once the answer has come.
    pub fn stream_reader(&self) -> Option<StreamReader> {
        self.reader.as_ref().map(ChunkReader::lock)
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

    /// Stops the request and any read in progress; a source of the caller's is cancelled (with
    /// the abort reason, when the caller aborted), so that it is released.
    pub fn stop(&self) {
        self.ctl.abort(&JsValue::UNDEFINED);
        if let (Origin::Source(_), Some(reader), false) = (&self.origin, &self.reader, self.finished) {
            let reason = self.ctl.stopped().unwrap_or(JsValue::UNDEFINED);
            globals::ignore_rejection(&reader.lock().cancel_with_reason(&reason));
        }
    }

    async fn start(&mut self) -> Result<(), Rejection> {
        let (response, url) = match &mut self.origin {
            Origin::Call { ctx, call } => {
                let response = fetch::send(ctx, &self.ctl, call).await?;
                self.deprecation = ctx.note_deprecation(&response.headers());
                (response, call.url().to_string())
            }
            Origin::Source(Source::Fetch { input, url }) => {
                let url = url.clone();
                let init = RequestInit::new();
                init.set_signal(Some(&self.ctl.signal()));
                let response = match self.ctl.wait(fetch_input(input, &init)).await {
                    Ok(r) => r.unchecked_into::<Response>(),
                    Err(Interrupt::Stopped(reason)) => return Err(Rejection::Value(reason)),
                    Err(Interrupt::TimedOut) => return Err(Download::new(&url, None, None).timed_out(0.0).into()),
                    Err(Interrupt::Rejected(e)) => {
                        let cause = globals::error_message(&e);
                        let note = cors_note(globals::page_origin().as_deref(), &url, false).unwrap_or_default();
                        let message = ["the request failed: ", &cause, &note].concat();
                        return Err(NetworkError::new(message, 0.0, &url).into());
                    }
                };
                self.check_status(&response, &url).await?;
                (response, url)
            }
            Origin::Source(Source::Response(response)) => {
                let response: Response = Clone::clone(response);
                if response.body_used() || response.body().is_some_and(|b| b.locked()) {
                    return Err(unreadable("the Response's body is already used or being read"));
                }
                let url = response.url();
                self.check_status(&response, &url).await?;
                (response, url)
            }
            Origin::Source(Source::Stream { stream, size }) => {
                let length = size.map(decimal);
                self.reader = Some(reader_of(stream, self.reuse_chunks)?);
                self.download = Some(Download::new("", length.as_deref(), None));
                return Ok(());
            }
        };
        let headers = response.headers();
        let header = |name: &str| headers.get(name).ok().flatten();
        let (length, encoding) = (header("content-length"), header("content-encoding"));
        self.download = Some(Download::new(&url, length.as_deref(), encoding.as_deref()));
        let reuse = self.reuse_chunks;
        self.reader =
            response.body().map(|stream| if reuse { ChunkReader::reusing(&stream) } else { ChunkReader::new(&stream) });
        self.finished = self.reader.is_none();
        Ok(())
    }

    /// A source's answer must have a successful status: an error status is a `QlikApiError`
    /// (with its error body, at most 64 KiB read), an answer without a readable body a
    /// `NetworkError`.
    async fn check_status(&self, response: &Response, url: &str) -> Result<(), Rejection> {
        if response.ok() {
            return Ok(());
        }
        let status = response.status();
        if status < 400 {
            // `type` as JavaScript names it (`opaque`, `opaqueredirect`).
            let kind =
                js_sys::Reflect::get(response, &"type".into()).ok().and_then(|t| t.as_string()).unwrap_or_default();
            let message = [
                "the answer cannot be read (status ",
                &uint(status.into()),
                ", type ",
                &kind,
                "): opaque, or a redirect that was not followed",
            ]
            .concat();
            return Err(NetworkError::new(message, 0.0, url).into());
        }
        let (body, errors) = match read_prefix(response, &self.ctl, MAX_JSON_BODY_BYTES).await {
            Ok((bytes, _)) => parse_error_body(&bytes),
            Err(Interrupt::Stopped(reason)) => return Err(Rejection::Value(reason)),
            Err(_) => parse_error_body(&[]),
        };
        let retry_after = response.headers().get("retry-after").ok().flatten();
        let error =
            ApiError::new(status, &response.status_text(), &body, retry_after.as_deref(), globals::now_ms(), url);
        Err(Rejection::with_errors(CallError::Api(error), errors))
    }

    /// The next chunk of the body, or `None` at its end.
    pub async fn next(&mut self) -> Result<Option<Uint8Array>, Rejection> {
        if self.download.is_none() {
            self.start().await?;
        }
        let (Some(reader), Some(download), false) = (&mut self.reader, &mut self.download, self.finished) else {
            return Ok(None);
        };
        match reader.read(&self.ctl).await {
            Ok(Some(chunk)) => {
                download.chunk(chunk.length() as usize);
                Ok(Some(chunk))
            }
            Ok(None) => {
                self.finished = true;
                download.end()?;
                Ok(None)
            }
            Err(Interrupt::TimedOut) => Err(download.timed_out(self.timeout_ms).into()),
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
