//! The `Reader` export: reads a dataset file while it downloads, as its raw chunks or as record
//! batches decoded by the decoder's [`Driver`]. Both pull: nothing is read from the network
//! until JavaScript asks for the next item, so a consumer that stops reading stops the download
//! (backpressure).
//!
//! The working state is moved out of its cell while a `next()` is in flight, so no borrow is
//! held across an `await`; a second concurrent `next()` is refused.

use crate::prelude::*;
use alloc::rc::Rc;
use core::cell::RefCell;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::AbortController;

use super::body::Body;
use super::globals;
use super::handoff::{column_names, Handoff};
use super::rejection::{promise, Rejection};
use super::stream::StreamReader;
use crate::decode::{BatchSizer, DecodeOptions, Driver, Step};

#[wasm_bindgen(typescript_custom_section)]
const PROGRESS_TS: &str = r#"
/** What `onProgress` is called with, after each chunk of the body is parsed. */
export interface Progress {
  /** Body bytes received so far. */
  bytes: number;
  /** `Content-Length`, or null when unknown (absent, or the body is content-encoded). */
  totalBytes: number | null;
  /** Data rows decoded so far (0 for byte downloads). */
  rows: number;
}
"#;

/// What JavaScript can read about a reader at any time, even while a `next()` is in flight.
#[derive(Default)]
struct Shared {
    bytes: f64,
    total_bytes: Option<f64>,
    rows: f64,
    deprecation: Option<String>,
    columns: Option<JsValue>,
    controller: Option<AbortController>,
    reader: Option<StreamReader>,
    cancelled: bool,
    /// Whether the reader reached the end (`Some(true)`) or failed (`Some(false)`).
    ended: Option<bool>,
}

type SharedCell = Rc<RefCell<Shared>>;

/// The body being read, with the caller's progress callback.
struct Source {
    body: Body,
    on_progress: Option<Function>,
}

impl Source {
    /// The next chunk; what is known of the answer is copied into `shared` first.
    async fn next(&mut self, shared: &SharedCell) -> Result<Option<js_sys::Uint8Array>, Rejection> {
        let chunk = self.body.next().await;
        let mut s = shared.borrow_mut();
        s.bytes = self.body.received();
        s.total_bytes = self.body.total_bytes();
        if s.deprecation.is_none() {
            s.deprecation = self.body.deprecation();
        }
        if s.reader.is_none() && !s.cancelled {
            s.reader = self.body.stream_reader();
        }
        chunk
    }

    /// Calls `onProgress({ bytes, totalBytes, rows })`; what it throws fails the call.
    fn report(&self, shared: &SharedCell) -> Result<(), Rejection> {
        let Some(f) = &self.on_progress else { return Ok(()) };
        let info = Object::new();
        {
            let s = shared.borrow();
            let _ = Reflect::set(&info, &"bytes".into(), &JsValue::from_f64(s.bytes));
            let _ = Reflect::set(&info, &"totalBytes".into(), &s.total_bytes.map_or(JsValue::NULL, JsValue::from_f64));
            let _ = Reflect::set(&info, &"rows".into(), &JsValue::from_f64(s.rows));
        }
        f.call1(&JsValue::UNDEFINED, &info).map(|_| ()).map_err(Rejection::Value)
    }
}

/// Rows of the shapes the decoder meets: numbers short and long, with exponents and signs, empty
/// cells, plain and quoted text with escapes, line breaks and multi-byte characters.
const SAMPLE_ROWS: &[&[u8]] = &[
    b"AC10000001,0.123456789,-1.5e-3,churned,plain text\r\n",
    b"AC10000002,0.9876543210123456,12,renewed,\"quoted, with \"\"quotes\"\"\nand a line\"\r\n",
    b"AC10000003,,+7.25E+2,churned,\"\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80\"\r\n",
    b"AC10000004,1,-0.000001,renewed,\r\n",
];

