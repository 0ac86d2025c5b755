// Package entry of qlik-automl-predictions: the public JavaScript API over the wasm module.
// The wasm side fetches, retries and decodes; this file shapes the results for JavaScript:
// error classes, record batches, async-iterable streams; and it replaces a wasm instance that
// failed by a fresh one.
import { createBindings } from './qlik_automl_predictions.js';

// ---------------------------------------------------------------------------------------
// Wasm instances.
//
// A trap (e.g. an allocation failure, which aborts) or an exception thrown through wasm
// frames leaves an instance in an unknown state. Every call into an instance goes through a
// guard: the first such failure marks the instance dead, rejects the calls in progress on it
// with a `WasmModuleError` and aborts their requests; later calls from the dead instance's
// leftover callbacks and finalizers do nothing. The next call, on any client, instantiates
// the compiled module again, with fresh memory.

/** What a dead instance's exports return: nothing of theirs is used any more. */
const DEAD = Object.freeze([]);

let compiled = null; // the WebAssembly.Module, once init() has loaded it
let current = null; // the live Instance
let firstExports = null;
let instances = 0;
let ready = null;

/** The wasm module failed (it trapped); the call was stopped. The next call runs on a fresh instance. */
export class WasmModuleError extends Error {
  constructor(message, options) {
    super(message, options);
  }
}
WasmModuleError.prototype.name = 'WasmModuleError';

function describe(e) {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } catch {
    return 'unknown error';
  }
}

class Instance {
  constructor() {
    /** The WasmModuleError, once the instance has failed. */
    this.dead = null;
    /** Operations waiting on the instance: each has `fail(error)`. */
    this.pending = new Set();
    this.exports = null;
    this.bindings = createBindings((exports) => this.#guard(exports));
  }

  #guard(raw) {
    const guarded = {};
    for (const [name, value] of Object.entries(raw)) {
      if (typeof value !== 'function') {
        guarded[name] = value;
        continue;
      }
      guarded[name] = (...args) => {
        if (this.dead) return DEAD;
        try {
          return value(...args);
        } catch (e) {
          this.#die(e);
          throw e;
        }
      };
    }
    this.exports = guarded;
    return guarded;
  }

  #die(cause) {
    if (this.dead) return;
    this.dead = new WasmModuleError(
      `qlik-automl-predictions: the WebAssembly module failed (${describe(cause)}); `
      + 'the calls in progress were stopped, and the next call runs on a fresh instance',
      { cause },
    );
    if (current === this) current = null;
    const pending = [...this.pending];
    this.pending.clear();
    for (const op of pending) op.fail(this.dead);
  }

  /** Runs `f` (a synchronous call into the instance); a failure of the instance throws its WasmModuleError. */
  sync(f) {
    if (this.dead) throw this.dead;
    try {
      return f();
    } catch (e) {
      throw this.dead ?? e;
    }
  }

  /**
   * Awaits the promise `start()` returns, tracked: if the instance fails first, rejects with
   * its WasmModuleError and calls `onFail(error)`.
   */
  track(start, onFail) {
    return new Promise((resolve, reject) => {
      if (this.dead) {
        reject(this.dead);
        return;
      }
      const op = {
        fail: (error) => {
          if (onFail) onFail(error);
          reject(error);
        },
      };
      this.pending.add(op);
      let promise;
      try {
        promise = start();
      } catch (e) {
        this.pending.delete(op);
        reject(this.dead ?? e);
        return;
      }
      Promise.resolve(promise).then(
        (v) => {
          if (!this.pending.delete(op)) return;
          resolve(v);
        },
        (e) => {
          if (!this.pending.delete(op)) return;
          reject(e);
        },
      );
    });
  }
}

/** The live instance, instantiating the compiled module again after a failure. */
function live() {
  if (current) return current;
  if (!compiled) throw new Error('qlik-automl-predictions: await init() before creating a client');
  const instance = new Instance();
  instance.bindings.initSync({ module: compiled });
  instances += 1;
  current = instance;
  return instance;
}

