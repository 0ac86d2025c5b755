//! Random bytes through the decoder, split at random points, with random options (batch
//! sizes, flexible rows, type inference, small limits) and random flushes, through the
//! decoder and the driver (fixed and adaptive batches): never a panic, the same result in
//! every chunking and batching, and the header, rows and error that the `csv` crate's
//! reading of the same bytes calls for (tests/decode_support/reference.rs).
//!
//! Input layout: 8 control bytes, then the CSV bytes.
//! - byte 0: `batch_rows` (`b % 16`, 0 meaning 1000);
//! - byte 1: flags: 1 flexible, 2 no type inference, 4 small limits, 8 flush after every
//!   chunk (else after the chunks picked by bytes 6 and 7);
//! - bytes 2, 3, 4: with small limits, `max_field_bytes` (`b % 32 + 1`), `max_row_bytes`
//!   (`b % 64 + 1`), `max_columns` (`b % 8 + 1`);
//! - byte 5: seed of the chunk sizes (0 to 15 bytes, 0 included);
//! - bytes 6, 7: which chunks are followed by a flush.
//!
//! The seeds in fuzz/seeds/ are written by hand with ASCII digits as control bytes ('0' is
//! 0x30: 1000-row batches, no flags, ...).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qlik_automl_predictions::decode::{DecodeOptions, Driver};

#[path = "../../tests/decode_support/mod.rs"]
mod decode_support;

use decode_support::reference::check_against_csv;
use decode_support::{adaptive_driver, assert_same_cells, decode_chunks, decode_chunks_flushing, drive};

fn options(control: &[u8; 8]) -> DecodeOptions {
    let [rows, flags, field, row, columns, ..] = *control;
    let small = flags & 4 != 0;
    DecodeOptions {
        batch_rows: match rows % 16 {
            0 => 1000,
            n => usize::from(n),
        },
        flexible: flags & 1 != 0,
        infer_types: flags & 2 == 0,
        max_field_bytes: if small { usize::from(field % 32) + 1 } else { 16 << 20 },
        max_row_bytes: if small { usize::from(row % 64) + 1 } else { 16 << 20 },
        max_columns: if small { usize::from(columns % 8) + 1 } else { 100_000 },
    }
}

/// Splits `data` into chunks of 0 to 15 bytes drawn from `seed` (xorshift).
fn chunks(data: &[u8], seed: u8) -> Vec<&[u8]> {
    let mut state = u32::from(seed).wrapping_mul(0x9E37_79B9) | 1;
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = (state % 16) as usize;
        let (a, b) = rest.split_at(n.min(rest.len()));
        out.push(a);
        rest = b;
    }
    out
}

fuzz_target!(|input: &[u8]| {
    let Some((control, data)) = input.split_first_chunk::<8>() else { return };
    let options = options(control);
    let whole = decode_chunks(&[data], &options);
    let parts = chunks(data, control[5]);
    assert_eq!(decode_chunks(&parts, &options), whole, "chunked");
    assert_eq!(drive(Driver::new(options.clone()), &parts), whole, "driver");
    let mask = u16::from_le_bytes([control[6], control[7]]);
    let every = control[1] & 8 != 0;
    let flushed = decode_chunks_flushing(&parts, &options, &|i| every || mask >> (i % 16) & 1 == 1);
    assert_same_cells(&whole, &flushed);
    assert_same_cells(&whole, &drive(adaptive_driver(&options, 0.25), &parts));
    check_against_csv(data, &options, &whole);
});
