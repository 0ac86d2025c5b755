// RecordBatch: the rows of one batch, by column, over the raw object the wasm side hands over
// (src/wasm/handoff.rs): number columns as Float64Arrays, the text of all string columns as
// one string with the UTF-16 end offset of each cell, sliced into cells on first access.
// No dependency: nothing here touches the wasm module.

const indexCache = new WeakMap();

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

/**
 * Rows of a dataset, by column. Number columns are `Float64Array`s (empty cells are NaN);
 * string columns are arrays of strings, built on first access.
 *
 * `raw` is `{ rowOffset, numRows, columnNames, kinds, numbers, text, textEnds }`: `kinds[i]` is
 * 0 for a number column (`numbers[i]` its Float64Array) and 1 for a string column
 * (`textEnds[i]` the UTF-16 end of each of its cells in `text`; a column starts where the
 * previous string column ended).
 */
export class RecordBatch {
  #raw;
  #strings;
  constructor(raw) {
    this.#raw = raw;
    this.#strings = [];
    /** Rows in this batch. */
    this.numRows = raw.numRows;
    /** Index of this batch's first row in the file (0-based, header excluded). */
    this.rowOffset = raw.rowOffset;
    /** The file's column names. */
    this.columnNames = raw.columnNames;
  }

  get numColumns() { return this.columnNames.length; }

  /** `'number'` or `'string'`. */
  columnType(key) {
    return this.#raw.kinds[columnIndex(this.columnNames, key)] === 0 ? 'number' : 'string';
  }

  /** A `Float64Array` for a number column, a `string[]` otherwise. */
  column(key) {
    const i = columnIndex(this.columnNames, key);
    const raw = this.#raw;
    if (raw.kinds[i] === 0) return raw.numbers[i];
    let cells = this.#strings[i];
    if (!cells) {
      let start = 0;
      for (let j = i - 1; j >= 0; j--) {
        const prev = raw.textEnds[j];
        if (prev && prev.length) { start = prev[prev.length - 1]; break; }
      }
      const ends = raw.textEnds[i];
      const text = raw.text;
      cells = new Array(ends.length);
      for (let r = 0; r < ends.length; r++) {
        const end = ends[r];
        cells[r] = text.slice(start, end);
        start = end;
      }
      this.#strings[i] = cells;
    }
    return cells;
  }

  /**
   * A number column as its `Float64Array`; a TypeError when the column is a string column in
   * this batch.
   */
  numbers(key) {
    const i = columnIndex(this.columnNames, key);
    if (this.#raw.kinds[i] !== 0) throw new TypeError(`column ${JSON.stringify(this.columnNames[i])} is a string column in this batch`);
    return this.#raw.numbers[i];
  }

  /**
   * A string column as its cells; a TypeError when the column is a number column in this batch
   * (its cells were parsed: read it with `numbers()`, or decode with `types: 'string'`).
   */
  strings(key) {
    const i = columnIndex(this.columnNames, key);
    if (this.#raw.kinds[i] === 0) throw new TypeError(`column ${JSON.stringify(this.columnNames[i])} is a number column in this batch`);
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
