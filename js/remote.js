// Worker mode, the page's side: the clients made with `worker: true` run their calls in a
// dedicated module Worker (worker.js), one per page and Worker script, shared by those clients.
// Imported on demand by worker-mode.js (a chunk of its own in the package), which checks the
// options and stands in for a client's handle and calls until this module is loaded.
// A reading call here (RemoteCall) is what streams.js reads, like a ReaderCall: `next()`,
// `cancel()` and the call's figures; its items come from the Worker, at most `window` of them
// requested ahead (the Worker reads on only when one is taken here: backpressure). What only the
// page has stays here: the caller's signal and its reason, `onProgress` (called here, in order
// with the items), `getAccessToken` (the Worker asks for each token) and the page's address.
// Errors come as descriptors and are rebuilt into the package's classes (wire.js).
//
// What this module uses of the page's modules (the error classes, the compiled wasm module,
// `detach`) is handed to it by worker-mode.js when it is imported (`connect`), not imported
// here: imported, those modules would be a chunk of their own that index.js imports (one more
// request before every page can start); copied into this chunk, their classes would not be
// those index.js exports. This chunk (this module and wire.js) shares no module with index.js;
// the build fails if it ever does (scripts/bundle-js.mjs).
import { HeldValues, cloneable, errorOf } from './wire.js';

/** The package's error classes and `argumentError` (errors.js's exports, as index.js has them). */
let errors;
/** The page's compiled wasm module (loader.js), sent to each Worker. */
let compiledModule;
/** Detaches a buffer that cannot go back to a Worker (spares.js). */
let detach;

/** Called once, by worker-mode.js, before anything else here: hands over the page's modules. */
export function connect(modules) {
  ({ errors, compiledModule, detach } = modules);
}

/** Items requested ahead of the consumer: batches, and raw chunks of a download. */
export const WINDOW = Object.freeze({ openBatches: 3, openBytes: 16 });

const DEFAULT_SCRIPT = 'default';

function page() {
  const loc = globalThis.location;
  if (!loc || typeof loc.href !== 'string') return null;
  return { href: loc.href, origin: loc.origin };
}

function startError(script, detail) {
  return new Error(`qlik-automl-predictions: the Worker of Worker mode could not be started from ${script}`
    + ` (${detail}). Serve pkg/worker.js beside pkg/index.js, or build it as an entry of its own and pass`
    + ' its URL as `workerUrl`.');
}

// One Link per Worker script (the package's own, or a `workerUrl`).
const links = new Map();

/** The live Worker of one script, the calls in progress on it and the clients it knows. */
class Link {
  #worker = null;
  #ready = false;
  #nextCall = 0;
  #statsWaiters = [];
  /** Calls in progress by id: each has `receive(message)` and `fail(error)`. */
  calls = new Map();
  /** The clients made known to the Worker: id -> WeakRef of their ClientHandle. */
  clients = new Map();
  held = new HeldValues();
  failure = null;