/// Runs the decoder and the batch layout over a small sample. The engine compiles a wasm
/// function when it is first called: called at instantiation (`Reader.warmUp()`), the compiling
/// is done before the first chunk of a body arrives instead of delaying its first rows.
fn warm_up() {
    let mut driver = Driver::new(DecodeOptions { batch_rows: 20, ..DecodeOptions::default() });
    driver.push(b"id,p,q,label,text\r\n");
    for _ in 0..8 {
        for row in SAMPLE_ROWS {
            driver.push(row);
        }
    }
    driver.end();
    let mut handoff = Handoff::default();
    while driver.next_step() == Step::Batch {
        handoff.lay_out(driver.batch());
    }
}

/// Most bytes of a body chunk copied into the decoder at once. The network may deliver
/// megabytes in one chunk; taken in slices, the first rows are handed out before the rest is
/// copied, each step of parsing stays short and the decoder's input buffer small.
const PUSH_BYTES: u32 = 64 * 1024;

/// Milliseconds of parsing an adaptive batch should take: the hand-off and a consumer that
/// reads every cell take about as long again or twice as long (string cells), so that a
/// batch costs the main thread a few milliseconds, well within a frame.
const BATCH_PARSE_MS: f64 = 2.0;

/// Decoding state of a batch reader: the driver owns the feed/finish loop.
struct Decoding {
    driver: Driver,
    handoff: Handoff,
    /// The part of the last body chunk not yet pushed into the driver.
    rest: Option<js_sys::Uint8Array>,
    /// Whether a chunk was pushed since the last progress report.
    report_pending: bool,
    /// Whether the end of the input was pushed, and reported.
    ended: bool,
    end_reported: bool,
}

impl Decoding {
    /// Copies the decoder's progress (rows, the header once read) into `shared`.
    fn note_progress(&self, shared: &SharedCell) {
        let mut s = shared.borrow_mut();
        s.rows = self.driver.progress().rows_parsed as f64;
        if s.columns.is_none() {
            s.columns = self.driver.columns().map(column_names);
        }
    }

    /// The next batch decoded from `source` as a JS object (its buffer from `spares`, see
    /// [`Handoff::batch`]), or `undefined` at the end.
    async fn next(&mut self, source: &mut Source, shared: &SharedCell, spares: &JsValue) -> Result<JsValue, Rejection> {
        loop {
            let step = self.driver.next_step();
            // After each chunk is parsed, and once at the end of the input (not on a failure).
            let report = match &step {
                Step::NeedInput => core::mem::take(&mut self.report_pending),
                Step::Batch | Step::Done => self.ended && !core::mem::replace(&mut self.end_reported, true),
                Step::Failed(_) => false,
            };
            if report {
                self.note_progress(shared);
                source.report(shared)?;
            }
            match step {
                Step::Batch => {
                    self.note_progress(shared);
                    let columns = shared.borrow().columns.clone().unwrap_or(JsValue::NULL);
                    return Ok(self.handoff.batch(self.driver.batch(), &columns, spares));
                }
                Step::NeedInput => {
                    let chunk = match self.rest.take() {
                        Some(rest) => rest,
                        None => match source.next(shared).await? {
                            Some(chunk) => chunk,
                            None => {
                                self.driver.end();
                                self.ended = true;
                                continue;
                            }
                        },
                    };
                    let length = chunk.length();
                    let slice = if length > PUSH_BYTES {
                        self.rest = Some(chunk.subarray(PUSH_BYTES, length));
                        chunk.subarray(0, PUSH_BYTES)
                    } else {
                        // The chunk's last slice: progress is reported once it is parsed.
                        self.report_pending = true;
                        chunk
                    };
                    self.driver.push_with(slice.length() as usize, |room| slice.copy_to(room));
                }
                Step::Done => return Ok(JsValue::UNDEFINED),
                Step::Failed(error) => return Err(error.into()),
            }
        }
    }
}

/// What a reader works on: the body, decoded into batches unless it is read as raw chunks.
struct Work {
    source: Source,
    decoding: Option<Box<Decoding>>,
}

impl Work {
    async fn next(&mut self, shared: &SharedCell, spares: &JsValue) -> Result<JsValue, Rejection> {
        match &mut self.decoding {
            Some(decoding) => decoding.next(&mut self.source, shared, spares).await,
            None => match self.source.next(shared).await? {
                Some(chunk) => self.source.report(shared).map(|()| chunk.into()),
                None => Ok(JsValue::UNDEFINED),
            },
        }
    }
}

