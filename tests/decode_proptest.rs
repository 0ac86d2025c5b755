//! Differential property tests: random CSV decoded with random chunk and batch sizes must
//! give the same header and cells as the `csv` crate reading it in one piece.

mod decode_support;

use decode_support::reference::check_against_csv;
use decode_support::{adaptive_driver, assert_same_cells, decode_chunks, decode_chunks_flushing, drive};
use proptest::prelude::*;
use qlik_automl_predictions::decode::{DecodeOptions, Driver};

/// A field: number-like or drawn from an alphabet with every CSV special character,
/// spaces and 2-, 3- and 4-byte characters.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        "[-+]?[0-9]{1,4}(\\.[0-9]{0,3})?([eE]-?[0-9])?",
        "[-+]?\\.[0-9]{1,3}",
        "[,\"\n\r aZ0-9.e\\-é€😀]{0,6}",
        Just(String::new()),
    ]
}

/// Writes a field, quoting it when needed or when `force` is set.
fn write_field(out: &mut String, field: &str, force: bool) {
    if force || field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// A random CSV file: header plus rows of the header's width, random quoting, random line
/// endings, optional BOM and final line break.
fn csv_file() -> impl Strategy<Value = Vec<u8>> {
    (1usize..5)
        .prop_flat_map(|width| {
            (
                prop::collection::vec((prop::collection::vec((field(), any::<bool>()), width), 0usize..3), 1..14),
                any::<bool>(),
                any::<bool>(),
            )
        })
        .prop_map(|(rows, bom, final_break)| {
            let mut out = String::new();
            if bom {
                out.push('\u{feff}');
            }
            let n = rows.len();
            for (i, (fields, ending)) in rows.into_iter().enumerate() {
                for (j, (f, force)) in fields.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    write_field(&mut out, f, *force);
                }
                if i + 1 < n || final_break {
                    out.push_str(["\n", "\r\n", "\r"][ending]);
                }
            }
            out.into_bytes()
        })
}

/// Splits `input` into chunks whose sizes cycle through `sizes` (0 included).
fn chunk<'a>(input: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut rest = input;
    let mut sizes = sizes.iter().cycle();
    let total: usize = sizes.clone().take(64).sum();
    while !rest.is_empty() {
        let n = if total == 0 { 1 } else { *sizes.next().unwrap_or(&1) };
        let (a, b) = rest.split_at(n.min(rest.len()));
        chunks.push(a);
        rest = b;
    }
    chunks
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn same_cells_as_the_csv_crate(
        input in csv_file(),
        sizes in prop::collection::vec(0usize..40, 1..6),
        batch_rows in prop_oneof![1usize..5, Just(1000)],
        infer in prop::bool::weighted(0.8),
    ) {
        let options = DecodeOptions { batch_rows, infer_types: infer, ..DecodeOptions::default() };
        let ours = decode_chunks(&chunk(&input, &sizes), &options);
        prop_assert!(ours.error.is_none(), "unexpected error {:?}", ours.error);
        check_against_csv(&input, &options, &ours);
    }

    /// Arbitrary bytes (invalid UTF-8, open quotes, ragged rows, lookalike BOMs, tight
    /// limits): no panic, the same result in any chunking, through the driver, and with
    /// flushes at random points or adaptive batch sizes the same cells; the header and rows
    /// of the `csv` crate up to an error that the record where it is reported justifies.
    #[test]
    fn arbitrary_bytes_decode_consistently(
        input in prop::collection::vec(
            prop::sample::select(&b",\"\n\r a1.\xc3\xa9\xff\xef\xbb\xbf"[..]), 0..60),
        sizes in prop::collection::vec(0usize..8, 1..6),
        batch_rows in 1usize..4,
        flexible in any::<bool>(),
        max_field_bytes in prop_oneof![2usize..6, Just(1 << 20)],
        max_row_bytes in prop_oneof![4usize..12, Just(1 << 20)],
        max_columns in prop_oneof![1usize..4, Just(100_000)],
        infer_types in prop::bool::weighted(0.8),
        flushes in any::<u64>(),
    ) {
        let options = DecodeOptions {
            batch_rows, flexible, max_field_bytes, max_row_bytes, max_columns, infer_types,
        };
        let whole = decode_chunks(&[&input], &options);
        let chunks = chunk(&input, &sizes);
        prop_assert_eq!(&decode_chunks(&chunks, &options), &whole);
        prop_assert_eq!(&drive(Driver::new(options.clone()), &chunks), &whole);
        assert_same_cells(&whole, &decode_chunks_flushing(&chunks, &options, &|i| flushes >> (i % 64) & 1 == 1));
        assert_same_cells(&whole, &drive(adaptive_driver(&options, 0.0), &chunks));
        check_against_csv(&input, &options, &whole);
    }
}