function adopt(instance, exports) {
  compiled = instance.bindings.module();
  current = instance;
  firstExports = exports;
  instances += 1;
  ready = Promise.resolve(exports);
  return exports;
}

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
    const instance = new Instance();
    const input = moduleOrPath === undefined && isNode() ? nodeDefaultModule() : Promise.resolve(moduleOrPath);
    ready = input.then((m) => instance.bindings.init(m)).then(
      (exports) => adopt(instance, exports),
      (e) => { ready = null; throw e; },
    );
  }
  return ready;
}

/** Synchronous instantiation from a `WebAssembly.Module` or bytes: `{ module }`. */
export function initSync(module) {
  if (firstExports) return firstExports;
  const instance = new Instance();
  return adopt(instance, instance.bindings.initSync(module));
}

/**
 * Not part of the API: figures for the package's own tests, which may change at any time.
 * `wasmMemoryBytes()` is the size of the live instance's memory (0 before init), and
 * `instances()` the number of instances made so far.
 */
export const __internals = Object.freeze({
  wasmMemoryBytes: () => (current?.exports?.memory?.buffer.byteLength ?? 0),
  instances: () => instances,
});

// ---------------------------------------------------------------------------------------
// Errors.

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

// ---------------------------------------------------------------------------------------
// Calls.

// Links the caller's `signal` to a controller of the call's own, whose signal the wasm side
// gets instead: aborting the caller's signal aborts it with the same reason, and a failed
// instance aborts it to stop the call's requests. `unlink()` removes the listener once the
// call has ended. Options that are not an object, or a `signal` that is not an AbortSignal,
// are passed as they are (the wasm side rejects them with a TypeError).
function linkCall(options) {
  const user = options?.signal;
  const odd = (options !== undefined && options !== null && typeof options !== 'object')
    || (user !== undefined && user !== null && !(user instanceof AbortSignal));
  if (odd) return { options, controller: null, unlink() {} };
  const controller = new AbortController();
  let unlink = () => {};
  if (user) {
    if (user.aborted) {
      controller.abort(user.reason);
    } else {
      const onAbort = () => controller.abort(user.reason);
      user.addEventListener('abort', onAbort, { once: true });
      unlink = () => user.removeEventListener('abort', onAbort);
    }
  }
  return { options: { ...options, signal: controller.signal }, controller, unlink };
}

// One reading call over a wasm Reader. The wasm reader is freed as soon as the call ends
// (completed, failed or cancelled), not when the garbage collector finds it; what JavaScript
// can still read about the call (bytes, rows, columns, deprecation) is kept here.
class ReaderCall {
  #instance;
  #raw;
  #link;
  #info = { bytes: 0, totalBytes: null, rows: 0, columnNames: null, deprecation: null };

  #onAnswer;

  constructor(instance, open, options, onAnswer) {
    this.#instance = instance;
    this.#onAnswer = onAnswer;
    this.#link = linkCall(options);
    try {
      this.#raw = instance.sync(() => open(this.#link.options));
    } catch (e) {
      this.#link.unlink();
      throw e;
    }
  }

