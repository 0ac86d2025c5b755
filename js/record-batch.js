// RecordBatch: the rows of one batch, by column, over the raw object the wasm side hands over
// (src/wasm/handoff.rs, laid out as crates/decode/src/layout.rs describes): one ArrayBuffer holding every number
// column (f64) and, from `wordsAt`, u32 words: five per column (kind, at, piece, at2, count), then
// what they point to; and the cells' text as pieces of at most 32 KiB (strings), each cut at a
// cell's end. A number column is a Float64Array view of the buffer; a string column's cells are
// sliced from its pieces by their UTF-16 ends, a dictionary column's taken from its distinct
// values; each is made on first access. A batch from Worker mode's Worker has its text as
// UTF-8 bytes in the buffer too (from `textAt`, the pieces' byte ends as u32s at `cutsAt`),
// decoded into pieces when a string column is first read. `release()` gives the buffer back for
// later batches (js/spares.js). Depends on spares.js only: nothing here touches the wasm module.

import { detach } from './spares.js';

const NUMBER = 0;
const STRING = 1;
const META = 5;

const indexCache = new WeakMap();

let textDecoder = null;

/** The text pieces of `raw`: decoded from its buffer when it came as bytes (Worker mode). */
function piecesOf(raw) {
  if (raw.text) return raw.text;
  textDecoder ??= new TextDecoder('utf-8', { ignoreBOM: true });
  const bytes = new Uint8Array(raw.data);
  const cuts = new Uint32Array(raw.data, raw.cutsAt, raw.pieces);
  const text = new Array(raw.pieces);
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const end = cuts[i];
    text[i] = end === start ? '' : textDecoder.decode(bytes.subarray(raw.textAt + start, raw.textAt + end));
    start = end;
  }
  raw.text = text;
  return text;
}

function columnIndex(names, key) {
  if (typeof key === 'number') {
    if (Number.isInteger(key) && key >= 0 && key < names.length) return key;
    throw new RangeError(`column index ${key} out of range (0..${names.length - 1})`);
  }
  if (typeof key === 'string') {
    let map = indexCache.get(names);
    if (!map) {
      map = new Map();
      names.forEach((n, i) => { if (!map.has(n)) map.set(n, i); });
      indexCache.set(names, map);
    }
    const i = map.get(key);
    if (i !== undefined) return i;
    throw new RangeError(`no column named ${JSON.stringify(key)}`);
  }
  throw new TypeError('a column is named by its name (string) or index (number)');
}

/** A string column's cells, sliced from the pieces `text[piece..]` by the UTF-16 ends `w[at..]`. */
function sliceCells(w, text, rows, at, piece, at2) {
  const cells = new Array(rows);
  let p = piece;
  let s = text[p];
  let k = at2;
  let pieceEnd = w[k];
  let base = 0;
  let start = 0;
  for (let r = 0; r < rows; r++) {
    const end = w[at + r];
    if (end > pieceEnd) {
      // The cell is in a later piece (pieces end at cells' ends).
      do {
        base = pieceEnd;
        pieceEnd = w[++k];
        p++;
      } while (end > pieceEnd);
      s = text[p];
    }
    cells[r] = s.slice(start - base, end - base);
    start = end;
  }
  return cells;
}

/** A dictionary column's cells: `count` distinct values in `text[piece]`, a value index per row. */
function dictionaryCells(w, text, rows, at, piece, at2, count) {
  const s = text[piece];
  const values = new Array(count);
  let start = 0;
  for (let k = 0; k < count; k++) {
    const end = w[at2 + k];
    values[k] = s.slice(start, end);
    start = end;
  }
  const cells = new Array(rows);
  for (let r = 0; r < rows; r++) cells[r] = values[w[at + r]];
  return cells;
}

/**
 * Rows of a dataset, by column. Number columns are `Float64Array`s (empty cells are NaN);
 * string columns are arrays of strings, built on first access.
 *
 * `raw` is `{ rowOffset, numRows, columnNames, data, dataLength, wordsAt, text }`, or with
 * `{ cutsAt, pieces, textAt }` instead of `text` (see the top of this file); `recycle(buffer)`, when given, takes the buffer on `release()`, detaching it
 * from the batch's views (spares.js's `detach`, or a transferring `postMessage`).
 */
