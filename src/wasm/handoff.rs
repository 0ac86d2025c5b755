//! The batch hand-off: one decoded batch to JavaScript in one call. The batch is laid out by
//! [`Layout`] (every number column and the cells' offsets in one buffer, the text in pieces);
//! the JavaScript side copies the buffer once into an `ArrayBuffer` of the batch's own (a
//! released batch's, from the `spares` the reader's caller passes, when one fits: see
//! `js/spares.js`) and decodes each piece of text once, straight from wasm memory (the decoder
//! has validated it). With `spares.textBytes` (Worker mode's Worker), the text is not decoded:
//! its bytes and the pieces' ends go into the same buffer, which is all a message to the page
//! then transfers, and the page decodes the pieces it reads. `js/record-batch.js` reads the
//! result. Depends on the decoder's [`Batch`] and the layout only.

use crate::prelude::*;
use wasm_bindgen::prelude::*;

use crate::decode::Batch;
use crate::layout::Layout;

#[wasm_bindgen(inline_js = r#"
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
export function rawBatch(rowOffset, numRows, columnNames, data, wordsAt, text, cuts, spares) {
  const raw = { rowOffset, numRows, columnNames, data: null, dataLength: data.length, wordsAt };
  if (spares?.textBytes) {
    // data, the pieces' ends (u32, 4-aligned), the text's bytes.
    const cutsAt = (data.length + 3) & ~3;
    const textAt = cutsAt + cuts.length * 4;
    const n = textAt + text.length;
    const buffer = spares.buffer(n) ?? new ArrayBuffer(n);
    const bytes = new Uint8Array(buffer, 0, n);
    bytes.set(data);
    new Uint32Array(buffer, cutsAt, cuts.length).set(cuts);
    bytes.set(text, textAt);
    return Object.assign(raw, { data: buffer, cutsAt, pieces: cuts.length, textAt });
  }
  const pieces = new Array(cuts.length);
  let start = 0;
  for (let i = 0; i < cuts.length; i++) {
    const end = cuts[i];
    pieces[i] = end === start ? '' : decoder.decode(text.subarray(start, end));
    start = end;
  }
  let buffer = spares ? spares.buffer(data.length) : null;
  if (buffer) new Uint8Array(buffer, 0, data.length).set(data);
  else buffer = data.slice().buffer;
  return Object.assign(raw, { data: buffer, text: pieces });
}
"#)]
extern "C" {
    /// `{ rowOffset, numRows, columnNames, data, dataLength, wordsAt, text }`: `data` a copy of
    /// the layout's buffer (its first `dataLength` bytes; in the buffer `spares.buffer(n)`
    /// gives when `spares` is an object and it gives one), `text` its pieces decoded. With
    /// `spares.textBytes`, `{ ..., cutsAt, pieces, textAt }` instead of `text`: the pieces' ends
    /// and the text's bytes in `data` too. The slices are views of wasm memory, read at once.
    #[wasm_bindgen(js_name = rawBatch)]
    fn raw_batch(
        row_offset: f64,
        num_rows: u32,
        column_names: &JsValue,
        data: &[u8],
        words_at: u32,
        text: &[u8],
        cuts: &[u32],
        spares: &JsValue,
    ) -> JsValue;
}

/// Hands batches over, reusing its buffers from one to the next.
#[derive(Default)]
pub struct Handoff {
    layout: Layout,
}

impl Handoff {
    /// Lays out `batch` without handing it over (to run the code once).
    pub fn lay_out(&mut self, batch: &Batch) {
        self.layout.build(batch);
    }
}

impl Handoff {
    /// The raw batch object of `batch` (see `js/record-batch.js` and [`crate::layout`]), its
    /// buffer from `spares` when that is an object (`js/spares.js`).
    pub fn batch(&mut self, batch: &Batch, column_names: &JsValue, spares: &JsValue) -> JsValue {
        let layout = &mut self.layout;
        layout.build(batch);
        raw_batch(
            batch.row_offset as f64,
            batch.num_rows as u32,
            column_names,
            &layout.data,
            layout.words_at as u32,
            &layout.text,
            &layout.cuts,
            spares,
        )
    }
}

/// The column names as a JS array of strings.
pub fn column_names(names: &[String]) -> JsValue {
    names.iter().map(|n| JsValue::from_str(n)).collect::<js_sys::Array>().into()
}
