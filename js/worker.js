// The Worker of Worker mode (`new PredictionsClient({ worker: true })`): a dedicated module
// Worker that the page (remote.js) starts and talks to. It runs the calls of the page's clients
// on its own wasm instance — fetch and parse — and posts their items back, a batch's
// ArrayBuffers transferred. A call reads ahead only as far as the page has granted (credit):
// a page that stops reading stops the download. What only the page has it asks the page for:
// `getAccessToken`'s tokens; the page's address (for the default host, the credentials mode and
// a 401's `loginUrl`) comes with each call. A trap of the instance fails the calls in progress
// with a WasmModuleError, and the next call runs on a fresh instance, as on the page.
//
// Messages from the page: init { module, page }, client { id, config, token }, drop { id },
// open { call, client, method, predictionId, dataset, options, progress, credit, page },
// credit { call, n }, cancel { call }, jobs { call, client, predictionId, options, aborted, page },
// token { req, ok, value | error }, spare { buffer } (a released batch's, transferred back),
// stats (for the package's tests).
// To the page: ready, failed { error }, item { call, item, info }, progress { call, p },
// end { call, info }, error { call, error, info }, result { call, value }, token { client, req },
// stats { stats }.
import * as errors from './errors.js';
import { __internals, initSync, live, warmUpWith, WARM_UP_CSV } from './loader.js';
import { ReaderCall } from './streams.js';
import { spares } from './spares.js';
import { describeError, postWith } from './wire.js';

const post = (message) => self.postMessage(message);

/**
 * The page's address stands in for the Worker's own (the script's URL): the wasm side reads
 * `location` for the default host, the credentials mode and the `returnto` of a 401's
 * `loginUrl`. It has no `assign`: nothing here redirects (the page does, for `autoRedirect`).
 */
function atPage(page) {
  if (!page) return;
  Object.defineProperty(globalThis, 'location', {
    value: Object.freeze({ href: page.href, origin: page.origin }), configurable: true, writable: true,
  });
}

// getAccessToken of a page's client: asks the page and waits for its answer.
const tokenRequests = new Map();
let lastRequest = 0;

function tokenFromPage(clientId) {
  return () => new Promise((resolve, reject) => {
    lastRequest += 1;
    tokenRequests.set(lastRequest, { resolve, reject });
    post({ t: 'token', client: clientId, req: lastRequest });
  });
}

/** A page's client here: a wasm Client made on the live instance, again after it failed. */
class Served {
  constructor(id, config, token) {
    this.config = token ? { ...config, getAccessToken: tokenFromPage(id) } : config;
    this.instance = null;
    this.client = null;
  }

  on() {
    const instance = live();
    if (this.instance !== instance) {
      this.client = instance.sync(() => new instance.bindings.Client(this.config));
      this.instance = instance;
    }
    return this;
  }
}

const clients = new Map();
const calls = new Map();

// Batches leave the text undecoded, as bytes in the buffer the message transfers: the page
// decodes the pieces it reads (record-batch.js), and nothing of the text is copied into a
// message or left in this Worker's heap (the renderer grew by about half as much streaming
// 1 GiB of predictions, batches released).
const HANDOFF = Object.freeze({ buffer: (n) => spares.buffer(n), textBytes: true });

// What the Worker's first call runs, run once when its module is instantiated (loader.js's
// warmUpWith): a call of a client that sends nothing, stopped by an aborted signal before its
// request, and a few CSV rows held in memory decoded and handed off as batches leave this
// Worker (text as bytes), so that the page's first call here starts its request and posts its
// first batch without compiling that code on the way (first calls in a Worker were about 10 ms
// slower than later ones). Nothing is sent or posted, and the buffers are not the spares'.
const WARM_UP_HANDOFF = Object.freeze({ buffer: (n) => new ArrayBuffer(n), textBytes: true });
let warmUp = 'not run';

warmUpWith(() => {
  const instance = live();
  const client = instance.sync(() => new instance.bindings.Client({ host: 'localhost', authType: 'none' }));
  const stopped = new AbortController();
  stopped.abort();
  const runs = [new ReaderCall(instance, (opts) => client.openBatches('warm-up', 'predictions', opts), { signal: stopped.signal }, null, WARM_UP_HANDOFF)];
  if (typeof Response === 'function') {
    const response = new Response(WARM_UP_CSV);
    runs.push(new ReaderCall(instance, (opts) => instance.bindings.Reader.fromSource({ response }, opts), {}, null, WARM_UP_HANDOFF));
  }
  client.free();
  warmUp = 'running';
  const read = async (call) => { while ((await call.next()) !== undefined); };
  Promise.allSettled(runs.map(read)).then(([stopped, ...parses]) => {
    // The stopped call ends with its abort; the parse, when there was one, ends.
    warmUp = stopped.status === 'rejected' && parses.every((o) => o.status === 'fulfilled') ? 'done' : 'failed';
  });
});

