//! The batch hand-off: one decoded batch to JavaScript in a handful of calls, each number column
//! as one `Float64Array`, and the text of all string columns as one string (decoded once) with
//! the UTF-16 end offset of every cell, so the JS side (`js/record-batch.js`) slices cells
//! without further decoding. Depends on the decoder's [`Batch`] only.

use js_sys::{Array, Float64Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::JsValue;

use crate::decode::{Batch, ColumnKind};

/// Hands batches over, reusing its buffers from one to the next.
#[derive(Default)]
pub struct Handoff {
    text: Vec<u8>,
    kinds: Vec<u8>,
    ends: Vec<u32>,
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

impl Handoff {
    /// `{ rowOffset, numRows, columnNames, kinds, numbers, text, textEnds }`: `kinds[i]` is 0 for a
    /// number column (then `numbers[i]` is its `Float64Array`) and 1 for a string column (then
    /// `textEnds[i]` holds the end of each cell in `text`, in UTF-16 units, the column's start
    /// being the previous string column's last end, or 0).
    pub fn batch(&mut self, batch: &Batch, column_names: &JsValue) -> JsValue {
        let obj = Object::new();
        set(&obj, "rowOffset", &JsValue::from_f64(batch.row_offset as f64));
        set(&obj, "numRows", &JsValue::from_f64(batch.num_rows as f64));
        set(&obj, "columnNames", column_names);
        self.text.clear();
        self.kinds.clear();
        let numbers = Array::new_with_length(batch.columns.len() as u32);
        let text_ends = Array::new_with_length(batch.columns.len() as u32);
        let mut base: u32 = 0;
        for (i, column) in batch.columns.iter().enumerate() {
            match column.kind {
                ColumnKind::Number => {
                    self.kinds.push(0);
                    numbers.set(i as u32, Float64Array::from(&column.numbers[..]).into());
                    text_ends.set(i as u32, JsValue::NULL);
                }
                ColumnKind::String => {
                    self.kinds.push(1);
                    self.text.extend_from_slice(&column.text);
                    self.ends.clear();
                    self.ends.extend(column.utf16_ends.iter().map(|e| e.saturating_add(base)));
                    base = self.ends.last().copied().unwrap_or(base);
                    numbers.set(i as u32, JsValue::NULL);
                    text_ends.set(i as u32, Uint32Array::from(&self.ends[..]).into());
                }
            }
        }
        set(&obj, "kinds", &Uint8Array::from(&self.kinds[..]).into());
        set(&obj, "numbers", &numbers);
        set(&obj, "textEnds", &text_ends);
        // The decoder has validated the text; the lossy fallback only guards the invariant.
        let text = match std::str::from_utf8(&self.text) {
            Ok(s) => JsValue::from_str(s),
            Err(_) => JsValue::from_str(&String::from_utf8_lossy(&self.text)),
        };
        set(&obj, "text", &text);
        obj.into()
    }
}

/// The column names as a JS array of strings.
pub fn column_names(names: &[String]) -> JsValue {
    names.iter().map(|n| JsValue::from_str(n)).collect::<Array>().into()
}
