// End-to-end tests of the JS API as a mashup uses it — every wait ends on abort, timeout and
// cancel; backpressure: the built package imported by a page on one origin (the "mashup") talking
// to the mock Qlik tenant on another origin, in headless Chromium. Set-up and helpers: calls.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useSignedInWorld, w, mockRequests, lastRequestId, endedRequest, cookieConfig, API_KEY } from './calls.mjs';

useSignedInWorld();

describe('every wait ends on abort, on timeoutMs and on cancel', () => {
  const arm = (route, flags) => fetch(`${w.tenant.url}/__mock/arm?route=${route}&${flags}`, { method: 'POST' });
  // Makes the page's cached CSRF token stale, so that the next POST fetches a new one.
  const staleCsrf = async () => {
    await w.run(async (lib, config) => { await new lib.PredictionsClient(config).jobs('churn-small'); }, cookieConfig());
    await w.page.evaluate(async (url) => {
      await fetch(`${url}/__mock/session/rotate-csrf`, { method: 'POST', credentials: 'include' });
    }, w.tenant.url);
  };

  test('abort: a never-settling getAccessToken, a retry pause, a rate-limit wait, the CSRF token fetch', async () => {
    await staleCsrf();
    await arm('csrf-token', 'mockDelay=30000');
    const r = await w.run(async (lib, [host, key, cookie]) => {
      const timed = async (reason, f) => {
        const ac = new AbortController();
        setTimeout(() => ac.abort(reason), 300);
        const t0 = performance.now();
        try { await f(ac.signal); return { settled: 'resolved' }; } catch (e) {
          return { reason: e === reason, ms: Math.round(performance.now() - t0) };
        }
      };
      const never = new lib.PredictionsClient({ host, authType: 'oauth2', getAccessToken: () => new Promise(() => {}) });
      const keyed = new lib.PredictionsClient({ host, authType: 'apikey', apiKey: key });
      const limited = new lib.PredictionsClient({ host, authType: 'apikey', apiKey: key, rateLimit: { tier1: 1, windowMs: 60_000 } });
      await limited.table('churn-small', 'predictions', { limit: 1 });
      return {
        token: await timed('a1', (signal) => never.table('churn-small', 'predictions', { signal })),
        retry: await timed('a2', (signal) => keyed.table('churn-small', 'predictions', { signal, refId: 'mock503=1&mockRetryAfter=30&mockKey=ab1' })),
        rate: await timed('a3', (signal) => limited.table('churn-small', 'predictions', { signal })),
        csrf: await timed('a4', (signal) => new lib.PredictionsClient(cookie).jobs('churn-small', { signal })),
      };
    }, [w.tenant.url, API_KEY, cookieConfig()]);
    for (const [wait, x] of Object.entries(r)) {
      assert.equal(x.reason, true, `${wait}: ${JSON.stringify(x)}`);
      assert.ok(x.ms < 3000, `${wait}: ended after ${x.ms} ms`);
    }
  });

  test('timeoutMs: a never-settling getAccessToken, a rate-limit wait and the CSRF token fetch time out; a longer retry pause is not taken', async () => {
    await staleCsrf();
    await arm('csrf-token', 'mockDelay=30000');
    const r = await w.run(async (lib, [host, key, cookie]) => {
      const timed = async (f) => {
        const t0 = performance.now();
        try { await f(); return { settled: 'resolved' }; } catch (e) {
          return { name: e.name, message: e.message, status: e.status, retryAfter: e.retryAfter, ms: Math.round(performance.now() - t0) };
        }
      };
      const timeoutMs = 400;
      const never = new lib.PredictionsClient({ host, authType: 'oauth2', getAccessToken: () => new Promise(() => {}), timeoutMs });
      const keyed = new lib.PredictionsClient({ host, authType: 'apikey', apiKey: key, timeoutMs: 2000 });
      const limited = new lib.PredictionsClient({ host, authType: 'apikey', apiKey: key, timeoutMs, rateLimit: { tier1: 1, windowMs: 60_000 } });
      await limited.table('churn-small', 'predictions', { limit: 1 });
      return {
        token: await timed(() => never.table('churn-small', 'predictions')),
        rate: await timed(() => limited.table('churn-small', 'predictions')),
        csrf: await timed(() => new lib.PredictionsClient({ ...cookie, timeoutMs }).jobs('churn-small')),
        retry: await timed(() => keyed.table('churn-small', 'predictions', { refId: 'mock503=1&mockRetryAfter=30&mockKey=tm1' })),
      };
    }, [w.tenant.url, API_KEY, cookieConfig()]);
    for (const [wait, what] of [['token', /access token/], ['rate', /rate limit/], ['csrf', /CSRF token/]]) {
      assert.equal(r[wait].name, 'NetworkError', `${wait}: ${JSON.stringify(r[wait])}`);
      assert.match(r[wait].message, /400 ms/);
      assert.match(r[wait].message, what);
      assert.ok(r[wait].ms < 3000, `${wait}: ended after ${r[wait].ms} ms`);
    }
    // The server asked for 30 s, more than the 2 s timeout: its answer comes back at once.
    assert.equal(r.retry.name, 'QlikApiError');
    assert.equal(r.retry.status, 503);
    assert.equal(r.retry.retryAfter, 30);
    assert.ok(r.retry.ms < 1500, `gave up after ${r.retry.ms} ms`);
  });

  test('cancel: a stream cancelled during a retry pause or a rate-limit wait sends nothing more', async () => {
    const since = await lastRequestId();
    const r = await w.run(async (lib, host) => {
      let calls = 0;
      const getAccessToken = async () => { calls += 1; return 'oauth-token-1'; };
      const pauseAndCancel = async (client, options) => {
        const reader = client.stream('churn-small', 'predictions', options).getReader();
        const pending = reader.read();
        await new Promise((res) => setTimeout(res, 400));
        const before = calls;
        await reader.cancel('stop');
        const read = await pending;
        // Longer than the pause or the wait: had it gone on, a token would have been asked for.
        await new Promise((res) => setTimeout(res, 2500));
        return { before, after: calls, done: read.done };
      };
      const retrying = new lib.PredictionsClient({ host, authType: 'oauth2', getAccessToken });
      const retry = await pauseAndCancel(retrying, { refId: 'mock503=5&mockRetryAfter=2&mockKey=cc1' });
      calls = 0;
      const limited = new lib.PredictionsClient({ host, authType: 'oauth2', getAccessToken, rateLimit: { tier1: 1, windowMs: 2000 } });
      await limited.table('churn-small', 'predictions', { limit: 1 });
      const rate = await pauseAndCancel(limited, { refId: 'mockKey=cc2' });
      return { retry, rate };
    }, w.tenant.url);
    assert.deepEqual(r.retry, { before: 1, after: 1, done: true });
    assert.deepEqual(r.rate, { before: 1, after: 1, done: true });
    const sent = (await mockRequests(since)).filter((x) => x.method === 'GET');
    assert.equal(sent.filter((x) => /mockKey=cc1/.test(x.query.refId ?? '')).length, 1, 'one attempt before the pause');
    assert.equal(sent.filter((x) => /mockKey=cc2/.test(x.query.refId ?? '')).length, 0, 'nothing after the wait');
  });

  test('a call aborted before it starts asks for no token and takes no rate-limit slot', async () => {
    const r = await w.run(async (lib, host) => {
      let calls = 0;
      const client = new lib.PredictionsClient({
        host, authType: 'oauth2', getAccessToken: async () => { calls += 1; return 'oauth-token-1'; },
        rateLimit: { tier1: 1, windowMs: 60_000 },
      });
      const ac = new AbortController();
      ac.abort('early');
      const reasons = [];
      for (let i = 0; i < 3; i++) {
        try { await client.table('churn-small', 'predictions', { signal: ac.signal }); } catch (e) { reasons.push(e); }
      }
      const t0 = performance.now();
      const rows = (await client.table('churn-small', 'predictions', { limit: 1 })).numRows;
      return { reasons, calls, rows, ms: performance.now() - t0 };
    }, w.tenant.url);
    assert.deepEqual(r.reasons, ['early', 'early', 'early']);
    assert.equal(r.calls, 1, 'getAccessToken was called for an aborted call');
    assert.equal(r.rows, 1);
    assert.ok(r.ms < 5000, `the next call waited ${r.ms} ms for the rate limit`);
  });

  test('numbers out of range are TypeErrors naming the field', async () => {
    const r = await w.run(async (lib, host) => {
      const configs = [
        ['timeoutMs', { timeoutMs: 2 ** 31 }], ['timeoutMs', { timeoutMs: -1 }], ['timeoutMs', { timeoutMs: NaN }],
        ['timeoutMs', { timeoutMs: Infinity }], ['timeoutMs', { timeoutMs: '500' }],
        ['retries', { retries: 1.5 }], ['retries', { retries: 101 }], ['retries', { retries: -1 }],
        ['rateLimit.tier1', { rateLimit: { tier1: 0 } }], ['rateLimit.tier2', { rateLimit: { tier2: 2.5 } }],
        ['rateLimit.windowMs', { rateLimit: { windowMs: 2 ** 31 } }], ['rateLimit.windowMs', { rateLimit: { windowMs: 0 } }],
      ];
      const options = [
        ['batchRows', { batchRows: 0 }], ['batchRows', { batchRows: 1e8 }],
        ['maxRowBytes', { maxRowBytes: 2 ** 29 + 1 }], ['maxRowBytes', { maxRowBytes: 0 }],
        ['maxColumns', { maxColumns: 0 }], ['maxColumns', { maxColumns: 2 ** 32 }], ['maxColumns', { maxColumns: 1.5 }],
      ];
      const out = [];
      for (const [field, extra] of configs) {
        try { new lib.PredictionsClient({ host, authType: 'none', ...extra }); out.push([field, 'no error']); } catch (e) {
          out.push([field, e.name, e.message, e.field]);
        }
      }
      const client = new lib.PredictionsClient({ host, authType: 'none', timeoutMs: 2 ** 31 - 1 });
      for (const [field, extra] of options) {
        try { client.stream('p', 'shap', extra); out.push([field, 'no error']); } catch (e) { out.push([field, e.name, e.message, e.field]); }
      }
      return out;
    }, w.tenant.url);
    for (const [field, name, message, named] of r) {
      assert.equal(name, 'TypeError', `${field}: ${name}`);
      assert.ok(message.includes(`\`${field}\``), `${field}: ${message}`);
      assert.equal(named, field);
    }
  });
});

