//! The `#[wasm_bindgen]` layer: binds the global `fetch` and timers, drives requests with the
//! pure policies of [`crate::http`], feeds response bodies to [`crate::decode`], and hands
//! batches to JavaScript. The package entry (`js/index.js`) wraps these exports into the public
//! API (`PredictionsClient`, `RecordBatch`, the error classes).

mod batch;
mod client;
mod failure;
mod glue;
mod options;
mod reader;
mod request;
