// A call that reads a body (a wasm Reader) and the streams over it. The wasm reader is freed as
// soon as the call ends (completed, failed or cancelled), not when the garbage collector finds
// it; what JavaScript can still read about the call (bytes, rows, columns, deprecation) is kept
// here. Works on any instance with `sync`, `track` and `dead` (instance.js), so it runs in
// Node's test runner with a stand-in. A batch's buffer comes from the realm's spares
// (spares.js), where released batches' buffers go back.

import { detach, spares } from './spares.js';

/**
 * Links the caller's `signal` to a controller of the call's own, whose signal the wasm side
 * gets instead: aborting the caller's signal aborts it with the same reason, and a failed
 * instance aborts it to stop the call's requests. `unlink()` removes the listener once the call
 * has ended. Options that are not an object, or a `signal` that is not an AbortSignal, are
 * passed as they are (the wasm side rejects them with a TypeError).
 */
export function linkCall(options) {
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

/** Longest run of back-to-back reads (ms) before the thread lets its event loop take a turn. */
export const TURN_MS = 8;

let turnStarted = 0;

/** A promise that settles in a later task: `scheduler.yield()`, or a message to self. */
function nextTask() {
  if (typeof globalThis.scheduler?.yield === 'function') return globalThis.scheduler.yield();
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

/**
 * Lets the event loop take a turn when reads have run for TURN_MS since the last one: when the
 * network is ahead, a read finds its bytes already there and the next batch is made in the same
 * task, so without this a stream's consumer would hold the thread (and the page's rendering
 * and input) from one network chunk to the next, megabytes apart.
 */
async function pace() {
  if (performance.now() - turnStarted < TURN_MS) return;
  await nextTask();
  turnStarted = performance.now();
}

/** One reading call over a wasm Reader, which `open(options)` makes on `instance`. */
export class ReaderCall {
  #instance;
  #raw;
  #link;
  #info = { bytes: 0, totalBytes: null, rows: 0, columnNames: null, deprecation: null };
  #onAnswer;

  #handoff;

  /**
   * `onAnswer()` is called once, when the call has its first item or its end. Batches' buffers
   * come from `handoff` (default: the realm's spares; see src/wasm/handoff.rs for `textBytes`).
   */
  constructor(instance, open, options, onAnswer, handoff = spares) {
    this.#instance = instance;
    this.#handoff = handoff;
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
    await pace();
    // Cancelled while the event loop had its turn.
    if (this.#raw === null) return undefined;
    const raw = this.#raw;
    try {
      const item = await this.#instance.track(() => raw.next(this.#handoff), (error) => {
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

  /** Takes a released batch's buffer (detached from the batch), for later batches of any call. */
  recycle(buffer) {
    spares.give(detach(buffer));
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

/**
 * A pull-based stream over a reading call: one `next()` per pull, so nothing is read from the
 * network before the consumer asks (backpressure); cancelling cancels the call. `wrap` turns
 * each item into what the stream yields, `fail` each error into what it errors with. The
 * stream is async-iterable where the browser lacks it (Safari) and has live getters of the
 * call's `bytes`, `totalBytes`, `deprecation` and the `extra` ones.
 */
export function callStream(call, { wrap, fail, extra = [] }) {
  const stream = new ReadableStream({
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
  const props = {};
  for (const key of ['bytes', 'totalBytes', 'deprecation', ...extra]) props[key] = { get: () => call[key] };
  Object.defineProperties(stream, props);
  return stream;
}