export class RecordBatch {
  #raw;
  #words;
  #columns;
  #recycle;
  constructor(raw, recycle) {
    this.#raw = raw;
    this.#recycle = recycle;
    this.#words = new Uint32Array(raw.data, raw.wordsAt, ((raw.dataLength ?? raw.data.byteLength) - raw.wordsAt) >> 2);
    this.#columns = [];
    /** Rows in this batch. */
    this.numRows = raw.numRows;
    /** Index of this batch's first row in the file (0-based, header excluded). */
    this.rowOffset = raw.rowOffset;
    /** The file's column names. */
    this.columnNames = raw.columnNames;
  }

  get numColumns() { return this.columnNames.length; }

  #isNumber(i) {
    return this.#live()[i * META] === NUMBER;
  }

  #live() {
    if (this.#raw === null) throw new TypeError('this batch was released: its columns are gone');
    return this.#words;
  }

  /**
   * Gives this batch's memory back, to be reused for later batches: a consumer that releases
   * each batch once it is done with it streams any size in the same few buffers, where
   * otherwise every batch leaves its buffer to the garbage collector. The batch's number
   * columns (the `Float64Array`s already taken too) read as empty from then on, and its
   * columns can no longer be asked for (a TypeError); string cells already taken stay as they
   * are. Idempotent; also `[Symbol.dispose]`, so `using batch = ...` releases it.
   */
  release() {
    const raw = this.#raw;
    if (raw === null) return;
    this.#raw = null;
    this.#columns = [];
    this.#words = null;
    try {
      // The taker detaches the buffer (moves it away); without one, it is detached here.
      (this.#recycle ?? detach)(raw.data);
    } catch {
      // A buffer that cannot be detached (one that is not transferable) is left to the
      // garbage collector.
    }
  }

  /** `'number'` or `'string'`. */
  columnType(key) {
    return this.#isNumber(columnIndex(this.columnNames, key)) ? 'number' : 'string';
  }

  /** A `Float64Array` for a number column, a `string[]` otherwise. */
  column(key) {
    const i = columnIndex(this.columnNames, key);
    const w = this.#live();
    let cells = this.#columns[i];
    if (cells) return cells;
    const m = i * META;
    const raw = this.#raw;
    const rows = raw.numRows;
    if (w[m] === NUMBER) cells = new Float64Array(raw.data, w[m + 1] * 8, rows);
    else if (w[m] === STRING) cells = sliceCells(w, piecesOf(raw), rows, w[m + 1], w[m + 2], w[m + 3]);
    else cells = dictionaryCells(w, piecesOf(raw), rows, w[m + 1], w[m + 2], w[m + 3], w[m + 4]);
    this.#columns[i] = cells;
    return cells;
  }

  /**
   * A number column as its `Float64Array`; a TypeError when the column is a string column in
   * this batch.
   */
  numbers(key) {
    const i = columnIndex(this.columnNames, key);
    if (!this.#isNumber(i)) throw new TypeError(`column ${JSON.stringify(this.columnNames[i])} is a string column in this batch`);
    return this.column(i);
  }

  /**
   * A string column as its cells; a TypeError when the column is a number column in this batch
   * (its cells were parsed: read it with `numbers()`, or decode with `types: 'string'`).
   */
  strings(key) {
    const i = columnIndex(this.columnNames, key);
    if (this.#isNumber(i)) throw new TypeError(`column ${JSON.stringify(this.columnNames[i])} is a number column in this batch`);
    return this.column(i);
  }

  /** Every column, in order. */
  columns() {
    return this.columnNames.map((_, i) => this.column(i));
  }

  /** The rows (the first `count`, or all) as arrays of cells (numbers or strings). */
  toRows(count = this.numRows) {
    const cols = this.columns();
    const n = Math.max(0, Math.min(count, this.numRows));
    const rows = new Array(n);
    for (let r = 0; r < n; r++) {
      const row = new Array(cols.length);
      for (let c = 0; c < cols.length; c++) row[c] = cols[c][r];
      rows[r] = row;
    }
    return rows;
  }

  /** The rows as objects keyed by column name (a repeated name keeps its last cell). */
  toObjects() {
    const cols = this.columns();
    const names = this.columnNames;
    const out = new Array(this.numRows);
    for (let r = 0; r < this.numRows; r++) {
      const o = {};
      for (let c = 0; c < cols.length; c++) o[names[c]] = cols[c][r];
      out[r] = o;
    }
    return out;
  }
}

if (typeof Symbol.dispose === 'symbol') {
  Object.defineProperty(RecordBatch.prototype, Symbol.dispose, {
    value() { this.release(); }, writable: true, configurable: true,
  });
}
