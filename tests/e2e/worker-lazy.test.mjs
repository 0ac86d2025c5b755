// Worker mode's page side is a chunk of the package that index.js imports on demand: a page
// whose clients run on the main thread never fetches it (nor the Worker script), and the first
// client made with `worker: true` does. Calls made while the chunk loads (held back here by the
// browser's request routing) are read, aborted and cancelled as in Worker mode, and a chunk that
// cannot be loaded is the calls' error. In headless Chromium, against the mock tenant on another
// origin; the chunk's name is read from the built package (scripts/bundle-js.mjs's roles).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { packageSize } from '../../scripts/bundle-js.mjs';
import { root, startWorld } from './harness.mjs';
import { closeCleanWorld } from './calls.mjs';

const API_KEY = 'test-api-key';
let w;
let config;
let requested = [];

// What Worker mode loads on top of the page: its page side (a chunk, remote-<hash>.js) and worker.js.
const ON_DEMAND = packageSize(join(root, 'pkg')).files.filter((f) => f.role === 'worker').map((f) => f.name);
const CHUNKS = ON_DEMAND.filter((name) => name !== 'worker.js');
const PAGE = packageSize(join(root, 'pkg')).files.filter((f) => f.role === 'page').map((f) => f.name);

before(async () => {
  w = await startWorld();
  config = { host: w.tenant.url, authType: 'apikey', apiKey: API_KEY };
  w.page.on('request', (r) => requested.push(new URL(r.url()).pathname));
});
after(() => closeCleanWorld(w));

/** The mashup page loaded afresh (its modules imported again), the requests logged from there. */
async function reload() {
  requested = [];
  await w.page.goto(`${w.mashup.url}/index.html`);
  await w.page.evaluate(async () => { await window.lib.ready; });
}

const fetchedPkg = () => requested.filter((p) => p.startsWith('/pkg/')).map((p) => p.slice('/pkg/'.length));

async function mockRequests() {
  const r = await fetch(`${w.tenant.url}/__mock/requests`);
  return (await r.json()).requests;
}

test('the package has a chunk that Worker mode loads on demand', () => {
  assert.ok(ON_DEMAND.includes('worker.js'), JSON.stringify(ON_DEMAND));
  assert.equal(CHUNKS.length, 1, JSON.stringify(ON_DEMAND));
  assert.match(CHUNKS[0], /^remote-\w+\.js$/);
});

test('a page whose clients run on the main thread fetches index.js and the wasm, no other file of the package', async () => {
  await reload();
  const r = await w.run(async (lib, cfg) => {
    const client = new lib.PredictionsClient(cfg);
    const off = new lib.PredictionsClient({ ...cfg, worker: false });
    let rows = 0;
    for await (const b of client.stream('churn-small', 'predictions')) rows += b.numRows;
    const out = {
      rows,
      table: (await off.table('churn-small', 'shap', { limit: 3 })).numRows,
      bytes: (await client.download('churn-small', 'predictions')).size,
      jobs: (await client.jobs('churn-small')).data.length,
      fields: [],
    };
    // Bad Worker-mode options are thrown when the client is made, without Worker mode's code.
    for (const extra of [{ worker: 'yes' }, { worker: true, workerUrl: 42 }, { workerUrl: '/pkg/worker.js' }]) {
      try { new lib.PredictionsClient({ ...cfg, ...extra }); } catch (e) { out.fields.push([e.name, e.field]); }
    }
    await new Promise((res) => setTimeout(res, 200));
    out.workers = lib.__internals.workers();
    out.stats = await lib.__internals.workerStats();
    return out;
  }, config);
  assert.deepEqual(r, {
    rows: 500, table: 3, bytes: r.bytes, jobs: 1, fields: [['TypeError', 'worker'], ['TypeError', 'workerUrl'], ['TypeError', 'workerUrl']],
    workers: 0, stats: null,
  });
  assert.ok(r.bytes > 0);
  // One JavaScript file of the package, index.js (no chunk it would import first), and the wasm.
  assert.deepEqual(PAGE, ['index.js', 'qlik_automl_predictions_bg.wasm']);
  assert.deepEqual([...new Set(fetchedPkg())].sort(), PAGE);
  assert.deepEqual(fetchedPkg().filter((f) => f.endsWith('.js')), ['index.js']);
});

