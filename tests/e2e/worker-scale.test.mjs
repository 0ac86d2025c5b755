// Worker mode at scale: a 100 MB file parsed in the Worker while the page touches every value of
// every batch. The page's main thread gets no long task (over 50 ms, PerformanceObserver
// 'longtask') and its memory stays bounded: the batches' buffers are transferred, consumed and
// released. For comparison, the same file on the main thread. Printed: the page's time per batch
// (each `reader.read()`, network waits included) and the longest stretch the main thread was busy
// (the largest gap of a heartbeat of messages to itself). Timings are printed, not asserted, but
// for the count of long tasks in Worker mode.
// And the page's side of a call leaves nothing behind: hundreds of cancelled, completed and
// aborted calls leave the page's JS heap at its baseline.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useSignedInWorld, w, cookieConfig } from './calls.mjs';

useSignedInWorld();

const MiB = 2 ** 20;

/** Streams churn-large's SHAP file (100 MB) in the page, touching every value; returns figures. */
function streamLarge(config, heartbeat) {
  return w.run(async (lib, [cfg, withBeat]) => {
    const longTasks = [];
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(Math.round(e.duration)); });
    observer.observe({ type: 'longtask' });
    // A heartbeat: a message to itself, sent again as soon as it arrives. The gap between two
    // beats is how long the main thread was busy with something else (a task of the parse).
    const beat = { last: performance.now(), max: 0, over16: 0, running: withBeat };
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      const now = performance.now();
      const gap = now - beat.last;
      beat.last = now;
      if (gap > beat.max) beat.max = gap;
      if (gap > 16) beat.over16 += 1;
      if (beat.running) channel.port2.postMessage(0);
    };
    if (withBeat) channel.port2.postMessage(0);
    const client = new lib.PredictionsClient(cfg);
    const reader = client.stream('churn-large', 'shap').getReader();
    const perBatch = [];
    let rows = 0;
    let peakHeap = 0;
    const sum = []; // per column, in row order: the same bits whatever the batch boundaries
    const t0 = performance.now();
    for (;;) {
      const t = performance.now();
      const { value: b, done } = await reader.read();
      perBatch.push(performance.now() - t);
      if (done) break;
      rows += b.numRows;
      for (let c = 1; c < b.numColumns; c++) {
        const col = b.column(c);
        let s = sum[c] ?? 0;
        for (let i = 0; i < col.length; i++) s += col[i];
        sum[c] = s;
      }
      peakHeap = Math.max(peakHeap, performance.memory.usedJSHeapSize);
    }
    const ms = performance.now() - t0;
    beat.running = false;
    // Long-task entries are queued after the task: give them a moment.
    await new Promise((res) => setTimeout(res, 200));
    for (const e of observer.takeRecords()) longTasks.push(Math.round(e.duration));
    observer.disconnect();
    perBatch.sort((a, b) => a - b);
    const q = (p) => perBatch[Math.min(perBatch.length - 1, Math.floor(p * perBatch.length))];
    return {
      rows, sum, ms, longTasks, peakHeap, batches: perBatch.length - 1, busy: withBeat ? { max: beat.max, over16: beat.over16 } : null,
      read: { median: q(0.5), p95: q(0.95), p99: q(0.99), max: perBatch.at(-1), over16: perBatch.filter((x) => x > 16).length },
      pageWasm: lib.__internals.wasmMemoryBytes(),
      workerWasm: cfg.worker ? (await lib.__internals.workerStats()).wasmMemoryBytes : null,
    };
  }, [config, heartbeat]);
}

function report(mode, r) {
  const f = (x) => x.toFixed(1);
  console.log(`# ${mode}: ${r.rows} rows, ${r.batches} batches in ${f(r.ms)} ms (${f(100 / (r.ms / 1000))} MB/s incl. network); `
    + `long tasks ${r.longTasks.length} [${r.longTasks.join(', ')}] ms; page time per batch (reader.read()) median ${f(r.read.median)} ms, `
    + `p95 ${f(r.read.p95)}, p99 ${f(r.read.p99)}, max ${f(r.read.max)}, over 16 ms: ${r.read.over16}; `
    + (r.busy ? `longest busy stretch of the main thread ${f(r.busy.max)} ms (${r.busy.over16} over 16 ms); ` : '')
    + `peak JS heap ${f(r.peakHeap / MiB)} MiB, page wasm memory ${f(r.pageWasm / MiB)} MiB`
    + (r.workerWasm === null ? '' : `, the Worker's wasm memory ${f(r.workerWasm / MiB)} MiB`));
}

