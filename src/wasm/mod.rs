//! The `#[wasm_bindgen]` layer: performs what the core decides (`fetch`, timers, abort
//! signals), feeds response bodies to the decoder's driver, and hands batches to JavaScript.
//! The package entry (`js/index.js`) wraps these exports into the public API.
//!
//! Imports go one way, each module using only those above it:
//! - `globals`: bindings to `fetch`, timers, clocks, the page's location;
//! - `rejection`: the crate's errors as JavaScript values;
//! - `arguments`: the configuration and call options read from JavaScript (and their types);
//! - `control`: one call's abort and timeout plumbing;
//! - `stream`: reading a body stream under that control;
//! - `context`: what a client's calls share, lent to each step of a call;
//! - `fetch`: performs a call's steps until its answer;
//! - `body`: reads an answer's body;
//! - `handoff`: one decoded batch to JavaScript;
//! - `reader`: the `Reader` export (bytes or batches, pulled);
//! - `source`: `Reader.fromSource`, the reader of a CSV source of the caller's (`parseCsv`);
//! - `client`: the `Client` export.

mod arguments;
mod body;
mod client;
mod context;
mod control;
mod fetch;
mod globals;
mod handoff;
mod reader;
mod rejection;
mod source;
mod stream;
