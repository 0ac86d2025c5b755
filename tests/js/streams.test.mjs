// Reading calls and their streams (js/streams.js) over a stand-in wasm reader, in Node:
// signals linked, the reader freed when the call ends, one read per pull, cancel, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReaderCall, callStream, linkCall } from '../../js/streams.js';

/** A stand-in for an instance: runs calls as they are. */
const instance = { dead: null, sync: (f) => f(), track: (start) => Promise.resolve().then(start) };

/** A stand-in wasm Reader yielding `items`, then `undefined`, or failing with `error` after them. */
function rawReader(items, { error } = {}) {
  const log = [];
  let i = 0;
  return {
    log,
    options: null,
    bytes: 0,
    totalBytes: 100,
    rows: 0,
    columnNames: null,
    deprecation: 'deprecated',
    next() {
      log.push('next');
      if (i < items.length) {
        this.bytes += 10;
        this.rows += 1;
        this.columnNames = ['a'];
        return Promise.resolve(items[i++]);
      }
      return error === undefined ? Promise.resolve(undefined) : Promise.reject(error);
    },
    cancel(reason) { log.push(`cancel ${String(reason)}`); },
    free() { log.push('free'); },
  };
}

function open(raw) {
  return (options) => { raw.options = options; return raw; };
}

test("linkCall: the caller's abort reaches the call's own signal with its reason; unlink detaches", () => {
  const user = new AbortController();
  const link = linkCall({ signal: user.signal, refId: 'r' });
  assert.equal(link.options.refId, 'r');
  assert.notEqual(link.options.signal, user.signal);
  user.abort('why');
  assert.equal(link.options.signal.aborted, true);
  assert.equal(link.options.signal.reason, 'why');

  const later = new AbortController();
  const unlinked = linkCall({ signal: later.signal });
  unlinked.unlink();
  later.abort('late');
  assert.equal(unlinked.options.signal.aborted, false);

  const pre = new AbortController();
  pre.abort({ before: true });
  assert.deepEqual(linkCall({ signal: pre.signal }).options.signal.reason, { before: true });
  assert.equal(linkCall(undefined).options.signal.aborted, false);
  // Odd options go to the wasm side as they are, which rejects them.
  for (const odd of [5, 'x', { signal: 'soon' }]) assert.equal(linkCall(odd).options, odd);
});

test('a call reads its items, then frees the reader and keeps what it knew', async () => {
  const raw = rawReader(['a', 'b']);
  let answered = 0;
  const call = new ReaderCall(instance, open(raw), {}, () => { answered += 1; });
  assert.ok(raw.options.signal instanceof AbortSignal);
  assert.equal(await call.next(), 'a');
  assert.equal(answered, 1);
  assert.equal(await call.next(), 'b');
  assert.equal(await call.next(), undefined);
  assert.deepEqual(raw.log, ['next', 'next', 'next', 'free']);
  assert.equal(await call.next(), undefined, 'nothing more after the end');
  assert.deepEqual([call.bytes, call.totalBytes, call.rows, call.columnNames, call.deprecation], [20, 100, 2, ['a'], 'deprecated']);
  assert.equal(answered, 1);
});

test('a failed call frees its reader and rethrows; cancel cancels and frees', async () => {
  const raw = rawReader(['a'], { error: 'boom' });
  const call = new ReaderCall(instance, open(raw), {});
  await call.next();
  assert.equal(await call.next().catch((e) => e), 'boom');
  assert.deepEqual(raw.log, ['next', 'next', 'free']);
  assert.equal(call.bytes, 10);

  const other = rawReader(['a', 'b']);
  const cancelled = new ReaderCall(instance, open(other), {});
  await cancelled.next();
  cancelled.cancel('stop');
  cancelled.cancel('again');
  assert.deepEqual(other.log, ['next', 'cancel stop', 'free']);
  assert.equal(await cancelled.next(), undefined);
});

test('opening fails synchronously with what the wasm side threw', () => {
  const user = new AbortController();
  assert.throws(() => new ReaderCall(instance, () => { throw new TypeError('bad'); }, { signal: user.signal }), TypeError);
});

test('a stream pulls one item per read, maps items and errors, and cancels its call', async () => {
  const raw = rawReader([1, 2, 3], { error: 'broken' });
  const call = new ReaderCall(instance, open(raw), {});
  const stream = callStream(call, { wrap: (x) => x * 10, fail: (e) => new Error(`mapped ${e}`), extra: ['rows'] });
  const reader = stream.getReader();
  assert.deepEqual(await reader.read(), { done: false, value: 10 });
  // One item in hand and at most one buffered: the source is not read ahead further.
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(raw.log.filter((l) => l === 'next').length <= 2, raw.log.join());
  assert.equal(stream.rows >= 1, true);
  assert.equal(stream.deprecation, 'deprecated');
  assert.deepEqual(await reader.read(), { done: false, value: 20 });
  assert.deepEqual(await reader.read(), { done: false, value: 30 });
  await assert.rejects(reader.read(), /mapped broken/);

  const other = rawReader([1, 2, 3]);
  const s = callStream(new ReaderCall(instance, open(other), {}), { wrap: (x) => x, fail: (e) => e });
  const seen = [];
  for await (const x of s) {
    seen.push(x);
    if (x === 2) break;
  }
  assert.deepEqual(seen, [1, 2]);
  assert.ok(other.log.includes('free'));
  assert.ok(other.log.some((l) => l.startsWith('cancel')), other.log.join());
});

test('a long run of reads lets the event loop take turns: a task queued at the start runs before the end', async () => {
  const items = Array.from({ length: 40 }, (_, i) => i);
  const call = new ReaderCall(instance, open(rawReader(items)), {}, null);
  let turn = null;
  setImmediate(() => { turn = seen.length; });
  const seen = [];
  for (;;) {
    const item = await call.next();
    if (item === undefined) break;
    seen.push(item);
    // A consumer that works 1 ms per item: every read resolves at once, so only the reads'
    // pacing gives the event loop a turn.
    const until = performance.now() + 1;
    while (performance.now() < until);
  }
  assert.deepEqual(seen, items);
  assert.ok(turn !== null && turn < items.length, `the queued task ran after item ${turn}`);
});

test('a call cancelled while the event loop has its turn reads nothing more', async () => {
  const raw = rawReader([1, 2, 3]);
  const call = new ReaderCall(instance, open(raw), {}, null);
  // Wait out a turn so that the next read yields first.
  const until = performance.now() + 20;
  while (performance.now() < until);
  const pending = call.next();
  call.cancel('stop');
  assert.equal(await pending, undefined);
  assert.deepEqual(raw.log, ['cancel stop', 'free']);
});
