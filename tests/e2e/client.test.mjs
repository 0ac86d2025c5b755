// End-to-end tests of the JS API as a mashup uses it: the built package is imported by a page
// on one origin (the "mashup") and talks to the mock Qlik tenant on another origin, in headless
// Chromium. Mock faults are requested through refId (`mockReset=...&mockKey=...`), which the
// mock tenant reads like query parameters.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startWorld, parseCsv } from './harness.mjs';
import { startMockTenant } from '../mock-tenant/server.mjs';

let w;
const API_KEY = 'test-api-key';

async function mockRequests(since = 0) {
  const r = await fetch(`${w.tenant.url}/__mock/requests?since=${since}`);
  return (await r.json()).requests;
}
async function lastRequestId() {
  const list = await mockRequests();
  return list.length ? list[list.length - 1].id : 0;
}
/** The logged request for `route` after `since`, once the server has finished with it (5 s at most). */
async function endedRequest(since, route) {
  let rec;
  for (let i = 0; i < 50; i++) {
    rec = (await mockRequests(since)).find((r) => r.route === route);
    if (rec?.endTime) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return rec;
}
async function expectedText(id, dataset, refId) {
  const q = refId ? `?refId=${encodeURIComponent(refId)}` : '';
  const r = await fetch(`${w.tenant.url}/api/v1/automl-predictions/${id}/${dataset}${q}`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  assert.equal(r.status, 200);
  return Buffer.from(await r.arrayBuffer());
}
const cookieConfig = () => ({ host: w.tenant.url, webIntegrationId: 'web-int-1' });
const keyConfig = () => ({ host: w.tenant.url, authType: 'apikey', apiKey: API_KEY });

before(async () => {
  w = await startWorld();
  // Sign in the way a user does: the tenant's login page sets the session cookie and sends
  // the browser back to the mashup.
  const back = encodeURIComponent(`${w.mashup.url}/index.html`);
  await w.page.goto(`${w.tenant.url}/login?qlik-web-integration-id=web-int-1&returnto=${back}`);
  assert.equal(new URL(w.page.url()).origin, w.mashup.url);
  await w.page.evaluate(async () => { await window.lib.ready; });
});
after(async () => { await w?.close(); });

describe('datasets', () => {
  for (const dataset of ['predictions', 'shap', 'coordinate-shap', 'not-predicted-reasons', 'source']) {
    test(`stream('${dataset}') matches the server's file, batch by batch`, async () => {
      const got = await w.run(async (lib, [config, ds]) => {
        const client = new lib.PredictionsClient(config);
        const batches = [];
        const stream = client.stream('hostile', ds, { batchRows: 7 });
        for await (const b of stream) {
          batches.push({
            rowOffset: b.rowOffset, numRows: b.numRows, names: b.columnNames,
            kinds: b.columnNames.map((_, i) => b.columnType(i)),
            columns: b.columnNames.map((_, i) => Array.from(b.column(i))),
          });
        }
        return { batches, columnNames: stream.columnNames, deprecation: stream.deprecation };
      }, [cookieConfig(), dataset]);
      const rows = parseCsv((await expectedText('hostile', dataset)).toString('utf8'));
      const [header, ...data] = rows;
      assert.deepEqual(got.columnNames, header);
      assert.match(got.deprecation, /deprecated/);
      let offset = 0;
      const everNumber = header.map((_, c) => data.every((r) => r[c] === '' || !Number.isNaN(Number(r[c]))));
      for (const b of got.batches) {
        assert.equal(b.rowOffset, offset);
        assert.ok(b.numRows <= 7 && b.numRows > 0);
        const slice = data.slice(offset, offset + b.numRows);
        header.forEach((_, c) => {
          const cells = slice.map((r) => r[c]);
          if (b.kinds[c] === 'number') {
            assert.deepEqual(b.columns[c], cells.map((x) => (x === '' ? NaN : Number(x))), `column ${header[c]}`);
          } else {
            assert.deepEqual(b.columns[c], cells, `column ${header[c]}`);
          }
        });
        offset += b.numRows;
      }
      assert.equal(offset, data.length);
      // A text cell is never turned into a number; a numeric column is numeric in every batch.
      header.forEach((name, c) => {
        const numericEverywhere = got.batches.every((b) => b.kinds[c] === 'number');
        if (!everNumber[c]) assert.ok(!numericEverywhere || data.length === 0, name);
      });
    });
  }

  test('the hostile cell comes back as its exact text', async () => {
    const cell = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const t = await client.table('hostile', 'predictions', { limit: 1 });
      return t.rows[0][0];
    }, cookieConfig());
    assert.equal(cell, '<img src=x onerror=alert(1)>');
  });

  test('table() returns the first rows, reports truncation and stops downloading', async () => {
    const since = await lastRequestId();
    const t = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      return client.table('churn-large', 'shap', { limit: 100 });
    }, cookieConfig());
    assert.equal(t.numRows, 100);
    assert.equal(t.rows.length, 100);
    assert.equal(t.truncated, true);
    assert.equal(t.columns[0], 'AccountID');
    assert.equal(typeof t.rows[0][1], 'number');
    assert.equal(t.totalBytes, 100_000_000);
    assert.ok(t.bytes < 10_000_000, `downloaded ${t.bytes} bytes`);
    // The server sees the connection closed long before the end of the file.
    const rec = await endedRequest(since, 'shap');
    assert.ok(rec.aborted, 'the download was not stopped');
    assert.ok(rec.bytesWritten < 50_000_000, `server wrote ${rec.bytesWritten}`);
  });

  test('table() of a whole small file is not truncated; empty and header-only files', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const all = await client.table('churn-small', 'predictions', { limit: Infinity, batchRows: 64 });
      const exact = await client.table('churn-small', 'predictions', { limit: 500 });
      const headerOnly = await client.table('empty', 'predictions');
      const batches = [];
      for await (const b of client.stream('empty', 'shap')) batches.push(b);
      return { all: all.numRows, allTrunc: all.truncated, exact: exact.numRows, exactTrunc: exact.truncated, headerOnly, batches: batches.length };
    }, cookieConfig());
    assert.equal(r.all, 500);
    assert.equal(r.allTrunc, false);
    assert.equal(r.exact, 500);
    assert.equal(r.exactTrunc, false);
    assert.equal(r.headerOnly.numRows, 0);
    assert.deepEqual(r.headerOnly.rows, []);
    assert.ok(r.headerOnly.columns.length >= 3);
    assert.equal(r.batches, 0);
  });

  test('types: string keeps every cell as text', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const t = await client.table('churn-small', 'shap', { limit: 2, types: 'string' });
      return t.rows[0].map((c) => typeof c);
    }, cookieConfig());
    assert.ok(r.every((t) => t === 'string'));
  });

  test('download() is byte-identical, with and without Content-Encoding; progress is reported', async () => {
    for (const refId of [undefined, 'mockGzip=1']) {
      const expected = await expectedText('churn-medium', 'coordinate-shap', refId);
      const r = await w.run(async (lib, [config, ref]) => {
        const client = new lib.PredictionsClient(config);
        const progress = [];
        const blob = await client.download('churn-medium', 'coordinate-shap', { refId: ref, onProgress: (p) => progress.push(p) });
        const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
        const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
        return { hex, size: blob.size, type: blob.type, progress };
      }, [cookieConfig(), refId]);
      assert.equal(r.size, expected.length);
      assert.equal(r.hex, createHash('sha256').update(expected).digest('hex'));
      assert.equal(r.type, 'text/csv');
      assert.ok(r.progress.length > 1);
      const last = r.progress[r.progress.length - 1];
      assert.equal(last.bytes, expected.length);
      assert.equal(last.totalBytes, refId ? null : expected.length);
      for (let i = 1; i < r.progress.length; i++) assert.ok(r.progress[i].bytes >= r.progress[i - 1].bytes);
    }
  });

  test('stream() progress counts bytes and rows', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const progress = [];
      let rows = 0;
      for await (const b of client.stream('churn-medium', 'predictions', { onProgress: (p) => progress.push(p) })) rows += b.numRows;
      return { rows, last: progress[progress.length - 1], n: progress.length };
    }, cookieConfig());
    assert.equal(r.rows, 50_000);
    assert.ok(r.n > 1);
    assert.equal(r.last.bytes, r.last.totalBytes);
    assert.equal(r.last.rows, 50_000);
  });

  test('batches: a default stream() hands out its first rows after the first chunk; batchRows bounds every batch and fixes their size', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const first = async (options) => {
        const stream = client.stream('churn-large', 'predictions', options);
        const sizes = [];
        let bytesAtFirst = null;
        for await (const b of stream) {
          bytesAtFirst ??= stream.bytes;
          sizes.push(b.numRows);
          if (sizes.length === 30) break;
        }
        return { sizes, bytesAtFirst, total: stream.totalBytes };
      };
      const whole = async (options) => {
        const sizes = [];
        for await (const b of client.stream('churn-medium', 'shap', options)) sizes.push(b.numRows);
        return sizes;
      };
      return { adaptive: await first({}), fixed: await first({ batchRows: 1000 }), medium: await whole({}), bounded: await whole({ batchRows: 3000 }) };
    }, cookieConfig());
    const { adaptive, fixed } = r;
    assert.ok(adaptive.sizes[0] > 0 && adaptive.sizes[0] <= 64, `first batch of ${adaptive.sizes[0]} rows`);
    assert.ok(adaptive.bytesAtFirst < adaptive.total / 50, `first batch after ${adaptive.bytesAtFirst} bytes`);
    assert.ok(adaptive.sizes.every((n) => n > 0 && n <= 10000), adaptive.sizes.join());
    assert.ok(Math.max(...adaptive.sizes) > 64, 'batches grow');
    assert.deepEqual(fixed.sizes, Array(30).fill(1000));
    const sum = (a) => a.reduce((x, y) => x + y, 0);
    assert.equal(sum(r.medium), 50_000);
    assert.ok(r.medium.every((n) => n <= 10000), r.medium.join());
    assert.equal(sum(r.bounded), 50_000);
    assert.ok(r.bounded.slice(0, -1).every((n) => n === 3000), r.bounded.join());
  });

  test('DATASETS lists the result files, and every one of them streams', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      const rows = {};
      for (const d of lib.DATASETS) rows[d] = (await client.table('churn-small', d, { limit: 1 })).numRows;
      return { list: [...lib.DATASETS], frozen: Object.isFrozen(lib.DATASETS), rows };
    }, keyConfig());
    assert.deepEqual(r.list, ['predictions', 'shap', 'coordinate-shap', 'not-predicted-reasons', 'source']);
    assert.equal(r.frozen, true);
    for (const d of r.list) assert.equal(r.rows[d], 1, d);
  });

  test('jobs() returns the parsed JSON, or null for an empty body', async () => {
    const r = await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      return [await client.jobs('churn-small'), await client.jobs('no-jobs')];
    }, cookieConfig());
    assert.equal(r[0].data[0].correlationId, 'churn-small');
    assert.equal(r[0].data[0].correlationType, 'prediction');
    assert.equal(r[1], null);
  });
});

