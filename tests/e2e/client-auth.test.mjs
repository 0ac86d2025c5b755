// End-to-end tests of the JS API as a mashup uses it — authentication, credentials, redirects and
// arguments: the built package imported by a page on one origin (the "mashup") talking to the mock
// Qlik tenant on another origin, in headless Chromium. Set-up and helpers: calls.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMockTenant } from '../mock-tenant/server.mjs';
import { useSignedInWorld, w, mockRequests, lastRequestId, cookieConfig, keyConfig } from './calls.mjs';

useSignedInWorld();

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
