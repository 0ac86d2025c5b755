//! Decoder behaviour on hand-written inputs. Every input goes through every chunking path
//! (one piece, every two-way split with and without empty chunks, 1-byte chunks) and
//! several batch sizes, and all must agree.

mod decode_support;

use decode_support::{assert_same_cells, decode_all_paths, options, Decoded};
use qlik_automl_predictions::decode::{DecodeErrorKind, DecodeOptions};

/// Decodes `input` on every path with batch sizes 1000, 1, 2 and 3; checks the rendering of
/// the batch-size-1000 decode against `expected` and that the others hold the same cells.
fn check_with(input: &[u8], base: DecodeOptions, expected: &str) -> Decoded {
    let big = decode_all_paths(input, &DecodeOptions { batch_rows: 1000, ..base.clone() });
    assert_eq!(big.render(), expected, "input {:?}", String::from_utf8_lossy(input));
    for batch_rows in [1, 2, 3] {
        let small = decode_all_paths(input, &DecodeOptions { batch_rows, ..base.clone() });
        assert_same_cells(&big, &small);
    }
    big
}

fn check(input: &str, expected: &str) -> Decoded {
    check_with(input.as_bytes(), DecodeOptions::default(), expected)
}

// ---- structure ----

#[test]
fn quoted_fields_with_commas_quotes_and_newlines() {
    check(
        "name,note\n\"Smith, John\",\"He said \"\"hi\"\"\"\n\"multi\nline\",\"crlf\r\ninside\"\n\"\",x\n",
        "columns: [\"name\", \"note\"]\n\
         batch @0 x3: S[\"Smith, John\", \"multi\\nline\", \"\"] | S[\"He said \\\"hi\\\"\", \"crlf\\r\\ninside\", \"x\"]\n",
    );
}

#[test]
fn quoted_header_and_quoted_numbers() {
    check("\"a,1\",\"b\"\"\"\n\"1\",\"-2\"\n", "columns: [\"a,1\", \"b\\\"\"]\nbatch @0 x1: N[1.0] | N[-2.0]\n");
}

#[test]
fn line_endings() {
    let expected = "columns: [\"a\", \"b\"]\nbatch @0 x2: N[1.0, 3.0] | N[2.0, 4.0]\n";
    check("a,b\n1,2\n3,4\n", expected);
    check("a,b\r\n1,2\r\n3,4\r\n", expected);
    check("a,b\r1,2\r3,4\r", expected);
    check("a,b\r\n1,2\r3,4\n", expected);
    // Blank lines of every kind are skipped.
    check("\n\r\na,b\r\r\n\n1,2\n\r\n\r3,4\n\n", expected);
}

#[test]
fn last_record_without_line_break() {
    check("a,b\n1,2\n3,4", "columns: [\"a\", \"b\"]\nbatch @0 x2: N[1.0, 3.0] | N[2.0, 4.0]\n");
    check("a,b\n1,\"x\"", "columns: [\"a\", \"b\"]\nbatch @0 x1: N[1.0] | S[\"x\"]\n");
    check("a,b\n1,", "columns: [\"a\", \"b\"]\nbatch @0 x1: N[1.0] | N[NaN]\n");
}

#[test]
fn empty_body() {
    check("", "columns: none\n");
    check("\n\r\n\r", "columns: none\n");
    check("\u{feff}", "columns: none\n");
}

#[test]
fn header_only() {
    for input in ["a,b", "a,b\n", "a,b\r\n", "a,b\r\n\r\n\n"] {
        check(input, "columns: [\"a\", \"b\"]\n");
    }
    check("x", "columns: [\"x\"]\n");
    check("\"\"", "columns: [\"\"]\n");
}

#[test]
fn bom_is_stripped_in_any_chunking() {
    check("\u{feff}a,b\n1,x\n", "columns: [\"a\", \"b\"]\nbatch @0 x1: N[1.0] | S[\"x\"]\n");
    check("\u{feff}a", "columns: [\"a\"]\n");
    // Only the first BOM is one; a second is data.
    check("\u{feff}\u{feff}a\n1\n", "columns: [\"\\u{feff}a\"]\nbatch @0 x1: N[1.0]\n");
}

