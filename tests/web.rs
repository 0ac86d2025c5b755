//! The plain-Rust core compiled to wasm32 and run in headless Chromium (wasm-bindgen-test):
//! 32-bit `usize`, the wasm float parser and the UTF-16 offsets behave as natively.
#![cfg(target_arch = "wasm32")]

use qlik_automl_predictions::decode::{ColumnKind, DecodeError, DecodeErrorKind, DecodeOptions, Decoder, Driver, Step};
use qlik_automl_predictions::http::{
    ApiError, ErrorBody, HostConfig, HostConfigInput, RateLimitConfig, RateLimits, Tier,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The header, the rows (numbers formatted), the column kinds of every batch and the error,
/// decoding `input` in chunks of `chunk` bytes through `driver`.
#[allow(clippy::type_complexity)]
fn decode_with(
    mut driver: Driver,
    input: &[u8],
    chunk: usize,
) -> (Vec<String>, Vec<Vec<String>>, Vec<ColumnKind>, Option<DecodeError>) {
    let mut rows = Vec::new();
    let mut kinds = Vec::new();
    let mut chunks = input.chunks(chunk.max(1));
    let error = loop {
        match driver.next_step() {
            Step::Batch => {
                let b = driver.batch();
                kinds.extend(b.columns.iter().map(|c| c.kind));
                for r in 0..b.num_rows {
                    rows.push(
                        b.columns
                            .iter()
                            .map(|c| match c.kind {
                                ColumnKind::Number => format!("{}", c.numbers[r]),
                                ColumnKind::String => c.str(r).unwrap_or_default().to_string(),
                            })
                            .collect(),
                    );
                }
            }
            Step::NeedInput => match chunks.next() {
                Some(part) => driver.push(part),
                None => driver.end(),
            },
            Step::Done => break None,
            Step::Failed(e) => break Some(e),
        }
    };
    (driver.columns().unwrap_or(&[]).to_vec(), rows, kinds, error)
}

fn decode_all(input: &[u8], chunk: usize, options: DecodeOptions) -> (Vec<String>, Vec<Vec<String>>, Vec<ColumnKind>) {
    let (columns, rows, kinds, error) = decode_with(Driver::new(options), input, chunk);
    assert_eq!(error, None);
    (columns, rows, kinds)
}

#[wasm_bindgen_test]
fn decodes_numbers_text_and_split_utf8_in_wasm() {
    let input =
        "\u{feff}AccountID,Tenure_SHAP,Note\r\naa1,-0.0123456789,\"a, \"\"b\"\"\"\r\naa2,1e-7,日本 😀\r\naa3,,x"
            .as_bytes();
    for chunk in [1, 2, 3, 5, 64] {
        let (columns, rows, kinds) =
            decode_all(input, chunk, DecodeOptions { batch_rows: 2, ..DecodeOptions::default() });
        assert_eq!(columns, vec!["AccountID", "Tenure_SHAP", "Note"]);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], vec!["aa1", "-0.0123456789", "a, \"b\""]);
        assert_eq!(rows[1][1], "0.0000001");
        assert_eq!(rows[1][2], "日本 😀");
        assert_eq!(rows[2][1], "NaN");
        assert_eq!(kinds[1], ColumnKind::Number);
    }
}

#[wasm_bindgen_test]
fn utf16_offsets_count_surrogate_pairs_in_wasm() {
    let mut d = Decoder::new(DecodeOptions::default());
    let f = d.feed("t\né😀x\nab\n".as_bytes()).expect("valid input");
    assert!(!f.batch_ready);
    assert!(d.finish().expect("valid input"));
    let col = &d.batch().columns[0];
    assert_eq!(col.kind, ColumnKind::String);
    assert_eq!(col.utf16_ends, vec![4, 6]);
}

#[wasm_bindgen_test]
fn reports_bad_rows_with_line_and_offset_in_wasm() {
    let (_, rows, _, error) = decode_with(Driver::new(DecodeOptions::default()), b"a,b\n1,2\n3\n", 3);
    assert_eq!(rows.len(), 1);
    let err = error.expect("an error");
    assert_eq!(err.kind, DecodeErrorKind::FieldCount { expected: 2, found: 1 });
    assert_eq!(err.line, 3);
    assert_eq!(err.byte_offset, 8);
    // An open quote at the end of the input comes after the rows before it.
    let input = b"id,label\n10030,no\n10031,\"yes\n10032,no\n";
    let (_, rows, _, error) = decode_with(Driver::new(DecodeOptions::default()), input, 7);
    assert_eq!(rows.len(), 1);
    assert_eq!(error.map(|e| (e.kind, e.line)), Some((DecodeErrorKind::UnterminatedQuote, 3)));
}