  constructor(key, script) {
    this.key = key;
    this.script = script;
    try {
      this.#worker = key === DEFAULT_SCRIPT
        ? new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })
        : new Worker(script, { type: 'module' });
    } catch (e) {
      this.#fail(startError(this.script, e?.message ?? String(e)));
      return;
    }
    this.#worker.addEventListener('message', (e) => this.#receive(e.data));
    this.#worker.addEventListener('error', (e) => {
      if (this.#ready) return;
      e.preventDefault();
      this.#fail(startError(this.script, e.message || 'its script failed to load'));
    });
    this.#worker.postMessage({ t: 'init', module: compiledModule(), page: page() });
  }

  post(message) {
    if (!this.failure) this.#worker.postMessage(message);
  }

  /**
   * Sends a released batch's buffer back to the Worker, for its later batches: transferred as
   * it is, which detaches it here. (Moved first with `ArrayBuffer.prototype.transfer()`, as on
   * the main thread, it measured as if copied: the renderer's memory grew by hundreds of MiB.)
   */
  give(buffer) {
    if (!this.failure) {
      try {
        this.#worker.postMessage({ t: 'spare', buffer }, [buffer]);
        return;
      } catch {
        // Not transferable: detached below all the same.
      }
    }
    detach(buffer);
  }

  /** What the Worker holds (for the package's tests): resolves with its figures. */
  stats() {
    return new Promise((resolve) => {
      if (this.failure) {
        resolve(null);
        return;
      }
      this.#statsWaiters.push(resolve);
      this.post({ t: 'stats' });
    });
  }

  /** An id for a new call. */
  callId() {
    this.#nextCall += 1;
    return this.#nextCall;
  }

  #receive(m) {
    if (m.t === 'ready') {
      this.#ready = true;
    } else if (m.t === 'failed') {
      this.#fail(errorOf(m.error, this.held, errors));
    } else if (m.t === 'token') {
      this.#token(m);
    } else if (m.t === 'stats') {
      this.#statsWaiters.shift()?.(m.stats);
    } else {
      // An error that comes back for a call that has ended still gives its held value back.
      const error = m.t === 'error' ? errorOf(m.error, this.held, errors) : undefined;
      this.calls.get(m.call)?.receive(m, error);
    }
  }

  #token({ client, req }) {
    const getAccessToken = this.clients.get(client)?.deref()?.getAccessToken;
    let token;
    try {
      token = Promise.resolve(getAccessToken());
    } catch (e) {
      token = Promise.reject(e);
    }
    // The Worker needs the token only when it is a string (anything else is refused there the
    // same way); a rejection's value stays here, and comes back as the call's error.
    token.then(
      (value) => this.post({ t: 'token', req, ok: true, value: typeof value === 'string' ? value : null }),
      (e) => this.post({ t: 'token', req, ok: false, error: this.held.hold(e) }),
    );
  }

  #fail(error) {
    if (this.failure) return;
    this.failure = error;
    if (links.get(this.key) === this) links.delete(this.key);
    this.#worker?.terminate();
    for (const resolve of this.#statsWaiters.splice(0)) resolve(null);
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const call of calls) call.fail(error);
  }

  /** Makes `handle`'s client known to the Worker (once). */
  register(handle) {
    if (this.clients.has(handle.id)) return;
    this.clients.set(handle.id, new WeakRef(handle));
    this.post({ t: 'client', id: handle.id, config: handle.config, token: handle.getAccessToken !== null });
  }

  /** Forgets a client that the page no longer has; a Worker left with nothing to do ends. */
  drop(id) {
    if (!this.clients.delete(id)) return;
    this.post({ t: 'drop', id });
    this.retireIfIdle();
  }

  /** Ends the Worker when no client can use it any more and no call is in progress. */
  retireIfIdle() {
    if (this.clients.size || this.calls.size || this.failure) return;
    if (links.get(this.key) === this) links.delete(this.key);
    this.failure = new Error('qlik-automl-predictions: this Worker has ended');
    this.#worker.terminate();
  }
}

/** Worker mode's figures for __internals (worker-mode.js reports them). */
export const figures = Object.freeze({
  count: () => links.size,
  stats: () => links.get(DEFAULT_SCRIPT)?.stats() ?? Promise.resolve(null),
});

// A client made with `worker: true` is forgotten in the Worker once the page has dropped it and
// its calls have ended.
const finalizer = new FinalizationRegistry(({ id, handles }) => {
  for (const link of handles) link.drop(id);
});

let lastClient = 0;

// `getAccessToken` as the page calls it: the function itself, or the global function of that
// name, looked up on the page at each call (the Worker's globals are not the page's).
function tokenSource(value) {
  if (typeof value === 'function') return value;
  if (typeof value !== 'string' || value === '') return null;
  return () => {
    const f = globalThis[value];
    if (typeof f !== 'function') {
      throw errors.argumentError('getAccessToken', `getAccessToken: no function named ${JSON.stringify(value)} on globalThis`);
    }
    return f.call(undefined);
  };
}

/**
 * A client's side of Worker mode: its configuration for the Worker (the `getAccessToken`
 * function stays here) and the Link it uses, made again after its Worker failed to start.
 */
