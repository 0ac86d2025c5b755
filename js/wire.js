// What crosses postMessage in Worker mode, for both ends (remote.js on the page, worker.js in the
// Worker): errors as descriptors, rebuilt into the package's classes on the page (a class does
// not survive structured cloning); values the page keeps for itself, sent as tokens; and the
// ArrayBuffers of an item, found wherever they are in it, so they are transferred, not copied.
// Nothing here depends on the layout of a raw batch. No dependency: the error classes are the
// caller's, passed as `errors` (errors.js's exports). On the page they are the ones index.js
// exports, handed to Worker mode's chunk when it is loaded (worker-mode.js): that chunk (this
// module and remote.js) shares no module with index.js, which a page then loads alone.

/**
 * The distinct ArrayBuffers reachable from `value` through plain objects, arrays and typed
 * arrays (views): what a message carrying `value` transfers. A SharedArrayBuffer is not one.
 */
export function buffersOf(value) {
  const found = new Set();
  const seen = new Set();
  const visit = (v) => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (v instanceof ArrayBuffer) {
      found.add(v);
    } else if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) found.add(v.buffer);
    } else if (Array.isArray(v)) {
      for (const x of v) visit(x);
    } else {
      const proto = Object.getPrototypeOf(v);
      if (proto === Object.prototype || proto === null) for (const key of Object.keys(v)) visit(v[key]);
    }
  };
  visit(value);
  return [...found];
}

/**
 * Posts `message` through `port` (a Worker or the Worker's global scope), transferring the
 * buffers of `item`; a buffer that cannot be transferred (one that cannot be detached, like a
 * wasm memory's) makes it a copy instead.
 */
export function postWith(port, message, item) {
  const transfer = buffersOf(item);
  if (transfer.length) {
    try {
      port.postMessage(message, transfer);
      return;
    } catch (e) {
      if (e?.name !== 'DataCloneError') throw e;
    }
  }
  port.postMessage(message);
}

/** Whether `value` survives structured cloning (postMessage). */
export function cloneable(value) {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

function causeOf(cause) {
  if (cause instanceof Error) return { name: cause.name, message: cause.message };
  return cloneable(cause) ? { value: cause } : { value: String(cause) };
}

/**
 * What a call in the Worker failed with, as a structured-cloneable descriptor: the package's
 * errors (instances of `errors`' classes) as `{ qlikErrorKind, message, ...fields }`, anything
 * else as `{ value }` (itself when it can be cloned, else an Error with its description).
 */
export function describeError(e, errors) {
  const { QlikApiError, CsvError, NetworkError, WasmModuleError } = errors;
  if (e instanceof WasmModuleError) {
    return { qlikErrorKind: 'WasmModuleError', message: e.message, cause: causeOf(e.cause) };
  }
  if ([QlikApiError, CsvError, NetworkError].some((C) => e instanceof C)) {
    return { ...e, qlikErrorKind: e.name, message: e.message };
  }
  if (e instanceof TypeError && typeof e.field === 'string') {
    return { qlikErrorKind: 'TypeError', field: e.field, message: e.message };
  }
  if (cloneable(e)) return { value: e };
  let text;
  try {
    text = String(e);
  } catch {
    text = 'an error that cannot be described';
  }
  return { value: new Error(text) };
}

function causeFrom(d) {
  if (!d || !('name' in d)) return d?.value;
  const C = d.name === 'RuntimeError' && typeof WebAssembly !== 'undefined' ? WebAssembly.RuntimeError : Error;
  const cause = new C(d.message);
  if (C === Error) cause.name = d.name;
  return cause;
}

/**
 * Values of the page's own (what its `getAccessToken` threw, an abort reason) that stand in the
 * Worker as tokens and are given back, the same value, when a token comes back as an error.
 * At most `limit` are kept (the oldest go first): a token that never comes back does not pile up.
 */
export class HeldValues {
  #values = new Map();
  #next = 0;
  #limit;

  constructor(limit = 1000) {
    this.#limit = limit;
  }

  /** A structured-cloneable token for `value`. */
  hold(value) {
    this.#next += 1;
    this.#values.set(this.#next, value);
    if (this.#values.size > this.#limit) this.#values.delete(this.#values.keys().next().value);
    return { qlikHeldValue: this.#next };
  }

  /** The held value of `token` (once), or `token` itself when it is none. */
  take(token) {
    if (token === null || typeof token !== 'object' || !Object.hasOwn(token, 'qlikHeldValue')) return token;
    const id = token.qlikHeldValue;
    if (!this.#values.has(id)) return token;
    const value = this.#values.get(id);
    this.#values.delete(id);
    return value;
  }

  get size() { return this.#values.size; }
}

/**
 * The error a descriptor of `describeError` stands for, on the page: an instance of `errors`'
 * classes (made by its `errorFrom`, or a `WasmModuleError`), or the held value it names.
 */
export function errorOf(d, held, errors) {
  if (d === null || typeof d !== 'object') return d;
  if (d.qlikErrorKind === 'WasmModuleError') return new errors.WasmModuleError(d.message, { cause: causeFrom(d.cause) });
  if (Object.hasOwn(d, 'qlikErrorKind')) return errors.errorFrom(d);
  return held ? held.take(d.value) : d.value;
}