describe('Worker mode at scale', () => {
  test('a 100 MB parse in the Worker: no long task on the page, its memory bounded; the same sums as on the main thread', async () => {
    // The heartbeat keeps the main thread busy, competing with the Worker for the cores: it runs
    // with the main-thread parse only.
    const worker = await streamLarge({ ...cookieConfig(), worker: true }, false);
    report('Worker mode', worker);
    const main = await streamLarge(cookieConfig(), true);
    report('main thread', main);
    assert.equal(worker.rows, main.rows);
    assert.ok(worker.rows > 100_000);
    assert.deepEqual(worker.sum, main.sum);
    assert.deepEqual(worker.longTasks, [], 'long tasks on the page in Worker mode');
    assert.ok(worker.peakHeap < 150 * MiB, `JS heap reached ${worker.peakHeap}`);
    assert.ok(worker.pageWasm < 8 * MiB, `the page's wasm memory grew to ${worker.pageWasm}`);
    assert.ok(worker.workerWasm < 64 * MiB, `the Worker's wasm memory grew to ${worker.workerWasm}`);
  });
});

describe('Worker mode leaves nothing behind', () => {
  test('250 cancelled, 250 completed and 250 aborted calls leave the page\'s JS heap at its baseline, and nothing in the Worker', async () => {
    // 840 requests in all: within the mock tenant's 1,000 a minute.
    const r = await w.run(async (lib, host) => {
      const client = new lib.PredictionsClient({ host, authType: 'apikey', apiKey: 'test-api-key', rateLimit: false, worker: true });
      const options = { batchRows: 10 };
      const cancelled = async () => {
        const reader = client.stream('rows-30', 'predictions', options).getReader();
        if ((await reader.read()).value.numRows !== 10) throw new Error('expected a first batch of 10 rows');
        await reader.cancel();
      };
      const completed = async () => {
        let rows = 0;
        for await (const b of client.stream('rows-30', 'predictions', options)) rows += b.numRows;
        if (rows !== 30) throw new Error(`read ${rows} rows`);
      };
      const aborted = async () => {
        const ac = new AbortController();
        const call = client.table('rows-30', 'predictions', { signal: ac.signal });
        setTimeout(() => ac.abort('stop'), 0);
        await call.then(() => {}, (e) => { if (e !== 'stop') throw e; });
      };
      const round = async (n, f) => {
        for (let i = 0; i < n; i += 10) await Promise.all(Array.from({ length: Math.min(10, n - i) }, f));
      };
      const heap = async () => {
        for (let i = 0; i < 2; i++) {
          globalThis.gc();
          await new Promise((res) => setTimeout(res, 50));
        }
        return performance.memory.usedJSHeapSize;
      };
      for (const f of [cancelled, completed, aborted]) await round(30, f);
      const base = await heap();
      const after = {};
      for (const f of [cancelled, completed, aborted]) {
        await round(250, f);
        after[f.name] = await heap();
      }
      return { base, after, worker: await lib.__internals.workerStats() };
    }, w.tenant.url);
    const mib = (n) => (n / MiB).toFixed(2);
    console.log(`# Worker mode, page JS heap after GC: baseline ${mib(r.base)} MiB, after 250 cancelled ${mib(r.after.cancelled)}, `
      + `250 completed ${mib(r.after.completed)}, 250 aborted ${mib(r.after.aborted)} MiB`);
    // Nor does the Worker keep anything of them.
    assert.deepEqual({ ...r.worker, wasmMemoryBytes: undefined, spares: undefined }, { calls: 0, clients: 1, tokenRequests: 0, wasmMemoryBytes: undefined, spares: undefined, warmUp: 'done' });
    // table() released its batches: the Worker keeps a few buffers for later ones, no more.
    assert.ok(r.worker.spares.bytes < 16 * MiB, `the Worker keeps ${r.worker.spares.bytes} bytes of buffers`);
    assert.ok(r.worker.wasmMemoryBytes < 16 * MiB, `the Worker's wasm memory grew to ${r.worker.wasmMemoryBytes}`);
    for (const [when, heap] of Object.entries(r.after)) {
      assert.ok(heap - r.base <= 2 * MiB, `the JS heap grew by ${mib(heap - r.base)} MiB after the ${when} calls`);
    }
  });
});
