//! Checks on one record's decoded bytes: size limits and UTF-8 validity.

use super::error::DecodeErrorKind;

/// Size limits of one record, in decoded bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_field: usize,
    pub max_row: usize,
    /// Most fields of a record.
    pub max_columns: usize,
}

impl Limits {
    /// Finds the first limit the record crosses, reading it from the start.
    ///
    /// The record's size is measured as its decoded bytes plus one per field separator.
    /// `ends` holds the end offset of each finished field; `len` is the number of decoded
    /// bytes so far. When `complete` is false the record is still being read: its last field
    /// runs from the last end to `len`. The field count is crossed at the separator that
    /// starts field `max_columns + 1`, a field at its `max_field + 1`th byte, the row at size
    /// `max_row + 1`; a separator crossing both the field count and the row size reports the
    /// field count, a byte crossing both a field and the row size reports the field. Because
    /// the first crossing is reported, the result does not depend on how often, or how far
    /// into the record, the check runs.
    pub fn check(&self, ends: &[usize], len: usize, complete: bool) -> Result<(), DecodeErrorKind> {
        // A record still being read has one more field, the one in progress.
        let fields = ends.len() + usize::from(!complete);
        let size = len.saturating_add(fields.saturating_sub(1));
        if fields <= self.max_columns && size <= self.max_field.min(self.max_row) {
            return Ok(());
        }
        self.first_crossing(ends, len, complete, fields, size)
    }

    #[cold]
    fn first_crossing(
        &self,
        ends: &[usize],
        len: usize,
        complete: bool,
        fields: usize,
        size: usize,
    ) -> Result<(), DecodeErrorKind> {
        // Size at which the field count is crossed: field `max_columns` (0-based) exists, so
        // the separator before it, after `max_columns` fields, has been read.
        let columns_at = (fields > self.max_columns).then(|| {
            let before = self.max_columns.checked_sub(1).and_then(|i| ends.get(i)).copied().unwrap_or(0);
            before.saturating_add(self.max_columns)
        });
        // Size at which the row limit is crossed, if it is.
        let row_at = (size > self.max_row).then(|| self.max_row.saturating_add(1));
        // Size at which the first oversized field crosses the field limit, if any.
        let partial = if complete { None } else { Some(len) };
        let mut start = 0usize;
        let mut field_at = None;
        for (i, end) in ends.iter().copied().chain(partial).enumerate() {
            if end.saturating_sub(start) > self.max_field {
                field_at = Some(start.saturating_add(i).saturating_add(self.max_field + 1));
                break;
            }
            start = end;
        }
        let columns = columns_at.map(|at| (at, 0, DecodeErrorKind::TooManyColumns { limit: self.max_columns }));
        let field = field_at.map(|at| (at, 1, DecodeErrorKind::FieldTooLarge { limit: self.max_field }));
        let row = row_at.map(|at| (at, 2, DecodeErrorKind::RowTooLarge { limit: self.max_row }));
        match [columns, field, row].into_iter().flatten().min_by_key(|&(at, rank, _)| (at, rank)) {
            Some((_, _, kind)) => Err(kind),
            None => Ok(()),
        }
    }
}

/// Which fields of a record hold bytes outside ASCII: bit `i` of `first` for field `i` below
/// 64, `rest` for any of the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NonAscii {
    pub first: u64,
    pub rest: bool,
}

impl NonAscii {
    pub const NONE: NonAscii = NonAscii { first: 0, rest: false };

    /// Whether field `i` may hold bytes outside ASCII.
    #[inline(always)]
    pub fn field(&self, i: usize) -> bool {
        match 1u64.checked_shl(i as u32) {
            Some(bit) if i < 64 => self.first & bit != 0,
            _ => self.rest,
        }
    }
}

/// Checks that every field of a record is valid UTF-8. `ends` are the end offsets of all
/// its fields in `record`. Returns which fields hold bytes outside ASCII.
#[inline]
pub(crate) fn check_utf8(record: &[u8], ends: &[usize]) -> Result<NonAscii, DecodeErrorKind> {
    if record.is_ascii() {
        return Ok(NonAscii::NONE);
    }
    check_fields(record, ends)
}