fn cancel_shared(shared: &SharedCell, reason: &JsValue) {
    let (controller, reader) = {
        let mut s = shared.borrow_mut();
        s.cancelled = true;
        (s.controller.take(), s.reader.take())
    };
    if let Some(reader) = reader {
        // The promise rejects when the body has already failed; that outcome is known.
        globals::ignore_rejection(&reader.cancel_with_reason(reason));
    }
    if let Some(controller) = controller {
        controller.abort_with_reason(reason);
    }
}

/// Reads a dataset file while it downloads: its raw chunks (`Uint8Array`) or its record
/// batches, one per `next()`.
#[wasm_bindgen]
pub struct Reader {
    work: Rc<RefCell<Option<Work>>>,
    shared: SharedCell,
}

impl Reader {
    /// A reader of the body's raw chunks.
    pub fn bytes(body: Body, on_progress: Option<Function>) -> Reader {
        Reader::new(Work { source: Source { body, on_progress }, decoding: None })
    }

    /// A reader of record batches decoded from the body: of `options.batch_rows` rows when
    /// `fixed`, else sized adaptively up to that many (the first after the first chunk).
    pub fn batches(mut body: Body, on_progress: Option<Function>, options: DecodeOptions, fixed: bool) -> Reader {
        // Each chunk is copied into the decoder before the next is read.
        body.reuse_chunks();
        let driver = if fixed {
            Driver::new(options)
        } else {
            let sizer = BatchSizer::with_target(options.batch_rows, BATCH_PARSE_MS);
            Driver::with_sizer(options, sizer, globals::monotonic_ms)
        };
        let decoding = Decoding {
            driver,
            handoff: Handoff::default(),
            rest: None,
            report_pending: false,
            ended: false,
            end_reported: false,
        };
        Reader::new(Work { source: Source { body, on_progress }, decoding: Some(Box::new(decoding)) })
    }

    fn new(work: Work) -> Reader {
        let controller = work.source.body.controller();
        let shared = Rc::new(RefCell::new(Shared { controller: Some(controller), ..Shared::default() }));
        Reader { work: Rc::new(RefCell::new(Some(work))), shared }
    }
}

#[wasm_bindgen]
impl Reader {
    /// Runs the decoder once over a small sample, so that its code is compiled before the first
    /// body arrives (the package entry calls it when it instantiates the module).
    #[wasm_bindgen(js_name = warmUp)]
    pub fn warm_up() {
        warm_up();
    }

    /// Resolves to the next item (a raw batch object or a `Uint8Array`), or `undefined` at
    /// the end; a batch's buffer comes from `spares.buffer(n)` when `spares` is an object
    /// (`js/spares.js`). The working state is moved out while the read is in flight and put
    /// back after; a failure or a cancellation drops it, which releases the connection.
    pub fn next(&self, spares: JsValue) -> Promise {
        let cell = self.work.clone();
        let shared = self.shared.clone();
        promise(async move {
            let ended = {
                let s = shared.borrow();
                if s.cancelled {
                    Some(true)
                } else {
                    s.ended
                }
            };
            match ended {
                Some(true) => return Ok(JsValue::UNDEFINED),
                Some(false) => return Err(Rejection::Value(js_sys::Error::new("this reader has failed").into())),
                None => {}
            }
            let Some(mut work) = cell.borrow_mut().take() else {
                return Err(Rejection::Value(
                    js_sys::Error::new("a read is already in progress on this reader").into(),
                ));
            };
            let result = work.next(&shared, &spares).await;
            // At the end, on a failure or after a cancellation the working state (decoder
            // buffers, the body reader) is dropped at once, not when JavaScript's garbage
            // collector frees the reader.
            match &result {
                Err(_) => {
                    work.source.body.stop();
                    shared.borrow_mut().ended = Some(false);
                }
                Ok(item) if item.is_undefined() => shared.borrow_mut().ended = Some(true),
                Ok(_) if shared.borrow().cancelled => {}
                Ok(_) => *cell.borrow_mut() = Some(work),
            }
            result
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
    pub fn deprecation(&self) -> Option<js_sys::JsString> {
        self.shared.borrow().deprecation.as_deref().map(Into::into)
    }
}