function info(call) {
  return {
    bytes: call.bytes, totalBytes: call.totalBytes, rows: call.rows, columnNames: call.columnNames,
    deprecation: call.deprecation,
  };
}

/** One reading call: reads its next item while it has credit, posts it, and so on. */
class Serving {
  constructor(id, call, credit) {
    this.id = id;
    this.call = call;
    this.credit = credit;
    this.busy = false;
    this.closed = false;
  }

  pump() {
    if (this.busy || this.closed || this.credit <= 0) return;
    this.busy = true;
    this.call.next().then((item) => {
      this.busy = false;
      if (this.closed) return;
      if (item === undefined) {
        this.close();
        post({ t: 'end', call: this.id, info: info(this.call) });
        return;
      }
      this.credit -= 1;
      try {
        postWith(self, { t: 'item', call: this.id, item, info: info(this.call) }, item);
      } catch (e) {
        this.cancel();
        post({ t: 'error', call: this.id, error: describeError(e, errors), info: info(this.call) });
        return;
      }
      this.pump();
    }, (e) => {
      this.busy = false;
      if (this.closed) return;
      this.close();
      post({ t: 'error', call: this.id, error: describeError(e, errors), info: info(this.call) });
    });
  }

  close() {
    this.closed = true;
    calls.delete(this.id);
  }

  cancel() {
    this.close();
    this.call.cancel();
  }
}

function open(m) {
  const served = clients.get(m.client);
  const options = { ...m.options };
  if (m.progress) options.onProgress = (p) => post({ t: 'progress', call: m.call, p });
  let call;
  try {
    atPage(m.page);
    const { instance, client } = served.on();
    call = new ReaderCall(instance, (opts) => client[m.method](m.predictionId, m.dataset, opts), options, null, HANDOFF);
  } catch (e) {
    post({ t: 'error', call: m.call, error: describeError(e, errors), info: null });
    return;
  }
  const serving = new Serving(m.call, call, m.credit);
  calls.set(m.call, serving);
  serving.pump();
}

function jobs(m) {
  const served = clients.get(m.client);
  const controller = new AbortController();
  if (m.aborted) controller.abort(m.aborted.reason);
  const job = { cancel: () => controller.abort() };
  calls.set(m.call, job);
  const done = (message) => {
    if (calls.get(m.call) !== job) return;
    calls.delete(m.call);
    post(message);
  };
  let result;
  try {
    atPage(m.page);
    const { instance, client } = served.on();
    const options = { ...m.options, signal: controller.signal };
    result = instance.track(() => client.jobs(m.predictionId, options), (error) => controller.abort(error));
  } catch (e) {
    result = Promise.reject(e);
  }
  result.then((value) => done({ t: 'result', call: m.call, value }), (e) => done({ t: 'error', call: m.call, error: describeError(e, errors) }));
}

const handlers = {
  init(m) {
    try {
      atPage(m.page);
      initSync({ module: m.module });
      post({ t: 'ready' });
    } catch (e) {
      post({ t: 'failed', error: describeError(e, errors) });
    }
  },
  client(m) { clients.set(m.id, new Served(m.id, m.config, m.token)); },
  drop(m) { clients.delete(m.id); },
  open,
  jobs,
  credit(m) {
    const serving = calls.get(m.call);
    if (serving instanceof Serving) {
      serving.credit += m.n;
      serving.pump();
    }
  },
  cancel(m) { calls.get(m.call)?.cancel(); },
  spare(m) { spares.give(m.buffer); },
  stats() {
    post({
      t: 'stats',
      stats: {
        calls: calls.size, clients: clients.size, tokenRequests: tokenRequests.size,
        wasmMemoryBytes: __internals.wasmMemoryBytes(), spares: spares.stats, warmUp,
      },
    });
  },
  token(m) {
    const request = tokenRequests.get(m.req);
    if (!request) return;
    tokenRequests.delete(m.req);
    if (m.ok) request.resolve(m.value);
    else request.reject(m.error);
  },
};

self.addEventListener('message', ({ data }) => handlers[data?.t]?.(data));

// The trap of an instance, once its guard has failed the calls in progress with a
// WasmModuleError (which has it as its cause), is not reported again as an uncaught error.
self.addEventListener('error', (e) => {
  for (const served of clients.values()) {
    if (served.instance?.dead && served.instance.dead.cause === e.error) {
      e.preventDefault();
      return;
    }
  }
});
