// Worker mode, what the package's main bundle holds: the checks of `worker` and `workerUrl`
// (thrown when the client is made), and stand-ins for the page's side of Worker mode
// (remote.js), which is imported on demand: when a client with `worker: true` is made. A page
// whose clients run on the main thread does not load it. A stand-in waits for the module, then
// hands over to what it makes (a ClientHandle, a RemoteCall); a call made meanwhile can be read,
// aborted and cancelled as one of remote.js. What remote.js uses of the page's modules is
// handed to it once imported (`connect`): it imports none of them, so that its chunk shares no
// code with the main bundle, which a page then loads alone.
import { CsvError, NetworkError, QlikApiError, WasmModuleError, argumentError, errorFrom } from './errors.js';
import { compiledModule, reportWorkersWith } from './loader.js';
import { detach } from './spares.js';

/** What remote.js uses of the page's modules (see its `connect`). */
const PAGE_MODULES = {
  errors: { QlikApiError, CsvError, NetworkError, WasmModuleError, argumentError, errorFrom },
  compiledModule,
  detach,
};

let loading = null; // the import of remote.js: a promise of the module, once asked for
let loaded = null; // the module, once imported

function loadError(e) {
  const detail = e?.message ?? String(e);
  return new Error(`qlik-automl-predictions: the code of Worker mode could not be loaded (${detail}).`
    + ' Serve the files of pkg/ side by side, as the package ships them.', { cause: e });
}

/** remote.js, imported once (again after an import that failed). */
function remote() {
  if (!loading) {
    const now = import('./remote.js').then(
      (m) => {
        m.connect(PAGE_MODULES);
        loaded = m;
        return m;
      },
      (e) => { if (loading === now) loading = null; throw loadError(e); },
    );
    loading = now;
    // Worker mode's figures for __internals: what remote.js counts, once it is loaded.
    reportWorkersWith({
      count: () => loaded?.figures.count() ?? 0,
      stats: () => now.then((m) => m.figures.stats(), () => null),
    });
  }
  return loading;
}

function read(obj, key) {
  try {
    return obj[key];
  } catch {
    return undefined;
  }
}

/**
 * The client's Worker-mode side when `config.worker` is true (null otherwise); `copied` is the
 * configuration the client keeps (client.js), which the Worker gets. Throws a TypeError naming
 * `worker` or `workerUrl` when they are not a boolean and a string or URL.
 */
export function workerMode(config, copied) {
  if (config === null || typeof config !== 'object') return null;
  const worker = read(config, 'worker');
  const workerUrl = read(config, 'workerUrl');
  if (worker !== undefined && typeof worker !== 'boolean') {
    throw argumentError('worker', '`worker` must be true or false');
  }
  if (workerUrl !== undefined && typeof workerUrl !== 'string' && !(workerUrl instanceof URL)) {
    throw argumentError('workerUrl', '`workerUrl` must be a string or a URL');
  }
  if (workerUrl !== undefined && worker !== true) {
    throw argumentError('workerUrl', '`workerUrl` is the script of Worker mode: it needs `worker: true`');
  }
  if (!worker) return null;
  if (typeof Worker !== 'function') {
    throw argumentError('worker', '`worker: true` needs the Worker API (a browser page or Worker)');
  }
  return new WorkerClient(copied, workerUrl);
}

/**
 * A client's side of Worker mode: remote.js's ClientHandle once the module is loaded (its
 * Worker is started then, as the client is made), and the calls made on it.
 */
class WorkerClient {
  #config;
  #script;
  #handle = null;
  #making = null;

  constructor(config, script) {
    this.#config = config;
    this.#script = script;
    // Loaded and started now; a failure is the calls' to report.
    this.handle().catch(() => {});
  }