#[wasm_bindgen_test]
fn adaptive_batches_hand_out_the_first_chunk_at_once_in_wasm() {
    let mut input = b"id,x\n".to_vec();
    for i in 0..5000 {
        input.extend_from_slice(format!("{i},{}.25\n", i % 13).as_bytes());
    }
    let clock = || js_sys::Date::now();
    let mut driver = Driver::adaptive(DecodeOptions::default(), clock);
    driver.push(&input[..100]);
    assert_eq!(driver.next_step(), Step::Batch);
    let first = driver.batch().num_rows;
    assert!(first > 0 && first < 20, "{first}");
    let (_, rows, _, error) = decode_with(driver, &input[100..], 4096);
    assert_eq!(error, None);
    assert_eq!(first + rows.len(), 5000);
}

#[wasm_bindgen_test]
fn a_million_empty_names_cost_little_per_column_in_wasm() {
    // The decoder's own count with wasm32's 4-byte pointers: a header of a million empty
    // names, then one row of empty cells.
    let n = 1_000_000;
    let options = DecodeOptions { max_columns: 2_000_000, ..DecodeOptions::default() };
    let mut driver = Driver::new(options);
    let mut row = vec![b','; n - 1];
    row.push(b'\n');
    driver.push(&row);
    assert_eq!(driver.next_step(), Step::NeedInput);
    let header_only = driver.decoder().buffer_bytes();
    driver.push(&row);
    driver.end();
    assert_eq!(driver.next_step(), Step::Batch);
    let one_row = driver.decoder().buffer_bytes();
    assert_eq!((driver.batch().num_rows, driver.batch().columns.len()), (1, n));
    assert_eq!(driver.next_step(), Step::Done);
    // A name: its `String` (12 bytes) and a field end (4); a batch column (four `Vec`s, 52
    // bytes) and a cell (a NaN in room for 4, 32 bytes) come with the row.
    assert!(header_only <= 20 * n, "{header_only} bytes alone");
    assert!(one_row <= header_only + 88 * n, "{one_row} bytes with a row");
}

#[wasm_bindgen_test]
fn http_policy_in_wasm() {
    let config = HostConfig::from_input(
        HostConfigInput { host: Some("tenant.eu.qlikcloud.com/".into()), ..HostConfigInput::default() },
        Some("http://127.0.0.1:8000"),
    )
    .expect("valid host");
    assert_eq!(config.origin(), "https://tenant.eu.qlikcloud.com");
    let body = ErrorBody {
        code: Some("HTTP-429".into()),
        title: Some("API rate limit reached.".into()),
        ..ErrorBody::default()
    };
    let e = ApiError::new(429, "", &body, Some("Sun, 06 Nov 1994 08:50:07 GMT"), 784_111_777_000.0, "u");
    assert_eq!(e.code, "HTTP-429");
    assert_eq!(e.retry_after, Some(30.0));
    let mut limits = RateLimits::new(RateLimitConfig { tier1: 2, tier2: 1, window_ms: 1000.0 });
    assert_eq!(limits.acquire(config.origin(), Tier::One, 0.0), 0.0);
    assert_eq!(limits.acquire(config.origin(), Tier::One, 0.0), 0.0);
    assert_eq!(limits.acquire(config.origin(), Tier::One, 0.0), 1000.0);
}

/// A xorshift generator of 64-bit values from `state` (not 0): the same sequence every run.
fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// The column of `cells` decoded in one chunk: its kind and, for a number column, the bits of
/// its values.
fn decode_column(cells: &[String]) -> (ColumnKind, Vec<u64>) {
    let mut input = b"x\n".to_vec();
    for c in cells {
        input.extend_from_slice(c.as_bytes());
        input.push(b'\n');
    }
    let mut d = Decoder::new(DecodeOptions { batch_rows: cells.len() + 1, ..DecodeOptions::default() });
    d.feed(&input).expect("valid input");
    assert!(d.finish().expect("valid input"));
    let col = &d.batch().columns[0];
    (col.kind, col.numbers.iter().map(|v| v.to_bits()).collect())
}

