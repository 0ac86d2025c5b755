//! Decoding errors: what went wrong and where the offending record starts.

use std::fmt;

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
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeErrorKind::InvalidUtf8 => f.write_str("row is not valid UTF-8"),
            DecodeErrorKind::FieldCount { expected, found } => {
                write!(f, "row has {found} fields, header has {expected}")
            }
            DecodeErrorKind::FieldTooLarge { limit } => {
                write!(f, "field is larger than {limit} bytes")
            }
            DecodeErrorKind::RowTooLarge { limit } => write!(f, "row is larger than {limit} bytes"),
            DecodeErrorKind::UnterminatedQuote => f.write_str("quoted field is not closed before the end of the input"),
            DecodeErrorKind::TooManyColumns { limit } => write!(f, "row has more than {limit} fields"),
        }
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

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CSV line {} (byte {}): {}", self.line, self.byte_offset, self.kind)
    }
}

impl std::error::Error for DecodeError {}

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
