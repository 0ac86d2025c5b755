// Package entry of qlik-automl-predictions: the public JavaScript API over the wasm module.
// The wasm side fetches, retries and decodes; this file shapes the results for JavaScript:
// error classes, record batches, async-iterable streams.
import wbgInit, { initSync as wbgInitSync, Client } from './qlik_automl_predictions.js';

let ready = null;
let initialized = false;

// Node's fetch cannot read file: URLs, so there the .wasm beside this module is read with
// node:fs. Browsers and bundlers keep wasm-bindgen's own `new URL(…, import.meta.url)` fetch;
// `import.meta` is read only here, when init() is called without an argument in Node, so a
// bundle that has no `import.meta` (an IIFE) works when init is given the wasm.
const FS_MODULE = 'node:fs/promises';

async function nodeDefaultModule() {
  const url = new URL('qlik_automl_predictions_bg.wasm', import.meta.url);
  if (url.protocol !== 'file:') return undefined;
  const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ FS_MODULE);
  return { module_or_path: await readFile(url) };
}

function isNode() {
  return typeof globalThis.process?.versions?.node === 'string' && typeof globalThis.document === 'undefined';
}

/**
 * Loads and instantiates the wasm module (idempotent). Resolves to the module's exports.
 * Takes what wasm-bindgen's init takes: nothing (the .wasm beside this file: fetched in
 * browsers, read from disk in Node), or `{ module_or_path }` with a URL, Response,
 * BufferSource or WebAssembly.Module.
 */
export default function init(moduleOrPath) {
  if (!ready) {
    const input = moduleOrPath === undefined && isNode() ? nodeDefaultModule() : Promise.resolve(moduleOrPath);
    ready = input.then(wbgInit).then(
      (exports) => { initialized = true; return exports; },
      (e) => { ready = null; throw e; },
    );
  }
  return ready;
}

/** Synchronous instantiation from a `WebAssembly.Module` or bytes: `{ module }`. */
export function initSync(module) {
  const exports = wbgInitSync(module);
  initialized = true;
  ready = Promise.resolve(exports);
  return exports;
}

/** An error answer of the Qlik API (4xx/5xx), after any retries. */
export class QlikApiError extends Error {
  constructor(message, fields = {}) {
    super(message);
    this.status = fields.status;
    this.code = fields.code;
    this.title = fields.title;
    this.detail = fields.detail;
    this.errors = Array.isArray(fields.errors) ? fields.errors : [];
    this.retryAfter = fields.retryAfter;
    this.loginUrl = fields.loginUrl;
    this.url = fields.url;
  }
}
QlikApiError.prototype.name = 'QlikApiError';

/** Malformed CSV; the rows before the bad record have been delivered. */
export class CsvError extends Error {
  constructor(message, fields = {}) {
    super(message);
    this.reason = fields.reason;
    this.line = fields.line;
    this.byteOffset = fields.byteOffset;
  }
}
CsvError.prototype.name = 'CsvError';

/** The connection failed, went idle past `timeoutMs`, or the body ended early. */
export class NetworkError extends Error {
  constructor(message, fields = {}) {
    super(message);
    this.bytesReceived = fields.bytesReceived;
    this.url = fields.url;
  }
}
NetworkError.prototype.name = 'NetworkError';

const ERROR_CLASSES = { QlikApiError, CsvError, NetworkError };

// The wasm side rejects with plain descriptors; anything else (an abort reason, an exception
// thrown by a callback, a TypeError) passes through unchanged.
function toError(e) {
  if (e !== null && typeof e === 'object' && !(e instanceof Error) && typeof e.qlikErrorKind === 'string') {
    const Class = ERROR_CLASSES[e.qlikErrorKind];
    if (Class) return new Class(e.message, e);
  }
  return e;
}

const DATASETS = ['predictions', 'shap', 'coordinate-shap', 'not-predicted-reasons', 'source'];

function checkArgs(predictionId, dataset) {
  if (typeof predictionId !== 'string' || predictionId.length === 0) {
    throw new TypeError('predictionId must be a non-empty string');
  }
  if (dataset !== undefined && !DATASETS.includes(dataset)) {
    throw new TypeError(`unknown dataset ${JSON.stringify(dataset)}: expected one of ${DATASETS.join(', ')}`);
  }
}

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
 * Up to `batchRows` rows of a dataset, by column. Number columns are `Float64Array`s (empty
 * cells are NaN); string columns are arrays of strings, built on first access.
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