  #alive() {
    return this.#raw !== null && !this.#instance.dead;
  }

  #refresh() {
    if (!this.#alive()) return;
    const raw = this.#raw;
    const info = this.#info;
    info.bytes = raw.bytes;
    info.totalBytes = raw.totalBytes ?? null;
    info.rows = raw.rows;
    if (info.columnNames === null) info.columnNames = raw.columnNames;
    if (info.deprecation === null) info.deprecation = raw.deprecation ?? null;
  }

  #release() {
    if (this.#raw === null) return;
    const raw = this.#raw;
    this.#raw = null;
    this.#link.unlink();
    if (!this.#instance.dead) raw.free();
  }

  get bytes() { return this.#alive() ? this.#raw.bytes : this.#info.bytes; }
  get totalBytes() { return this.#alive() ? this.#raw.totalBytes ?? null : this.#info.totalBytes; }
  get rows() { return this.#alive() ? this.#raw.rows : this.#info.rows; }
  get columnNames() { return this.#alive() ? this.#raw.columnNames : this.#info.columnNames; }
  get deprecation() { return this.#alive() ? this.#raw.deprecation ?? null : this.#info.deprecation; }

  /** The next item, or undefined at the end; the call ends at the end or on a failure. */
  async next() {
    if (this.#raw === null) return undefined;
    const raw = this.#raw;
    try {
      const item = await this.#instance.track(() => raw.next(), (error) => {
        this.#link.controller?.abort(error);
        this.#release();
      });
      this.#refresh();
      if (this.#onAnswer) {
        const onAnswer = this.#onAnswer;
        this.#onAnswer = null;
        onAnswer();
      }
      if (item === undefined) this.#release();
      return item;
    } catch (e) {
      this.#refresh();
      this.#release();
      throw e;
    }
  }

  /** Stops the call: its request is aborted and the wasm reader freed. */
  cancel(reason) {
    if (this.#raw === null) return;
    if (!this.#instance.dead) {
      this.#refresh();
      this.#raw.cancel(reason);
    }
    this.#release();
  }
}

// A pull-based stream over a reading call: one `next()` per pull, so nothing is read from the
// network before the consumer asks (backpressure); cancelling cancels the call. `wrap` turns
// each item into what the stream yields; errors become the package's classes.
function readerStream(call, wrap, fail) {
  return new ReadableStream({
    pull: async (controller) => {
      let item;
      try {
        item = await call.next();
      } catch (e) {
        throw fail(e);
      }
      if (item === undefined) controller.close();
      else controller.enqueue(wrap(item));
    },
    cancel: (reason) => call.cancel(reason),
  }, { highWaterMark: 1 });
}

// Gives a stream `for await` support where the browser lacks it (Safari), and live getters.
function decorate(stream, call, extra) {
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
    bytes: { get: () => call.bytes },
    totalBytes: { get: () => call.totalBytes },
    deprecation: { get: () => call.deprecation },
  };
  for (const key of extra) props[key] = { get: () => call[key] };
  Object.defineProperties(stream, props);
  return stream;
}

// autoRedirect goes to a host's login at most once per page load, and not again while the
// page has not had a successful answer from that host since the last time: if the login does
// not give this page a session (cookies blocked, say), the page does not loop between itself
// and the login. The mark is kept in sessionStorage (per tab); without sessionStorage there is
// no automatic redirect.
const REDIRECT_MARK = 'qlik-automl-predictions:login-redirect:';
const redirectedThisLoad = new Set();

function storage() {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

function redirectToLogin(host, loginUrl) {
  const location = globalThis.location;
  const store = storage();
  if (typeof location?.assign !== 'function' || !store || redirectedThisLoad.has(host)) return;
  try {
    if (store.getItem(REDIRECT_MARK + host) !== null) return;
    store.setItem(REDIRECT_MARK + host, new Date().toISOString());
  } catch {
    return;
  }
  redirectedThisLoad.add(host);
  location.assign(loginUrl);
}

function answered(host) {
  try {
    storage()?.removeItem(REDIRECT_MARK + host);
  } catch {
    // Nothing to forget.
  }
}

// The configuration fields the wasm side reads, copied when a client is made, so that a
// client re-made on a fresh instance gets the same configuration. A getter that throws reads
// as absent, as on the wasm side.
const CONFIG_FIELDS = ['host', 'authType', 'webIntegrationId', 'crossSiteCookies', 'apiKey', 'getAccessToken',
  'autoRedirect', 'retries', 'rateLimit', 'timeoutMs'];

function read(obj, key) {
  try {
    return obj[key];
  } catch {
    return undefined;
  }
}

function copyConfig(config) {
  if (config === null || typeof config !== 'object') return config;
  const copy = {};
  for (const key of CONFIG_FIELDS) copy[key] = read(config, key);
  const limits = copy.rateLimit;
  if (limits !== null && typeof limits === 'object') {
    copy.rateLimit = { tier1: read(limits, 'tier1'), tier2: read(limits, 'tier2'), windowMs: read(limits, 'windowMs') };
  }
  return copy;
}

/** A client for the AutoML predictions API of one Qlik Cloud tenant. */
export class PredictionsClient {
  #config;
  #instance;
  #client;
  #host;
  #autoRedirect;

  constructor(config = {}) {
    const instance = live();
    this.#config = copyConfig(config);
    this.#client = instance.sync(() => new instance.bindings.Client(this.#config));
    this.#instance = instance;
    this.#host = this.#client.origin;
    this.#autoRedirect = this.#client.autoRedirect;
  }

  /** The tenant origin requests go to. */
  get host() { return this.#host; }

  // The wasm client on the live instance: made again (same configuration, fresh rate limiter)
  // when the instance it was made on has failed.
  #on() {
    const instance = live();
    if (this.#instance !== instance) {
      this.#client = instance.sync(() => new instance.bindings.Client(this.#config));
      this.#instance = instance;
    }
    return { instance, client: this.#client };
  }

  #fail(e) {
    const err = toError(e);
    if (err instanceof QlikApiError && err.status === 401 && err.loginUrl && this.#autoRedirect) {
      redirectToLogin(this.#host, err.loginUrl);
    }
    return err;
  }

  // A successful answer: a later 401 may redirect to the login again.
  #answered() {
    if (this.#autoRedirect) answered(this.#host);
  }

  #read(method, predictionId, dataset, options) {
    const { instance, client } = this.#on();
    return new ReaderCall(instance, (opts) => client[method](predictionId, dataset, opts), options, () => this.#answered());
  }

  /**
   * The dataset as a `ReadableStream` of `RecordBatch`es, parsed while it downloads; also
   * async-iterable. Reading stops when the consumer stops (backpressure); cancelling the
   * stream or aborting `signal` stops the download.
   */
  stream(predictionId, dataset, options = {}) {
    checkArgs(predictionId, dataset);
    const call = this.#read('openBatches', predictionId, dataset, options);
    const stream = readerStream(call, (raw) => new RecordBatch(raw), (e) => this.#fail(e));
    return decorate(stream, call, ['columnNames', 'rows']);
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
    const call = this.#read('openBatches', predictionId, dataset, parse);
    const rows = [];
    let truncated = false;
    let ended = false;
    try {
      while (!ended && (rows.length < limit || call.columnNames === null)) {
        const raw = await call.next();
        if (raw === undefined) { ended = true; break; }
        const batch = new RecordBatch(raw);
        const take = Math.min(batch.numRows, limit - rows.length);
        for (const row of batch.toRows(take)) rows.push(row);
        if (take < batch.numRows) truncated = true;
      }
      if (!ended && !truncated) {
        truncated = (await call.next()) !== undefined;
      }
    } catch (e) {
      call.cancel();
      throw this.#fail(e);
    }
    call.cancel();
    return {
      columns: call.columnNames ?? [],
      rows,
      numRows: rows.length,
      truncated,
      bytes: call.bytes,
      totalBytes: call.totalBytes,
      deprecation: call.deprecation,
    };
  }

  /** The exact bytes of the file as a `Blob` (type `text/csv`). */
  async download(predictionId, dataset, options = {}) {
    checkArgs(predictionId, dataset);
    const call = this.#read('openBytes', predictionId, dataset, options);
    const chunks = [];
    try {
      for (;;) {
        const chunk = await call.next();
        if (chunk === undefined) break;
        chunks.push(chunk);
      }
    } catch (e) {
      call.cancel();
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
    const call = this.#read('openBytes', predictionId, dataset, options);
    const stream = readerStream(call, (chunk) => chunk, (e) => this.#fail(e));
    return decorate(stream, call, []);
  }

  /** POSTs to the jobs endpoint: the parsed JSON body, or `null` when empty. */
  async jobs(predictionId, options = {}) {
    checkArgs(predictionId);
    const { instance, client } = this.#on();
    const link = linkCall(options);
    try {
      const result = await instance.track(() => client.jobs(predictionId, link.options), (error) => link.controller?.abort(error));
      this.#answered();
      return result;
    } catch (e) {
      throw this.#fail(e);
    } finally {
      link.unlink();
    }
  }
}
