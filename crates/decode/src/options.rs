//! Decoding settings.

/// Decoding settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Most rows per batch (0 is treated as 1). A batch also ends before a record that
    /// turns one of its Number columns String (that record starts the next batch), and once
    /// its memory passes 32 MiB.
    pub batch_rows: usize,
    /// Whether to store all-numeric columns as numbers; when false every column is String.
    pub infer_types: bool,
    /// When false a row whose field count differs from the header's is an error; when true
    /// missing cells are empty and extra cells are dropped.
    pub flexible: bool,
    /// Largest decoded field, in bytes (at most 512 MiB is enforced).
    pub max_field_bytes: usize,
    /// Largest decoded row: field bytes plus one per separator (at most 512 MiB is enforced).
    pub max_row_bytes: usize,
    /// Most fields in a record, the header included (0 is treated as 1). A record with more
    /// is a [`DecodeErrorKind::TooManyColumns`](super::DecodeErrorKind::TooManyColumns) error, found before its fields are stored.
    pub max_columns: usize,
}

impl Default for DecodeOptions {
    fn default() -> DecodeOptions {
        DecodeOptions {
            batch_rows: 10_000,
            infer_types: true,
            flexible: false,
            max_field_bytes: 16 << 20,
            max_row_bytes: 16 << 20,
            max_columns: 100_000,
        }
    }
}
