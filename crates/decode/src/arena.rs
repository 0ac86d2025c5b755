//! The record csv-core is reading: its unescaped bytes and the end of each of its fields,
//! in buffers that grow on demand and never past what a record within the limits needs.

use crate::prelude::*;
use csv_core::{ReadRecordResult, Reader};

use super::error::DecodeErrorKind;
use super::record::Limits;

/// First size of the byte buffer; it then doubles as needed.
const INITIAL_BYTES: usize = 4096;

/// First number of field-end slots; it then doubles as needed.
const INITIAL_ENDS: usize = 64;

/// Upper bound of the effective `max_row_bytes` and `max_field_bytes`.
pub(crate) const MAX_RECORD_CAP: usize = 1 << 29;

/// Largest byte buffer ever needed: a record at the size limit, and a little room.
const MAX_BYTES: usize = MAX_RECORD_CAP + 2;

/// One record's decoded bytes and field ends, reused from record to record.
#[derive(Default)]
pub(crate) struct Arena {
    /// Decoded bytes of the record, then room.
    bytes: Vec<u8>,
    /// Decoded bytes of the record in `bytes`.
    len: usize,
    /// Field ends of the record (relative to its start), then room.
    ends: Vec<usize>,
    /// Finished fields of the record in `ends`.
    fields: usize,
}

impl Arena {
    /// Gives `input` to csv-core, which appends to the record; returns its result and the
    /// input bytes it consumed.
    #[inline]
    pub fn read(&mut self, reader: &mut Reader, input: &[u8]) -> (ReadRecordResult, usize) {
        let output = self.bytes.get_mut(self.len..).unwrap_or_default();
        let ends = self.ends.get_mut(self.fields..).unwrap_or_default();
        let (result, nin, nout, nend) = reader.read_record(input, output, ends);
        self.len += nout;
        self.fields += nend;
        (result, nin)
    }

    /// The record's decoded bytes.
    pub fn record(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// The ends of the record's finished fields.
    pub fn ends(&self) -> &[usize] {
        self.ends.get(..self.fields).unwrap_or_default()
    }

    /// Pads the record's field ends to `width` fields, missing ones empty at the end of the
    /// record (flexible rows).
    pub fn pad_ends(&mut self, width: usize) {
        if self.fields < width {
            if self.ends.len() < width {
                self.ends.resize(width, 0);
            }
            if let Some(pad) = self.ends.get_mut(self.fields..width) {
                pad.fill(self.len);
            }
        }
    }

    /// The record as a row of `width` cells, once padded: the whole byte buffer (the record,
    /// then room that 16-byte block copies may read) and the first `width` field ends.
    pub fn row(&self, width: usize) -> (&[u8], &[usize]) {
        (&self.bytes, self.ends.get(..width).unwrap_or_default())
    }

    /// Makes room for more of the record's bytes, unless it is already too large.
    pub fn grow_bytes(&mut self, limits: &Limits) -> Result<(), DecodeErrorKind> {
        self.check_partial(limits)?;
        if self.bytes.len() >= MAX_BYTES {
            // Unreachable while records respect the capped limits; stops rather than loops.
            return Err(DecodeErrorKind::RowTooLarge { limit: limits.max_row });
        }
        self.enlarge_bytes();
        Ok(())
    }

    /// Makes room for more of the record's field ends, unless it is already too large.
    pub fn grow_ends(&mut self, limits: &Limits) -> Result<(), DecodeErrorKind> {
        self.check_partial(limits)?;
        self.enlarge_ends(limits);
        Ok(())
    }

    fn enlarge_bytes(&mut self) {
        let len = self.bytes.len().saturating_mul(2).clamp(INITIAL_BYTES, MAX_BYTES);
        self.bytes.resize(len, 0);
    }

    fn enlarge_ends(&mut self, limits: &Limits) {
        // Doubling, but up to at most one field more than a record may have: reaching it is
        // the error, so a record with too many fields never holds more.
        let cap = self.fields.max(limits.max_columns) + 1;
        let len = self.ends.len().saturating_mul(2).max(INITIAL_ENDS).min(cap);
        self.ends.resize(len, 0);
    }

    /// Ensures room for at least one more byte and one more field end of the record.
    pub fn make_room(&mut self, limits: &Limits) {
        if self.bytes.len() <= self.len {
            self.enlarge_bytes();
        }
        if self.ends.len() <= self.fields {
            self.enlarge_ends(limits);
        }
    }

    /// Checks the size limits on the part of the record read so far.
    pub fn check_partial(&self, limits: &Limits) -> Result<(), DecodeErrorKind> {
        limits.check(self.ends(), self.len, false)
    }

    /// Forgets the record, keeping the buffers.
    pub fn clear(&mut self) {
        self.len = 0;
        self.fields = 0;
    }

    /// Bytes reserved by the buffers.
    pub fn capacity_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * core::mem::size_of::<usize>()
    }
}
