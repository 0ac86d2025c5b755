// End-to-end tests of Worker mode (`new PredictionsClient({ worker: true })`): fetch and parse
// in a dedicated module Worker, the batches transferred to the page, against the mock tenant on
// another origin, in headless Chromium. The same calls give the same results and the same errors
// as without a Worker; abort, cancel, backpressure and timeouts work across the channel; what
// only the page has (getAccessToken, its address, autoRedirect, onProgress) stays on the page.
// Set-up and helpers: calls.mjs (the page must end with no uncaught error and no CSP violation).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DATASETS } from '../../js/datasets.js';
import { parseCsv } from './harness.mjs';
import { useSignedInWorld, w, mockRequests, lastRequestId, endedRequest, expectedText, cookieConfig, keyConfig } from './calls.mjs';

useSignedInWorld();

const inWorker = (config) => ({ ...config, worker: true });

describe('Worker mode: the same results', () => {
  for (const dataset of DATASETS) {
    test(`stream('${dataset}') matches the server's file batch by batch, and the main thread's batches`, async () => {
      const got = await w.run(async (lib, [config, ds]) => {
        const read = async (worker) => {
          const client = new lib.PredictionsClient({ ...config, worker });
          const batches = [];
          const stream = client.stream('hostile', ds, { batchRows: 7 });
          for await (const b of stream) {
            batches.push({
              rowOffset: b.rowOffset, numRows: b.numRows, names: b.columnNames, isBatch: b instanceof lib.RecordBatch,
              kinds: b.columnNames.map((_, i) => b.columnType(i)),
              columns: b.columnNames.map((_, i) => Array.from(b.column(i))),
            });
          }
          return { batches, columnNames: stream.columnNames, deprecation: stream.deprecation, rows: stream.rows, bytes: stream.bytes, totalBytes: stream.totalBytes };
        };
        return { worker: await read(true), main: await read(false) };
      }, [cookieConfig(), dataset]);
      assert.deepEqual(got.worker, got.main);
      const text = await expectedText('hostile', dataset);
      const [header, ...data] = parseCsv(text.toString('utf8'));
      assert.deepEqual(got.worker.columnNames, header);
      assert.match(got.worker.deprecation, /deprecated/);
      assert.equal(got.worker.bytes, text.length);
      let offset = 0;
      for (const b of got.worker.batches) {
        assert.equal(b.isBatch, true);
        assert.equal(b.rowOffset, offset);
        assert.ok(b.numRows > 0 && b.numRows <= 7);
        header.forEach((_, c) => {
          const cells = data.slice(offset, offset + b.numRows).map((r) => r[c]);
          const want = b.kinds[c] === 'number' ? cells.map((x) => (x === '' ? NaN : Number(x))) : cells;
          assert.deepEqual(b.columns[c], want, `column ${header[c]}`);
        });
        offset += b.numRows;
      }
      assert.equal(offset, data.length);
    });
  }

  test('adaptive batches: the first rows after the first chunk; a 50,000-row file sums to the main thread\'s figures', async () => {
    const r = await w.run(async (lib, config) => {
      const sums = async (worker) => {
        const client = new lib.PredictionsClient({ ...config, worker });
        const stream = client.stream('churn-medium', 'shap');
        const sizes = [];
        let bytesAtFirst = null;
        const sum = [];
        for await (const b of stream) {
          bytesAtFirst ??= stream.bytes;
          sizes.push(b.numRows);
          // Each column summed in row order: the same bits whatever the batch boundaries.
          for (let c = 1; c < b.numColumns; c++) {
            const col = b.column(c);
            let s = sum[c] ?? 0;
            for (let i = 0; i < col.length; i++) s += col[i];
            sum[c] = s;
          }
        }
        return { rows: sizes.reduce((a, n) => a + n, 0), first: sizes[0], max: Math.max(...sizes), bytesAtFirst, total: stream.totalBytes, sum };
      };
      return { worker: await sums(true), main: await sums(false) };
    }, cookieConfig());
    assert.equal(r.worker.rows, 50_000);
    assert.deepEqual(r.worker.sum, r.main.sum);
    assert.ok(r.worker.first > 0 && r.worker.first <= 64, `first batch of ${r.worker.first} rows`);
    assert.ok(r.worker.bytesAtFirst < r.worker.total / 10, `first batch after ${r.worker.bytesAtFirst} bytes`);
    assert.ok(r.worker.max > 64 && r.worker.max <= 10000, `largest batch ${r.worker.max}`);
  });

  test('table(), download() (byte-identical, with progress), downloadStream() and jobs()', async () => {
    const expected = await expectedText('churn-medium', 'coordinate-shap');
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const main = new lib.PredictionsClient({ ...config, worker: false });
      const hex = async (blob) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()))]
        .map((b) => b.toString(16).padStart(2, '0')).join('');
      const progress = [];
      const blob = await client.download('churn-medium', 'coordinate-shap', { onProgress: (p) => progress.push(p) });
      const chunks = [];
      for await (const chunk of client.downloadStream('churn-medium', 'coordinate-shap')) chunks.push(chunk);
      const table = await client.table('churn-large', 'shap', { limit: 100 });
      const mainTable = await main.table('churn-large', 'shap', { limit: 100 });
      const small = await client.table('churn-small', 'predictions', { limit: Infinity, types: 'string' });
      return {
        blob: { hex: await hex(blob), size: blob.size, type: blob.type },
        stream: { hex: await hex(new Blob(chunks)), isBytes: chunks.every((c) => c instanceof Uint8Array) },
        progress: { n: progress.length, last: progress.at(-1), rising: progress.every((p, i) => i === 0 || p.bytes >= progress[i - 1].bytes) },
        table: { columns: table.columns, rows: table.rows, truncated: table.truncated, totalBytes: table.totalBytes, bytes: table.bytes, deprecation: table.deprecation },
        mainTable: { columns: mainTable.columns, rows: mainTable.rows, truncated: mainTable.truncated },
        small: { numRows: small.numRows, truncated: small.truncated, types: [...new Set(small.rows.flat().map((c) => typeof c))] },
        jobs: [await client.jobs('churn-small'), await client.jobs('no-jobs')],
      };
    }, inWorker(cookieConfig()));
    const digest = createHash('sha256').update(expected).digest('hex');
    assert.deepEqual(r.blob, { hex: digest, size: expected.length, type: 'text/csv' });
    assert.deepEqual(r.stream, { hex: digest, isBytes: true });
    assert.ok(r.progress.n > 1 && r.progress.rising);
    assert.deepEqual(r.progress.last, { bytes: expected.length, totalBytes: expected.length, rows: 0 });
    assert.deepEqual({ columns: r.table.columns, rows: r.table.rows, truncated: r.table.truncated }, r.mainTable);
    assert.equal(r.table.rows.length, 100);
    assert.equal(r.table.totalBytes, 100_000_000);
    assert.ok(r.table.bytes < 10_000_000, `table() read ${r.table.bytes} bytes`);
    assert.match(r.table.deprecation, /deprecated/);
    assert.deepEqual(r.small, { numRows: 500, truncated: false, types: ['string'] });
    assert.equal(r.jobs[0].data[0].correlationId, 'churn-small');
    assert.equal(r.jobs[1], null);
  });

  test('stream() progress: called on the page, rising, up to the last byte and row; what onProgress throws ends the call', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const events = [];
      let rows = 0;
      for await (const b of client.stream('churn-medium', 'predictions', { onProgress: (p) => events.push(['p', p.rows, p.bytes, p.totalBytes]) })) {
        rows += b.numRows;
        events.push(['b', rows]);
      }
      const thrown = {};
      for (const worker of [false, true]) {
        const c = new lib.PredictionsClient({ ...config, worker });
        const oops = { oops: worker };
        let calls = 0;
        const onProgress = () => { calls += 1; if (calls === 3) throw oops; };
        const stream = c.stream('churn-medium', 'predictions', { onProgress });
        let got = 0;
        try { for await (const b of stream) got += b.numRows; } catch (e) { thrown[worker] = { same: e === oops, calls, ended: got < 50_000 }; }
      }
      return { rows, events, thrown };
    }, inWorker(cookieConfig()));
    assert.equal(r.rows, 50_000);
    const progress = r.events.filter((e) => e[0] === 'p');
    assert.ok(progress.length > 1);
    const last = progress.at(-1);
    assert.deepEqual(last.slice(1), [50_000, last[3], last[3]]);
    // Each report counts at least the rows handed out before it, and bytes only grow.
    let delivered = 0;
    let bytes = 0;
    for (const e of r.events) {
      if (e[0] === 'b') { delivered = e[1]; continue; }
      assert.ok(e[1] >= delivered, `progress of ${e[1]} rows after ${delivered} were handed out`);
      assert.ok(e[2] >= bytes);
      bytes = e[2];
    }
    assert.deepEqual(r.thrown, { false: { same: true, calls: 3, ended: true }, true: { same: true, calls: 3, ended: true } });
  });
});

