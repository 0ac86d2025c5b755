//! Readers of a response body: the raw chunks, or record batches decoded from them. Both
//! pull: nothing is read from the network until JavaScript asks for the next item, so a
//! consumer that stops reading stops the download (backpressure).
//!
//! The working state is moved out of its cell while a `next()` is in flight, so no borrow is
//! held across an `await`; a second concurrent `next()` is refused.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{AbortController, ReadableStreamDefaultReader};

use super::batch::{batch_to_js, column_names_to_js, BatchScratch};
use super::client::ClientInner;
use super::failure::Failure;
use super::request::{read_chunk, send, RequestCtl};
use crate::decode::{DecodeOptions, Decoder};
use crate::http::Endpoint;

/// What JavaScript can read about a reader at any time, even while a `next()` is in flight.
#[derive(Default)]
struct Progress {
    bytes: f64,
    total_bytes: Option<f64>,
    rows: f64,
    deprecation: Option<String>,
    columns: Option<JsValue>,
    controller: Option<AbortController>,
    reader: Option<ReadableStreamDefaultReader>,
    cancelled: bool,
    /// Whether the reader reached the end (`Some(true)`) or failed (`Some(false)`).
    ended: Option<bool>,
}

type Shared = Rc<RefCell<Progress>>;

/// A response body being read.
pub struct Body {
    client: Rc<ClientInner>,
    endpoint: Endpoint,
    ctl: RequestCtl,
    reader: Option<ReadableStreamDefaultReader>,
    content_length: Option<f64>,
    bytes: f64,
    finished: bool,
    on_progress: Option<Function>,
}

impl Body {
    pub fn new(client: Rc<ClientInner>, endpoint: Endpoint, ctl: RequestCtl, on_progress: Option<Function>) -> Body {
        Body { client, endpoint, ctl, reader: None, content_length: None, bytes: 0.0, finished: false, on_progress }
    }

    async fn start(&mut self, shared: &Shared) -> Result<(), Failure> {
        let response = send(&self.client, self.endpoint, &self.ctl).await?;
        let headers = response.headers();
        let encoded =
            headers.get("content-encoding").ok().flatten().is_some_and(|e| !e.eq_ignore_ascii_case("identity"));
        self.content_length = headers
            .get("content-length")
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|_| !encoded);
        let deprecation = self.client.note_deprecation(&response);
        let reader = match response.body() {
            Some(stream) => Some(stream.get_reader().unchecked_into::<ReadableStreamDefaultReader>()),
            None => {
                self.finished = true;
                None
            }
        };
        let mut p = shared.borrow_mut();
        p.total_bytes = self.content_length;
        p.deprecation = deprecation;
        p.reader = reader.clone();
        self.reader = reader;
        Ok(())
    }

    /// The next chunk of the body, or `None` at its end. A body shorter than its
    /// `Content-Length` is a `NetworkError`, never a complete file.
    async fn next(&mut self, shared: &Shared) -> Result<Option<Uint8Array>, Failure> {
        if self.finished {
            return Ok(None);
        }
        if self.reader.is_none() {
            self.start(shared).await?;
        }
        let Some(reader) = self.reader.clone() else { return Ok(None) };
        match read_chunk(&reader, &self.ctl, self.bytes).await? {
            Some(chunk) => {
                self.bytes += f64::from(chunk.length());
                shared.borrow_mut().bytes = self.bytes;
                Ok(Some(chunk))
            }
            None => {
                self.finished = true;
                match self.content_length {
                    Some(expected) if self.bytes < expected => Err(Failure::network(
                        format!("the response ended after {} of {} bytes", self.bytes, expected),
                        self.bytes,
                        &self.ctl.url,
                    )),
                    _ => Ok(None),
                }
            }
        }
    }

    fn report(&self, shared: &Shared) -> Result<(), Failure> {
        let Some(f) = &self.on_progress else { return Ok(()) };
        let (bytes, total, rows) = {
            let p = shared.borrow();
            (p.bytes, p.total_bytes, p.rows)
        };
        let info = Object::new();
        let _ = Reflect::set(&info, &"bytes".into(), &JsValue::from_f64(bytes));
        let _ = Reflect::set(&info, &"totalBytes".into(), &total.map(JsValue::from_f64).unwrap_or(JsValue::NULL));
        let _ = Reflect::set(&info, &"rows".into(), &JsValue::from_f64(rows));
        f.call1(&JsValue::UNDEFINED, &info).map(|_| ()).map_err(Failure::Js)
    }

    fn stop(&self) {
        self.ctl.abort(&JsValue::UNDEFINED);
    }
}

