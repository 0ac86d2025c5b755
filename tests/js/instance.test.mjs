// A guarded wasm instance (js/instance.js) with stand-in bindings, in Node: a failure of the
// instance rejects what waits on it, silences its leftovers, and every error the instance
// throws becomes the package's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Instance } from '../../js/instance.js';
import { QlikApiError, WasmModuleError } from '../../js/errors.js';

/** Bindings whose exports are `raw`, instantiated by `initSync()` as the glue does. */
function bindings(raw) {
  return (guard) => ({ initSync: () => guard(raw) });
}

function trap() {
  throw new WebAssembly.RuntimeError('unreachable');
}

test('calls go through; what they throw becomes the package error', () => {
  const instance = new Instance(bindings({ add: (a, b) => a + b, memory: { size: 1 } }));
  const exports = instance.bindings.initSync();
  assert.equal(exports.add(2, 3), 5);
  assert.deepEqual(exports.memory, { size: 1 });
  assert.equal(instance.sync(() => exports.add(1, 1)), 2);
  const thrown = (() => {
    try {
      instance.sync(() => { throw { qlikErrorKind: 'TypeError', field: 'host', message: 'host: no host' }; });
    } catch (e) { return e; }
    return null;
  })();
  assert.ok(thrown instanceof TypeError);
  assert.equal(thrown.field, 'host');
  assert.equal(instance.dead, null, 'a thrown error descriptor is not a failure of the instance');
});

test('tracked calls resolve, or reject with the package error or the caller value', async () => {
  const instance = new Instance(bindings({}));
  assert.equal(await instance.track(() => Promise.resolve(7)), 7);
  const api = await instance.track(() => Promise.reject({ qlikErrorKind: 'QlikApiError', message: 'm', status: 404 })).catch((e) => e);
  assert.ok(api instanceof QlikApiError);
  assert.equal(api.status, 404);
  assert.equal(await instance.track(() => Promise.reject(42)).catch((e) => e), 42);
  const sync = await instance.track(() => { throw 'at once'; }).catch((e) => e);
  assert.equal(sync, 'at once');
  assert.equal(instance.pending.size, 0);
});

test('a trap fails every call in progress with a WasmModuleError, once; the dead instance does nothing more', async () => {
  const deaths = [];
  const instance = new Instance(bindings({ boom: trap, ok: () => 'ok' }), (dead) => deaths.push(dead));
  const exports = instance.bindings.initSync();
  const aborted = [];
  const never = () => new Promise(() => {});
  const a = instance.track(never, (e) => aborted.push(e));
  const b = instance.track(never, (e) => aborted.push(e));
  assert.throws(() => instance.sync(() => exports.boom()), (e) => e instanceof WasmModuleError);
  const [ea, eb] = await Promise.all([a.catch((e) => e), b.catch((e) => e)]);
  assert.ok(ea instanceof WasmModuleError);
  assert.equal(ea, eb);
  assert.equal(ea, instance.dead);
  assert.ok(ea.cause instanceof WebAssembly.RuntimeError);
  assert.match(ea.message, /WebAssembly module failed \(RuntimeError: unreachable\).*next call runs on a fresh instance/);
  assert.deepEqual(aborted, [ea, ea]);
  assert.deepEqual(deaths, [instance]);
  // Leftover callbacks of the dead instance call nothing; new calls fail at once.
  assert.deepEqual(exports.ok(), []);
  assert.ok(Object.isFrozen(exports.ok()));
  assert.throws(() => instance.sync(() => 1), (e) => e === ea);
  assert.equal(await instance.track(() => Promise.resolve(1)).catch((e) => e), ea);
  assert.deepEqual(deaths, [instance]);
});

test('a non-Error thrown through the wasm frames is described safely', () => {
  const hostile = { toString() { throw new Error('no'); } };
  const instance = new Instance(bindings({ f: () => { throw hostile; } }));
  const exports = instance.bindings.initSync();
  assert.throws(() => instance.sync(() => exports.f()), WasmModuleError);
  assert.match(instance.dead.message, /failed \(unknown error\)/);
  assert.equal(instance.dead.cause, hostile);
});