/// [`check_utf8`] for a record with bytes outside ASCII.
#[inline(never)]
fn check_fields(record: &[u8], ends: &[usize]) -> Result<NonAscii, DecodeErrorKind> {
    let mut marks = NonAscii::NONE;
    let mut pos = 0;
    let mut field = 0;
    while let Some(at) = next_non_ascii(record, pos) {
        // The field holding `at` is checked on its own (a character straddling two fields
        // makes both invalid) and marked; the search goes on after it.
        while ends.get(field).is_some_and(|&end| end <= at) {
            field += 1;
        }
        let start = field.checked_sub(1).and_then(|f| ends.get(f)).copied().unwrap_or(0);
        let end = ends.get(field).copied().unwrap_or(record.len());
        if core::str::from_utf8(record.get(start..end).unwrap_or_default()).is_err() {
            return Err(DecodeErrorKind::InvalidUtf8);
        }
        match 1u64.checked_shl(field as u32) {
            Some(bit) if field < 64 => marks.first |= bit,
            _ => marks.rest = true,
        }
        pos = end;
        field += 1;
    }
    Ok(marks)
}

/// Position of the first byte of `s` from `from` on that is not ASCII.
#[inline(always)]
fn next_non_ascii(s: &[u8], mut from: usize) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(word) = s.get(from..from + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let high = u64::from_le_bytes(word) & HIGH;
        if high != 0 {
            return Some(from + (high.trailing_zeros() / 8) as usize);
        }
        from += 8;
    }
    s.get(from..)?.iter().position(|&b| b >= 0x80).map(|k| from + k)
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limits = Limits { max_field: 4, max_row: 10, max_columns: 100 };

    #[test]
    fn small_records_pass() {
        assert_eq!(L.check(&[4, 8], 8, true), Ok(()));
        assert_eq!(L.check(&[4], 8, false), Ok(()));
    }

    #[test]
    fn reports_the_first_crossing() {
        // "abcde": field crossed at size 5.
        assert_eq!(L.check(&[5], 5, true), Err(DecodeErrorKind::FieldTooLarge { limit: 4 }));
        // 4 + sep + 4 + sep + 3 = 13 > 10: row crossed at 11, no field too large.
        assert_eq!(L.check(&[4, 8, 11], 11, true), Err(DecodeErrorKind::RowTooLarge { limit: 10 }));
        // 4 + sep + 4 + sep + 9: row crossed at 11, field 3 (starting at size 10) at 15.
        assert_eq!(L.check(&[4, 8, 17], 17, true), Err(DecodeErrorKind::RowTooLarge { limit: 10 }));
        // Same, checked while the last field is still being read.
        assert_eq!(L.check(&[4, 8], 17, false), Err(DecodeErrorKind::RowTooLarge { limit: 10 }));
        // Field 2 (starting at size 2) crossed at 7 before the row at 11.
        assert_eq!(L.check(&[1, 12], 12, true), Err(DecodeErrorKind::FieldTooLarge { limit: 4 }));
        assert_eq!(L.check(&[1], 7, false), Err(DecodeErrorKind::FieldTooLarge { limit: 4 }));
        // Many empty fields: separators alone cross the row limit.
        assert_eq!(L.check(&[0; 12], 0, true), Err(DecodeErrorKind::RowTooLarge { limit: 10 }));
    }

    #[test]
    fn the_field_count_is_ordered_with_the_sizes() {
        let l = Limits { max_field: 4, max_row: 100, max_columns: 3 };
        // "a,abcdefg,b,c": field 2 is crossed at size 7, the field count at the third
        // separator (size 12); complete or not, checked late or early, the field is first.
        assert_eq!(l.check(&[1, 8, 9, 10], 10, true), Err(DecodeErrorKind::FieldTooLarge { limit: 4 }));
        assert_eq!(l.check(&[1, 8, 9], 10, false), Err(DecodeErrorKind::FieldTooLarge { limit: 4 }));
        assert_eq!(l.check(&[1], 8, false), Err(DecodeErrorKind::FieldTooLarge { limit: 4 }));
        // "a,b,c,abcdefg": the field count is crossed first (size 6).
        assert_eq!(l.check(&[1, 2, 3, 10], 10, true), Err(DecodeErrorKind::TooManyColumns { limit: 3 }));
        assert_eq!(l.check(&[1, 2, 3], 10, false), Err(DecodeErrorKind::TooManyColumns { limit: 3 }));
        // A separator crossing the field count and the row size reports the field count.
        let tight = Limits { max_field: 10, max_row: 6, max_columns: 3 };
        // "ab,c,d,": the third separator is at size 7 = max_row + 1.
        assert_eq!(tight.check(&[2, 3, 4], 4, false), Err(DecodeErrorKind::TooManyColumns { limit: 3 }));
        assert_eq!(tight.check(&[2, 3, 4, 4], 4, true), Err(DecodeErrorKind::TooManyColumns { limit: 3 }));
        // One byte less of row: "d" crosses the row first.
        let tighter = Limits { max_row: 5, ..tight };
        assert_eq!(tighter.check(&[2, 3, 4], 4, false), Err(DecodeErrorKind::RowTooLarge { limit: 5 }));
    }

    #[test]
    fn utf8_per_field() {
        assert_eq!(check_utf8(b"ab", &[1, 2]), Ok(NonAscii::NONE));
        assert_eq!(check_utf8("é€".as_bytes(), &[2, 5]), Ok(NonAscii { first: 0b11, rest: false }));
        assert_eq!(check_utf8("aé".as_bytes(), &[1, 3]), Ok(NonAscii { first: 0b10, rest: false }));
        // "é" split over two fields: the concatenation is valid, the fields are not.
        assert_eq!(check_utf8("é".as_bytes(), &[1, 2]), Err(DecodeErrorKind::InvalidUtf8));
        assert_eq!(check_utf8(b"a\xff", &[2]), Err(DecodeErrorKind::InvalidUtf8));
        assert_eq!(check_utf8(b"a\xff", &[1]), Err(DecodeErrorKind::InvalidUtf8));
        // Long fields, characters at word boundaries.
        let long = "abcdefg€hijklmnopqrstu😀";
        let record = format!("{long}x{long}");
        let (a, b) = (long.len(), 2 * long.len() + 1);
        assert_eq!(check_utf8(record.as_bytes(), &[a, a + 1, b]), Ok(NonAscii { first: 0b101, rest: false }));
        assert_eq!(check_utf8(&record.as_bytes()[..b - 1], &[a, a + 1, b - 1]), Err(DecodeErrorKind::InvalidUtf8));
        // Past 64 fields, one mark for all.
        let mut record = vec![b'a'; 70];
        record.extend_from_slice("é".as_bytes());
        let ends: Vec<usize> = (1..=70).chain([72]).collect();
        let marks = check_utf8(&record, &ends).expect("valid");
        assert_eq!(marks, NonAscii { first: 0, rest: true });
        assert!(!marks.field(3) && marks.field(70) && marks.field(64));
        assert!(NonAscii { first: 1 << 63, rest: false }.field(63));
        assert!(!NonAscii { first: u64::MAX, rest: false }.field(64));
    }

    proptest::proptest! {
        #[test]
        fn utf8_check_is_per_field(
            bytes in proptest::collection::vec(proptest::sample::select(&b"ab,\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xff"[..]), 0..40),
            cuts in proptest::collection::vec(0usize..40, 0..6),
        ) {
            let mut ends: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            ends.push(bytes.len());
            ends.sort_unstable();
            let mut start = 0;
            let mut valid = true;
            let mut expected = NonAscii::NONE;
            for (i, &end) in ends.iter().enumerate() {
                let field = &bytes[start..end];
                valid &= core::str::from_utf8(field).is_ok();
                if !field.is_ascii() && i < 64 {
                    expected.first |= 1 << i;
                }
                start = end;
            }
            let got = check_utf8(&bytes, &ends);
            if valid {
                proptest::prop_assert_eq!(got, Ok(expected));
            } else {
                proptest::prop_assert_eq!(got, Err(DecodeErrorKind::InvalidUtf8));
            }
        }
    }
}