export class ClientHandle {
  constructor(config, script) {
    lastClient += 1;
    this.id = lastClient;
    this.key = script === undefined ? DEFAULT_SCRIPT : String(script);
    this.script = script === undefined ? "the package's worker.js" : String(script);
    this.getAccessToken = tokenSource(config.getAccessToken);
    // What the Worker's client is made with: every field that can be cloned (getAccessToken is
    // asked for through the channel).
    this.config = Object.fromEntries(Object.entries(config).filter(([, v]) => typeof v !== 'function' && cloneable(v)));
    this.links = new Set();
    // Collected once neither the client nor any of its calls in progress holds it.
    finalizer.register(this, { id: this.id, handles: this.links });
    this.link();
  }

  /** The live Link of this client's Worker script, the client known to it. */
  link() {
    let link = links.get(this.key);
    if (!link) {
      link = new Link(this.key, this.script);
      if (!link.failure) links.set(this.key, link);
    }
    if (!link.failure) {
      this.links.add(link);
      link.register(this);
    }
    return link;
  }

  /** A reading call (`openBatches` or `openBytes`) in the Worker. */
  open(method, predictionId, dataset, options, linked, onAnswer) {
    return new RemoteCall(this, method, { predictionId, dataset }, options, linked, onAnswer);
  }

