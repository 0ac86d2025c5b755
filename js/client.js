// PredictionsClient: the public calls over the wasm Client of the live instance, which it makes
// again (same configuration) after an instance failed.
import { argumentError, QlikApiError } from './errors.js';
import { live, warmUpWith, WARM_UP_CSV } from './loader.js';
import { answered, redirectToLogin } from './login.js';
import { RecordBatch } from './record-batch.js';
import { callStream, linkCall, ReaderCall } from './streams.js';
import { workerMode } from './worker-mode.js';

/** Where a call's released batches' buffers go: to the spares of the realm that made them. */
function recycler(call) {
  return (buffer) => call.recycle(buffer);
}

// The configuration is copied when a client is made (every own enumerable field, as
// `Object.keys` lists them, and the fields of `rateLimit`), so that a client re-made on a fresh
// instance gets the same configuration. A getter that throws reads as absent, as on the wasm
// side.
function read(obj, key) {
  try {
    return obj[key];
  } catch {
    return undefined;
  }
}

function copyConfig(config) {
  if (config === null || typeof config !== 'object') return config;
  let keys;
  try {
    keys = Object.keys(config);
  } catch {
    keys = [];
  }
  const copy = {};
  for (const key of keys) {
    Object.defineProperty(copy, key, { value: read(config, key), enumerable: true, writable: true, configurable: true });
  }
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
  #authType;
  #remote; // Worker mode: the client's side of the Worker its calls run in (worker-mode.js), or null

  constructor(config = {}) {
    const instance = live();
    this.#config = copyConfig(config);
    this.#client = instance.sync(() => new instance.bindings.Client(this.#config));
    this.#instance = instance;
    this.#host = this.#client.host;
    this.#autoRedirect = this.#client.autoRedirect;
    this.#authType = this.#client.authType;
    const warning = this.#client.configWarning;
    if (warning) console.warn(warning);
    this.#remote = workerMode(config, this.#config);
  }

  /** The tenant's base URL requests go to: its origin, and the host's path prefix if any. */
  get host() { return this.#host; }

  /**
   * The authentication type in use, as configured (lower-case) or inferred from the fields set:
   * `'cookie'`, `'apikey'`, `'oauth2'`, `'none'` or `'noauth'`.
   */
  get authType() { return this.#authType; }

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
    if (e instanceof QlikApiError && e.status === 401 && e.loginUrl && this.#autoRedirect) {
      redirectToLogin(this.#host, e.loginUrl);
    }
    return e;
  }

  // A successful answer: a later 401 may redirect to the login again.
  #answered() {
    if (this.#autoRedirect) answered(this.#host);
  }

  #read(method, predictionId, dataset, options) {
    const { instance, client } = this.#on();
    if (this.#remote) {
      // The arguments are checked here, as without a Worker: the reader made is not read.
      instance.sync(() => client[method](predictionId, dataset, options)).free();
      return this.#remote.open(method, predictionId, dataset, options, linkCall(options), () => this.#answered());
    }
    return new ReaderCall(instance, (opts) => client[method](predictionId, dataset, opts), options, () => this.#answered());
  }

  /**
   * The dataset as a `ReadableStream` of `RecordBatch`es, parsed while it downloads; also
   * async-iterable. Reading stops when the consumer stops (backpressure); cancelling the
   * stream or aborting `signal` stops the download.
   */
  stream(predictionId, dataset, options = {}) {
    const call = this.#read('openBatches', predictionId, dataset, options);
    const recycle = recycler(call);
    return callStream(call, {
      wrap: (raw) => new RecordBatch(raw, recycle),
      fail: (e) => this.#fail(e),
      extra: ['columnNames', 'rows'],
    });
  }

  /**
   * The first `limit` rows (default 100) as arrays; stops downloading once they are parsed.
   * Resolves to `{ columns, rows, numRows, truncated, bytes, totalBytes, deprecation }`.
   */
  async table(predictionId, dataset, options = {}) {
    const limit = options?.limit ?? 100;
    if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) {
      throw argumentError('limit', '`limit` must be a whole number >= 0 or Infinity');
    }
    const call = this.#read('openBatches', predictionId, dataset, options);
    const recycle = recycler(call);
    const rows = [];
    let truncated = false;
    let ended = false;
    try {
      while (!ended && (rows.length < limit || call.columnNames === null)) {
        const raw = await call.next();
        if (raw === undefined) { ended = true; break; }
        const batch = new RecordBatch(raw, recycle);
        const take = Math.min(batch.numRows, limit - rows.length);
        for (const row of batch.toRows(take)) rows.push(row);
        batch.release();
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
    const call = this.#read('openBytes', predictionId, dataset, options);
    return callStream(call, { wrap: (chunk) => chunk, fail: (e) => this.#fail(e) });
  }

  /** POSTs to the jobs endpoint: the parsed JSON body, or `null` when empty. */
  async jobs(predictionId, options = {}) {
    const { instance, client } = this.#on();
    const link = linkCall(options);
    try {
      const result = this.#remote && link.controller
        ? await this.#remote.jobs(predictionId, options, link)
        : await instance.track(() => client.jobs(predictionId, link.options), (error) => link.controller?.abort(error));
      this.#answered();
      return result;
    } catch (e) {
      throw this.#fail(e);
    } finally {
      link.unlink();
    }
  }
}

function shown(value) {
  const text = String(value);
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

// A source of parseCsv as Reader.fromSource takes it: `{ fetch, url }` (a URL resolved against
// the page's address, or a Request), `{ response }` or `{ stream, size }`.
function csvSource(source) {
  if (typeof source === 'string' && /[\r\n]/.test(source)) {
    // CSV text, most likely (a URL holds no line break: the URL parser would drop it).
    throw argumentError('source', `source: ${shown(source)} holds a line break, and a string is the URL of a file:`
      + ' to parse CSV text, pass it as `new Blob([text])`');
  }
  if (typeof source === 'string' || source instanceof URL) {
    let url;
    try {
      url = new URL(source, globalThis.location?.href).href;
    } catch {
      throw argumentError('source', `source: ${shown(source)} is not a URL`);
    }
    return { fetch: url, url };
  }
  if (typeof Request === 'function' && source instanceof Request) return { fetch: source, url: source.url };
  if (typeof Response === 'function' && source instanceof Response) {
    if (source.bodyUsed || source.body?.locked) {
      throw argumentError('source', "source: the Response's body is already used or being read");
    }
    return { response: source };
  }
  if (typeof Blob === 'function' && source instanceof Blob) return { stream: source.stream(), size: source.size };
  if (typeof ReadableStream === 'function' && source instanceof ReadableStream) {
    if (source.locked) throw argumentError('source', 'source: the stream is locked: another reader is reading it');
    return { stream: source };
  }
  throw argumentError('source', 'source: must be a URL (string or URL), a Request, a Response, a ReadableStream or a Blob');
}

/**
 * CSV from anywhere as a `ReadableStream` of `RecordBatch`es (also async-iterable), decoded
 * while it is read, as `stream()` decodes a dataset: a URL (string or `URL`, fetched with
 * plain `fetch`: no credentials but the page's own cookies for its own origin; pass a `Request`
 * to set credentials or headers), a `Request`, a `Response`, a `ReadableStream` of bytes or a
 * `Blob`. Reading starts when the stream is first read.
 */
export function parseCsv(source, options = {}) {
  const input = csvSource(source);
  const instance = live();
  const call = new ReaderCall(instance, (opts) => instance.bindings.Reader.fromSource(input, opts), options);
  const recycle = recycler(call);
  return callStream(call, { wrap: (raw) => new RecordBatch(raw, recycle), fail: (e) => e, extra: ['columnNames', 'rows'] });
}

// What a page's first call runs, run once at init() (loader.js's warmUpWith): a client made
// with a configuration that sends nothing, a stream of it opened with an aborted signal (its
// reader made and stopped before any request: the first step a call takes), and a small CSV
// held in memory parsed and read, so that the first call starts its request and hands out its
// first rows without compiling the code on the way first (the first request of a page sent
// about 1.5 ms sooner with the stopped stream than without). Nothing here is sent or kept.
warmUpWith(() => {
  const client = new PredictionsClient({ host: 'localhost', authType: 'none' });
  const stopped = new AbortController();
  stopped.abort();
  (async () => {
    for await (const _ of client.stream('warm-up', 'predictions', { signal: stopped.signal }));
  })().catch(() => {});
  if (typeof Response !== 'function') return;
  (async () => {
    // Not released: a release makes later batches' buffers room for reuse (spares.js).
    for await (const batch of parseCsv(new Response(WARM_UP_CSV))) batch.columns();
  })().catch(() => {});
});
