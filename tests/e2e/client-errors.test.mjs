// End-to-end tests of the JS API as a mashup uses it — error answers, retries, the rate limiter and
// malformed CSV: the built package imported by a page on one origin (the "mashup") talking to the
// mock Qlik tenant on another origin, in headless Chromium. Set-up and helpers: calls.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useSignedInWorld, w, mockRequests, lastRequestId, cookieConfig, keyConfig } from './calls.mjs';

useSignedInWorld();

describe('errors and retries', () => {
  test('404 is a QlikApiError with the Qlik error fields', async () => {
    const e = await w.run(async (lib, config) => {
      try { await new lib.PredictionsClient(config).table('missing', 'predictions'); return null; } catch (err) {
        return { name: err.name, isErr: err instanceof Error, status: err.status, code: err.code, title: err.title, detail: err.detail, errors: err.errors, url: err.url, message: err.message };
      }
    }, cookieConfig());
    assert.equal(e.name, 'QlikApiError');
    assert.equal(e.isErr, true);
    assert.equal(e.status, 404);
    assert.equal(e.code, 'AUTOML-404');
    assert.equal(e.title, 'Prediction not found');
    assert.match(e.detail, /missing/);
    assert.equal(e.errors[0].code, 'AUTOML-404');
    assert.match(e.url, /\/missing\/predictions$/);
  });

  test('an HTML error page from a proxy gives code HTTP-<status>', async () => {
    const e = await w.run(async (lib, config) => {
      try { await new lib.PredictionsClient({ ...config, retries: 0 }).table('churn-small', 'shap', { refId: 'mockHtml=1' }); return null; } catch (err) {
        return { name: err.name, status: err.status, code: err.code, errors: err.errors };
      }
    }, keyConfig());
    assert.deepEqual(e, { name: 'QlikApiError', status: 502, code: 'HTTP-502', errors: [] });
  });

  test('a 40 MiB error body or jobs answer: 64 KiB are read, wasm memory stays flat', async () => {
    const pad = 40 * 2 ** 20;
    await fetch(`${w.tenant.url}/__mock/arm?route=jobs&mockPad=${pad}`, { method: 'POST' });
    const r = await w.run(async (lib, [config, padBytes]) => {
      const client = new lib.PredictionsClient(config);
      const before = lib.__internals.wasmMemoryBytes();
      let error = null;
      try { await client.table('churn-small', 'shap', { refId: `mockStatus=500&mockPad=${padBytes}` }); } catch (e) {
        error = { name: e.name, status: e.status, code: e.code, errors: e.errors };
      }
      let jobs = null;
      try { await client.jobs('churn-small'); } catch (e) { jobs = { name: e.name, message: e.message }; }
      return { error, jobs, grew: lib.__internals.wasmMemoryBytes() - before };
    }, [keyConfig(), pad]);
    console.log(`# wasm memory grew by ${(r.grew / 2 ** 20).toFixed(2)} MiB for a 40 MiB error body and a 40 MiB jobs answer`);
    // The body is cut at 64 KiB, so it is not Qlik's JSON error shape any more.
    assert.deepEqual(r.error, { name: 'QlikApiError', status: 500, code: 'HTTP-500', errors: [] });
    assert.equal(r.jobs.name, 'NetworkError');
    assert.match(r.jobs.message, /jobs response is larger than 65536 bytes/);
    assert.ok(r.grew <= 2 * 2 ** 20, `wasm memory grew by ${r.grew} bytes`);
  });

  test('error bodies are parsed into the errors array as sent', async () => {
    const e = await w.run(async (lib, config) => {
      try { await new lib.PredictionsClient(config).table('churn-small', 'shap', { refId: 'mockStatus=409&mockPad=2000' }); return null; } catch (err) {
        return { code: err.code, detail: err.detail, errors: err.errors, protoKept: Object.getPrototypeOf(err.errors[0]) === Object.prototype };
      }
    }, keyConfig());
    assert.equal(e.code, 'HTTP-409');
    assert.match(e.detail, /mockStatus=409/);
    assert.deepEqual(e.errors, [{ code: 'HTTP-409', title: 'Conflict', detail: 'Mock error requested with mockStatus=409.', status: '409' }]);
    assert.equal(e.protoKept, true);
  });

  test('429 waits retry-after and retries; 503 retries with backoff; retries are bounded', async () => {
    const since = await lastRequestId();
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const t0 = performance.now();
      const a = await client.table('churn-small', 'predictions', { limit: 1, refId: 'mock429=2&mockRetryAfter=1&mockKey=r1' });
      const t1 = performance.now();
      const b = await client.table('churn-small', 'predictions', { limit: 1, refId: 'mock503=2&mockKey=r2' });
      let c = null;
      try { await new lib.PredictionsClient({ ...config, retries: 1 }).table('churn-small', 'predictions', { refId: 'mock503=5&mockKey=r3' }); } catch (e) {
        c = { name: e.name, status: e.status };
      }
      let d = null;
      try { await new lib.PredictionsClient({ ...config, retries: 0 }).table('churn-small', 'predictions', { refId: 'mock429=1&mockRetryAfter=7&mockKey=r4' }); } catch (e) {
        d = { name: e.name, status: e.status, code: e.code, retryAfter: e.retryAfter };
      }
      return { a: a.numRows, b: b.numRows, c, d, waited: t1 - t0 };
    }, keyConfig());
    assert.equal(r.a, 1);
    assert.ok(r.waited >= 1900, `waited ${r.waited} ms for two retry-after: 1`);
    assert.equal(r.b, 1);
    assert.deepEqual(r.c, { name: 'QlikApiError', status: 503 });
    assert.deepEqual(r.d, { name: 'QlikApiError', status: 429, code: 'HTTP-429', retryAfter: 7 });
    const reqs = (await mockRequests(since)).filter((x) => x.method === 'GET');
    const count = (key, status) => reqs.filter((x) => x.query.refId?.includes(`mockKey=${key}`) && x.status === status).length;
    assert.equal(count('r1', 429), 2);
    assert.equal(count('r2', 503), 2);
    assert.equal(count('r3', 503), 2, 'retries: 1 means one further attempt');
    assert.equal(count('r4', 429), 1);
  });

  test('requests are queued to stay within the rate tier', async () => {
    const since = await lastRequestId();
    await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient({ ...config, rateLimit: { tier2: 3, windowMs: 1000 } });
      await Promise.all(Array.from({ length: 7 }, () => client.jobs('churn-small')));
    }, keyConfig());
    const times = (await mockRequests(since)).filter((x) => x.method === 'POST').map((x) => x.time).sort((a, b) => a - b);
    assert.equal(times.length, 7);
    for (let i = 3; i < times.length; i++) {
      // Sent a full window apart; arrival can differ from sending by a little network jitter.
      assert.ok(times[i] - times[i - 3] >= 900, `requests ${i - 3} and ${i} only ${times[i] - times[i - 3]} ms apart`);
    }
  });

  test('the rate limiter uses a monotonic clock: the system clock stepping back adds no wait', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient({ ...config, rateLimit: { tier1: 1000, tier2: 2, windowMs: 60_000 } });
      await client.jobs('churn-small');
      // The system clock steps back an hour (an NTP correction), as Date.now sees it.
      const realNow = Date.now;
      Date.now = () => realNow.call(Date) - 3_600_000;
      try {
        const t0 = performance.now();
        const guard = new Promise((res) => setTimeout(() => res('waited'), 5000));
        const outcome = await Promise.race([client.jobs('churn-small').then(() => 'sent'), guard]);
        return { outcome, ms: performance.now() - t0 };
      } finally {
        Date.now = realNow;
      }
    }, keyConfig());
    assert.equal(r.outcome, 'sent', `the second request waited (${r.ms} ms)`);
  });

  test('malformed CSV is a CsvError after the rows before it', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const out = {};
      for (const kind of ['fields', 'quote', 'utf8']) {
        let rows = 0;
        try {
          const refId = kind === 'utf8' ? 'mockBadUtf8=1' : `mockMalformed=${kind}`;
          for await (const b of client.stream('churn-small', 'predictions', { refId, batchRows: 50 })) rows += b.numRows;
          out[kind] = { rows };
        } catch (e) {
          out[kind] = { rows, name: e.name, isErr: e instanceof lib.CsvError, reason: e.reason, line: e.line, byteOffset: e.byteOffset, message: e.message };
        }
      }
      return out;
    }, keyConfig());
    for (const kind of ['fields', 'quote', 'utf8']) {
      assert.equal(r[kind].name, 'CsvError', kind);
      assert.equal(r[kind].isErr, true);
      assert.ok(r[kind].line > 1, kind);
      assert.ok(r[kind].byteOffset > 0, kind);
      // The position is in the message once.
      assert.ok(r[kind].message.startsWith(`CSV line ${r[kind].line} (byte ${r[kind].byteOffset}): `), r[kind].message);
      assert.equal(r[kind].message.split('line').length, 2, r[kind].message);
    }
    assert.equal(r.fields.reason, 'FieldCount');
    assert.equal(r.quote.reason, 'UnterminatedQuote');
    assert.equal(r.utf8.reason, 'InvalidUtf8');
    // The rows before the bad record were delivered: line N holds data row N - 2.
    assert.equal(r.fields.rows, r.fields.line - 2);
  });

  test('a bad last record (open quote, or too few fields and no line break) fails stream() and table() after the rows before it', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const out = {};
      for (const kind of ['quote', 'short']) {
        const refId = `mockMalformed=${kind}`;
        // 500 good rows in batches of 7: the last batch is partial, handed out by the end of input.
        let rows = 0;
        try {
          for await (const b of client.stream('churn-small', 'predictions', { refId, batchRows: 7 })) rows += b.numRows;
          out[`stream-${kind}`] = { rows, ended: 'cleanly' };
        } catch (e) {
          out[`stream-${kind}`] = { rows, name: e.name, reason: e.reason, line: e.line };
        }
        try {
          const t = await client.table('churn-small', 'predictions', { refId, limit: Infinity });
          out[`table-${kind}`] = { rows: t.numRows, ended: 'cleanly' };
        } catch (e) {
          out[`table-${kind}`] = { name: e.name, reason: e.reason, line: e.line };
        }
      }
      return out;
    }, keyConfig());
    // Line 1 is the header, lines 2-501 the 500 good rows, line 502 the bad record.
    const reasons = { quote: 'UnterminatedQuote', short: 'FieldCount' };
    for (const kind of ['quote', 'short']) {
      assert.deepEqual(r[`stream-${kind}`], { rows: 500, name: 'CsvError', reason: reasons[kind], line: 502 }, kind);
      assert.deepEqual(r[`table-${kind}`], { name: 'CsvError', reason: reasons[kind], line: 502 }, kind);
    }
  });

  test('flexible pads short rows instead of failing; maxRowBytes bounds a record', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      let rows = 0;
      for await (const b of client.stream('churn-small', 'predictions', { refId: 'mockMalformed=fields', flexible: true })) rows += b.numRows;
      let tooLarge = null;
      try { await client.table('churn-small', 'source', { maxRowBytes: 20 }); } catch (e) { tooLarge = { name: e.name, reason: e.reason, line: e.line }; }
      let badOption = null;
      try { client.stream('churn-small', 'source', { types: 'numbers' }); } catch (e) { badOption = e.name; }
      return { rows, tooLarge, badOption };
    }, keyConfig());
    assert.equal(r.rows, 500);
    assert.deepEqual(r.tooLarge, { name: 'CsvError', reason: 'RowTooLarge', line: 1 });
    assert.equal(r.badOption, 'TypeError');
  });

  test('maxColumns bounds the fields of a record: a wider header is a CsvError TooManyColumns', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const ok = await client.table('churn-small', 'shap', { refId: 'mockWide=10&mockWideRows=2', maxColumns: 10 });
      let wide = null;
      try { await client.table('churn-small', 'shap', { refId: 'mockWide=11&mockWideRows=2', maxColumns: 10 }); } catch (e) {
        wide = { name: e.name, isErr: e instanceof lib.CsvError, reason: e.reason, line: e.line, byteOffset: e.byteOffset };
      }
      // The default limit is 100000 fields.
      let byDefault = null;
      try { await client.table('churn-small', 'shap', { refId: 'mockWide=100001&mockWideRows=0' }); } catch (e) { byDefault = e.reason; }
      return { ok: [ok.columns.length, ok.numRows], wide, byDefault };
    }, keyConfig());
    assert.deepEqual(r.ok, [10, 2]);
    assert.deepEqual(r.wide, { name: 'CsvError', isErr: true, reason: 'TooManyColumns', line: 1, byteOffset: 0 });
    assert.equal(r.byDefault, 'TooManyColumns');
  });

  test('a reset or an early end is a NetworkError, never a complete file', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const out = [];
      for (const refId of ['mockReset=20000', 'mockEarlyEnd=20000']) {
        try { await client.download('churn-medium', 'shap', { refId }); out.push(null); } catch (e) {
          out.push({ name: e.name, isErr: e instanceof lib.NetworkError, bytes: e.bytesReceived });
        }
        try { for await (const _ of client.stream('churn-medium', 'shap', { refId })) { /* drain */ } out.push(null); } catch (e) {
          out.push({ name: e.name, bytes: e.bytesReceived });
        }
      }
      return out;
    }, keyConfig());
    for (const x of r) {
      assert.equal(x?.name, 'NetworkError');
      assert.ok(x.bytes <= 20000);
    }
  });

  test('timeoutMs: an idle response fails with NetworkError; a slow but flowing one does not', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient({ ...config, timeoutMs: 400 });
      let stalled = null;
      try { await client.download('churn-small', 'predictions', { refId: 'mockStall=3000' }); } catch (e) { stalled = { name: e.name, message: e.message }; }
      let delayed = null;
      try { await client.download('churn-small', 'predictions', { refId: 'mockDelay=3000' }); } catch (e) { delayed = e.name; }
      const drip = await client.download('rows-30', 'predictions', { refId: 'mockDrip=20' });
      return { stalled, delayed, dripSize: drip.size };
    }, keyConfig());
    assert.equal(r.stalled.name, 'NetworkError');
    assert.match(r.stalled.message, /400 ms/);
    assert.equal(r.delayed, 'NetworkError');
    assert.ok(r.dripSize > 500);
  });
});