fn cancel_shared(shared: &Shared, reason: &JsValue) {
    let (controller, reader) = {
        let mut p = shared.borrow_mut();
        p.cancelled = true;
        (p.controller.take(), p.reader.take())
    };
    if let Some(reader) = reader {
        // The promise rejects when the body has already failed; that outcome is known.
        super::glue::ignore_rejection(&reader.cancel_with_reason(reason));
    }
    if let Some(controller) = controller {
        controller.abort_with_reason(reason);
    }
}

fn busy() -> JsValue {
    js_sys::Error::new("a read is already in progress on this reader").into()
}

/// Decoding state of a batch reader.
struct Batches {
    body: Body,
    decoder: Decoder,
    chunk: Vec<u8>,
    pos: usize,
    at_end: bool,
    /// Whether the progress at the end of the input has been reported.
    end_reported: bool,
    finished: bool,
    report_pending: bool,
    scratch: BatchScratch,
}

impl Batches {
    fn columns(&self, shared: &Shared) -> JsValue {
        if let Some(c) = &shared.borrow().columns {
            return c.clone();
        }
        let names = column_names_to_js(self.decoder.columns().unwrap_or(&[]));
        shared.borrow_mut().columns = Some(names.clone());
        names
    }

    fn emit(&mut self, shared: &Shared) -> JsValue {
        let columns = self.columns(shared);
        let batch = self.decoder.batch();
        shared.borrow_mut().rows = self.decoder.rows_parsed() as f64;
        batch_to_js(batch, &columns, &mut self.scratch)
    }

    /// The next batch as a JS object, or `undefined` at the end.
    async fn next(&mut self, shared: &Shared) -> Result<JsValue, Failure> {
        loop {
            while self.pos < self.chunk.len() {
                let fed = self.decoder.feed(&self.chunk[self.pos..])?;
                self.pos += fed.consumed;
                if fed.batch_ready {
                    return Ok(self.emit(shared));
                }
            }
            if self.report_pending {
                // The chunk is parsed: report its bytes with the rows parsed so far.
                self.report_pending = false;
                if self.decoder.columns().is_some() {
                    self.columns(shared);
                }
                shared.borrow_mut().rows = self.decoder.rows_parsed() as f64;
                self.body.report(shared)?;
            }
            if self.at_end {
                if self.finished {
                    return Ok(JsValue::UNDEFINED);
                }
                // `finish` hands out the last batch first and keeps an error found at the end
                // of the input (an open quote, a short last record) for its next call: ask
                // again until it reports the end or that error.
                let ready = self.decoder.finish()?;
                if !ready {
                    self.finished = true;
                }
                if !self.end_reported {
                    self.end_reported = true;
                    if self.decoder.columns().is_some() {
                        self.columns(shared);
                    }
                    shared.borrow_mut().rows = self.decoder.rows_parsed() as f64;
                    self.body.report(shared)?;
                }
                if ready {
                    return Ok(self.emit(shared));
                }
                return Ok(JsValue::UNDEFINED);
            }
            match self.body.next(shared).await? {
                Some(chunk) => {
                    self.chunk.resize(chunk.length() as usize, 0);
                    chunk.copy_to(&mut self.chunk);
                    self.pos = 0;
                    self.report_pending = true;
                }
                None => self.at_end = true,
            }
        }
    }
}

/// What a reader produces: the raw body chunks, or record batches decoded from them.
enum Work {
    Bytes(Body),
    Batches(Box<Batches>),
}

impl Work {
    async fn next(&mut self, shared: &Shared) -> Result<JsValue, Failure> {
        match self {
            Work::Bytes(body) => match body.next(shared).await? {
                Some(chunk) => body.report(shared).map(|_| JsValue::from(chunk)),
                None => Ok(JsValue::UNDEFINED),
            },
            Work::Batches(batches) => batches.next(shared).await,
        }
    }