/// Cells with an exponent or more than 19 significant digits that one correctly rounded
/// operation cannot read are parsed by the host's `parseFloat` in wasm32, after the decoder
/// has checked their grammar: the values equal
/// std's bit for bit (rustc's literals and std's parser compiled to wasm32), and text that
/// `parseFloat` would accept but the grammar does not stays text.
#[wasm_bindgen_test]
fn exponents_and_long_mantissas_round_like_std_in_wasm() {
    let known: [(&str, f64); 14] = [
        ("1e-7", 1e-7),
        ("-2.5E+3", -2.5e3),
        ("1.e5", 1.0e5),
        (".5e1", 0.5e1),
        ("-0e5", -0.0),
        ("1e309", f64::INFINITY),
        ("1e-400", 0.0),
        ("4.9406564584124654e-324", 5e-324),
        ("2.2250738585072011e-308", 2.225_073_858_507_201e-308),
        ("1.7976931348623157e308", 1.7976931348623157e308),
        ("123456789012345678901234567890", 123456789012345678901234567890.0),
        ("0.1000000000000000055511151231257827021181583404541015625", 0.1),
        ("9007199254740993.000000000000000000001", 9007199254740994.0),
        ("-7.2057594037927933e16", -7.205_759_403_792_794e16),
    ];
    let cells: Vec<String> = known.iter().map(|(s, _)| s.to_string()).collect();
    let (kind, bits) = decode_column(&cells);
    assert_eq!(kind, ColumnKind::Number);
    for ((s, v), b) in known.iter().zip(&bits) {
        assert_eq!(*b, v.to_bits(), "{s}");
    }

    // Generated cells: 1 to 40 digits, a point somewhere, an exponent (the short ones with a
    // small exponent are rounded in Rust, the others by `parseFloat`).
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
    let cells: Vec<String> = (0..2000)
        .map(|_| {
            let len = 1 + (next() % 40) as usize;
            let mut s: String = (0..len).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
            s.insert((next() % len as u64) as usize, '.');
            let exp = if next() % 2 == 0 { (next() % 60) as i64 - 30 } else { (next() % 700) as i64 - 350 };
            if next() % 2 == 0 {
                s.insert(0, '-');
            }
            format!("{s}e{exp}")
        })
        .collect();
    let (kind, bits) = decode_column(&cells);
    assert_eq!(kind, ColumnKind::Number);
    for (s, b) in cells.iter().zip(&bits) {
        assert_eq!(*b, s.parse::<f64>().expect("a number").to_bits(), "{s}");
    }

    for text in ["1e5x", "1e", "1e+", "1.5e5.", "1 ", "1e5 ", "Infinity", "1e1_0", "0x10", "1e5e5", "1.2.3e4"] {
        let (kind, _) = decode_column(&["1e5".to_string(), text.to_string()]);
        assert_eq!(kind, ColumnKind::String, "{text}");
    }
}

/// Short decimals (at most 16 bytes after the sign) in every layout, after cells that put
/// digits, points and signs in the bytes before them: the wasm build reads their digits with
/// SIMD (a shuffle removes the point and the bytes before the cell), natively as two 8-byte
/// words; the values equal std's bit for bit, and cells outside the grammar stay text.
#[wasm_bindgen_test]
fn short_decimals_in_every_layout_round_like_std_in_wasm() {
    let digits = "9007199254740993";
    let mut cells = Vec::new();
    for len in 1..=digits.len() {
        for (k, pattern) in [digits, "0000000000000001", "1234567890123456", "0000000000000000"].iter().enumerate() {
            let d = &pattern[pattern.len() - len..];
            for point in (0..=len).map(Some).chain([None]) {
                let sign = ["", "-", "+"][(len + k + point.unwrap_or(7)) % 3];
                let cell = match point {
                    Some(at) if len < 16 => format!("{sign}{}.{}", &d[..at], &d[at..]),
                    _ => format!("{sign}{d}"),
                };
                cells.push(cell);
            }
        }
    }
    let prefixes = ["a", "9", "-.", "99999999999999999", "1.5", "\"x,1\""];
    let mut input = String::from("p,x\n");
    for (i, cell) in cells.iter().enumerate() {
        input += &format!("{},{cell}\n", prefixes[i % prefixes.len()]);
    }
    let mut d = Decoder::new(DecodeOptions { batch_rows: cells.len() + 1, ..DecodeOptions::default() });
    d.feed(input.as_bytes()).expect("valid input");
    assert!(d.finish().expect("valid input"));
    let col = &d.batch().columns[1];
    assert_eq!(col.kind, ColumnKind::Number);
    for (cell, v) in cells.iter().zip(&col.numbers) {
        assert_eq!(v.to_bits(), cell.parse::<f64>().expect("a number").to_bits(), "{cell}");
    }
    for text in ["1.2.3", "..1", "1..", ".", "-", "+.", "1-", "12e", "1 2", "0x1", "1.5.", "12345678.1234567a"] {
        let (kind, _) = decode_column(&["1.5".to_string(), text.to_string()]);
        assert_eq!(kind, ColumnKind::String, "{text}");
    }
}