describe('retries of network failures and gateway errors', () => {
  const arm = (route, flags) => fetch(`${w.tenant.url}/__mock/arm?route=${route}&${flags}`, { method: 'POST' });

  test('a GET is retried after a dropped connection, a 502 or a 504 before its first byte', async () => {
    const since = await lastRequestId();
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const rows = async (refId) => (await client.table('churn-small', 'predictions', { refId, limit: 5 })).numRows;
      return {
        drop: await rows('mockDrop=2&mockKey=g1'),
        gateway: await rows('mock502=1&mock504=1&mockKey=g2'),
        stream: (await (async () => { let n = 0; for await (const b of client.stream('churn-small', 'shap', { refId: 'mockDrop=1&mockKey=g3' })) n += b.numRows; return n; })()),
      };
    }, keyConfig());
    assert.deepEqual(r, { drop: 5, gateway: 5, stream: 500 });
    const sent = (await mockRequests(since)).filter((x) => x.method === 'GET');
    const outcomes = (key) => sent.filter((x) => x.query.refId?.includes(`mockKey=${key}`)).map((x) => x.fault ?? x.status);
    assert.deepEqual(outcomes('g1'), ['drop', 'drop', 200]);
    assert.deepEqual(outcomes('g2'), [502, 504, 200]);
    assert.deepEqual(outcomes('g3'), ['drop', 200]);
  });

  test('the retry budget bounds them; a failure after the first byte is never retried', async () => {
    const since = await lastRequestId();
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient({ ...config, retries: 1 });
      const out = {};
      try { await client.table('churn-small', 'predictions', { refId: 'mockDrop=5&mockKey=b1' }); } catch (e) { out.drop = e.name; out.dropMessage = e.message; }
      try { await client.table('churn-small', 'predictions', { refId: 'mock504=5&mockKey=b2' }); } catch (e) { out.gateway = [e.name, e.status]; }
      try { await client.download('churn-medium', 'shap', { refId: 'mockReset=20000&mockKey=b3' }); } catch (e) { out.reset = e.name; }
      return out;
    }, keyConfig());
    // The page is on another origin than the tenant: the message says that CORS fails a request
    // this way too.
    assert.match(r.dropMessage, new RegExp(`^the response failed: .*\\(this page's origin, ${new URL(w.mashup.url).origin.replace(/[.]/g, '\\.')}, is not the URL's: .*\\(CORS\\).*web integration`));
    delete r.dropMessage;
    assert.deepEqual(r, { drop: 'NetworkError', gateway: ['QlikApiError', 504], reset: 'NetworkError' });
    const sent = (await mockRequests(since)).filter((x) => x.method === 'GET');
    const count = (key) => sent.filter((x) => x.query.refId?.includes(`mockKey=${key}`)).length;
    assert.deepEqual([count('b1'), count('b2'), count('b3')], [2, 2, 1]);
  });

  test('the jobs POST is not retried after a dropped connection or a 502, but is when its CSRF token could not be fetched', async () => {
    // A stale CSRF token, so that the POST needs a new one.
    await w.run(async (lib, config) => { await new lib.PredictionsClient(config).jobs('churn-small'); }, cookieConfig());
    await w.page.evaluate(async (url) => {
      await fetch(`${url}/__mock/session/rotate-csrf`, { method: 'POST', credentials: 'include' });
    }, w.tenant.url);
    await arm('csrf-token', 'mockDrop=1');
    let since = await lastRequestId();
    const jobs = await w.run(async (lib, config) => (await new lib.PredictionsClient(config).jobs('churn-small')).data.length, cookieConfig());
    assert.equal(jobs, 1);
    let sent = (await mockRequests(since)).filter((x) => x.method !== 'OPTIONS');
    assert.deepEqual(sent.map((x) => `${x.method} ${x.route} ${x.fault ?? x.status}`), [
      'POST jobs 403', 'GET csrf-token drop', 'GET csrf-token 204', 'POST jobs 200',
    ]);

    for (const flags of ['mockDrop=1', 'mock502=1']) {
      await arm('jobs', flags);
      since = await lastRequestId();
      const r = await w.run(async (lib, config) => {
        try { await new lib.PredictionsClient(config).jobs('churn-small'); return null; } catch (e) { return { name: e.name, status: e.status }; }
      }, cookieConfig());
      assert.equal(r.name, flags === 'mockDrop=1' ? 'NetworkError' : 'QlikApiError', flags);
      sent = (await mockRequests(since)).filter((x) => x.method === 'POST');
      assert.equal(sent.length, 1, `${flags}: the POST was sent again`);
    }
  });
});