  /** The jobs call in the Worker: resolves to its answer. */
  jobs(predictionId, options, linked) {
    return new Promise((resolve, reject) => {
      const link = this.link();
      if (link.failure) {
        reject(link.failure);
        return;
      }
      const id = link.callId();
      const signal = linked.controller.signal;
      let onAbort = null;
      const end = () => {
        link.calls.delete(id);
        if (onAbort) signal.removeEventListener('abort', onAbort);
        link.retireIfIdle();
      };
      link.calls.set(id, {
        handle: this,
        receive(m, error) {
          end();
          if (m.t === 'result') resolve(m.value);
          else reject(error);
        },
        fail(error) {
          end();
          reject(error);
        },
      });
      // Aborted already: the Worker still checks the arguments first, then rejects with the
      // reason, which it holds as a token.
      const aborted = signal.aborted ? { reason: link.held.hold(signal.reason) } : null;
      if (!aborted) {
        onAbort = () => {
          end();
          link.post({ t: 'cancel', call: id });
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
      link.post({ t: 'jobs', call: id, client: this.id, predictionId, options: cloneableOptions(options), aborted, page: page() });
    });
  }
}

/**
 * The call options the Worker's wasm side reads, without the page's own (`signal`,
 * `onProgress`): the values that can be cloned, read like the wasm side reads them.
 */
function cloneableOptions(options) {
  const out = {};
  if (options === null || typeof options !== 'object') return out;
  for (const key in options) {
    if (key === 'signal' || key === 'onProgress') continue;
    let value;
    try {
      value = options[key];
    } catch {
      continue;
    }
    if (typeof value === 'function' || typeof value === 'symbol') continue;
    // What cannot be cloned is not an option the wasm side reads.
    if (cloneable(value)) out[key] = value;
  }
  return out;
}

/** A reading call in the Worker, read here like a ReaderCall (streams.js). */
export class RemoteCall {
  #handle; // the client's handle, kept while the call is in progress (its getAccessToken)
  #link;
  #id = 0;
  #queue = [];
  #waiter = null;
  #open = true;
  #failure = null;
  #info = { bytes: 0, totalBytes: null, rows: 0, columnNames: null, deprecation: null };
  #onAnswer;
  #onProgress;
  #linked;
  #onAbort = null;

  constructor(handle, method, { predictionId, dataset }, options, linked, onAnswer) {
    this.#onAnswer = onAnswer;
    this.#linked = linked;
    const onProgress = options?.onProgress;
    this.#onProgress = typeof onProgress === 'function' ? onProgress : null;
    const signal = linked.controller.signal;
    // Aborted before it starts: nothing is sent, the call fails with the reason.
    if (signal.aborted) {
      this.#failWith({ reason: signal.reason });
      return;
    }
    const link = handle.link();
    if (link.failure) {
      this.#failWith({ reason: link.failure });
      return;
    }
    this.#handle = handle;
    this.#link = link;
    this.#id = link.callId();
    link.calls.set(this.#id, this);
    this.#onAbort = () => this.#stop({ reason: signal.reason });
    signal.addEventListener('abort', this.#onAbort, { once: true });
    link.post({
      t: 'open', call: this.#id, client: handle.id, method, predictionId, dataset,
      options: cloneableOptions(options), progress: this.#onProgress !== null, credit: WINDOW[method] ?? 1, page: page(),
    });
  }

  get bytes() { return this.#info.bytes; }
  get totalBytes() { return this.#info.totalBytes; }
  get rows() { return this.#info.rows; }
  get columnNames() { return this.#info.columnNames; }
  get deprecation() { return this.#info.deprecation; }

  /** A message of the Worker about this call (`error` is the rebuilt error of an `error`). */
  receive(m, error) {
    if (!this.#open) return;
    this.#queue.push(m.t === 'error' ? { ...m, error } : m);
    if (this.#waiter) this.#drain();
  }

  /** The Worker could not be started: the call fails with that. */
  fail(error) {
    this.#failWith({ reason: error });
  }

  #note(info) {
    if (!info) return;
    const mine = this.#info;
    mine.bytes = info.bytes;
    mine.totalBytes = info.totalBytes ?? null;
    mine.rows = info.rows;
    if (mine.columnNames === null) mine.columnNames = info.columnNames ?? null;
    if (mine.deprecation === null) mine.deprecation = info.deprecation ?? null;
  }

  #answered() {
    if (!this.#onAnswer) return;
    const onAnswer = this.#onAnswer;
    this.#onAnswer = null;
    onAnswer();
  }

  // Hands out what has come, in order, up to the next item or the end.
  #drain() {
    while (this.#waiter && this.#queue.length) {
      const m = this.#queue.shift();
      if (m.t === 'progress') {
        this.#note(m.p);
        if (!this.#onProgress) continue;
        try {
          this.#onProgress(m.p);
        } catch (e) {
          this.#stop({ reason: e });
          return;
        }
      } else if (m.t === 'item') {
        this.#note(m.info);
        this.#link.post({ t: 'credit', call: this.#id, n: 1 });
        this.#answered();
        this.#settle((w) => w.resolve(m.item));
      } else if (m.t === 'end') {
        this.#note(m.info);
        this.#answered();
        this.#release();
        this.#settle((w) => w.resolve(undefined));
      } else if (m.t === 'error') {
        this.#note(m.info);
        this.#release();
        this.#settle((w) => w.reject(m.error));
      }
    }
  }

  #settle(f) {
    const waiter = this.#waiter;
    this.#waiter = null;
    f(waiter);
  }

  // The call ends here: the Worker is told to stop it, what came is dropped, and it fails with
  // `failure.reason` (at the pending read, or at the next one).
  #stop(failure) {
    if (!this.#open) return;
    this.#link.post({ t: 'cancel', call: this.#id });
    this.#failWith(failure);
  }

  #failWith(failure) {
    this.#release();
    if (this.#waiter) this.#settle((w) => w.reject(failure.reason));
    else this.#failure = failure;
  }

  #release() {
    if (!this.#open) return;
    this.#open = false;
    this.#queue = [];
    this.#linked.unlink();
    if (this.#onAbort) this.#linked.controller.signal.removeEventListener('abort', this.#onAbort);
    this.#handle = null;
    if (this.#link) {
      this.#link.calls.delete(this.#id);
      this.#link.retireIfIdle();
    }
  }

  /** The next item, or undefined at the end; the call ends at the end or on a failure. */
  next() {
    if (this.#failure) {
      const { reason } = this.#failure;
      this.#failure = null;
      return Promise.reject(reason);
    }
    if (!this.#open) return Promise.resolve(undefined);
    if (this.#waiter) return Promise.reject(new Error('a read is already in progress on this reader'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#drain();
    });
  }

  /** Sends a released batch's buffer back to the Worker, for later batches of any call. */
  recycle(buffer) {
    if (this.#link) this.#link.give(buffer);
    else detach(buffer);
  }

  /** Stops the call: the Worker cancels its request. */
  cancel() {
    if (!this.#open) {
      this.#failure = null;
      return;
    }
    this.#link.post({ t: 'cancel', call: this.#id });
    this.#release();
    if (this.#waiter) this.#settle((w) => w.resolve(undefined));
  }
}
