//! Streaming client for the Qlik Cloud AutoML predictions API.
//!
//! The core is plain Rust and builds natively:
//! - [`decode`]: incremental CSV decoding into columnar record batches (the
//!   `qlik-automl-decode` crate, crates/decode, compiled for speed while the rest is compiled
//!   for size);
//! - [`http`]: endpoints, host configuration, one API call as a state machine, retry and
//!   rate-limit policy;
//! - [`error`]: the crate's one error type, convertible from each layer's;
//! - [`layout`]: the layout in which a decoded batch crosses to JavaScript (in the decoder's
//!   crate: it runs once per batch).
//!
//! The `wasm` module (only on `wasm32`) is the thin `#[wasm_bindgen]` layer that performs what
//! the core decides (`fetch`, timers, abort signals) and hands batches to JavaScript. Imports
//! go one way: `wasm` → `error`, `layout` → `http`, `decode`.
//!
//! The wasm build is `no_std` (without the `std` feature): what std adds there is its panic
//! hook and the plumbing of panic messages, which no one reads once the module has trapped
//! (about 1 KB of the gzipped module). A panic traps (`unreachable`) instead.

#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]

extern crate alloc;

mod prelude;

pub use qlik_automl_decode as decode;
pub use qlik_automl_decode::layout;
pub mod error;
pub mod http;

#[cfg(target_arch = "wasm32")]
mod wasm;

/// The allocator of the wasm build: Talc, smaller and faster on wasm than the default dlmalloc.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Without std, a panic traps at once: the module is unusable after a panic either way (no
/// unwinding; `panic = "abort"`), and nothing panics on what input, the network or JavaScript
/// can influence.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
