// Leak check: a call gives back its wasm memory when it ends (completed, failed or cancelled),
// not when the garbage collector finds its objects. After 1,000 streams abandoned half-way and
// cancelled and 1,000 streams read to the end in one page, wasm memory and the JS heap (after
// a full GC) stay within a few MiB of their baseline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld } from './harness.mjs';

let w;

// The mock's own rate limits would answer 429 long before 2,000 requests.
before(async () => { w = await startWorld({ rateLimits: false }); });
after(async () => { await w?.close(); });

const MiB = 2 ** 20;

test('1,000 cancelled and 1,000 completed streams leave wasm memory and the JS heap at their baseline', async () => {
  const r = await w.run(async (lib, host) => {
    const exports = await lib.default();
    const client = new lib.PredictionsClient({ host, authType: 'apikey', apiKey: 'test-api-key', rateLimit: false });
    // 30 rows in batches of 10: an abandoned stream stops with batches left.
    const options = { batchRows: 10 };
    const abandoned = async () => {
      const stream = client.stream('rows-30', 'predictions', options);
      const reader = stream.getReader();
      const first = await reader.read();
      if (first.done || first.value.numRows !== 10) throw new Error('expected a first batch of 10 rows');
      await reader.cancel();
    };
    const completed = async () => {
      let rows = 0;
      for await (const batch of client.stream('rows-30', 'predictions', options)) rows += batch.numRows;
      if (rows !== 30) throw new Error(`read ${rows} rows`);
    };
    const round = async (n, f) => {
      for (let i = 0; i < n; i += 20) await Promise.all(Array.from({ length: Math.min(20, n - i) }, f));
    };
    const settle = async () => {
      // Two full collections with a turn of the event loop between them, so finalizers run.
      for (let i = 0; i < 2; i++) {
        globalThis.gc();
        await new Promise((res) => setTimeout(res, 50));
      }
    };
    const measure = async () => {
      await settle();
      return { wasm: exports.memory.buffer.byteLength, heap: performance.memory.usedJSHeapSize };
    };
    // Warm-up: the allocator's working set and the engine's caches.
    await round(50, abandoned);
    await round(50, completed);
    const base = await measure();
    await round(1000, abandoned);
    const afterAbandoned = await measure();
    await round(1000, completed);
    const afterCompleted = await measure();
    return { base, afterAbandoned, afterCompleted };
  }, w.tenant.url);
  const mib = (n) => (n / MiB).toFixed(2);
  console.log(`# wasm memory: baseline ${mib(r.base.wasm)} MiB, after 1,000 cancelled ${mib(r.afterAbandoned.wasm)} MiB, `
    + `after 1,000 completed ${mib(r.afterCompleted.wasm)} MiB; JS heap after GC: ${mib(r.base.heap)} -> `
    + `${mib(r.afterAbandoned.heap)} -> ${mib(r.afterCompleted.heap)} MiB`);
  for (const [when, m] of [['cancelled', r.afterAbandoned], ['completed', r.afterCompleted]]) {
    assert.ok(m.wasm - r.base.wasm <= 1 * MiB, `wasm memory grew by ${mib(m.wasm - r.base.wasm)} MiB after the ${when} streams`);
    assert.ok(m.heap - r.base.heap <= 3 * MiB, `the JS heap grew by ${mib(m.heap - r.base.heap)} MiB after the ${when} streams`);
  }
  assert.deepEqual(await w.cspViolations(), []);
});