#[test]
fn bom_lookalikes_keep_their_bytes() {
    // U+FFFD is EF BF BD: it leaves the BOM after one byte.
    check("\u{fffd}x,y\n1,2\n", "columns: [\"\u{fffd}x\", \"y\"]\nbatch @0 x1: N[1.0] | N[2.0]\n");
    // U+FEFB is EF BB BB: it leaves the BOM after two bytes.
    check("\u{fefb}\n\u{fefb}\n", "columns: [\"\u{fefb}\"]\nbatch @0 x1: S[\"\u{fefb}\"]\n");
    check("\u{fefb}", "columns: [\"\u{fefb}\"]\n");
    // Bodies shorter than a BOM that start like one: the bytes are kept (and are not UTF-8).
    for input in [&b"\xef"[..], b"\xef\xbb"] {
        let d = check_with(input, DecodeOptions::default(), "columns: none\nerror: InvalidUtf8 at line 1, byte 0\n");
        assert!(d.batches.is_empty());
    }
}

#[test]
fn multibyte_utf8_and_utf16_ends() {
    // 2-, 3- and 4-byte characters; utf16_ends are checked against encode_utf16 for every
    // batch by the helper.
    check(
        "é,€,😀\nçà,x€y,a😀b😀\n\"é,\"\"€\",,😀\n",
        "columns: [\"é\", \"€\", \"😀\"]\n\
         batch @0 x2: S[\"çà\", \"é,\\\"€\"] | S[\"x€y\", \"\"] | S[\"a😀b😀\", \"😀\"]\n",
    );
}

// ---- types ----

#[test]
fn numeric_text_mixed_and_empty_columns() {
    check(
        "n,s,m,e\n1,x,1,\n-2.5,y,z,\n.5,,3,\n1e-7,w,,\n+3,v,007,\n",
        "columns: [\"n\", \"s\", \"m\", \"e\"]\n\
         batch @0 x1: N[1.0] | S[\"x\"] | N[1.0] | N[NaN]\n\
         batch @1 x4: N[-2.5, 0.5, 1e-7, 3.0] | S[\"y\", \"\", \"w\", \"v\"] | S[\"z\", \"3\", \"\", \"007\"] | \
         N[NaN, NaN, NaN, NaN]\n",
    );
}

#[test]
fn number_lookalikes_are_text() {
    for cell in ["inf", "NaN", "Infinity", "-inf", "0x10", " 1", "1 ", "1_000", "1,5", "e5", "1e", "."] {
        let input = format!("a\n1\n\"{cell}\"\n");
        let expected = format!("columns: [\"a\"]\nbatch @0 x1: N[1.0]\nbatch @1 x1: S[{cell:?}]\n");
        check(&input, &expected);
    }
    check("a\n007\n", "columns: [\"a\"]\nbatch @0 x1: N[7.0]\n");
}

#[test]
fn string_is_sticky_across_batches() {
    let input = "a,b\n1,1\nx,2\n,3\n,4\n5,5\n";
    let d = decode_all_paths(input.as_bytes(), &options(2));
    assert_eq!(
        d.render(),
        "columns: [\"a\", \"b\"]\n\
         batch @0 x1: N[1.0] | N[1.0]\n\
         batch @1 x2: S[\"x\", \"\"] | N[2.0, 3.0]\n\
         batch @3 x2: S[\"\", \"5\"] | N[4.0, 5.0]\n"
    );
    // A column that has only been empty so far is still a number column.
    let d = decode_all_paths("a,b\n,1\n,2\nx,3\n".as_bytes(), &options(2));
    assert_eq!(
        d.render(),
        "columns: [\"a\", \"b\"]\n\
         batch @0 x2: N[NaN, NaN] | N[1.0, 2.0]\n\
         batch @2 x1: S[\"x\"] | N[3.0]\n"
    );
}