describe('Worker mode: the same errors', () => {
  test('every error class, with its fields, as without a Worker', async () => {
    const r = await w.run(async (lib, [cookie, host]) => {
      const classes = ['QlikApiError', 'CsvError', 'NetworkError', 'WasmModuleError'];
      const describe = (e) => {
        if (e === null || typeof e !== 'object') return { value: e };
        const own = Object.fromEntries(Object.entries(e));
        return { name: e.name, message: e.message, class: classes.find((c) => e instanceof lib[c]) ?? e.constructor.name, ...own };
      };
      const outcome = async (f) => {
        try { return { ok: await f() }; } catch (e) { return describe(e); }
      };
      const calls = {
        notFound: (c) => c.table('missing', 'shap'),
        html: (c) => c.table('churn-small', 'shap', { refId: 'mockStatus=502&mockHtml=1' }),
        jobsNotFound: (c) => c.jobs('missing'),
        malformed: async (c) => {
          let rows = 0;
          try {
            for await (const b of c.stream('churn-small', 'predictions', { refId: 'mockMalformed=fields', batchRows: 1 })) rows += b.numRows;
          } catch (e) { e.rowsBefore = rows; throw e; }
        },
        badUtf8: (c) => c.table('churn-small', 'source', { refId: 'mockBadUtf8=1' }),
        tooWide: (c) => c.table('churn-small', 'shap', { maxColumns: 3 }),
        reset: (c) => c.download('churn-medium', 'shap', { refId: 'mockReset=5000' }),
        earlyEnd: (c) => c.table('churn-medium', 'shap', { refId: 'mockEarlyEnd=20000', limit: Infinity }),
        timeout: (c) => new lib.PredictionsClient({ host, authType: 'apikey', apiKey: 'test-api-key', timeoutMs: 300, worker: c.worker })
          .table('churn-small', 'shap', { refId: 'mockStall=5000&mockStallAfter=10' }),
        tokenType: (c) => new lib.PredictionsClient({ host, authType: 'oauth2', getAccessToken: async () => 42, worker: c.worker }).table('churn-small', 'shap'),
        badDatasetTable: (c) => c.table('churn-small', 'nope'),
        badLimit: (c) => c.table('churn-small', 'shap', { limit: -1 }),
        badJobsId: (c) => c.jobs(''),
        badJobsSignal: (c) => c.jobs('churn-small', { signal: 'no' }),
      };
      // Thrown at once, not through a promise.
      const sync = {
        badDataset: (c) => c.stream('churn-small', 'nope'),
        badBatchRows: (c) => c.stream('churn-small', 'shap', { batchRows: 0 }),
        badOptions: (c) => c.downloadStream('churn-small', 'shap', 7),
        badSignal: (c) => c.stream('churn-small', 'shap', { signal: {} }),
        emptyId: (c) => c.downloadStream('', 'shap'),
      };
      const out = {};
      for (const worker of [false, true]) {
        const client = new lib.PredictionsClient({ ...cookie, worker });
        client.worker = worker;
        for (const [name, f] of Object.entries(calls)) (out[name] ??= {})[worker ? 'worker' : 'main'] = await outcome(() => f(client));
        for (const [name, f] of Object.entries(sync)) {
          let thrown;
          try { f(client); thrown = 'nothing thrown'; } catch (e) { thrown = describe(e); }
          (out[name] ??= {})[worker ? 'worker' : 'main'] = thrown;
        }
      }
      return out;
    }, [cookieConfig(), w.tenant.url]);
    const want = {
      notFound: 'QlikApiError', html: 'QlikApiError', jobsNotFound: 'QlikApiError', malformed: 'CsvError', badUtf8: 'CsvError',
      tooWide: 'CsvError', reset: 'NetworkError', earlyEnd: 'NetworkError', timeout: 'NetworkError', tokenType: 'TypeError',
      badDatasetTable: 'TypeError', badLimit: 'TypeError', badJobsId: 'TypeError', badJobsSignal: 'TypeError',
      badDataset: 'TypeError', badBatchRows: 'TypeError', badOptions: 'TypeError', badSignal: 'TypeError', emptyId: 'TypeError',
    };
    for (const [name, { main, worker }] of Object.entries(r)) {
      assert.equal(main.name, want[name], `${name}: ${JSON.stringify(main)}`);
      // How much of a body arrives before the connection fails varies from run to run, in either mode.
      if (main.name === 'NetworkError') {
        assert.ok(Number.isInteger(worker.bytesReceived) && worker.bytesReceived <= 20_000, `${name}: ${worker.bytesReceived}`);
        delete main.bytesReceived;
        delete worker.bytesReceived;
      }
      assert.deepEqual(worker, main, name);
      if (main.name === 'TypeError') assert.equal(typeof main.field, 'string', name);
      else assert.equal(main.class, main.name, name);
    }
    assert.ok(r.malformed.worker.rowsBefore > 0);
    assert.equal(r.notFound.worker.status, 404);
  });

  test('bad Worker-mode options are TypeErrors naming the field; a Worker that cannot be started rejects with a clear error', async () => {
    const r = await w.run(async (lib, config) => {
      const out = {};
      for (const [field, extra] of [['worker', { worker: 'yes' }], ['workerUrl', { worker: true, workerUrl: 42 }], ['workerUrl', { workerUrl: '/pkg/worker.js' }]]) {
        try { new lib.PredictionsClient({ ...config, ...extra }); out[field] = 'no error'; } catch (e) { (out.fields ??= []).push([field, e.name, e.field]); }
      }
      const broken = new lib.PredictionsClient({ ...config, worker: true, workerUrl: '/no-such-worker.js' });
      const fail = (e) => ({ name: e.name, message: e.message, isError: e instanceof Error });
      out.table = await broken.table('churn-small', 'shap').catch(fail);
      out.stream = await broken.stream('churn-small', 'shap').getReader().read().catch(fail);
      out.jobs = await broken.jobs('churn-small').catch(fail);
      // A script of another origin cannot be the page's Worker.
      const foreign = new lib.PredictionsClient({ ...config, worker: true, workerUrl: `${config.host}/pkg/worker.js` });
      out.foreign = await foreign.table('churn-small', 'shap').catch(fail);
      const explicit = new lib.PredictionsClient({ ...config, worker: true, workerUrl: new URL('/pkg/worker.js', location.href) });
      out.explicit = (await explicit.table('churn-small', 'shap', { limit: 2 })).numRows;
      return out;
    }, keyConfig());
    assert.deepEqual(r.fields, [['worker', 'TypeError', 'worker'], ['workerUrl', 'TypeError', 'workerUrl'], ['workerUrl', 'TypeError', 'workerUrl']]);
    for (const call of ['table', 'stream', 'jobs']) {
      assert.equal(r[call].isError, true, call);
      assert.match(r[call].message, /Worker of Worker mode could not be started from \/no-such-worker\.js.*workerUrl/, call);
    }
    assert.equal(r.foreign.isError, true);
    assert.match(r.foreign.message, /could not be started from http:\/\/127\.0\.0\.1:\d+\/pkg\/worker\.js/);
    assert.equal(r.explicit, 2);
  });
});

