// What crosses postMessage in Worker mode (js/wire.js), in Node: the buffers of an item found
// wherever they are, errors through a structured clone and back into their classes, the page's
// own values held as tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import * as errors from '../../js/errors.js';
import { CsvError, NetworkError, QlikApiError, WasmModuleError, argumentError } from '../../js/errors.js';
import { HeldValues, buffersOf, describeError, errorOf, postWith } from '../../js/wire.js';

test('buffersOf finds every ArrayBuffer of an item once, through objects, arrays and views', () => {
  const shared = new ArrayBuffer(64);
  const a = new Float64Array(shared, 0, 4);
  const b = new Float64Array(shared, 32, 4);
  const own = new Uint32Array(3);
  const raw = new ArrayBuffer(8);
  const item = { numRows: 4, names: ['x', 'y'], numbers: [a, null, b], ends: [null, own], nested: { deeper: [raw] }, text: 'abc' };
  const found = buffersOf(item);
  assert.equal(found.length, 3);
  assert.ok(found.includes(shared) && found.includes(own.buffer) && found.includes(raw));
  assert.deepEqual(buffersOf(new Uint8Array(5)).map((x) => x.byteLength), [5]);
  assert.deepEqual(buffersOf(undefined), []);
  assert.deepEqual(buffersOf({ date: new Date(), map: new Map([[1, new Uint8Array(2)]]) }), [], 'only plain objects and arrays are walked');
  assert.deepEqual(buffersOf({ s: new Float64Array(new SharedArrayBuffer(16)) }), []);
  // A cycle ends.
  const cyclic = { v: new Uint8Array(1) };
  cyclic.self = cyclic;
  assert.equal(buffersOf(cyclic).length, 1);
});

test('postWith transfers the buffers (the sender\'s are detached), and copies what cannot be detached', async () => {
  const { port1, port2 } = new MessageChannel();
  const received = new Promise((resolve) => { port2.once('message', resolve); });
  const numbers = Float64Array.of(1, 2, 3);
  const item = { numbers: [numbers] };
  postWith(port1, { t: 'item', item }, item);
  const got = await received;
  assert.deepEqual([...got.item.numbers[0]], [1, 2, 3]);
  assert.equal(numbers.length, 0, 'the buffer was copied, not transferred');
  // A port that refuses a transfer list (as postMessage does for a wasm memory's buffer).
  const sent = [];
  const refusing = {
    postMessage(message, transfer) {
      if (transfer) throw Object.assign(new Error('cannot be detached'), { name: 'DataCloneError' });
      sent.push(message);
    },
  };
  postWith(refusing, { t: 'item' }, { numbers: [new Float64Array(2)] });
  assert.deepEqual(sent, [{ t: 'item' }]);
  port1.close();
});

test('errors cross as descriptors and come back as the same classes, with their fields', () => {
  const roundTrip = (e, held) => errorOf(structuredClone(describeError(e, errors)), held, errors);
  const api = new QlikApiError('404 Not found', {
    status: 404, code: 'AUTOML-404', title: 'Not found', detail: 'd', errors: [{ code: 'AUTOML-404' }], url: 'https://t/x',
  });
  const back = roundTrip(api);
  assert.ok(back instanceof QlikApiError);
  assert.deepEqual({ ...back, message: back.message, name: back.name }, { ...api, message: api.message, name: 'QlikApiError' });
  const csv = roundTrip(new CsvError('CSV line 3', { reason: 'FieldCount', line: 3, byteOffset: 40 }));
  assert.ok(csv instanceof CsvError);
  assert.deepEqual([csv.reason, csv.line, csv.byteOffset, csv.message], ['FieldCount', 3, 40, 'CSV line 3']);
  const net = roundTrip(new NetworkError('reset', { bytesReceived: 5, url: 'u' }));
  assert.ok(net instanceof NetworkError);
  assert.deepEqual([net.bytesReceived, net.url], [5, 'u']);
  const arg = roundTrip(argumentError('batchRows', '`batchRows` out of range'));
  assert.ok(arg instanceof TypeError);
  assert.deepEqual([arg.field, arg.message], ['batchRows', '`batchRows` out of range']);
  const trap = roundTrip(new WasmModuleError('failed', { cause: new WebAssembly.RuntimeError('unreachable') }));
  assert.ok(trap instanceof WasmModuleError);
  assert.ok(trap.cause instanceof WebAssembly.RuntimeError);
  assert.equal(trap.cause.message, 'unreachable');
  // Anything else: itself when it can be cloned, else an Error describing it.
  assert.equal(roundTrip('stop'), 'stop');
  assert.deepEqual(roundTrip({ why: 1 }), { why: 1 });
  const range = roundTrip(new RangeError('r'));
  assert.ok(range instanceof RangeError);
  const fn = roundTrip(() => {});
  assert.ok(fn instanceof Error);
});

test('the page\'s own values stand in the Worker as tokens, and come back as the same value, once', () => {
  const held = new HeldValues(3);
  const reason = { notSignedIn: true };
  const token = held.hold(reason);
  const back = errorOf(structuredClone(describeError(token, errors)), held, errors);
  assert.equal(back, reason);
  assert.equal(held.size, 0);
  assert.deepEqual(held.take(token), token, 'taken once');
  // At most `limit` are kept: the oldest go first.
  const tokens = [1, 2, 3, 4].map((v) => held.hold(v));
  assert.equal(held.size, 3);
  assert.deepEqual(held.take(tokens[0]), tokens[0]);
  assert.equal(held.take(tokens[3]), 4);
});

test("the error classes are the caller's: a descriptor comes back as an instance of the classes passed", () => {
  // Another copy of errors.js's classes, as a bundle that copied the module would have.
  class OtherApiError extends Error {}
  OtherApiError.prototype.name = 'QlikApiError';
  class OtherWasmError extends Error {}
  const other = {
    ...errors,
    QlikApiError: OtherApiError,
    WasmModuleError: OtherWasmError,
    errorFrom: (d) => (d.qlikErrorKind === 'QlikApiError' ? new OtherApiError(d.message) : errors.errorFrom(d)),
  };
  const api = structuredClone(describeError(new QlikApiError('404', { status: 404 }), errors));
  assert.ok(errorOf(api, null, other) instanceof OtherApiError);
  assert.ok(errorOf(api, null, errors) instanceof QlikApiError);
  const trap = structuredClone(describeError(new WasmModuleError('failed'), errors));
  assert.ok(errorOf(trap, null, other) instanceof OtherWasmError);
  // In the Worker, only instances of the classes passed are the package's errors.
  assert.equal(describeError(new OtherApiError('x'), errors).qlikErrorKind, undefined);
  assert.equal(describeError(new OtherApiError('x'), other).qlikErrorKind, 'QlikApiError');
});