describe('abort, cancel and backpressure', () => {
  test('aborting rejects with the signal reason, also a non-Error reason', async () => {
    const r = await w.run(async (lib, config) => {
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
      const ac3 = new AbortController();
      ac3.abort({ why: 'before' });
      try { await client.table('churn-small', 'shap', { signal: ac3.signal }); } catch (e) { out.before = e; }
      const ac4 = new AbortController();
      const j = client.jobs('churn-small', { signal: ac4.signal });
      ac4.abort(42);
      try { await j; } catch (e) { out.jobs = e; }
      // The module still works after all that.
      out.after = (await client.table('churn-small', 'shap', { limit: 2 })).numRows;
      return out;
    }, cookieConfig());
    assert.deepEqual(r.default, { name: 'AbortError', isDom: true });
    assert.equal(r.custom, 'stop please');
    assert.deepEqual(r.before, { why: 'before' });
    assert.equal(r.jobs, 42);
    assert.equal(r.after, 2);
  });

  test('a paused consumer stops the download; cancel releases the connection', async () => {
    const since = await lastRequestId();
    const r = await w.run(async (lib, [config, tenant]) => {
      const client = new lib.PredictionsClient(config);
      const stream = client.stream('churn-large', 'source', { batchRows: 1000 });
      const reader = stream.getReader();
      await reader.read();
      await new Promise((res) => setTimeout(res, 1500));
      const bytesA = stream.bytes;
      await new Promise((res) => setTimeout(res, 1000));
      const bytesB = stream.bytes;
      await reader.cancel();
      return { bytesA, bytesB, total: stream.totalBytes };
    }, [cookieConfig(), w.tenant.url]);
    assert.equal(r.total, 100_000_000);
    assert.equal(r.bytesA, r.bytesB, 'the client kept reading while paused');
    assert.ok(r.bytesA < 5_000_000, `read ${r.bytesA} bytes while paused`);
    const rec = await endedRequest(since, 'source');
    assert.ok(rec.endTime, 'the server connection is still open after cancel');
    assert.ok(rec.bytesWritten < 50_000_000, `server wrote ${rec.bytesWritten}`);
  });
});
