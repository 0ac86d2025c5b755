//! Checks a decode of any bytes against the `csv` crate: the header and every delivered row
//! hold the crate's fields, and an error is justified by the record where it is reported.

use qlik_automl_predictions::decode::{DecodeErrorKind, DecodeOptions};

use super::{is_number, Cells, Decoded};

/// Every record of `input` as the `csv` crate reads it (the header first, any field count).
pub fn csv_records(input: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut records = Vec::new();
    let mut record = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut record).expect("csv crate reads from memory") {
        records.push(record.iter().map(<[u8]>::to_vec).collect());
    }
    records
}

/// Number of line breaks (LF, CRLF and lone CR each count once) in `bytes`.
pub fn line_breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\r' || (b == b'\n' && (i == 0 || bytes[i - 1] != b'\r')) {
            n += 1;
        }
    }
    n
}

/// The first reason the decoder may refuse `record` (the header when `width` is `None`).
fn refusals(record: &[Vec<u8>], width: Option<usize>, options: &DecodeOptions) -> Vec<DecodeErrorKind> {
    let mut found = Vec::new();
    if record.len() > options.max_columns.max(1) {
        found.push(DecodeErrorKind::TooManyColumns { limit: options.max_columns.max(1) });
    }
    let max_field = options.max_field_bytes.min(1 << 29);
    let max_row = options.max_row_bytes.min(1 << 29);
    if record.iter().any(|f| f.len() > max_field) {
        found.push(DecodeErrorKind::FieldTooLarge { limit: max_field });
    }
    let size: usize = record.iter().map(Vec::len).sum::<usize>() + record.len().saturating_sub(1);
    if size > max_row {
        found.push(DecodeErrorKind::RowTooLarge { limit: max_row });
    }
    if record.iter().any(|f| std::str::from_utf8(f).is_err()) {
        found.push(DecodeErrorKind::InvalidUtf8);
    }
    if let Some(width) = width {
        if !options.flexible && record.len() != width {
            found.push(DecodeErrorKind::FieldCount { expected: width, found: record.len() });
        }
    }
    found
}

/// Asserts that `ours`, a decode of `input` with `options`, agrees with the `csv` crate:
/// - the columns are the crate's first record, the rows its next ones (padded with empty
///   cells or cut to the header's width when `flexible`), number cells holding exactly
///   `str::parse::<f64>` of the crate's text, which is a plain decimal, String columns only
///   where inference is off or some cell is not a number (or the column was String before);
/// - every delivered record is one the decoder accepts (limits, UTF-8, field count);
/// - without an error every record was delivered; with one, the next record exists (for an
///   unterminated quote, it is the last) and breaks the rule the error names, and the error's
///   byte offset and line locate the start of a record.
pub fn check_against_csv(input: &[u8], options: &DecodeOptions, ours: &Decoded) {
    let records = csv_records(input);
    let delivered_rows = ours.rows();
    let header = records.first();
    let width = header.map(Vec::len);
    // Records handed over: the header (when columns are known) and the rows delivered.
    let accepted = match &ours.columns {
        Some(columns) => {
            let header = header.expect("columns without a header record");
            let names: Vec<String> =
                header.iter().map(|f| String::from_utf8(f.clone()).expect("UTF-8 header")).collect();
            assert_eq!(columns, &names);
            1 + delivered_rows
        }
        None => {
            assert_eq!(delivered_rows, 0);
            0
        }
    };
    assert!(accepted <= records.len(), "{accepted} records delivered of {}", records.len());
    for (i, record) in records.iter().take(accepted).enumerate() {
        let refused = refusals(record, if i == 0 { None } else { width }, options);
        assert!(refused.is_empty(), "record {i} delivered although {refused:?}");
    }

    let mut next = 1;
    let mut was_string = vec![false; width.unwrap_or(0)];
    for batch in &ours.batches {
        let rows = &records[next..next + batch.num_rows];
        for (col, column) in batch.columns.iter().enumerate() {
            let text = |r: &Vec<Vec<u8>>| -> String {
                String::from_utf8(r.get(col).cloned().unwrap_or_default()).expect("UTF-8 cell")
            };
            match column {
                Cells::String(values) => {
                    let any_text = rows.iter().any(|r| {
                        let t = text(r);
                        !t.is_empty() && !is_number(&t)
                    });
                    assert!(!options.infer_types || any_text || was_string[col], "column {col} needlessly String");
                    for (v, r) in values.iter().zip(rows) {
                        assert_eq!(v, &text(r));
                    }
                    was_string[col] = true;
                }
                Cells::Number(values) => {
                    assert!(options.infer_types);
                    for (&v, r) in values.iter().zip(rows) {
                        let t = text(r);
                        if t.is_empty() {
                            assert!(f64::from_bits(v).is_nan());
                        } else {
                            assert!(is_number(&t), "{t:?} taken as a number");
                            assert_eq!(Some(v), t.parse::<f64>().ok().map(f64::to_bits), "{t:?}");
                        }
                    }
                }
            }
        }
        next += batch.num_rows;
    }

    match &ours.error {
        None => assert_eq!(accepted, records.len(), "records left undelivered without an error"),
        Some(e) => {
            let offset = e.byte_offset as usize;
            assert!(offset < input.len(), "error offset {offset} past the input");
            assert!(!matches!(input[offset], b'\r' | b'\n'), "error offset {offset} is not a record start");
            let bom = input.starts_with(b"\xef\xbb\xbf") && offset == 3;
            assert!(offset == 0 || bom || matches!(input[offset - 1], b'\r' | b'\n'), "offset {offset} mid-line");
            assert_eq!(e.line, 1 + line_breaks(&input[..offset]), "line of offset {offset}");
            if e.kind == DecodeErrorKind::UnterminatedQuote {
                assert_eq!(accepted + 1, records.len(), "an open quote but not in the last record");
            } else {
                let record = records.get(accepted).expect("an error after the last record");
                let refused = refusals(record, if accepted == 0 { None } else { width }, options);
                assert!(refused.contains(&e.kind), "{:?} for a record refused for {refused:?}", e.kind);
            }
        }
    }
}