describe('authentication', () => {
  test('cookie session cross-origin: credentials included, web integration ID on every request, CSRF token on POST', async () => {
    const since = await lastRequestId();
    await w.run(async (lib, config) => {
      const client = new lib.PredictionsClient(config);
      await client.table('churn-small', 'predictions', { limit: 1 });
      await client.jobs('churn-small');
    }, cookieConfig());
    const reqs = (await mockRequests(since)).filter((r) => r.method !== 'OPTIONS');
    const api = reqs.filter((r) => r.path.startsWith('/api/'));
    assert.ok(api.length >= 2);
    for (const r of api) {
      assert.equal(r.headers['qlik-web-integration-id'], 'web-int-1', r.path);
      assert.equal(r.headers.sessionCookie, true, r.path);
      assert.equal(r.headers.authorization, false);
      assert.equal(r.crossOrigin, true);
    }
    const post = api.find((r) => r.method === 'POST');
    assert.equal(post.status, 200);
    assert.ok(post.headers['qlik-csrf-token']);
  });

  test('a rejected CSRF token is refreshed and the POST retried once', async () => {
    // Make the cached token stale.
    await w.run(async (lib, config) => { await new lib.PredictionsClient(config).jobs('churn-small'); }, cookieConfig());
    await w.page.evaluate(async (url) => {
      await fetch(`${url}/__mock/session/rotate-csrf`, { method: 'POST', credentials: 'include' });
    }, w.tenant.url);
    const since = await lastRequestId();
    const jobs = await w.run(async (lib, config) => new lib.PredictionsClient(config).jobs('churn-small'), cookieConfig());
    assert.equal(jobs.data[0].correlationId, 'churn-small');
    const reqs = (await mockRequests(since)).filter((r) => r.method !== 'OPTIONS');
    const routes = reqs.map((r) => `${r.method} ${r.path.replace(/.*\/api\/v1\//, '')} ${r.status}`);
    assert.deepEqual(routes, [
      'POST automl-predictions/churn-small/jobs 403',
      'GET csrf-token 204',
      'POST automl-predictions/churn-small/jobs 200',
    ]);
  });

  test('API key and OAuth2: Authorization bearer, no cookies', async () => {
    const since = await lastRequestId();
    const r = await w.run(async (lib, [keyCfg, host]) => {
      const a = await new lib.PredictionsClient(keyCfg).table('churn-small', 'predictions', { limit: 1 });
      let calls = 0;
      const oauth = new lib.PredictionsClient({
        host, authType: 'oauth2', getAccessToken: async () => { calls += 1; return calls === 1 ? 'oauth-token-1' : 'oauth-token-2'; },
      });
      const b = await oauth.table('churn-small', 'predictions', { limit: 1 });
      const c = await oauth.jobs('churn-small');
      return { a: a.numRows, b: b.numRows, c: c.data.length, calls };
    }, [keyConfig(), w.tenant.url]);
    assert.deepEqual(r, { a: 1, b: 1, c: 1, calls: 2 });
    const api = (await mockRequests(since)).filter((x) => x.path.startsWith('/api/') && x.method !== 'OPTIONS');
    assert.equal(api.length, 3);
    for (const x of api) {
      assert.equal(x.headers.authorization, true);
      assert.equal(x.headers.cookie, false);
      assert.equal(x.headers['qlik-csrf-token'], null);
      assert.equal(x.principal, 'bearer');
    }
  });

  test("authType 'none' sends neither cookies nor credentials headers", async () => {
    const since = await lastRequestId();
    const r = await w.run(async (lib, host) => {
      try { await new lib.PredictionsClient({ host, authType: 'none' }).table('churn-small', 'shap'); return null; } catch (e) {
        return { name: e.name, status: e.status, code: e.code };
      }
    }, w.tenant.url);
    // A cross-origin request without a web integration ID or a token is refused by the tenant.
    assert.deepEqual(r, { name: 'QlikApiError', status: 403, code: 'WEB-INTEGRATION-1' });
    const rec = (await mockRequests(since)).find((x) => x.method === 'GET');
    assert.equal(rec.headers.cookie, false);
    assert.equal(rec.headers.authorization, false);
    assert.equal(rec.headers['qlik-web-integration-id'], null);
  });

  test('a wrong API key is a 401 QlikApiError; a 401 on a cookie session carries the login URL', async () => {
    const r = await w.run(async (lib, [host, page]) => {
      const out = [];
      try {
        await new lib.PredictionsClient({ host, authType: 'apikey', apiKey: 'nope' }).table('churn-small', 'shap');
      } catch (e) { out.push({ name: e.name, status: e.status, isErr: e instanceof lib.QlikApiError, loginUrl: e.loginUrl ?? null }); }
      try {
        // No web integration ID header would be refused with 403; use one, but no session cookie.
        await new lib.PredictionsClient({ host, webIntegrationId: 'web-int-1', crossSiteCookies: false }).table('churn-small', 'shap');
      } catch (e) { out.push({ name: e.name, status: e.status, code: e.code, loginUrl: e.loginUrl, page }); }
      return out;
    }, [w.tenant.url, `${w.mashup.url}/index.html`]);
    assert.equal(r[0].name, 'QlikApiError');
    assert.equal(r[0].status, 401);
    assert.equal(r[0].isErr, true);
    assert.equal(r[0].loginUrl, null);
    assert.equal(r[1].status, 401);
    assert.equal(r[1].loginUrl, `${w.tenant.url}/login?qlik-web-integration-id=web-int-1&returnto=${encodeURIComponent(r[1].page)}`);
  });

  test("loginUrl returns to the page without its fragment (which may hold a token)", async () => {
    await w.page.evaluate(() => { location.hash = 'access_token=secret'; });
    const r = await w.run(async (lib, host) => {
      try {
        await new lib.PredictionsClient({ host, webIntegrationId: 'web-int-1', crossSiteCookies: false }).table('churn-small', 'shap');
        return null;
      } catch (e) { return { loginUrl: e.loginUrl, message: e.message, href: location.href }; }
    }, w.tenant.url);
    await w.page.evaluate(() => { history.replaceState(null, '', location.pathname); });
    assert.match(r.href, /#access_token=secret$/);
    assert.equal(r.loginUrl, `${w.tenant.url}/login?qlik-web-integration-id=web-int-1&returnto=${encodeURIComponent(`${w.mashup.url}/index.html`)}`);
    assert.doesNotMatch(r.message, /secret/);
  });

  test('autoRedirect sends the page to the tenant login on a 401, which returns to the page', async () => {
    const since = await lastRequestId();
    const navigated = w.page.waitForEvent('framenavigated', { timeout: 10_000 });
    w.run(async (lib, host) => {
      await new lib.PredictionsClient({ host, webIntegrationId: 'web-int-1', crossSiteCookies: false, autoRedirect: true })
        .table('churn-small', 'shap').catch(() => {});
    }, w.tenant.url).catch(() => { /* the page navigates away */ });
    await navigated;
    await w.page.waitForLoadState('load');
    assert.equal(w.page.url(), `${w.mashup.url}/index.html`);
    await w.page.evaluate(async () => { await window.lib.ready; });
    const login = (await mockRequests(since)).find((x) => x.path === '/login');
    assert.deepEqual(login.query, { 'qlik-web-integration-id': 'web-int-1', returnto: `${w.mashup.url}/index.html` });
  });

  test('autoRedirect does not loop: back from a login that gave no session, a 401 stays an error until a call succeeds', async () => {
    // The previous test went to the login once; the session cookie is not sent
    // (crossSiteCookies: false), so the same call fails again, as when cookies are blocked.
    const config = { host: w.tenant.url, webIntegrationId: 'web-int-1', crossSiteCookies: false, autoRedirect: true };
    let navigations = 0;
    const count = (frame) => { if (frame === w.page.mainFrame()) navigations += 1; };
    w.page.on('framenavigated', count);
    try {
      const r = await w.run(async (lib, cfg) => {
        const client = new lib.PredictionsClient(cfg);
        const out = [];
        for (let i = 0; i < 3; i++) {
          try { await client.table('churn-small', 'shap'); } catch (e) { out.push({ status: e.status, loginUrl: Boolean(e.loginUrl) }); }
        }
        return { out, mark: Object.keys(sessionStorage).filter((k) => k.startsWith('qlik-automl-predictions:')) };
      }, config);
      await new Promise((res) => setTimeout(res, 1000));
      assert.equal(navigations, 0, 'the page went to the login again');
      assert.deepEqual(r.out, Array(3).fill({ status: 401, loginUrl: true }));
      assert.deepEqual(r.mark, [`qlik-automl-predictions:login-redirect:${w.tenant.url}`]);
    } finally {
      w.page.off('framenavigated', count);
    }
    // A successful answer from the host clears the mark: a later 401 redirects again.
    const navigated = w.page.waitForEvent('framenavigated', { timeout: 10_000 });
    w.run(async (lib, [ok, failing]) => {
      await new lib.PredictionsClient(ok).table('churn-small', 'shap', { limit: 1 });
      await new lib.PredictionsClient(failing).table('churn-small', 'shap').catch(() => {});
    }, [{ ...cookieConfig(), autoRedirect: true }, config]).catch(() => { /* the page navigates away */ });
    await navigated;
    await w.page.waitForLoadState('load');
    assert.equal(w.page.url(), `${w.mashup.url}/index.html`);
    await w.page.evaluate(async () => { await window.lib.ready; });
  });

  test('a redirect off the tenant is never followed with credentials, and no other origin answers for the tenant', async () => {
    // Another origin that would answer anything, and accepts the web integration ID from
    // redirected requests (whose Origin is "null").
    const other = await startMockTenant({ port: 0, allowAnonymous: true, webIntegrations: { 'web-int-1': ['null'] } });
    try {
      const to = `mockRedirectTo=${encodeURIComponent(other.url)}`;
      await fetch(`${w.tenant.url}/__mock/arm?route=jobs&count=2&mockRedirect=307&${to}`, { method: 'POST' });
      const r = await w.run(async (lib, [cookie, key, host, flags]) => {
        const outcome = (p) => p.then(() => 'answered', (e) => ({ name: e.name, message: e.message }));
        const out = {};
        for (const status of [302, 307, 308]) {
          out[`cookie GET ${status}`] = await outcome(new lib.PredictionsClient(cookie).table('churn-small', 'predictions', { refId: `mockRedirect=${status}&${flags}` }));
        }
        out['apikey GET'] = await outcome(new lib.PredictionsClient(key).table('churn-small', 'predictions', { refId: `mockRedirect=307&${flags}` }));
        out['none GET'] = await outcome(new lib.PredictionsClient({ host, authType: 'none' }).table('churn-small', 'predictions', { refId: `mockRedirect=307&${flags}` }));
        out['cookie jobs POST'] = await outcome(new lib.PredictionsClient(cookie).jobs('churn-small'));
        out['apikey jobs POST'] = await outcome(new lib.PredictionsClient(key).jobs('churn-small'));
        return out;
      }, [cookieConfig(), keyConfig(), w.tenant.url, to]);
      for (const [call, x] of Object.entries(r)) {
        assert.equal(x.name, 'NetworkError', `${call}: ${JSON.stringify(x)}`);
        assert.match(x.message, /redirect/, call);
      }
      // Nothing carrying the session's web integration ID, a CSRF token or an Authorization
      // header reached the other origin; only the credential-less GET went there.
      const reached = (await (await fetch(`${other.url}/__mock/requests`)).json()).requests;
      const leaked = reached.filter((x) => x.headers['qlik-web-integration-id'] || x.headers['qlik-csrf-token'] || x.headers.authorization || x.headers.cookie);
      assert.deepEqual(leaked, []);
      assert.deepEqual(reached.filter((x) => x.method !== 'OPTIONS').map((x) => `${x.method} ${x.route}`), ['GET predictions']);
    } finally {
      await other.close();
    }
  });

  test('a web integration ID that does not allow the page origin is refused', async () => {
    const r = await w.run(async (lib, host) => {
      try {
        await new lib.PredictionsClient({ host, webIntegrationId: 'unknown-id' }).table('churn-small', 'shap');
        return null;
      } catch (e) { return { name: e.name, status: e.status }; }
    }, w.tenant.url);
    assert.equal(r.name, 'QlikApiError');
    assert.equal(r.status, 403);
  });

  test('bad configurations and arguments throw TypeErrors', async () => {
    const r = await w.run(async (lib) => {
      const out = [];
      const seen = (e) => ({ name: e.name, isType: e instanceof TypeError, field: e.field, message: e.message });
      const tryIt = (f) => { try { f(); out.push('no error'); } catch (e) { out.push(seen(e)); } };
      const tryAsync = async (f) => { try { await f(); out.push('no error'); } catch (e) { out.push(seen(e)); } };
      tryIt(() => new lib.PredictionsClient({ host: 'http://tenant.example.com', authType: 'apikey', apiKey: 'k' }));
      tryIt(() => new lib.PredictionsClient({ host: 'http://tenant.example.com' }));
      tryIt(() => new lib.PredictionsClient({ host: 't.example.com', authType: 'apikey' }));
      tryIt(() => new lib.PredictionsClient({ host: 't.example.com', authType: 'bogus' }));
      tryIt(() => new lib.PredictionsClient({ host: 't.example.com', authType: 'oauth2' }));
      tryIt(() => new lib.PredictionsClient({ host: 't.example.com', webIntegrationId: 'a b' }));
      tryIt(() => new lib.PredictionsClient(5));
      const c = new lib.PredictionsClient({ host: 't.example.com', authType: 'none' });
      tryIt(() => c.stream('', 'shap'));
      tryIt(() => c.stream(42, 'shap'));
      tryIt(() => c.stream('p1', 'nope'));
      await tryAsync(() => c.table('', 'shap'));
      await tryAsync(() => c.table('p1', 'shap', { limit: -1 }));
      await tryAsync(() => c.jobs(''));
      tryIt(() => c.stream('p1', 'shap', 5));
      tryIt(() => c.stream('p1', 'shap', { signal: 'soon' }));
      await tryAsync(() => c.download('p1', 'shap', { refId: 7 }));
      tryIt(() => c.stream('p1', 'shap', { types: 'numbers' }));
      out.push(c.host, new lib.PredictionsClient({ host: 'http://localhost:1234/', authType: 'apikey', apiKey: 'k' }).host);
      return out;
    });
    const fields = ['host', 'host', 'apiKey', 'authType', 'getAccessToken', 'webIntegrationId', 'config',
      'predictionId', 'predictionId', 'dataset', 'predictionId', 'limit', 'predictionId', 'options', 'signal', 'refId',
      'types'];
    assert.equal(r.length, fields.length + 2);
    fields.forEach((field, i) => {
      const e = r[i];
      assert.equal(e.name, 'TypeError', `${field}: ${JSON.stringify(e)}`);
      assert.equal(e.isType, true, field);
      assert.equal(e.field, field, JSON.stringify(e));
    });
    assert.match(r[0].message, /^host: refusing to send credentials/);
    assert.match(r[9].message, /"nope" is not a dataset; expected one of 'predictions', 'shap', 'coordinate-shap', 'not-predicted-reasons', 'source'/);
    assert.deepEqual(r.slice(fields.length), ['https://t.example.com', 'http://localhost:1234']);
  });

  test('predictionId and refId are percent-encoded', async () => {
    const since = await lastRequestId();
    await w.run(async (lib, config) => {
      try { await new lib.PredictionsClient(config).table('a/b?c#d é', 'shap', { refId: 'x&y=z é' }); } catch (_) { /* 404 */ }
    }, keyConfig());
    const rec = (await mockRequests(since)).find((x) => x.method === 'GET');
    assert.equal(rec.path, '/api/v1/automl-predictions/a%2Fb%3Fc%23d%20%C3%A9/shap');
    assert.deepEqual(rec.query, { refId: 'x&y=z é' });
  });
});

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
      try { await client.table('churn-small', 'predictions', { refId: 'mockDrop=5&mockKey=b1' }); } catch (e) { out.drop = e.name; }
      try { await client.table('churn-small', 'predictions', { refId: 'mock504=5&mockKey=b2' }); } catch (e) { out.gateway = [e.name, e.status]; }
      try { await client.download('churn-medium', 'shap', { refId: 'mockReset=20000&mockKey=b3' }); } catch (e) { out.reset = e.name; }
      return out;
    }, keyConfig());
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