#[test]
fn column_turns_string_at_the_start_of_a_batch() {
    // The record that turns the column String ends the batch before it and starts the next:
    // the earlier cells stay numbers in their batch, the later ones keep their spelling.
    check(
        "a\n007\n1e3\n\n-0\nx\n2\n",
        "columns: [\"a\"]\nbatch @0 x3: N[7.0, 1000.0, -0.0]\nbatch @3 x2: S[\"x\", \"2\"]\n",
    );
    // On the first row of a batch, nothing is cut.
    check("a\nx\n007\n", "columns: [\"a\"]\nbatch @0 x2: S[\"x\", \"007\"]\n");
}

#[test]
fn columns_turn_string_one_after_another() {
    // "a" turns String on row 2, "b" on row 3, "c" on row 4: each of those rows starts a
    // batch; a column String once stays String.
    check(
        "a,b,c\n1,2.50,3\nx,+3,4\ny,z,05\n5,6,w\n7,8,9\n",
        "columns: [\"a\", \"b\", \"c\"]\n\
         batch @0 x1: N[1.0] | N[2.5] | N[3.0]\n\
         batch @1 x1: S[\"x\"] | N[3.0] | N[4.0]\n\
         batch @2 x1: S[\"y\"] | S[\"z\"] | N[5.0]\n\
         batch @3 x2: S[\"5\", \"7\"] | S[\"6\", \"8\"] | S[\"w\", \"9\"]\n",
    );
}

#[test]
fn inference_off_keeps_text() {
    check_with(
        b"a,b\n1,\n2.5,x\n",
        DecodeOptions { infer_types: false, ..DecodeOptions::default() },
        "columns: [\"a\", \"b\"]\nbatch @0 x2: S[\"1\", \"2.5\"] | S[\"\", \"x\"]\n",
    );
}

#[test]
fn flexible_pads_and_truncates() {
    check_with(
        b"a,b,c\n1\n1,2,3,4\n1,2\n\"x\",,,,,\n",
        DecodeOptions { flexible: true, ..DecodeOptions::default() },
        "columns: [\"a\", \"b\", \"c\"]\n\
         batch @0 x3: N[1.0, 1.0, 1.0] | N[NaN, 2.0, 2.0] | N[NaN, 3.0, NaN]\n\
         batch @3 x1: S[\"x\"] | N[NaN] | N[NaN]\n",
    );
}

// ---- errors ----

/// Decodes on every path and batch size; checks the error and the rows delivered before it.
fn check_error(input: &[u8], base: DecodeOptions, kind: DecodeErrorKind, line: u64, byte: u64, rows_before: usize) {
    for batch_rows in [1000, 1, 2, 3] {
        let d = decode_all_paths(input, &DecodeOptions { batch_rows, ..base.clone() });
        let e = d.error.as_ref().expect("an error");
        assert_eq!((&e.kind, e.line, e.byte_offset), (&kind, line, byte), "batch_rows {batch_rows}");
        assert_eq!(d.rows(), rows_before, "rows before the error");
    }
}

fn offset_of(input: &str, needle: &str) -> u64 {
    input.find(needle).expect("needle") as u64
}

#[test]
fn invalid_utf8_in_header() {
    check_error(b"a\xff,b\n1,2\n", DecodeOptions::default(), DecodeErrorKind::InvalidUtf8, 1, 0, 0);
    check_error(b"\xef\xbb\xbf\n\na\xff\n", DecodeOptions::default(), DecodeErrorKind::InvalidUtf8, 3, 5, 0);
    let d = decode_all_paths(b"a\xff,b\n1,2\n", &options(1000));
    assert_eq!(d.columns, None);
}