describe('Worker mode: abort, cancel, backpressure, timeouts', () => {
  test('aborting rejects with the signal reason, the same value, also a non-Error reason, whatever the call waits for', async () => {
    const r = await w.run(async (lib, [config, host]) => {
      const client = new lib.PredictionsClient(config);
      const out = {};
      const ac = new AbortController();
      try {
        for await (const b of client.stream('churn-large', 'shap', { signal: ac.signal, batchRows: 1000 })) {
          if (b.rowOffset >= 2000) ac.abort();
        }
      } catch (e) { out.default = { name: e.name, isDom: e instanceof DOMException }; }
      const ac2 = new AbortController();
      const p = client.download('churn-large', 'shap', { signal: ac2.signal });
      setTimeout(() => ac2.abort('stop please'), 50);
      try { await p; } catch (e) { out.custom = e; }
      const reason = { why: 'before' };
      const ac3 = new AbortController();
      ac3.abort(reason);
      try { await client.table('churn-small', 'shap', { signal: ac3.signal }); } catch (e) { out.before = e === reason; }
      const ac4 = new AbortController();
      const j = client.jobs('churn-small', { signal: ac4.signal });
      ac4.abort(42);
      try { await j; } catch (e) { out.jobs = e; }
      const ac5 = new AbortController();
      ac5.abort(reason);
      try { await client.jobs('churn-small', { signal: ac5.signal }); } catch (e) { out.jobsBefore = e === reason; }
      // Waiting for a token that never comes, and for a stalled body.
      const never = new lib.PredictionsClient({ host, authType: 'oauth2', getAccessToken: () => new Promise(() => {}), worker: true });
      const ac6 = new AbortController();
      const fn = () => {};
      setTimeout(() => ac6.abort(fn), 200);
      try { await never.table('churn-small', 'shap', { signal: ac6.signal }); } catch (e) { out.token = e === fn; }
      const ac7 = new AbortController();
      const stalled = client.stream('churn-small', 'shap', { signal: ac7.signal, refId: 'mockStall=30000&mockStallAfter=2000' }).getReader();
      const first = await stalled.read();
      const sym = Symbol('stop');
      setTimeout(() => ac7.abort(sym), 200);
      try { for (;;) { if ((await stalled.read()).done) break; } } catch (e) { out.stalled = { first: first.value.numRows > 0, same: e === sym }; }
      out.after = (await client.table('churn-small', 'shap', { limit: 2 })).numRows;
      return out;
    }, [inWorker(cookieConfig()), w.tenant.url]);
    assert.deepEqual(r, {
      default: { name: 'AbortError', isDom: true }, custom: 'stop please', before: true, jobs: 42, jobsBefore: true, token: true,
      stalled: { first: true, same: true }, after: 2,
    });
  });

  test('a call aborted before it starts asks for no token and sends nothing', async () => {
    const since = await lastRequestId();
    const r = await w.run(async (lib, host) => {
      let calls = 0;
      const client = new lib.PredictionsClient({
        host, authType: 'oauth2', getAccessToken: async () => { calls += 1; return 'oauth-token-1'; }, worker: true,
        rateLimit: { tier1: 1, windowMs: 60_000 },
      });
      const ac = new AbortController();
      ac.abort('early');
      const reasons = [];
      for (let i = 0; i < 3; i++) {
        try { await client.table('churn-small', 'predictions', { signal: ac.signal, refId: 'mockKey=wpre' }); } catch (e) { reasons.push(e); }
      }
      const rows = (await client.table('churn-small', 'predictions', { limit: 1 })).numRows;
      return { reasons, calls, rows };
    }, w.tenant.url);
    assert.deepEqual(r, { reasons: ['early', 'early', 'early'], calls: 1, rows: 1 });
    assert.equal((await mockRequests(since)).filter((x) => x.query.refId === 'mockKey=wpre').length, 0);
  });

  test('cancel mid-stream closes the connection; a paused consumer stops the download', async () => {
    const since = await lastRequestId();
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const stream = client.stream('churn-large', 'source', { batchRows: 1000, refId: 'mockKey=wpause' });
      const reader = stream.getReader();
      await reader.read();
      await new Promise((res) => setTimeout(res, 1500));
      const bytesA = stream.bytes;
      await new Promise((res) => setTimeout(res, 1000));
      const bytesB = stream.bytes;
      const read = await reader.read();
      await reader.cancel('enough');
      return { bytesA, bytesB, total: stream.totalBytes, more: read.value.numRows };
    }, inWorker(cookieConfig()));
    assert.equal(r.total, 100_000_000);
    assert.equal(r.bytesA, r.bytesB, 'the page was handed more while its consumer was paused');
    assert.equal(r.more, 1000);
    // The server's side: what it sent stopped growing, far from the end, and the connection closed.
    const rec = await endedRequest(since, 'source');
    assert.ok(rec.endTime && rec.aborted, 'the server connection is still open after cancel');
    assert.ok(rec.bytesWritten < 50_000_000, `server wrote ${rec.bytesWritten}`);
    console.log(`# Worker mode, paused consumer: the server sent ${(rec.bytesWritten / 2 ** 20).toFixed(1)} MiB of 95.4 MiB`);
  });

  test('backpressure: while the consumer does not read, the server\'s bytes sent stay the same', async () => {
    const since = await lastRequestId();
    await w.page.evaluate(async ([config]) => {
      const client = new window.lib.PredictionsClient(config);
      window.paused = client.stream('churn-large', 'shap', { refId: 'mockKey=wbp' }).getReader();
      await window.paused.read();
    }, [inWorker(cookieConfig())]);
    await new Promise((res) => setTimeout(res, 1500));
    const sent = async () => (await mockRequests(since)).find((x) => x.query.refId === 'mockKey=wbp').bytesWritten;
    const a = await sent();
    await new Promise((res) => setTimeout(res, 1500));
    const b = await sent();
    await w.page.evaluate(() => window.paused.cancel());
    assert.equal(b, a, 'the server kept sending while the page did not read');
    assert.ok(a < 50_000_000, `server sent ${a}`);
    const rec = await endedRequest(since, 'shap');
    assert.ok(rec.endTime, 'the connection is still open after cancel');
  });

  test('timeoutMs: a stalled body, and a never-settling getAccessToken, time out in the Worker', async () => {
    const r = await w.run(async (lib, host) => {
      const timed = async (f) => {
        const t0 = performance.now();
        try { await f(); return 'resolved'; } catch (e) { return { name: e.name, message: e.message, ms: performance.now() - t0 }; }
      };
      const keyed = new lib.PredictionsClient({ host, authType: 'apikey', apiKey: 'test-api-key', timeoutMs: 400, worker: true });
      const never = new lib.PredictionsClient({ host, authType: 'oauth2', getAccessToken: () => new Promise(() => {}), timeoutMs: 400, worker: true });
      return {
        body: await timed(() => keyed.download('churn-small', 'shap', { refId: 'mockStall=30000&mockStallAfter=100' })),
        token: await timed(() => never.table('churn-small', 'shap')),
      };
    }, w.tenant.url);
    for (const [wait, x] of Object.entries(r)) {
      assert.equal(x.name, 'NetworkError', `${wait}: ${JSON.stringify(x)}`);
      assert.match(x.message, /400 ms/);
      assert.ok(x.ms < 3000, `${wait}: ${x.ms} ms`);
    }
    assert.match(r.token.message, /access token/);
  });
});

