//! Streaming client for the Qlik Cloud AutoML predictions API.
//!
//! The core is plain Rust and builds natively:
//! - [`decode`]: incremental CSV decoding into columnar record batches;
//! - [`http`]: request building, response classification, retry and rate-limit policy.
//!
//! The `wasm` module (only on `wasm32`) is the thin `#[wasm_bindgen]` layer that drives
//! `fetch` and hands batches to JavaScript.

pub mod decode;
pub mod http;

#[cfg(target_arch = "wasm32")]
mod wasm;
