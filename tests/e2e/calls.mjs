// Shared set-up of the client tests (client-*.test.mjs): per test file, a world of harness.mjs
// (the mock tenant, a mashup page on another origin, headless Chromium) with the user signed in
// to the tenant; the mock tenant's request log; the configurations the tests use. Mock faults are
// requested through refId (`mockReset=...&mockKey=...`), which the mock tenant reads like query
// parameters. After the file's tests, the page must have had no uncaught error and no
// Content-Security-Policy violation.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld } from './harness.mjs';

/** The world of the running test file (set before its tests). */
export let w;
export const API_KEY = 'test-api-key';

/** Starts the world before the file's tests and closes it after them. */
export function useSignedInWorld() {
  before(async () => {
    w = await startWorld();
    // Sign in the way a user does: the tenant's login page sets the session cookie and sends
    // the browser back to the mashup.
    const back = encodeURIComponent(`${w.mashup.url}/index.html`);
    await w.page.goto(`${w.tenant.url}/login?qlik-web-integration-id=web-int-1&returnto=${back}`);
    assert.equal(new URL(w.page.url()).origin, w.mashup.url);
    await w.page.evaluate(async () => { await window.lib.ready; });
  });
  after(() => closeCleanWorld(w));
}

/** Closes `world` after asserting its page had no uncaught error and no CSP violation. */
export async function closeCleanWorld(world) {
  try {
    assert.deepEqual(world?.pageErrors ?? [], [], 'uncaught errors in the page');
    if (world) assert.deepEqual(await world.cspViolations(), [], 'Content-Security-Policy violations');
  } finally {
    await world?.close();
  }
}

export async function mockRequests(since = 0) {
  const r = await fetch(`${w.tenant.url}/__mock/requests?since=${since}`);
  return (await r.json()).requests;
}
export async function lastRequestId() {
  const list = await mockRequests();
  return list.length ? list[list.length - 1].id : 0;
}
/** The logged request for `route` after `since`, once the server has finished with it (5 s at most). */
export async function endedRequest(since, route) {
  let rec;
  for (let i = 0; i < 50; i++) {
    rec = (await mockRequests(since)).find((r) => r.route === route);
    if (rec?.endTime) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return rec;
}
export async function expectedText(id, dataset, refId) {
  const q = refId ? `?refId=${encodeURIComponent(refId)}` : '';
  const r = await fetch(`${w.tenant.url}/api/v1/automl-predictions/${id}/${dataset}${q}`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  assert.equal(r.status, 200);
  return Buffer.from(await r.arrayBuffer());
}
export const cookieConfig = () => ({ host: w.tenant.url, webIntegrationId: 'web-int-1' });
export const keyConfig = () => ({ host: w.tenant.url, authType: 'apikey', apiKey: API_KEY });
