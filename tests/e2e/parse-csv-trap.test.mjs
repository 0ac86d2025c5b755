// parseCsv survives a wasm trap as the client's calls do (trap.test.mjs): a hostile header makes
// the module run out of memory for real (Chromium with a 32 MiB ceiling on wasm memories), the
// stream errors with a WasmModuleError and the next parseCsv runs on a fresh instance.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld } from './harness.mjs';

let w;
before(async () => { w = await startWorld({}, { jsFlags: ['--wasm-max-mem-pages=512'] }); });
after(async () => { await w?.close(); });

test('a trap errors the parseCsv stream with a WasmModuleError; the next parseCsv runs on a fresh instance', async () => {
  const r = await w.run(async (lib) => {
    const before = lib.__internals.instances();
    // A header of 8 million empty names: at least 4 bytes per field, more than 32 MiB.
    const hostile = new Blob([','.repeat(8_000_000), '\n']);
    let error = null;
    try {
      for await (const _ of lib.parseCsv(hostile, { maxColumns: 8_000_000 })) { /* never gets a batch */ }
    } catch (e) {
      error = { name: e.name, isErr: e instanceof lib.WasmModuleError, cause: String(e.cause) };
    }
    let rows = 0;
    for await (const b of lib.parseCsv(new Blob(['a,b\n1,2\n3,4\n']))) rows += b.numRows;
    return { error, rows, instances: lib.__internals.instances() - before };
  });
  assert.deepEqual(r.error, { name: 'WasmModuleError', isErr: true, cause: r.error?.cause });
  assert.match(r.error.cause, /RuntimeError/);
  assert.equal(r.rows, 2);
  assert.equal(r.instances, 1, 'one fresh instance');
});
