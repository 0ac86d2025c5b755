// Worker mode survives a wasm trap in its Worker: a hostile file makes the Worker's module run
// out of memory (for real: Chromium is started with a 32 MiB ceiling on wasm memories), every
// call in progress in that Worker rejects on the page with a WasmModuleError (its cause the
// RuntimeError), their requests are aborted, and the next calls, on the same clients or a new
// one, run on a fresh instance in the same Worker. The page's own instance is not touched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld } from './harness.mjs';
import { closeCleanWorld } from './calls.mjs';

let w;
const API_KEY = 'test-api-key';
// A header of 8 million empty names: the decoder keeps at least 4 bytes per field of a record,
// so it cannot fit in 32 MiB.
const HOSTILE = { refId: 'mockWide=8000000&mockWideRows=0', maxColumns: 8_000_000 };

before(async () => { w = await startWorld({}, { jsFlags: ['--wasm-max-mem-pages=512'] }); });
after(() => closeCleanWorld(w));

async function mockRequests() {
  const r = await fetch(`${w.tenant.url}/__mock/requests`);
  return (await r.json()).requests;
}

test('a trap in the Worker rejects its calls in progress with a WasmModuleError; the next calls run on a fresh instance', async () => {
  const r = await w.run(async (lib, [host, key, hostile]) => {
    const config = { host, authType: 'apikey', apiKey: key, worker: true };
    const a = new lib.PredictionsClient(config);
    const b = new lib.PredictionsClient(config);
    const pageInstances = lib.__internals.instances();
    const settle = (p) => p.then((v) => ({ ok: v }), (e) => ({
      name: e?.name, isErr: e instanceof lib.WasmModuleError, message: String(e?.message),
      cause: e?.cause instanceof WebAssembly.RuntimeError ? `RuntimeError: ${e.cause.message}` : String(e?.cause),
    }));
    const stalled = settle(a.download('churn-small', 'predictions', { refId: 'mockStall=30000&mockKey=ws1' }));
    const waiting = settle(b.table('churn-small', 'predictions', { refId: 'mockDelay=30000&mockKey=ws2' }));
    const stream = a.stream('churn-small', 'shap', { refId: 'mockStall=30000&mockStallAfter=100&mockKey=ws3' });
    const pulled = settle((async () => { const reader = stream.getReader(); for (;;) if ((await reader.read()).done) return; })());
    await new Promise((res) => setTimeout(res, 300));
    const hostileCall = settle((async () => {
      for await (const _ of b.stream('churn-small', 'shap', hostile)) { /* never gets a batch */ }
    })());
    const results = { stalled: await stalled, waiting: await waiting, pulled: await pulled, hostile: await hostileCall };
    const next = {
      a: (await a.table('churn-small', 'predictions', { limit: 2 })).numRows,
      b: (await b.jobs('churn-small')).data.length,
      c: (await new lib.PredictionsClient(config).table('churn-small', 'shap', { limit: 3 })).numRows,
      rows: 0,
    };
    for await (const batch of a.stream('churn-small', 'predictions')) next.rows += batch.numRows;
    return { results, next, pageInstances: lib.__internals.instances() - pageInstances, workers: lib.__internals.workers() };
  }, [w.tenant.url, API_KEY, HOSTILE]);
  for (const [name, x] of Object.entries(r.results)) {
    assert.equal(x.name, 'WasmModuleError', `${name}: ${JSON.stringify(x)}`);
    assert.equal(x.isErr, true, name);
    assert.match(x.message, /WebAssembly module failed .*next call runs on a fresh instance/, name);
    assert.match(x.cause, /^RuntimeError/, name);
  }
  assert.deepEqual(r.next, { a: 2, b: 1, c: 3, rows: 500 });
  assert.equal(r.pageInstances, 0, 'the page made an instance of its own');
  assert.equal(r.workers, 1, 'the Worker was replaced');
  let open = [];
  for (let i = 0; i < 50; i++) {
    open = (await mockRequests()).filter((x) => /mockKey=ws[123]/.test(x.query.refId ?? '') && !x.endTime);
    if (open.length === 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.deepEqual(open.map((x) => x.query.refId), [], 'requests left open');
});