#[test]
fn invalid_utf8_in_a_row() {
    let input = b"a,b\n1,2\n3,4\nx,\xc3\n5,6\n";
    check_error(input, DecodeOptions::default(), DecodeErrorKind::InvalidUtf8, 4, 12, 2);
    let d = decode_all_paths(input, &options(1000));
    assert_eq!(
        d.render(),
        "columns: [\"a\", \"b\"]\nbatch @0 x2: N[1.0, 3.0] | N[2.0, 4.0]\nerror: InvalidUtf8 at line 4, byte 12\n"
    );
}

#[test]
fn invalid_utf8_split_over_two_fields() {
    // "é" is C3 A9; as two fields each half is invalid even though the bytes join up.
    check_error(b"a,b\n\xc3,\xa9\n", DecodeOptions::default(), DecodeErrorKind::InvalidUtf8, 2, 4, 0);
    check_error(b"a,b\n1,2\n\"\xc3\",\"\xa9\"", DecodeOptions::default(), DecodeErrorKind::InvalidUtf8, 3, 8, 1);
}

#[test]
fn too_many_fields() {
    let input = "a,b\n1,2\n1,2,3\n4,5\n";
    check_error(
        input.as_bytes(),
        DecodeOptions::default(),
        DecodeErrorKind::FieldCount { expected: 2, found: 3 },
        3,
        8,
        1,
    );
}

#[test]
fn too_few_fields_after_a_multiline_field() {
    let input = "a,b\n\"x\ny\",1\r\n\r\n2\n3,4\n";
    check_error(
        input.as_bytes(),
        DecodeOptions::default(),
        DecodeErrorKind::FieldCount { expected: 2, found: 1 },
        5,
        offset_of(input, "2\n"),
        1,
    );
}

#[test]
fn field_count_with_lone_cr_lines() {
    // Lines: "a,b" | "" | "1,2" | "" (CR, then CRLF) | "3".
    let input = "a,b\r\r1,2\r\r\n3\n";
    check_error(
        input.as_bytes(),
        DecodeOptions::default(),
        DecodeErrorKind::FieldCount { expected: 2, found: 1 },
        5,
        offset_of(input, "3"),
        1,
    );
}

#[test]
fn field_count_in_last_record_without_line_break() {
    let input = "a,b\n1,2\n3";
    check_error(
        input.as_bytes(),
        DecodeOptions::default(),
        DecodeErrorKind::FieldCount { expected: 2, found: 1 },
        3,
        8,
        1,
    );
}

#[test]
fn field_too_large() {
    let limited = DecodeOptions { max_field_bytes: 4, ..DecodeOptions::default() };
    // Sizes are of the unescaped field: "a""b" is 3 bytes.
    let input = "a,b\nabcd,\"a\"\"b\"\n\"x\ny\",1\nabcde,1\n";
    check_error(
        input.as_bytes(),
        limited.clone(),
        DecodeErrorKind::FieldTooLarge { limit: 4 },
        5,
        offset_of(input, "abcde"),
        2,
    );
    // A field much larger than the limit is caught while it is read.
    let mut big = b"a\n1\n\"".to_vec();
    big.extend(std::iter::repeat(b'z').take(300));
    big.extend_from_slice(b"\"\n2\n");
    check_error(&big, limited.clone(), DecodeErrorKind::FieldTooLarge { limit: 4 }, 3, 4, 1);
    // The header is checked too.
    check_error(b"abcde\n1\n", limited, DecodeErrorKind::FieldTooLarge { limit: 4 }, 1, 0, 0);
}

#[test]
fn row_too_large() {
    let limited = DecodeOptions { max_row_bytes: 8, ..DecodeOptions::default() };
    // "1234,567" is 8 bytes (separators count); "1234,5678" is 9.
    let input = "a,b\n1234,567\n1234,5678\n";
    check_error(input.as_bytes(), limited.clone(), DecodeErrorKind::RowTooLarge { limit: 8 }, 3, 13, 1);
    // Empty fields still count their separators.
    let input = "a\n1\n,,,,,,,,,\n";
    check_error(
        input.as_bytes(),
        DecodeOptions { flexible: true, ..limited.clone() },
        DecodeErrorKind::RowTooLarge { limit: 8 },
        3,
        4,
        1,
    );
    // Crossing the row limit before any field limit reports the row.
    let both = DecodeOptions { max_field_bytes: 6, max_row_bytes: 8, ..DecodeOptions::default() };
    check_error(b"a,b\n12345,1234567\n", both.clone(), DecodeErrorKind::RowTooLarge { limit: 8 }, 2, 4, 0);
    check_error(b"a,b\n1,1234567\n", both, DecodeErrorKind::FieldTooLarge { limit: 6 }, 2, 4, 0);
}