test('the first client with worker: true fetches the chunk and worker.js, once; the results are the main thread\'s', async () => {
  const r = await w.run(async (lib, cfg) => {
    const rows = async (client) => (await client.table('churn-small', 'shap', { limit: Infinity })).rows;
    const main = await rows(new lib.PredictionsClient(cfg));
    const a = new lib.PredictionsClient({ ...cfg, worker: true });
    const b = new lib.PredictionsClient({ ...cfg, worker: true });
    return { same: JSON.stringify(await rows(a)) === JSON.stringify(main), again: (await rows(b)).length === main.length, workers: lib.__internals.workers() };
  }, config);
  assert.deepEqual(r, { same: true, again: true, workers: 1 });
  // Since the page was loaded: index.js, then Worker mode's chunk and the Worker script it starts, once each.
  assert.deepEqual(fetchedPkg().filter((f) => f.endsWith('.js')), ['index.js', CHUNKS[0], 'worker.js']);
});

test('calls made while the chunk loads: read, aborted before and during, cancelled, jobs and figures, as in Worker mode', async () => {
  // The chunk is held back until the test lets it through.
  let release;
  const gate = new Promise((res) => { release = res; });
  const chunk = `**/pkg/${CHUNKS[0]}`;
  // (A failed test may have unrouted it first: that is not this handler's error.)
  await w.page.route(chunk, async (route) => { await gate; await route.continue().catch(() => {}); });
  try {
    await reload();
    const early = await w.run(async (lib, cfg) => {
      const client = new lib.PredictionsClient({ ...cfg, worker: true });
      const out = {};
      // Thrown now, as without a Worker.
      try { client.stream('churn-small', 'no-such-dataset'); } catch (e) { out.sync = [e.name, e.field]; }
      const stream = client.stream('churn-small', 'predictions', { batchRows: 100 });
      out.figures = { bytes: stream.bytes, totalBytes: stream.totalBytes, rows: stream.rows, columnNames: stream.columnNames, deprecation: stream.deprecation };
      const settle = (p) => p.then((v) => ({ value: v }), (e) => ({ error: e }));
      const reason = { why: 'before' };
      const ac = new AbortController();
      ac.abort(reason);
      const before = await settle(client.table('churn-small', 'shap', { signal: ac.signal, refId: 'mockKey=lazy-before' }));
      out.before = before.error === reason;
      const ac2 = new AbortController();
      const during = settle(client.download('churn-small', 'shap', { signal: ac2.signal, refId: 'mockKey=lazy-during' }));
      ac2.abort('stop');
      out.during = await during;
      const cancelled = client.stream('churn-small', 'shap', { refId: 'mockKey=lazy-cancel' }).getReader();
      const read = cancelled.read();
      await cancelled.cancel();
      out.cancelled = (await read).done;
      out.workers = lib.__internals.workers();
      const ac3 = new AbortController();
      window.pending = {
        stream,
        table: client.table('churn-small', 'shap', { limit: 4 }),
        jobs: client.jobs('churn-small'),
        // jobs() checks its arguments in the Worker, then rejects with the reason.
        jobsAborted: settle(client.jobs('churn-small', { signal: ac3.signal })),
        stats: lib.__internals.workerStats(),
      };
      ac3.abort('jobs stop');
      return out;
    }, config);
    assert.deepEqual(early, {
      sync: ['TypeError', 'dataset'],
      figures: { bytes: 0, totalBytes: null, rows: 0, columnNames: null, deprecation: null },
      before: true,
      during: { error: 'stop' },
      cancelled: true,
      workers: 0,
    });
    assert.ok(!fetchedPkg().includes('worker.js'), 'the Worker started before its chunk');
    release();
    const r = await w.run(async (lib, cfg) => {
      const { stream, table, jobs, jobsAborted, stats } = window.pending;
      let rows = 0;
      const names = [];
      for await (const b of stream) { rows += b.numRows; names.push(b.columnNames.length); }
      const main = await new lib.PredictionsClient(cfg).table('churn-small', 'shap', { limit: 4 });
      return {
        rows,
        figures: { rows: stream.rows, columns: stream.columnNames.length === names[0], bytes: stream.bytes > 0 && stream.bytes === stream.totalBytes },
        table: JSON.stringify((await table).rows) === JSON.stringify(main.rows),
        jobs: (await jobs).data.length,
        jobsAborted: await jobsAborted,
        stats: Object.keys((await stats) ?? {}).sort(),
        workers: lib.__internals.workers(),
      };
    }, config);
    assert.deepEqual(r, {
      rows: 500, figures: { rows: 500, columns: true, bytes: true }, table: true, jobs: 1, jobsAborted: { error: 'jobs stop' },
      stats: ['calls', 'clients', 'spares', 'tokenRequests', 'warmUp', 'wasmMemoryBytes'], workers: 1,
    });
    // Aborted or cancelled before the chunk came: nothing was sent.
    const sent = (await mockRequests()).filter((q) => /mockKey=lazy-/.test(q.query.refId ?? ''));
    assert.deepEqual(sent.map((q) => q.query.refId), []);
  } finally {
    release();
    await w.page.unroute(chunk);
  }
});

