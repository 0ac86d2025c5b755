//! Incremental CSV decoding into columnar batches.
//!
//! [`Decoder`] takes the input in chunks of any size and hands out [`Batch`]es of up to
//! `batch_rows` rows, one [`Column`] per header column, each either all numbers (`f64`,
//! NaN for empty cells) or all text (concatenated UTF-8 with byte and UTF-16 end offsets).
//!
//! Most rows go straight from the input into the batch's columns, read 8 bytes per step
//! ([`simple::push_row`]). The others (the header, the first row of each batch, rows with
//! quotes csv-core must resolve, bad rows) are read by `csv_core::Reader::read_record`, which
//! writes the record's unescaped bytes into an arena and the end of each field into a
//! parallel buffer; the record is then checked (size limits, UTF-8, field count) and
//! appended to the batch's columns right away, and the next record reuses the same space.
//!
//! A record with a cell that is not a number in a column that is a Number column in the
//! batch so far ends the batch before it, and starts the next one, where that column is
//! String: a column only ever turns String at the first row of a batch, so no earlier cell
//! has to be rebuilt from its text, and the arena holds one record, not the batch's.
//!
//! Memory is bounded by the batch size and the largest record: the arena and the column
//! buffers are cleared, not freed, between batches.
//!
//! [`Driver`] owns the feed/finish loop over pushed chunks (and, optionally, sizes batches by
//! time with a [`BatchSizer`]); callers use it rather than calling `feed` and `finish`.
//!
//! Modules: `options` (settings), `error`, `number`, `lines`, `record` (a finished record's
//! checks), `arena` (the record csv-core is reading), `batch` (columns), `simple` (plain rows
//! straight into the columns), `decoder` (the [`Decoder`]), `sizing` (adaptive batch sizes)
//! and `driver` (the loop); each imports only those before it. `layout` (the layout in which
//! a batch crosses to JavaScript) comes after them all.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

mod prelude;

mod arena;
mod batch;
mod decoder;
mod driver;
mod error;
mod lines;
mod number;
mod options;
mod record;
mod simple;
mod sizing;

pub mod layout;

pub use batch::{Batch, Column, ColumnKind};
pub use decoder::{Decoder, Feed};
pub use driver::{Driver, Progress, Step};
pub use error::{push_uint, DecodeError, DecodeErrorKind};
pub use options::DecodeOptions;
pub use sizing::{BatchSizer, FIRST_BATCH_ROWS, MAX_GROWTH, TARGET_BATCH_MS};