#[test]
fn too_many_columns() {
    let limited = DecodeOptions { max_columns: 3, ..DecodeOptions::default() };
    // The header is checked first: a 4-field header fails before any row.
    check_error(b"a,b,c,d\n1,2,3,4\n", limited.clone(), DecodeErrorKind::TooManyColumns { limit: 3 }, 1, 0, 0);
    // At the limit is fine.
    check_with(
        b"a,b,c\n1,2,3\n",
        limited.clone(),
        "columns: [\"a\", \"b\", \"c\"]\nbatch @0 x1: N[1.0] | N[2.0] | N[3.0]\n",
    );
    // A flexible row with too many fields fails too (its extra fields would be dropped, but
    // are not stored first); the rows before it are delivered.
    let flexible = DecodeOptions { flexible: true, ..limited.clone() };
    check_error(b"a,b\n1,2\n1,2,3,4,5\n", flexible, DecodeErrorKind::TooManyColumns { limit: 3 }, 3, 8, 1);
    // The limit crossed first in the record is reported, in every chunking and batching:
    // a field over its size before the field count is crossed, or after.
    let both = DecodeOptions { max_field_bytes: 4, max_columns: 3, flexible: true, ..DecodeOptions::default() };
    let input = b"a\n1\n1,abcdefghijklmnopqrstuvwxyz,2,3,4\n";
    check_error(input, both.clone(), DecodeErrorKind::FieldTooLarge { limit: 4 }, 3, 4, 1);
    let input = b"a\n1\n1,2,3,abcdefghijklmnopqrstuvwxyz\n";
    check_error(input, both, DecodeErrorKind::TooManyColumns { limit: 3 }, 3, 4, 1);
    // A header of only separators, far over the limit, with no line break.
    let wide = ",".repeat(5000);
    check_error(wide.as_bytes(), limited, DecodeErrorKind::TooManyColumns { limit: 3 }, 1, 0, 0);
}

#[test]
fn unterminated_quote() {
    let input = "a,b\n1,2\n3,\"abc\n4,5\n";
    check_error(input.as_bytes(), DecodeOptions::default(), DecodeErrorKind::UnterminatedQuote, 3, 8, 1);
    check_error(b"\"a,b\n", DecodeOptions::default(), DecodeErrorKind::UnterminatedQuote, 1, 0, 0);
    // An escaped quote at the very end leaves the field open.
    check_error(b"a,b\n1,\"x\"\"", DecodeOptions::default(), DecodeErrorKind::UnterminatedQuote, 2, 4, 0);
    // A closing quote at the very end does not.
    check("a,b\n1,\"x\"", "columns: [\"a\", \"b\"]\nbatch @0 x1: N[1.0] | S[\"x\"]\n");
    check("a,b\n1,\"x\"\"\"", "columns: [\"a\", \"b\"]\nbatch @0 x1: N[1.0] | S[\"x\\\"\"]\n");
}

#[test]
fn a_limit_crossed_in_an_open_quote_comes_first() {
    // The open record is over the row limit: that is reported, not the quote left open at
    // the end, however large the buffers were while it was read.
    let limited = DecodeOptions { max_row_bytes: 8, ..DecodeOptions::default() };
    check_error(b"a\n1\n\"abcdefghijkl", limited.clone(), DecodeErrorKind::RowTooLarge { limit: 8 }, 3, 4, 1);
    check_error(b"a,b\n1,\"abcdefghijkl\n", limited.clone(), DecodeErrorKind::RowTooLarge { limit: 8 }, 2, 4, 0);
    // Exactly at the limit: the open quote.
    check_error(b"a\n1\n\"abcdefgh", limited, DecodeErrorKind::UnterminatedQuote, 3, 4, 1);
}