test('a fresh Worker runs its warm-up (a stopped call, a parse held in memory) sending nothing and taking no spare buffer', async () => {
  await reload();
  const r = await w.run(async (lib, cfg) => {
    const client = new lib.PredictionsClient({ ...cfg, worker: true });
    window.warmed = client;
    // The Worker starts with the client; its warm-up runs once the module is instantiated.
    let stats = null;
    for (let i = 0; i < 50 && stats?.warmUp !== 'done'; i++) {
      await new Promise((res) => setTimeout(res, 50));
      stats = await lib.__internals.workerStats();
    }
    const before = { ...stats };
    const rows = (await client.table('churn-small', 'predictions', { limit: 2 })).numRows;
    return { before, rows };
  }, config);
  assert.equal(r.before.warmUp, 'done');
  assert.equal(r.before.calls, 0);
  assert.deepEqual(r.before.spares, { bytes: 0, made: 0, reused: 0 });
  assert.equal(r.rows, 2);
  // The page and its Worker fetched the package's files and the one call's file, nothing else.
  const others = requested.filter((p) => !p.startsWith('/pkg/') && p !== '/index.html' && !p.startsWith('/api/v1/automl-predictions/churn-small/'));
  assert.deepEqual(others.filter((p) => !/\.(js|css|ico)$/.test(p)), []);
  assert.ok(requested.includes('/pkg/worker.js'), JSON.stringify(requested));
});

test('a chunk that cannot be loaded: the Worker-mode calls reject with a clear error, main-thread clients work; the next call tries again', async () => {
  const chunk = `**/pkg/${CHUNKS[0]}`;
  await w.page.route(chunk, (route) => route.abort());
  try {
    await reload();
    const r = await w.run(async (lib, cfg) => {
      const client = new lib.PredictionsClient({ ...cfg, worker: true });
      window.failed = client;
      const fail = (e) => ({ isError: e instanceof Error, message: String(e?.message) });
      const out = {
        table: await client.table('churn-small', 'shap').catch(fail),
        stream: await client.stream('churn-small', 'shap').getReader().read().catch(fail),
        jobs: await client.jobs('churn-small').catch(fail),
        main: (await new lib.PredictionsClient(cfg).table('churn-small', 'shap', { limit: 2 })).numRows,
        workers: lib.__internals.workers(),
        stats: await lib.__internals.workerStats(),
      };
      return out;
    }, config);
    for (const call of ['table', 'stream', 'jobs']) {
      assert.equal(r[call].isError, true, call);
      assert.match(r[call].message, /^qlik-automl-predictions: the code of Worker mode could not be loaded \(.+\)\. Serve the files of pkg\//, call);
    }
    assert.deepEqual({ main: r.main, workers: r.workers, stats: r.stats }, { main: 2, workers: 0, stats: null });
  } finally {
    await w.page.unroute(chunk);
  }
  // Served again, the chunk is imported by the next call of the same client.
  const again = await w.run(async () => (await window.failed.table('churn-small', 'shap', { limit: 2 })).numRows);
  assert.equal(again, 2);
});
