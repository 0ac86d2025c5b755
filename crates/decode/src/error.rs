//! Decoding errors: what went wrong and where the offending record starts.

use core::fmt;

use crate::prelude::*;

/// Why a record could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The record holds bytes that are not valid UTF-8.
    InvalidUtf8,
    /// The record's field count differs from the header's (only when not `flexible`).
    FieldCount { expected: usize, found: usize },
    /// A field's decoded size exceeds `max_field_bytes`.
    FieldTooLarge { limit: usize },
    /// The record's decoded size (field bytes plus one byte per field separator) exceeds
    /// `max_row_bytes`.
    RowTooLarge { limit: usize },
    /// The input ends inside a quoted field.
    UnterminatedQuote,
    /// The record (the header or a row) has more fields than `max_columns`.
    TooManyColumns { limit: usize },
}

impl DecodeErrorKind {
    /// A stable machine-readable name for the kind.
    pub fn code(&self) -> &'static str {
        match self {
            DecodeErrorKind::InvalidUtf8 => "InvalidUtf8",
            DecodeErrorKind::FieldCount { .. } => "FieldCount",
            DecodeErrorKind::FieldTooLarge { .. } => "FieldTooLarge",
            DecodeErrorKind::RowTooLarge { .. } => "RowTooLarge",
            DecodeErrorKind::UnterminatedQuote => "UnterminatedQuote",
            DecodeErrorKind::TooManyColumns { .. } => "TooManyColumns",
        }
    }

    /// What is wrong with the record, in words, appended to `out`.
    pub fn push_message(&self, out: &mut String) {
        let (before, n, after) = match *self {
            DecodeErrorKind::InvalidUtf8 => return out.push_str("row is not valid UTF-8"),
            DecodeErrorKind::UnterminatedQuote => {
                return out.push_str("quoted field is not closed before the end of the input")
            }
            DecodeErrorKind::FieldCount { expected, found } => {
                out.push_str("row has ");
                push_uint(out, found as u64, 1);
                (" fields, header has ", expected, "")
            }
            DecodeErrorKind::FieldTooLarge { limit } => ("field is larger than ", limit, " bytes"),
            DecodeErrorKind::RowTooLarge { limit } => ("row is larger than ", limit, " bytes"),
            DecodeErrorKind::TooManyColumns { limit } => ("row has more than ", limit, " fields"),
        };
        out.push_str(before);
        push_uint(out, n as u64, 1);
        out.push_str(after);
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.push_message(&mut out);
        f.write_str(&out)
    }
}

/// A record that could not be decoded, located by where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub kind: DecodeErrorKind,
    /// 1-based physical line of the record's first byte (LF, CRLF and lone CR each end a
    /// line, also inside quoted fields).
    pub line: u64,
    /// 0-based offset of the record's first byte in the input stream (BOM included).
    pub byte_offset: u64,
}

impl DecodeError {
    /// `CSV line <line> (byte <offset>): <what is wrong>`.
    pub fn message(&self) -> String {
        let mut out = String::from("CSV line ");
        push_uint(&mut out, self.line, 1);
        out.push_str(" (byte ");
        push_uint(&mut out, self.byte_offset, 1);
        out.push_str("): ");
        self.kind.push_message(&mut out);
        out
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// Appends `n` in decimal, with leading zeros to at least `min_digits` digits (at most 20):
/// what `{n:0min_digits$}` writes. Messages are built without `core::fmt`, whose machinery
/// would otherwise be in the wasm module for them alone.
#[inline(never)]
pub fn push_uint(out: &mut String, n: u64, min_digits: u32) {
    // The power of ten of the first digit written.
    let (mut unit, mut digits) = (1u64, 1);
    while digits < min_digits.min(20) || n / unit >= 10 {
        unit = unit.saturating_mul(10);
        digits += 1;
    }
    loop {
        out.push(char::from(b'0' + (n / unit % 10) as u8));
        if unit <= 1 {
            return;
        }
        unit /= 10;
    }
}

impl core::error::Error for DecodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line() {
        let e = DecodeError { kind: DecodeErrorKind::FieldCount { expected: 4, found: 3 }, line: 7, byte_offset: 120 };
        assert_eq!(e.to_string(), "CSV line 7 (byte 120): row has 3 fields, header has 4");
        assert_eq!(e.kind.code(), "FieldCount");
    }
}
