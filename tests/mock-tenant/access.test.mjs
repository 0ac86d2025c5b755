// Tests of the mock tenant's access rules and observability: sessions, login, API keys,
// CORS and web integrations, CSRF, rate limits, the request log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMockTenant } from './server.mjs';
import { API, AUTH, MASHUP, TENANT_OPTIONS, sleep } from './testing.mjs';

describe('mock Qlik tenant', () => {
  let t;
  const url = (p) => `${t.url}${p}`;
  const get = (p, headers = AUTH, init = {}) => fetch(url(p), { headers, ...init });

  before(async () => {
    t = await startMockTenant(TENANT_OPTIONS);
  });
  after(async () => { await t.close(); });

  describe('authentication', () => {
    test('401 without a session or bearer token; invalid bearer 401; valid bearer 200', async () => {
      const r = await get(`${API}/churn-small/predictions`, {});
      assert.equal(r.status, 401);
      assert.deepEqual((await r.json()).errors[0].code, 'AUTH-1');
      assert.equal((await get(`${API}/churn-small/predictions`, { authorization: 'Bearer wrong' })).status, 401);
      const ok = await get(`${API}/churn-small/predictions`);
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();
    });

    test('login sets a session cookie and redirects to returnto; logout ends it', async () => {
      const login = await fetch(url('/login?returnto=%2Fdemo%2F'), { redirect: 'manual' });
      assert.equal(login.status, 302);
      assert.equal(login.headers.get('location'), `${t.url}/demo/`);
      const setCookie = login.headers.get('set-cookie');
      assert.match(setCookie, new RegExp(`^${t.cookieName.replaceAll('.', '\\.')}=[^;]+; Path=/; HttpOnly; SameSite=Lax`));
      const cookie = setCookie.split(';')[0];
      const r = await get(`${API}/churn-small/predictions`, { cookie });
      assert.equal(r.status, 200);
      await r.arrayBuffer();
      const bad = await fetch(url(`/login?returnto=${encodeURIComponent('http://evil.invalid/')}`), { redirect: 'manual' });
      assert.equal(bad.status, 400);
      const viaWi = await fetch(url(`/login?qlik-web-integration-id=wi-1&returnto=${encodeURIComponent(`${MASHUP}/page`)}`), { redirect: 'manual' });
      assert.equal(viaWi.status, 302);
      assert.equal(viaWi.headers.get('location'), `${MASHUP}/page`);
      const out = await fetch(url('/logout'), { headers: { cookie }, redirect: 'manual' });
      assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
      assert.equal((await get(`${API}/churn-small/predictions`, { cookie })).status, 401);
    });

    test('POST /__mock/session gives a cookie; expire ends it', async () => {
      const s = await (await fetch(url('/__mock/session'), { method: 'POST' })).json();
      assert.equal(s.cookie, `${t.cookieName}=${s.sessionId}`);
      const r = await get(`${API}/churn-small/predictions`, { cookie: s.cookie });
      assert.equal(r.status, 200);
      await r.arrayBuffer();
      const e = await (await fetch(url(`/__mock/session/expire?sessionId=${s.sessionId}`), { method: 'POST' })).json();
      assert.equal(e.expired, 1);
      assert.equal((await get(`${API}/churn-small/predictions`, { cookie: s.cookie })).status, 401);
    });

    test('allowAnonymous skips the session check', async () => {
      const anon = await startMockTenant({ allowAnonymous: true });
      try {
        const r = await fetch(`${anon.url}${API}/churn-small/predictions`);
        assert.equal(r.status, 200);
        await r.arrayBuffer();
        assert.equal(anon.requests.at(-1).principal, 'anonymous');
        assert.equal((await fetch(`${anon.url}/api/v1/csrf-token`)).status, 404);
      } finally {
        await anon.close();
      }
    });
  });

  describe('CORS and web integrations', () => {
    test('preflight echoes the origin with the allowed methods and headers', async () => {
      const r = await fetch(url(`${API}/churn-small/predictions`), {
        method: 'OPTIONS',
        headers: { origin: MASHUP, 'access-control-request-method': 'GET', 'access-control-request-headers': 'qlik-web-integration-id' },
      });
      assert.equal(r.status, 204);
      assert.equal(r.headers.get('access-control-allow-origin'), MASHUP);
      assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(r.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
      assert.equal(r.headers.get('access-control-allow-headers'), 'qlik-web-integration-id, qlik-csrf-token, authorization, content-type, accept');
      assert.ok(Number(r.headers.get('access-control-max-age')) > 0);
      assert.match(r.headers.get('vary'), /Origin/);
    });

    test('cross-origin cookie requests need a web integration ID allowing the origin', async () => {
      const { cookie } = t.createSession();
      const p = `${API}/churn-small/predictions`;
      const cases = [
        [{ origin: MASHUP, cookie }, 403, 'WEB-INTEGRATION-1'],
        [{ origin: MASHUP, cookie, 'qlik-web-integration-id': 'nope' }, 403, 'WEB-INTEGRATION-2'],
        [{ origin: 'http://127.0.0.1:1', cookie, 'qlik-web-integration-id': 'wi-1' }, 403, 'WEB-INTEGRATION-3'],
        [{ origin: MASHUP, 'qlik-web-integration-id': 'wi-1' }, 401, 'AUTH-1'],
      ];
      for (const [headers, status, code] of cases) {
        const r = await get(p, headers);
        assert.equal(r.status, status);
        assert.equal(r.headers.get('access-control-allow-origin'), headers.origin, 'readable by the client');
        assert.equal((await r.json()).errors[0].code, code);
      }
      const ok = await get(p, { origin: MASHUP, cookie, 'qlik-web-integration-id': 'wi-1' });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('access-control-allow-origin'), MASHUP);
      assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
      const exposed = ok.headers.get('access-control-expose-headers');
      for (const h of ['qlik-csrf-token', 'retry-after', 'content-length', 'deprecation', 'sunset']) assert.ok(exposed.includes(h), h);
      await ok.arrayBuffer();
      const rec = t.requests.at(-1);
      assert.equal(rec.crossOrigin, true);
      assert.equal(rec.headers['qlik-web-integration-id'], 'wi-1');
      assert.equal(rec.headers.cookie, true);
      const bearer = await get(p, { origin: 'http://127.0.0.1:2', ...AUTH });
      assert.equal(bearer.status, 200, 'bearer tokens need no web integration');
      await bearer.arrayBuffer();
      const same = await get(p, { origin: t.url, cookie });
      assert.equal(same.status, 200, 'same origin needs no web integration');
      assert.equal(same.headers.get('access-control-allow-origin'), null);
      await same.arrayBuffer();
    });

    test('strictCors: refused origins get no CORS headers', async () => {
      const strict = await startMockTenant({ strictCors: true, webIntegrations: { w: [MASHUP] } });
      try {
        const { cookie } = strict.createSession();
        const p = `${strict.url}${API}/churn-small/predictions`;
        const pre = await fetch(p, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:3', 'access-control-request-method': 'GET' } });
        assert.equal(pre.status, 403);
        assert.equal(pre.headers.get('access-control-allow-origin'), null);
        const refused = await fetch(p, { headers: { origin: MASHUP, cookie } });
        assert.equal(refused.status, 403);
        assert.equal(refused.headers.get('access-control-allow-origin'), null);
        await refused.arrayBuffer();
        const ok = await fetch(p, { headers: { origin: MASHUP, cookie, 'qlik-web-integration-id': 'w' } });
        assert.equal(ok.headers.get('access-control-allow-origin'), MASHUP);
        await ok.arrayBuffer();
      } finally {
        await strict.close();
      }
    });
  });

  describe('CSRF and jobs', () => {
    test('POST jobs with a session needs the session CSRF token; rotation makes the old one stale', async () => {
      const s = t.createSession();
      const jobs = `${API}/churn-small/jobs`;
      const post = (headers) => fetch(url(jobs), { method: 'POST', headers: { cookie: s.cookie, ...headers } });
      const missing = await post({});
      assert.equal(missing.status, 403);
      assert.deepEqual((await missing.json()).errors[0].code, 'CSRF-TOKEN-2');
      const tok = await get('/api/v1/csrf-token', { cookie: s.cookie });
      assert.equal(tok.status, 204);
      const csrf = tok.headers.get('qlik-csrf-token');
      assert.equal(csrf, s.csrfToken);
      const ok = await post({ 'qlik-csrf-token': csrf });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('deprecation'), 'true');
      const body = await ok.json();
      assert.equal(body.data[0].correlationId, 'churn-small');
      assert.equal(body.data[0].correlationType, 'prediction');
      assert.equal(body.data[0].status, 'completed');
      assert.ok(!Number.isNaN(Date.parse(body.data[0].createdAt)));

      const rot = await (await fetch(url(`/__mock/session/rotate-csrf?sessionId=${s.sessionId}`), { method: 'POST' })).json();
      assert.equal(rot.rotated, 1);
      const stale = await post({ 'qlik-csrf-token': csrf });
      assert.equal(stale.status, 403);
      assert.equal((await stale.json()).errors[0].code, 'CSRF-TOKEN-2');
      const fresh = (await get('/api/v1/csrf-token', { cookie: s.cookie })).headers.get('qlik-csrf-token');
      assert.notEqual(fresh, csrf);
      assert.equal((await post({ 'qlik-csrf-token': fresh })).status, 200);
      t.rotateCsrf(s.sessionId);
      assert.equal((await post({ 'qlik-csrf-token': fresh })).status, 403);
    });

    test('bearer POSTs need no CSRF token; no-jobs has an empty body; pending is running', async () => {
      const r = await fetch(url(`${API}/churn-small/jobs`), { method: 'POST', headers: AUTH });
      assert.equal(r.status, 200);
      await r.json();
      const empty = await fetch(url(`${API}/no-jobs/jobs`), { method: 'POST', headers: AUTH });
      assert.equal(empty.status, 200);
      assert.equal(await empty.text(), '');
      const pending = await (await fetch(url(`${API}/pending/jobs`), { method: 'POST', headers: AUTH })).json();
      assert.equal(pending.data[0].status, 'running');
    });
  });

  describe('rate limits', () => {
    test('tier 1 and tier 2 counted per principal and window', async () => {
      const rl = await startMockTenant({ apiKeys: ['a', 'b'], rateLimits: { tier1: 3, tier2: 2, windowMs: 1500 } });
      try {
        const g = (key) => fetch(`${rl.url}${API}/rows-1/predictions`, { headers: { authorization: `Bearer ${key}` } });
        const p = (key) => fetch(`${rl.url}${API}/rows-1/jobs`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
        const statuses = async (f, key, n) => {
          const out = [];
          for (let i = 0; i < n; i++) {
            const r = await f(key);
            out.push(r.status);
            if (r.status === 429) {
              assert.ok(Number(r.headers.get('retry-after')) >= 1);
              assert.equal((await r.json()).errors[0].code, 'HTTP-429');
            } else await r.arrayBuffer();
          }
          return out;
        };
        assert.deepEqual(await statuses(g, 'a', 4), [200, 200, 200, 429]);
        assert.deepEqual(await statuses(p, 'a', 3), [200, 200, 429]);
        assert.deepEqual(await statuses(g, 'b', 1), [200], 'another principal has its own budget');
        await sleep(1550);
        assert.deepEqual(await statuses(g, 'a', 1), [200], 'a new window');
        assert.equal(rl.stats.rateLimited, 2);
      } finally {
        await rl.close();
      }
    });
  });

  describe('observability', () => {
    test('/__mock/requests lists requests with selected headers; /__mock/reset clears it', async () => {
      await fetch(url('/__mock/reset'), { method: 'POST' });
      const r = await get(`${API}/churn-small/predictions?refId=x`, { ...AUTH, accept: 'text/csv' });
      const id = Number(r.headers.get('x-mock-request-id'));
      await r.arrayBuffer();
      await sleep(20);
      const log = await (await fetch(url('/__mock/requests'))).json();
      assert.equal(log.requests.length, 1);
      const rec = log.requests[0];
      assert.equal(rec.id, id);
      assert.equal(rec.method, 'GET');
      assert.equal(rec.path, `${API}/churn-small/predictions`);
      assert.deepEqual(rec.query, { refId: 'x' });
      assert.equal(rec.headers.authorization, true);
      assert.equal(rec.headers.cookie, false);
      assert.equal(rec.headers.accept, 'text/csv');
      assert.equal(rec.principal, 'bearer');
      assert.equal(rec.status, 200);
      assert.equal(rec.bytesWritten, rec.contentLength);
      assert.equal(rec.finished, true);
      assert.equal(rec.aborted, false);
      assert.equal(typeof rec.time, 'number');
      assert.equal(log.stats.streamsCompleted, 1);
      assert.equal(log.stats.bytesWritten, rec.bytesWritten);
      const since = await (await fetch(url(`/__mock/requests?since=${id}`))).json();
      assert.equal(since.requests.length, 0);
      const info = await (await fetch(url('/__mock/info'))).json();
      assert.ok(info.samples.some((d) => d.id === 'churn-small'));
    });
  });
});
