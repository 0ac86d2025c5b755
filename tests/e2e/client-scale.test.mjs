// End-to-end tests of the JS API as a mashup uses it — scale, Workers, the Content-Security-Policy
// and the console: the built package imported by a page on one origin (the "mashup") talking to the
// mock Qlik tenant on another origin, in headless Chromium. Set-up and helpers: calls.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useSignedInWorld, w, cookieConfig, keyConfig, API_KEY } from './calls.mjs';

useSignedInWorld();

describe('scale', () => {
  test('a 100 MB file streams through in bounded memory', async () => {
    const r = await w.run(async (lib, config) => {
      const exports = await lib.default();
      const client = new lib.PredictionsClient(config);
      let rows = 0;
      let sum = 0;
      let peakHeap = 0;
      const t0 = performance.now();
      for await (const b of client.stream('churn-large', 'shap')) {
        rows += b.numRows;
        const col = b.column(1);
        for (let i = 0; i < col.length; i++) sum += col[i];
        if (performance.memory) peakHeap = Math.max(peakHeap, performance.memory.usedJSHeapSize);
      }
      return { rows, sum, wasmBytes: exports.memory.buffer.byteLength, peakHeap, ms: performance.now() - t0 };
    }, cookieConfig());
    console.log(`# 100 MB SHAP file: ${r.rows} rows in ${r.ms.toFixed(0)} ms (${(100 / (r.ms / 1000)).toFixed(1)} MB/s incl. network), wasm memory ${(r.wasmBytes / 2 ** 20).toFixed(1)} MiB, peak JS heap ${(r.peakHeap / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(r.rows > 100_000);
    assert.ok(Number.isFinite(r.sum));
    assert.ok(r.wasmBytes < 64 * 2 ** 20, `wasm memory grew to ${r.wasmBytes}`);
    assert.ok(r.peakHeap < 150 * 2 ** 20, `JS heap reached ${r.peakHeap}`);
  });

  test('the package works in a module Worker', async () => {
    const r = await w.page.evaluate(async ([host, key]) => {
      const worker = new Worker('/worker.js', { type: 'module' });
      const result = await new Promise((resolve) => { worker.onmessage = (e) => resolve(e.data); worker.postMessage({ task: 'table', host, key }); });
      worker.terminate();
      return result;
    }, [w.tenant.url, API_KEY]);
    assert.deepEqual(r, { ok: true, rows: 3, first: 'aa10000' });
  });

  test("the page's Content-Security-Policy (script-src 'self' 'wasm-unsafe-eval') is enforced, and the package breaks none of it", async () => {
    // The policy is in force: an inline script is refused, and reported.
    const inlineRan = await w.page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.head.append(s);
      return window.inlineRan === true;
    });
    assert.equal(inlineRan, false);
    await w.page.waitForFunction(() => window.cspViolations.length > 0);
    const seen = await w.cspViolations();
    assert.deepEqual(seen.map((v) => v.split(':')[0]), ['script-src-elem']);
    await w.page.evaluate(() => { window.cspViolations.length = 0; });
    // Everything the package does: load and instantiate the wasm, stream, download, a Worker.
    await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      for await (const _ of client.stream('churn-small', 'shap')) { /* read */ }
      await client.download('churn-small', 'predictions');
      await client.jobs('churn-small');
    }, keyConfig());
    assert.deepEqual(await w.cspViolations(), []);
  });

  test('the deprecation notice is logged once per client; no uncaught errors', async () => {
    const before = w.consoleMessages.filter((m) => m.type === 'warning' && /deprecated/.test(m.text)).length;
    await w.run(async (lib, config) => {
      const c = new lib.PredictionsClient(config);
      await c.table('churn-small', 'shap', { limit: 1 });
      await c.table('churn-small', 'predictions', { limit: 1 });
    }, keyConfig());
    const afterCount = w.consoleMessages.filter((m) => m.type === 'warning' && /deprecated/.test(m.text)).length;
    assert.equal(afterCount - before, 1);
    assert.deepEqual(w.pageErrors, []);
    // No test of this file made the page break its Content-Security-Policy.
    assert.deepEqual(await w.cspViolations(), []);
  });
});