#[test]
fn error_display_and_codes() {
    let d = decode_all_paths(b"a,b,c,d\n1,2,3\n", &options(10));
    let e = d.error.expect("an error");
    assert_eq!(e.to_string(), "CSV line 2 (byte 8): row has 3 fields, header has 4");
    assert_eq!(e.kind.code(), "FieldCount");
    let codes = [
        (DecodeErrorKind::InvalidUtf8, "InvalidUtf8"),
        (DecodeErrorKind::FieldCount { expected: 1, found: 2 }, "FieldCount"),
        (DecodeErrorKind::FieldTooLarge { limit: 1 }, "FieldTooLarge"),
        (DecodeErrorKind::RowTooLarge { limit: 1 }, "RowTooLarge"),
        (DecodeErrorKind::UnterminatedQuote, "UnterminatedQuote"),
    ];
    for (kind, code) in codes {
        assert_eq!(kind.code(), code);
    }
}

// ---- API details ----

#[test]
fn batches_are_handed_out_when_full_and_buffers_reused() {
    use qlik_automl_predictions::decode::Decoder;
    let mut input = String::from("a,b\n");
    for i in 0..10 {
        input.push_str(&format!("{i},t{i}\n"));
    }
    let mut d = Decoder::new(options(4));
    let f = d.feed(input.as_bytes()).expect("feed");
    assert!(f.batch_ready);
    assert_eq!(f.consumed, input.find("4,").unwrap());
    assert_eq!(d.batch().num_rows, 4);
    assert_eq!(d.columns(), Some(&["a".to_string(), "b".to_string()][..]));
    let rest = &input.as_bytes()[f.consumed..];
    let f2 = d.feed(rest).expect("feed");
    assert!(f2.batch_ready);
    assert_eq!(d.batch().row_offset, 4);
    assert_eq!(d.batch().columns[1].str(0), Some("t4"));
    let f3 = d.feed(&rest[f2.consumed..]).expect("feed");
    assert!(!f3.batch_ready);
    assert_eq!(d.rows_decoded(), 8);
    assert_eq!(d.finish(), Ok(true));
    assert_eq!(d.batch().num_rows, 2);
    assert_eq!(d.rows_decoded(), 10);
    assert_eq!(d.finish(), Ok(false));
    assert_eq!(d.batch().num_rows, 0);
    assert_eq!(d.bytes_consumed(), input.len() as u64);
}

#[test]
fn zero_batch_rows_means_one() {
    let d = decode_all_paths(b"a\n1\n2\n", &options(0));
    assert_eq!(d.batches.len(), 2);
}

#[test]
fn columns_appear_once_the_header_is_read() {
    use qlik_automl_predictions::decode::Decoder;
    let mut d = Decoder::new(DecodeOptions::default());
    assert_eq!(d.columns(), None);
    assert_eq!(d.feed(b"a,b").map(|f| f.consumed), Ok(3));
    assert_eq!(d.columns(), None);
    assert_eq!(d.feed(b"\r"), Ok(qlik_automl_predictions::decode::Feed { consumed: 1, batch_ready: false }));
    assert_eq!(d.columns().map(|c| c.len()), Some(2));
    assert_eq!(d.finish(), Ok(false));
    assert_eq!(d.finish(), Ok(false));
    // Input after the end is ignored.
    assert_eq!(d.feed(b"1,2\n").map(|f| (f.consumed, f.batch_ready)), Ok((4, false)));
    assert_eq!(d.finish(), Ok(false));
    assert_eq!(d.rows_decoded(), 0);
    assert!(d.buffer_bytes() > 0);
}
