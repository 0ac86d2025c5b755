//! What the std prelude gives and a `no_std` build (wasm32, see the crate root) takes from
//! `alloc`: imported by every module that uses it, the same natively. Not every item is used
//! in every build (some only in wasm32 code), hence the `allow`.

#![allow(unused_imports)]

pub use alloc::borrow::ToOwned;
pub use alloc::boxed::Box;
pub use alloc::string::{String, ToString};
pub use alloc::vec::Vec;
