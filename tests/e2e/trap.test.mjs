// The package survives a wasm trap: a hostile file makes the module run out of memory (for
// real: Chromium is started with a 32 MiB ceiling on wasm memories, as a small device has),
// every call in progress on any client rejects with a WasmModuleError, and the next call, on
// an existing client or a new one, in a page or a Worker, runs on a fresh instance.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { root, startWorld } from './harness.mjs';
import { startStaticServer } from '../mock-tenant/server.mjs';

let w;
const API_KEY = 'test-api-key';
// A header of 8 million empty names: the decoder keeps at least 4 bytes per field of a record,
// so it cannot fit in 32 MiB.
const HOSTILE = { refId: 'mockWide=8000000&mockWideRows=0', maxColumns: 8_000_000 };
const WASM_CEILING = ['--wasm-max-mem-pages=512'];

before(async () => { w = await startWorld({}, { jsFlags: WASM_CEILING }); });
after(async () => { await w?.close(); });

async function mockRequests() {
  const r = await fetch(`${w.tenant.url}/__mock/requests`);
  return (await r.json()).requests;
}

test('a trap rejects every call in progress with a WasmModuleError; the next calls run on a fresh instance', async () => {
  const r = await w.run(async (lib, [host, key, hostile]) => {
    const config = { host, authType: 'apikey', apiKey: key };
    const a = new lib.PredictionsClient(config);
    const b = new lib.PredictionsClient(config);
    const instancesBefore = lib.__internals.instances();
    const settle = (p) => p.then((v) => ({ ok: v }), (e) => ({ name: e?.name, isErr: e instanceof lib.WasmModuleError, message: String(e?.message), cause: String(e?.cause) }));
    const t0 = performance.now();
    // In progress when the module fails: a download stalled after its first bytes (client a),
    // a table waiting for its response (client b), a stream whose consumer is waiting.
    const stalled = settle(a.download('churn-small', 'predictions', { refId: 'mockStall=30000&mockKey=s1' }));
    const waiting = settle(b.table('churn-small', 'predictions', { refId: 'mockDelay=30000&mockKey=s2' }));
    const stream = a.stream('churn-small', 'shap', { refId: 'mockStall=30000&mockStallAfter=100&mockKey=s3' });
    const pulled = settle(stream.getReader().read());
    await new Promise((res) => setTimeout(res, 300));
    const hostileCall = settle((async () => {
      for await (const _ of b.stream('churn-small', 'shap', hostile)) { /* never gets a batch */ }
    })());
    const results = { stalled: await stalled, waiting: await waiting, pulled: await pulled, hostile: await hostileCall };
    const failedAfterMs = performance.now() - t0;
    // The next calls: on both existing clients, and on a new one.
    const next = {
      a: (await a.table('churn-small', 'predictions', { limit: 2 })).numRows,
      b: (await b.jobs('churn-small')).data.length,
      c: (await new lib.PredictionsClient(config).table('churn-small', 'shap', { limit: 3 })).numRows,
      rows: 0,
    };
    for await (const batch of a.stream('churn-small', 'predictions')) next.rows += batch.numRows;
    return {
      results, failedAfterMs, next,
      instances: lib.__internals.instances() - instancesBefore,
      memory: lib.__internals.wasmMemoryBytes(),
      stream: { bytes: typeof stream.bytes, rows: typeof stream.rows, columnNames: stream.columnNames },
    };
  }, [w.tenant.url, API_KEY, HOSTILE]);
  for (const [name, x] of Object.entries(r.results)) {
    assert.equal(x.name, 'WasmModuleError', `${name}: ${JSON.stringify(x)}`);
    assert.equal(x.isErr, true, name);
    assert.match(x.message, /WebAssembly module failed .*next call runs on a fresh instance/, name);
    assert.match(x.cause, /RuntimeError/, name);
  }
  assert.ok(r.failedAfterMs < 20_000, `the calls in progress settled after ${r.failedAfterMs} ms`);
  assert.deepEqual(r.next, { a: 2, b: 1, c: 3, rows: 500 });
  assert.equal(r.instances, 1, 'one fresh instance');
  assert.ok(r.memory < 8 * 2 ** 20, `the fresh instance has ${r.memory} bytes of memory`);
  assert.deepEqual(r.stream, { bytes: 'number', rows: 'number', columnNames: null }, 'the failed stream can still be asked');
  // The requests of the failed calls were aborted: the server saw their connections close.
  let open = [];
  for (let i = 0; i < 50; i++) {
    open = (await mockRequests()).filter((x) => /mockKey=s[123]/.test(x.query.refId ?? '') && !x.endTime);
    if (open.length === 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.deepEqual(open.map((x) => x.query.refId), [], 'requests left open');
  // Re-instantiating the module needs nothing the page's Content-Security-Policy forbids.
  assert.deepEqual(await w.cspViolations(), []);
});

test('in a module Worker too', async () => {
  const r = await w.page.evaluate(async ([host, key, hostile]) => {
    const worker = new Worker('/worker.js', { type: 'module' });
    const result = await new Promise((resolve) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.postMessage({ task: 'trap', host, key, hostile });
    });
    worker.terminate();
    return result;
  }, [w.tenant.url, API_KEY, HOSTILE]);
  assert.deepEqual(r, { failed: 'WasmModuleError', next: 3, instances: 2 });
});

test('in a Vite bundle too', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'qap-vite-trap-'));
  let site;
  try {
    await build({
      root: join(root, 'tests', 'e2e', 'fixtures', 'vite-trap'),
      base: './',
      logLevel: 'warn',
      resolve: { alias: { 'qlik-automl-predictions': join(root, 'pkg', 'index.js') } },
      build: { outDir, emptyOutDir: true, assetsInlineLimit: 0 },
    });
    site = await startStaticServer({ port: 0, static: { '/': outDir } });
    const page = await w.browser.context.newPage();
    try {
      const query = new URLSearchParams({ host: w.tenant.url, key: API_KEY, refId: HOSTILE.refId, maxColumns: String(HOSTILE.maxColumns) });
      await page.goto(`${site.url}/index.html?${query}`);
      await page.waitForFunction(() => window.result !== undefined, null, { timeout: 20_000 });
      assert.deepEqual(await page.evaluate(() => window.result), { failed: 'WasmModuleError', next: 3, instances: 2 });
    } finally {
      await page.close();
    }
  } finally {
    await site?.close();
    rmSync(outDir, { recursive: true, force: true });
  }
});