// A pull-based stream over a wasm reader: one `next()` per pull, so nothing is read from the
// network before the consumer asks (backpressure); cancelling cancels the reader. `wrap`
// turns each item into what the stream yields; errors become the package's classes.
function readerStream(reader, wrap, fail) {
  return new ReadableStream({
    pull: async (controller) => {
      let item;
      try {
        item = await reader.next();
      } catch (e) {
        throw fail(e);
      }
      if (item === undefined) controller.close();
      else controller.enqueue(wrap(item));
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 1 });
}

// Gives a stream `for await` support where the browser lacks it (Safari), and live getters.
function decorate(stream, reader, extra) {
  if (typeof stream[Symbol.asyncIterator] !== 'function') {
    stream[Symbol.asyncIterator] = async function* iterate() {
      const r = stream.getReader();
      let done = false;
      try {
        for (;;) {
          const step = await r.read();
          if (step.done) { done = true; return; }
          yield step.value;
        }
      } finally {
        if (!done) await r.cancel().catch(() => {});
        r.releaseLock();
      }
    };
  }
  const props = {
    bytes: { get: () => reader.bytes },
    totalBytes: { get: () => reader.totalBytes ?? null },
    deprecation: { get: () => reader.deprecation ?? null },
  };
  for (const key of extra) props[key] = { get: () => reader[key] };
  Object.defineProperties(stream, props);
  return stream;
}

/** A client for the AutoML predictions API of one Qlik Cloud tenant. */
export class PredictionsClient {
  #client;
  constructor(config = {}) {
    if (!initialized) throw new Error('qlik-automl-predictions: await init() before creating a client');
    this.#client = new Client(config);
  }

  /** The tenant origin requests go to. */
  get host() { return this.#client.origin; }

  #fail(e) {
    const err = toError(e);
    if (err instanceof QlikApiError && err.status === 401 && err.loginUrl && this.#client.autoRedirect
        && typeof globalThis.location?.assign === 'function') {
      globalThis.location.assign(err.loginUrl);
    }
    return err;
  }

  /**
   * The dataset as a `ReadableStream` of `RecordBatch`es, parsed while it downloads; also
   * async-iterable. Reading stops when the consumer stops (backpressure); cancelling the
   * stream or aborting `signal` stops the download.
   */
  stream(predictionId, dataset, options = {}) {
    checkArgs(predictionId, dataset);
    const reader = this.#client.openBatches(predictionId, dataset, options);
    const stream = readerStream(reader, (raw) => new RecordBatch(raw), (e) => this.#fail(e));
    return decorate(stream, reader, ['columnNames', 'rows']);
  }

  /**
   * The first `limit` rows (default 100) as arrays; stops downloading once they are parsed.
   * Resolves to `{ columns, rows, numRows, truncated, bytes, totalBytes, deprecation }`.
   */
  async table(predictionId, dataset, options = {}) {
    checkArgs(predictionId, dataset);
    const limit = options.limit ?? 100;
    if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) {
      throw new TypeError('limit must be a whole number >= 0 or Infinity');
    }
    const parse = { ...options };
    if (parse.batchRows === undefined && limit < 10000) parse.batchRows = limit + 1;
    const reader = this.#client.openBatches(predictionId, dataset, parse);
    const rows = [];
    let truncated = false;
    let ended = false;
    try {
      while (!ended && (rows.length < limit || reader.columnNames === null)) {
        const raw = await reader.next();
        if (raw === undefined) { ended = true; break; }
        const batch = new RecordBatch(raw);
        const take = Math.min(batch.numRows, limit - rows.length);
        for (const row of batch.toRows(take)) rows.push(row);
        if (take < batch.numRows) truncated = true;
      }
      if (!ended && !truncated) {
        truncated = (await reader.next()) !== undefined;
      }
    } catch (e) {
      reader.cancel();
      throw this.#fail(e);
    }
    const result = {
      columns: reader.columnNames ?? [],
      rows,
      numRows: rows.length,
      truncated,
      bytes: reader.bytes,
      totalBytes: reader.totalBytes ?? null,
      deprecation: reader.deprecation ?? null,
    };
    reader.cancel();
    return result;
  }

  /** The exact bytes of the file as a `Blob` (type `text/csv`). */
  async download(predictionId, dataset, options = {}) {
    checkArgs(predictionId, dataset);
    const reader = this.#client.openBytes(predictionId, dataset, options);
    const chunks = [];
    try {
      for (;;) {
        const chunk = await reader.next();
        if (chunk === undefined) break;
        chunks.push(chunk);
      }
    } catch (e) {
      reader.cancel();
      throw this.#fail(e);
    }
    return new Blob(chunks, { type: 'text/csv' });
  }

  /**
   * The exact bytes of the file as a `ReadableStream` of `Uint8Array` chunks, for saving a
   * large file without holding it in memory (e.g. piping to a File System Access stream).
   */
  downloadStream(predictionId, dataset, options = {}) {
    checkArgs(predictionId, dataset);
    const reader = this.#client.openBytes(predictionId, dataset, options);
    const stream = readerStream(reader, (chunk) => chunk, (e) => this.#fail(e));
    return decorate(stream, reader, []);
  }

  /** POSTs to the jobs endpoint: the parsed JSON body, or `null` when empty. */
  async jobs(predictionId, options = {}) {
    checkArgs(predictionId);
    try {
      return await this.#client.jobs(predictionId, options);
    } catch (e) {
      throw this.#fail(e);
    }
  }
}