    fn stop(&self) {
        match self {
            Work::Bytes(body) => body.stop(),
            Work::Batches(batches) => batches.body.stop(),
        }
    }
}

/// Reads a dataset file while it downloads: its raw chunks (`Uint8Array`) or its record
/// batches, one per `next()`.
#[wasm_bindgen]
pub struct Reader {
    work: Rc<RefCell<Option<Work>>>,
    shared: Shared,
}

impl Reader {
    /// A reader of the body's raw chunks.
    pub fn bytes(body: Body) -> Reader {
        Reader::new(Work::Bytes(body))
    }

    /// A reader of record batches decoded from the body.
    pub fn batches(body: Body, options: DecodeOptions) -> Reader {
        Reader::new(Work::Batches(Box::new(Batches {
            body,
            decoder: Decoder::new(options),
            chunk: Vec::new(),
            pos: 0,
            at_end: false,
            end_reported: false,
            finished: false,
            report_pending: false,
            scratch: BatchScratch::default(),
        })))
    }

    fn new(work: Work) -> Reader {
        let controller = match &work {
            Work::Bytes(body) => body.ctl.controller(),
            Work::Batches(batches) => batches.body.ctl.controller(),
        };
        let shared = Rc::new(RefCell::new(Progress { controller: Some(controller), ..Progress::default() }));
        Reader { work: Rc::new(RefCell::new(Some(work))), shared }
    }
}

#[wasm_bindgen]
impl Reader {
    /// Resolves to the next item (a raw batch object or a `Uint8Array`), or `undefined` at
    /// the end. The working state is moved out while the read is in flight and put back
    /// after; a failure or a cancellation drops it, which releases the connection.
    pub fn next(&self) -> Promise {
        let cell = self.work.clone();
        let shared = self.shared.clone();
        future_to_promise(async move {
            let ended = {
                let p = shared.borrow();
                if p.cancelled {
                    Some(true)
                } else {
                    p.ended
                }
            };
            match ended {
                Some(true) => return Ok(JsValue::UNDEFINED),
                Some(false) => return Err(js_sys::Error::new("this reader has failed").into()),
                None => {}
            }
            let Some(mut work) = cell.borrow_mut().take() else { return Err(busy()) };
            let result = work.next(&shared).await;
            // At the end, on a failure or after a cancellation the working state (decoder
            // buffers, the body reader) is dropped at once, not when JavaScript's garbage
            // collector frees the reader.
            match &result {
                Err(_) => {
                    work.stop();
                    shared.borrow_mut().ended = Some(false);
                }
                Ok(item) if item.is_undefined() => shared.borrow_mut().ended = Some(true),
                Ok(_) if shared.borrow().cancelled => {}
                Ok(_) => *cell.borrow_mut() = Some(work),
            }
            result.map_err(Failure::into_js)
        })
    }

    /// Stops the download (and the decoding), releasing the connection and the working state
    /// (a read in flight drops it when it returns).
    pub fn cancel(&self, reason: JsValue) {
        cancel_shared(&self.shared, &reason);
        let work = self.work.borrow_mut().take();
        drop(work);
    }

    /// Body bytes received so far.
    #[wasm_bindgen(getter, js_name = bytes)]
    pub fn bytes_received(&self) -> f64 {
        self.shared.borrow().bytes
    }

    /// `Content-Length` when known (and the body is not content-encoded).
    #[wasm_bindgen(getter, js_name = totalBytes)]
    pub fn total_bytes(&self) -> Option<f64> {
        self.shared.borrow().total_bytes
    }

    /// Data rows parsed so far (0 for a byte reader).
    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> f64 {
        self.shared.borrow().rows
    }

    /// The column names once the header has been read, else `null`.
    #[wasm_bindgen(getter, js_name = columnNames)]
    pub fn column_names(&self) -> JsValue {
        self.shared.borrow().columns.clone().unwrap_or(JsValue::NULL)
    }

    /// The endpoint's `Deprecation`/`Sunset` notice, once the response has arrived.
    #[wasm_bindgen(getter)]
    pub fn deprecation(&self) -> Option<String> {
        self.shared.borrow().deprecation.clone()
    }
}