/// Number cells of plain rows, each read with its end from one SIMD vector: in every column,
/// ended by a comma, LF or CRLF, 1 to 18 bytes long (some end past the 16 bytes read), with
/// and without a sign or a point, some quoted; the input whole and in chunks of 1, 7, 16 and
/// 61 bytes (cells cut by a chunk's end are read the general way). The values equal std's.
#[wasm_bindgen_test]
fn number_cells_read_with_their_end_in_wasm() {
    let mut random = xorshift(0x2545_f491_4f6c_dd1d);
    let mut next = move |n: u64| random() % n;
    let mut input = String::from("a,b,c\n");
    let mut cells: Vec<String> = Vec::new();
    for row in 0..600 {
        for col in 0..3 {
            let len = 1 + next(17) as usize;
            let mut cell: String = (0..len).map(|_| char::from(b'0' + next(10) as u8)).collect();
            if next(3) > 0 {
                cell.insert(next(len as u64 + 1) as usize, '.');
            }
            match next(6) {
                0 | 1 => cell.insert(0, '-'),
                2 => cell.insert(0, '+'),
                _ => {}
            }
            input += &if next(8) == 0 { format!("\"{cell}\"") } else { cell.clone() };
            input += if col < 2 {
                ","
            } else if row % 2 == 0 {
                "\n"
            } else {
                "\r\n"
            };
            cells.push(cell);
        }
    }
    // Each value as `decode_all` gives it: its shortest text, which tells every double apart.
    let expected: Vec<Vec<String>> = cells
        .chunks(3)
        .map(|row| row.iter().map(|c| format!("{}", c.parse::<f64>().expect("a number"))).collect())
        .collect();
    for chunk in [input.len(), 1, 7, 16, 61] {
        let options = DecodeOptions { batch_rows: 100_000, ..DecodeOptions::default() };
        let (_, rows, kinds) = decode_all(input.as_bytes(), chunk, options);
        assert!(kinds.iter().all(|&k| k == ColumnKind::Number), "chunks of {chunk}");
        assert_eq!(rows, expected, "chunks of {chunk}");
    }
}

/// Cells of every length up to past two 16-byte blocks, plain and quoted, with multi-byte
/// characters and bytes next to the stop bytes before and after each block boundary: the wasm
/// build scans fields 16 bytes at a time (SIMD), and the UTF-16 ends it computes rely on that
/// scan seeing every byte outside ASCII.
#[wasm_bindgen_test]
fn fields_of_every_length_across_simd_blocks_in_wasm() {
    let fillers = ["a", "+", "\t", "é", "😀", "\u{1}"];
    let mut cells: Vec<(String, String)> = Vec::new();
    for len in 0..40 {
        for (f, filler) in fillers.iter().enumerate() {
            // The filler at one position, ASCII that does not stop a field elsewhere.
            let at = (len * 7 + f) % (len + 1);
            let plain: String = (0..len).map(|k| if k == at { *filler } else { "-" }).collect();
            let quoted = format!("{plain}\"\r\n,\u{e}{}", "x".repeat(len % 17));
            cells.push((plain, quoted));
        }
    }
    let mut input = String::from("plain,quoted\n");
    for (plain, quoted) in &cells {
        input += &format!("{plain},\"{}\"\n", quoted.replace('"', "\"\""));
    }
    let options = DecodeOptions { infer_types: false, batch_rows: 100_000, ..DecodeOptions::default() };
    for chunk in [input.len(), 4096, 61] {
        let mut driver = Driver::new(options.clone());
        let mut parts = input.as_bytes().chunks(chunk);
        let mut got: Vec<(String, String)> = Vec::new();
        loop {
            match driver.next_step() {
                Step::Batch => {
                    let b = driver.batch();
                    for c in &b.columns {
                        // UTF-16 lengths as JavaScript counts them.
                        let mut end = 0;
                        for r in 0..b.num_rows {
                            end += c.str(r).unwrap_or_default().encode_utf16().count() as u32;
                            assert_eq!(c.utf16_ends[r], end);
                        }
                    }
                    for r in 0..b.num_rows {
                        let cell = |c: usize| b.columns[c].str(r).unwrap_or_default().to_string();
                        got.push((cell(0), cell(1)));
                    }
                }
                Step::NeedInput => match parts.next() {
                    Some(part) => driver.push(part),
                    None => driver.end(),
                },
                Step::Done => break,
                Step::Failed(e) => panic!("{e}"),
            }
        }
        assert_eq!(got, cells);
    }
    // A byte that is not UTF-8 anywhere in a long cell is found.
    for at in 0..40 {
        let mut input = b"a,b\n1,2\n".to_vec();
        input.extend((0..40).map(|k| if k == at { 0xFF } else { b'x' }));
        input.extend_from_slice(b",z\n");
        let (_, rows, _, error) = decode_with(Driver::new(options.clone()), &input, input.len());
        assert_eq!((rows.len(), error.map(|e| e.kind)), (1, Some(DecodeErrorKind::InvalidUtf8)), "at {at}");
    }
}