describe('Worker mode: what only the page has', () => {
  test('cookie session from the Worker: credentials included, web integration ID, CSRF token on POST', async () => {
    const since = await lastRequestId();
    await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      await client.table('churn-small', 'predictions', { limit: 1, refId: 'mockKey=wcookie' });
      await client.jobs('churn-small');
    }, inWorker(cookieConfig()));
    const api = (await mockRequests(since)).filter((r) => r.method !== 'OPTIONS' && r.path.startsWith('/api/'));
    assert.ok(api.some((r) => r.query.refId === 'mockKey=wcookie'));
    assert.ok(api.some((r) => r.method === 'POST' && r.status === 200 && r.headers['qlik-csrf-token']));
    for (const r of api) {
      assert.equal(r.headers['qlik-web-integration-id'], 'web-int-1', r.path);
      assert.equal(r.headers.sessionCookie, true, r.path);
      assert.equal(r.origin, w.mashup.url, r.path);
      assert.equal(r.principal, 'session', r.path);
    }
  });

  test('getAccessToken runs on the page; what it throws reaches the caller unchanged', async () => {
    const since = await lastRequestId();
    const r = await w.run(async (lib, host) => {
      let calls = 0;
      let onPage = null;
      const client = new lib.PredictionsClient({
        host, authType: 'oauth2', worker: true,
        getAccessToken: () => { calls += 1; onPage = typeof document !== 'undefined'; return Promise.resolve(`oauth-token-${calls}`); },
      });
      const a = await client.table('churn-small', 'predictions', { limit: 1 });
      const b = await client.jobs('churn-small');
      const reason = { notSignedIn: true };
      const rejecting = new lib.PredictionsClient({ host, authType: 'oauth2', worker: true, getAccessToken: () => Promise.reject(reason) });
      const throwing = new lib.PredictionsClient({ host, authType: 'oauth2', worker: true, getAccessToken: () => { throw new RangeError('no token'); } });
      const rejected = await rejecting.table('churn-small', 'shap').catch((e) => e === reason);
      const thrown = await throwing.jobs('churn-small').catch((e) => e instanceof RangeError && e.message);
      return { rows: a.numRows, jobs: b.data.length, calls, onPage, rejected, thrown };
    }, w.tenant.url);
    assert.deepEqual(r, { rows: 1, jobs: 1, calls: 2, onPage: true, rejected: true, thrown: 'no token' });
    const api = (await mockRequests(since)).filter((x) => x.path.startsWith('/api/') && x.method !== 'OPTIONS');
    assert.equal(api.length, 2);
    for (const x of api) assert.deepEqual([x.principal, x.headers.cookie], ['bearer', false]);
  });

  test('getAccessToken as the name of a global function: the page\'s global, looked up at each call', async () => {
    const r = await w.run(async (lib, host) => {
      let calls = 0;
      globalThis.pageTokenForWorker = async () => { calls += 1; return 'oauth-token-1'; };
      const named = new lib.PredictionsClient({ host, clientId: 'c', getAccessToken: 'pageTokenForWorker', worker: true });
      const table = await named.table('churn-small', 'predictions', { limit: 2 });
      const missing = new lib.PredictionsClient({ host, clientId: 'c', getAccessToken: 'noSuchPageFunction', worker: true });
      const error = await missing.table('churn-small', 'shap').catch((e) => ({ name: e.name, field: e.field, message: e.message }));
      delete globalThis.pageTokenForWorker;
      return { authType: named.authType, rows: table.numRows, calls, error };
    }, w.tenant.url);
    assert.deepEqual(r, {
      authType: 'oauth2', rows: 2, calls: 1,
      error: { name: 'TypeError', field: 'getAccessToken', message: 'getAccessToken: no function named "noSuchPageFunction" on globalThis' },
    });
  });

  test("a 401's loginUrl returns to the page (not the Worker's script), without its fragment", async () => {
    await w.page.evaluate(() => { location.hash = 'access_token=secret'; });
    const r = await w.run(async (lib, host) => {
      try {
        await new lib.PredictionsClient({ host, webIntegrationId: 'web-int-1', crossSiteCookies: false, worker: true }).table('churn-small', 'shap');
        return null;
      } catch (e) { return { name: e.name, status: e.status, loginUrl: e.loginUrl }; }
    }, w.tenant.url);
    await w.page.evaluate(() => { history.replaceState(null, '', location.pathname); });
    assert.deepEqual(r, {
      name: 'QlikApiError', status: 401,
      loginUrl: `${w.tenant.url}/login?qlik-web-integration-id=web-int-1&returnto=${encodeURIComponent(`${w.mashup.url}/index.html`)}`,
    });
  });

  test('autoRedirect sends the page to the login, and does not loop', async () => {
    const config = { host: w.tenant.url, webIntegrationId: 'web-int-1', crossSiteCookies: false, autoRedirect: true, worker: true };
    const since = await lastRequestId();
    const navigated = w.page.waitForEvent('framenavigated', { timeout: 10_000 });
    w.run(async (lib, cfg) => {
      await new lib.PredictionsClient(cfg).table('churn-small', 'shap').catch(() => {});
    }, config).catch(() => { /* the page navigates away */ });
    await navigated;
    await w.page.waitForLoadState('load');
    assert.equal(w.page.url(), `${w.mashup.url}/index.html`);
    await w.page.evaluate(async () => { await window.lib.ready; });
    const login = (await mockRequests(since)).find((x) => x.path === '/login');
    assert.deepEqual(login.query, { 'qlik-web-integration-id': 'web-int-1', returnto: `${w.mashup.url}/index.html` });
    // Back from a login that gave no session (the cookie is not sent): no second redirect.
    let navigations = 0;
    const count = (frame) => { if (frame === w.page.mainFrame()) navigations += 1; };
    w.page.on('framenavigated', count);
    try {
      const r = await w.run(async (lib, cfg) => {
        const out = [];
        for (let i = 0; i < 2; i++) {
          try { await new lib.PredictionsClient(cfg).table('churn-small', 'shap'); } catch (e) { out.push(e.status); }
        }
        return { out, mark: Object.keys(sessionStorage).filter((k) => k.startsWith('qlik-automl-predictions:')) };
      }, config);
      await new Promise((res) => setTimeout(res, 500));
      assert.equal(navigations, 0, 'the page went to the login again');
      assert.deepEqual(r.out, [401, 401]);
      assert.deepEqual(r.mark, [`qlik-automl-predictions:login-redirect:${w.tenant.url}`]);
    } finally {
      w.page.off('framenavigated', count);
    }
    // A successful answer clears the mark.
    await w.run(async (lib, cfg) => { await new lib.PredictionsClient(cfg).table('churn-small', 'shap', { limit: 1 }); }, inWorker({ ...cookieConfig(), autoRedirect: true }));
    assert.deepEqual(await w.page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('qlik-automl-predictions:'))), []);
  });
});

describe('Worker mode: the Worker', () => {
  test('one Worker serves every client of the page; it ends once they are collected, and a new client starts another', async () => {
    const r = await w.run(async (lib, config) => {
      const settle = async () => {
        for (let i = 0; i < 3; i++) {
          globalThis.gc();
          await new Promise((res) => setTimeout(res, 50));
        }
      };
      await settle();
      const before = lib.__internals.workers();
      let a = new lib.PredictionsClient(config);
      let b = new lib.PredictionsClient(config);
      const rows = (await a.table('churn-small', 'shap', { limit: 3 })).numRows + (await b.table('churn-small', 'shap', { limit: 4 })).numRows;
      const shared = lib.__internals.workers();
      a = null;
      b = null;
      await settle();
      const ended = lib.__internals.workers();
      const c = new lib.PredictionsClient(config);
      const again = (await c.table('churn-small', 'shap', { limit: 5 })).numRows;
      return { before, rows, shared, ended, again, now: lib.__internals.workers() };
    }, inWorker(keyConfig()));
    assert.deepEqual(r, { before: 0, rows: 7, shared: 1, ended: 0, again: 5, now: 1 });
  });
});