  /** A promise of the ClientHandle (made again after the module failed to load). */
  handle() {
    if (this.#handle) return Promise.resolve(this.#handle);
    if (!this.#making) {
      this.#making = remote().then((m) => {
        this.#handle = new m.ClientHandle(this.#config, this.#script);
        this.#making = null;
        return this.#handle;
      }, (e) => {
        this.#making = null;
        throw e;
      });
    }
    return this.#making;
  }

  /** A reading call (`openBatches` or `openBytes`) in the Worker. */
  open(method, predictionId, dataset, options, linked, onAnswer) {
    if (this.#handle) return this.#handle.open(method, predictionId, dataset, options, linked, onAnswer);
    return new PendingCall(this, (handle) => handle.open(method, predictionId, dataset, options, linked, onAnswer), linked);
  }

  /** The jobs call in the Worker: resolves to its answer. */
  jobs(predictionId, options, linked) {
    return this.handle().then((handle) => handle.jobs(predictionId, options, linked));
  }
}

const NO_FIGURES = Object.freeze({ bytes: 0, totalBytes: null, rows: 0, columnNames: null, deprecation: null });

/**
 * A reading call made before remote.js was loaded: read like a RemoteCall, it becomes one once
 * the module is there. Aborted or cancelled before, it fails with the reason or ends, and
 * nothing is sent to the Worker; a module that cannot be loaded is its error.
 */
class PendingCall {
  #call = null; // the RemoteCall, once made
  #waiting = true; // for the module
  #waiter = null; // a read waiting with it
  #failure = null;
  #linked;
  #onAbort = null;

  constructor(client, open, linked) {
    this.#linked = linked;
    const signal = linked.controller.signal;
    if (signal.aborted) {
      this.#end({ reason: signal.reason });
      return;
    }
    this.#onAbort = () => this.#end({ reason: signal.reason });
    signal.addEventListener('abort', this.#onAbort, { once: true });
    client.handle().then((handle) => {
      if (!this.#waiting) return;
      let call;
      try {
        call = open(handle);
      } catch (e) {
        this.#end({ reason: e });
        return;
      }
      this.#waiting = false;
      signal.removeEventListener('abort', this.#onAbort);
      this.#call = call;
      if (this.#waiter) {
        const { resolve } = this.#waiter;
        this.#waiter = null;
        resolve(this.#call.next());
      }
    }, (error) => this.#end({ reason: error }));
  }

  get bytes() { return (this.#call ?? NO_FIGURES).bytes; }
  get totalBytes() { return (this.#call ?? NO_FIGURES).totalBytes; }
  get rows() { return (this.#call ?? NO_FIGURES).rows; }
  get columnNames() { return (this.#call ?? NO_FIGURES).columnNames; }
  get deprecation() { return (this.#call ?? NO_FIGURES).deprecation; }

  // Ends the call before it was made: with `failure.reason` (at the read waiting, or at the
  // next one), or without (cancelled).
  #end(failure) {
    if (!this.#waiting) return;
    this.#waiting = false;
    this.#linked.unlink();
    if (this.#onAbort) this.#linked.controller.signal.removeEventListener('abort', this.#onAbort);
    const waiter = this.#waiter;
    this.#waiter = null;
    if (!waiter) this.#failure = failure;
    else if (failure) waiter.reject(failure.reason);
    else waiter.resolve(undefined);
  }

  /** The next item, or undefined at the end; the call ends at the end or on a failure. */
  next() {
    if (this.#call) return this.#call.next();
    if (this.#failure) {
      const { reason } = this.#failure;
      this.#failure = null;
      return Promise.reject(reason);
    }
    if (!this.#waiting) return Promise.resolve(undefined);
    if (this.#waiter) return Promise.reject(new Error('a read is already in progress on this reader'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** Sends a released batch's buffer back to the Worker, for later batches of any call. */
  recycle(buffer) {
    if (this.#call) this.#call.recycle(buffer);
    else detach(buffer);
  }

  /** Stops the call: the Worker cancels its request, or it is never sent. */
  cancel() {
    if (this.#call) {
      this.#call.cancel();
      return;
    }
    this.#failure = null;
    this.#end(null);
  }
}
