// End-to-end tests of the demo page (www/) in headless Chromium, against in-process mock
// tenants that serve the page at / and the built package at /pkg/, as `npm start` does.
// Screenshots of the main states go to test-artifacts/screenshots/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startMockTenant, startStaticServer, fileSha256 } from '../mock-tenant/server.mjs';
import { CHROMIUM_LAUNCH, root } from './harness.mjs';
import {
  API, assertCells, fill, meanAbsBy, readBars, readTable, serverFile, waitFinished, watchCsp,
} from './demo-page.mjs';

const www = join(root, 'www');
const pkg = join(root, 'pkg');
const shots = join(root, 'test-artifacts', 'screenshots');
const HOSTILE = '<img src=x onerror=alert(1)>';
const WEB_INTEGRATION_ID = 'demo-web-integration';
const API_KEY = 'demo-api-key';

let browser;
let tenant;
let privateTenant;
let throttledTenant;
let pageServer;

// ---------------------------------------------------------------------------------------
// A page in its own browser context, checked for errors and CSP violations when closed (the
// other page helpers are in demo-page.mjs).

async function openPage(base, query = '?save=blob') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', acceptDownloads: true });
  await context.addInitScript(watchCsp);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The browser itself logs every failed request (a non-2xx status, a reset connection);
    // those lines are not errors of the page.
    if (m.type() === 'error' && !/^Failed to load resource: /.test(m.text())) {
      problems.push(`console.error: ${m.text()}`);
    }
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  await page.goto(`${base}/${query}`);
  await page.waitForFunction(() => document.querySelector('#samples').options.length > 0);
  return { page, context, problems };
}

async function closePage({ page, context, problems }) {
  for (const v of await page.evaluate(() => window.cspViolations)) problems.push(`CSP violation: ${v}`);
  await context.close();
  assert.deepEqual(problems, [], 'no uncaught error, console error or dialog');
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

// ---------------------------------------------------------------------------------------

before(async () => {
  if (!existsSync(join(pkg, 'index.js')) || !existsSync(join(pkg, 'qlik_automl_predictions_bg.wasm'))) {
    throw new Error('pkg/ is not built: run `node scripts/build.mjs` (npm test does) before these tests');
  }
  mkdirSync(shots, { recursive: true });
  const mounts = { '/': www, '/pkg/': pkg };
  // The page on its own origin, for the cross-origin test.
  pageServer = await startStaticServer({ static: mounts });
  const webIntegrations = { [WEB_INTEGRATION_ID]: [pageServer.origin] };
  tenant = await startMockTenant({ allowAnonymous: true, static: mounts, webIntegrations });
  privateTenant = await startMockTenant({ allowAnonymous: false, static: mounts, apiKeys: [API_KEY], webIntegrations });
  throttledTenant = await startMockTenant({ allowAnonymous: true, static: mounts, rateLimits: { tier1: 1, windowMs: 1500 } });
  // A plain launch runs on a fresh temporary profile; each test has its own context.
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});

after(async () => {
  await browser?.close();
  await Promise.all([tenant?.close(), privateTenant?.close(), throttledTenant?.close(), pageServer?.close()]);
  console.log(`Demo page screenshots: ${shots}`);
});

describe('demo page', () => {
  test('the form loads with the mock tenant\'s samples and the page\'s origin as host', async () => {
    const p = await openPage(tenant.url);
    const { page } = p;
    const samples = await page.$$eval('#samples option', (os) => os.map((o) => o.value));
    for (const id of ['churn-small', 'churn-medium', 'churn-large', 'multiclass', 'hostile', 'missing']) {
      assert.ok(samples.includes(id), `sample ${id} offered`);
    }
    assert.equal(await page.inputValue('#host'), '');
    assert.equal(await page.textContent('#page-origin'), tenant.url);
    assert.equal(await page.inputValue('#predictionId'), samples[0]);
    assert.deepEqual(await page.$$eval('#dataset option', (os) => os.map((o) => o.value)),
      ['predictions', 'shap', 'coordinate-shap', 'not-predicted-reasons', 'source']);
    // Every control has an accessible label.
    const unlabeled = await page.$$eval('input:not([type=radio]):not([hidden]), select', (els) =>
      els.filter((e) => !e.labels || e.labels.length === 0).map((e) => e.id));
    assert.deepEqual(unlabeled, []);
    // The API key field appears with its authentication type.
    assert.equal(await page.isVisible('#apiKey'), false);
    await page.click('label[for=auth-apikey]');
    assert.equal(await page.isVisible('#apiKey'), true);
    assert.equal(await page.isVisible('#webIntegrationId'), false);
    await page.click('label[for=auth-cookie]');
    assert.equal(await page.isVisible('#webIntegrationId'), true);
    await page.fill('#predictionId', 'churn-small');
    await shot(page, '01-form');
    // The page ships a Content-Security-Policy without inline scripts or eval, and it is in force.
    const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
    assert.equal(await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.head.append(s);
      return window.inlineRan === true;
    }), false);
    await page.waitForFunction(() => window.cspViolations.length > 0);
    assert.match((await page.evaluate(() => window.cspViolations.splice(0))).join(), /^script-src-elem: inline/);
    // The browser's report of that refusal is expected; any other is a problem.
    const probeReport = (m) => /Executing inline script violates the following Content Security Policy/.test(m);
    assert.equal(p.problems.filter(probeReport).length, 1, p.problems.join('\n'));
    p.problems.splice(0, p.problems.length, ...p.problems.filter((m) => !probeReport(m)));
    await closePage(p);
  });

  test('preview of each dataset shows the server\'s rows, and the charts cover the whole file', async () => {
    const p = await openPage(tenant.url);
    const { page } = p;
    for (const dataset of ['predictions', 'shap', 'coordinate-shap', 'not-predicted-reasons', 'source']) {
      const expected = await serverFile(tenant.url, 'churn-small', dataset);
      await fill(page, { predictionId: 'churn-small', dataset, limit: 100 });
      await page.click('#preview-btn');
      const done = await waitFinished(page);
      // Files with a chart are read to the end; the others stop after the preview rows.
      assert.equal(done.state, dataset === 'source' ? 'stopped' : 'done', `${dataset}: ${done.message}`);
      const shown = await readTable(page);
      assert.deepEqual(shown.header.map((h) => h.text), expected.header, `${dataset}: header`);
      const want = Math.min(100, expected.rows.length);
      assert.equal(shown.rowCount, want, `${dataset}: row count`);
      assert.equal(shown.rows.length, want, `${dataset}: rows in the DOM`);
      assertCells(shown.rows, shown.header, expected, dataset);
      const subtitle = await page.textContent('#table-subtitle');
      if (dataset === 'source') {
        assert.match(subtitle, /^First 100 rows · the file has more/, dataset);
      } else if (expected.rows.length > 100) {
        assert.match(subtitle, new RegExp(`^First 100 of ${expected.rows.length.toLocaleString('en-US')} rows`), dataset);
      } else {
        assert.match(subtitle, new RegExp(`^All ${expected.rows.length} rows`), dataset);
      }
      assert.equal(await page.isVisible('#error'), false, `${dataset}: no error`);

      if (dataset === 'predictions') {
        const counts = new Map();
        for (const row of expected.rows) counts.set(row[1], (counts.get(row[1]) ?? 0) + 1);
        const bars = await readBars(page);
        assert.deepEqual(new Map(bars.map((b) => [b.label, b.value])), counts, 'predicted label counts over the whole file');
        const align = await page.$eval('#preview-table tbody td.num', (td) => getComputedStyle(td).textAlign);
        assert.equal(align, 'right', 'number cells are right-aligned');
        await shot(page, '02a-preview-predictions');
        // The probability histogram counts every row once.
        await page.selectOption('#chart-view', { label: 'Histogram of Churned_yes' });
        const bins = await page.$$eval('#chart svg g.bar', (gs) => gs.map((g) => Number(g.dataset.value)));
        assert.equal(bins.length, 20);
        assert.equal(bins.reduce((a, b) => a + b, 0), expected.rows.length);
        const high = expected.rows.filter((r) => Number(r[3]) >= 0.95).length;
        assert.equal(bins[19], high, 'the last bin holds the probabilities from 0.95 to 1');
      }
      if (dataset === 'shap' || dataset === 'coordinate-shap') {
        let reference;
        if (dataset === 'shap') {
          const labels = [];
          const values = [];
          expected.header.slice(1).forEach((name, k) => {
            for (const row of expected.rows) {
              labels.push(name.replace(/_SHAP$/, ''));
              values.push(row[k + 1]);
            }
          });
          reference = meanAbsBy(labels, values);
        } else {
          reference = meanAbsBy(expected.rows.map((r) => r[1]), expected.rows.map((r) => r[2]));
        }
        const bars = await readBars(page);
        assert.equal(bars.length, Math.min(20, reference.length), `${dataset}: one bar per feature`);
        bars.forEach((b, i) => {
          assert.equal(b.label, reference[i].label, `${dataset}: bar ${i} label`);
          assert.ok(Math.abs(b.value - reference[i].value) < 1e-9, `${dataset}: bar ${i} value ${b.value} vs ${reference[i].value}`);
          assert.ok(b.width > 0, `${dataset}: bar ${i} is drawn`);
        });
        assert.match(await page.textContent('#chart-subtitle'), new RegExp(`over ${expected.rows.length.toLocaleString('en-US')} `));
        if (dataset === 'shap') await shot(page, '02-preview-shap-chart');
      }
      if (dataset === 'not-predicted-reasons') {
        const bars = await readBars(page);
        assert.equal(bars.reduce((s, b) => s + b.value, 0), expected.rows.length, 'reasons cover every row');
      }
    }
    await closePage(p);
  });

  test('the coordinate SHAP chart of a multiclass model can show each class', async () => {
    const p = await openPage(tenant.url);
    const { page } = p;
    const expected = await serverFile(tenant.url, 'multiclass', 'coordinate-shap');
    await fill(page, { predictionId: 'multiclass', dataset: 'coordinate-shap', limit: 50 });
    await page.click('#preview-btn');
    assert.equal((await waitFinished(page)).state, 'done');
    const views = await page.$$eval('#chart-view option', (os) => os.map((o) => o.textContent));
    assert.deepEqual(views, ['All classes', 'Class: high', 'Class: low', 'Class: medium']);
    await page.selectOption('#chart-view', { label: 'Class: medium' });
    const rows = expected.rows.filter((r) => r[3] === 'medium');
    const reference = meanAbsBy(rows.map((r) => r[1]), rows.map((r) => r[2]));
    const bars = await readBars(page);
    assert.deepEqual(bars.map((b) => b.label), reference.map((r) => r.label));
    bars.forEach((b, i) => assert.ok(Math.abs(b.value - reference[i].value) < 1e-9));
    assert.match(await page.textContent('#chart-subtitle'), /class medium/);
    await shot(page, '02b-preview-multiclass-coordinate-shap');
    await closePage(p);
  });

  test('a large preview keeps a bounded number of rows in the DOM', async () => {
    const p = await openPage(tenant.url);
    const { page } = p;
    const expected = await serverFile(tenant.url, 'churn-medium', 'source');
    await fill(page, { predictionId: 'churn-medium', dataset: 'source', limit: 5000, wholeFile: false });
    await page.click('#preview-btn');
    const done = await waitFinished(page);
    assert.equal(done.state, 'stopped', done.message);
    let shown = await readTable(page);
    assert.equal(shown.rowCount, 5000);
    assert.ok(shown.rows.length < 120, `only the visible rows are rendered (${shown.rows.length})`);
    assertCells(shown.rows, shown.header, expected, 'top');
    await page.$eval('#table-scroll', (el) => { el.scrollTop = el.scrollHeight; });
    await page.waitForFunction(() => document.querySelector('#preview-table tbody tr:not(.spacer):last-of-type')?.getAttribute('aria-rowindex') === '5001'
      || [...document.querySelectorAll('#preview-table tbody tr')].some((tr) => tr.getAttribute('aria-rowindex') === '5001'));
    shown = await readTable(page);
    assert.ok(shown.rows.some((r) => r.index === 4999), 'the last preview row is rendered after scrolling');
    assertCells(shown.rows, shown.header, expected, 'bottom');
    assert.match(await page.textContent('#table-subtitle'), /First 5,000 rows · the file has more/);
    await closePage(p);
  });

  test('a download is saved as <predictionId>-<dataset>.csv, byte-identical to the server\'s file', async () => {
    const p = await openPage(tenant.url);
    const { page } = p;
    await fill(page, { predictionId: 'churn-medium', dataset: 'source' });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-btn')]);
    assert.equal(download.suggestedFilename(), 'churn-medium-source.csv');
    const file = await download.path();
    const got = createHash('sha256').update(readFileSync(file)).digest('hex');
    assert.equal(got, await fileSha256('churn-medium', 'source'));
    const done = await waitFinished(page);
    assert.equal(done.state, 'done', done.message);
    assert.match(done.message, /Saved churn-medium-source\.csv/);
    assert.equal(await page.textContent('#stat-rows'), '50,001', 'lines counted while downloading');
    assert.equal(await page.getAttribute('#progress-track', 'aria-valuenow'), '100');
    await shot(page, '04-download-done');
    await closePage(p);
  });

  test('cancelling a download midway stops it and says so', async () => {
    const p = await openPage(tenant.url);
    const { page } = p;
    let downloads = 0;
    page.on('download', () => { downloads += 1; });
    // The mock sends the first 300 kB, then stalls for 20 s: the test cancels in between.
    await page.route(`**${API}/**`, (route) => {
      const url = new URL(route.request().url());
      url.searchParams.set('mockStallAfter', '300000');
      url.searchParams.set('mockStall', '20000');
      route.continue({ url: url.href });
    });
    const before = tenant.stats.streamsAborted;
    const expected = await fetch(`${tenant.url}/__mock/expected/churn-medium/predictions`).then((r) => r.json());
    await fill(page, { predictionId: 'churn-medium', dataset: 'predictions' });
    await page.click('#download-btn');
    await page.waitForFunction(() => document.querySelector('#stat-bytes').textContent.startsWith('300.0 KB'), null, { timeout: 15000 });
    const percent = Number(await page.getAttribute('#progress-track', 'aria-valuenow'));
    assert.ok(Math.abs(percent - (300000 / expected.bytes) * 100) < 0.1, `progress ${percent} %`);
    assert.equal(await page.textContent('#stat-progress'), `${((300000 / expected.bytes) * 100).toFixed(1)}%`);
    assert.equal(await page.isVisible('#cancel-btn'), true);
    await shot(page, '03-download-progress');
    await page.click('#cancel-btn');
    const done = await waitFinished(page, 5000);
    assert.equal(done.state, 'cancelled');
    assert.equal(done.badge, 'Cancelled');
    assert.match(done.message, /^Cancelled\./);
    assert.equal(await page.isVisible('#error'), false, 'a cancel is not an error');
    assert.ok(await tenant.idle(5000), 'the server saw the download stop');
    assert.ok(tenant.stats.streamsAborted > before, 'the stream was aborted');
    assert.equal(downloads, 0, 'nothing was saved');
    assert.equal(await page.isEnabled('#download-btn'), true, 'the page is usable again');
    await closePage(p);
  });

  test('an unknown prediction shows the 404 with the Qlik error code, title and detail', async () => {
    const p = await openPage(tenant.url);
    const { page } = p;
    await fill(page, { predictionId: 'missing', dataset: 'predictions' });
    await page.click('#preview-btn');
    const done = await waitFinished(page);
    assert.equal(done.state, 'failed');
    assert.equal(await page.textContent('#error-title'), 'Not found (404)');
    const fields = await page.$$eval('#error-fields > div', (ds) => Object.fromEntries(ds.map((d) => [d.querySelector('dt').textContent, d.querySelector('dd').textContent])));
    assert.equal(fields.Code, 'AUTOML-404');
    assert.equal(fields.Title, 'Prediction not found');
    assert.equal(fields.Detail, "No prediction with ID 'missing' was found.");
    assert.equal(await page.isVisible('#table-panel'), false);
    await shot(page, '05-error-404');
    // A prediction that is still running answers 409.
    await fill(page, { predictionId: 'pending', dataset: 'shap' });
    await page.click('#preview-btn');
    assert.equal((await waitFinished(page)).state, 'failed');
    assert.equal(await page.textContent('#error-title'), 'Not ready yet (409)');
    assert.match(await page.textContent('#error-fields'), /AUTOML-409/);
    await closePage(p);
  });

  test('a 401 offers a sign-in link that leads back to a working page', async () => {
    const p = await openPage(privateTenant.url);
    const { page } = p;
    await fill(page, { predictionId: 'churn-small', dataset: 'predictions', limit: 10 });
    await page.click('#preview-btn');
    const done = await waitFinished(page);
    assert.equal(done.state, 'failed');
    assert.equal(await page.textContent('#error-title'), 'Not signed in (401)');
    const href = await page.getAttribute('#sign-in-link', 'href');
    assert.ok(href.startsWith(`${privateTenant.url}/login?`), href);
    assert.equal(new URL(href).searchParams.get('returnto'), `${privateTenant.url}/?save=blob`);
    await shot(page, '06-error-401');
    await Promise.all([page.waitForURL(`${privateTenant.url}/?save=blob`), page.click('#sign-in-link')]);
    await page.waitForFunction(() => document.querySelector('#samples').options.length > 0);
    assert.equal(await page.inputValue('#predictionId'), 'churn-small', 'the form was kept');
    await page.click('#preview-btn');
    const again = await waitFinished(page);
    assert.equal(again.state, 'done', again.message);
    assert.equal((await readTable(page)).rowCount, 10);
    await closePage(p);
  });

  test('hostile cells render literally, as text', async () => {
    const p = await openPage(tenant.url);
    const { page } = p;
    for (const dataset of ['predictions', 'source']) {
      const expected = await serverFile(tenant.url, 'hostile', dataset);
      await fill(page, { predictionId: 'hostile', dataset, limit: 100 });
      await page.click('#preview-btn');
      const done = await waitFinished(page);
      assert.equal(done.state, 'done', done.message);
      const first = await page.$eval('#preview-table tbody tr:not(.spacer) td', (td) => td.textContent);
      assert.equal(first, HOSTILE);
      assert.equal(await page.$$eval('#preview-table img, #preview-table script, #preview-table h1', (els) => els.length), 0);
      const shown = await readTable(page);
      assert.deepEqual(shown.header.map((h) => h.text), expected.header);
      assertCells(shown.rows, shown.header, expected, `hostile ${dataset}`);
    }
    await shot(page, '07-hostile');
    await closePage(p);
  });

  test('jobs are shown as JSON text', async () => {
    const p = await openPage(tenant.url);
    const { page } = p;
    await fill(page, { predictionId: 'churn-small' });
    await page.click('#jobs-btn');
    const done = await waitFinished(page);
    assert.equal(done.state, 'done', done.message);
    const text = await page.textContent('#jobs-output');
    const jobs = JSON.parse(text);
    assert.equal(jobs.data[0].status, 'completed');
    assert.equal(jobs.data[0].correlationId, 'churn-small');
    assert.equal(await page.$eval('#jobs-output', (pre) => pre.children.length), 0);
    // A file with a header and no rows.
    await fill(page, { predictionId: 'empty', dataset: 'shap' });
    await page.click('#preview-btn');
    assert.equal((await waitFinished(page)).state, 'done');
    const shown = await readTable(page);
    assert.equal(shown.rowCount, 0);
    assert.equal(shown.header[0].text, 'AccountID');
    assert.equal(await page.textContent('#table-subtitle'), 'The file has no data rows.');
    assert.equal(await page.textContent('#chart .chart-empty'), 'The file has no data rows to chart.');
    await closePage(p);
  });

  test('a 429 is reported while the client waits to retry', async () => {
    const p = await openPage(throttledTenant.url);
    const { page } = p;
    await fill(page, { predictionId: 'churn-small', dataset: 'predictions', limit: 5, wholeFile: false });
    await page.click('#preview-btn');
    assert.equal((await waitFinished(page)).state, 'stopped');
    await page.click('#preview-btn');
    await page.waitForFunction(() => /429/.test(document.querySelector('#activity-message').textContent), null, { timeout: 10000 });
    const done = await waitFinished(page);
    assert.equal(done.state, 'stopped', done.message);
    assert.equal((await readTable(page)).rowCount, 5);
    await closePage(p);
  });

  test('from another origin: a cookie session with a web integration ID', async () => {
    const p = await openPage(pageServer.url);
    const { page } = p;
    // This origin has no mock helper endpoint: the built-in sample list is offered.
    assert.ok((await page.$$eval('#samples option', (os) => os.map((o) => o.value))).includes('churn-small'));
    await page.fill('#host', tenant.url);
    await page.fill('#webIntegrationId', WEB_INTEGRATION_ID);
    await fill(page, { predictionId: 'churn-small', dataset: 'predictions', limit: 10 });
    await page.click('#preview-btn');
    let done = await waitFinished(page);
    assert.equal(done.state, 'done', done.message);
    assert.equal((await readTable(page)).rowCount, 10);
    assert.equal(await page.textContent('#target-line'), `Tenant: ${tenant.url} · cookie session + web integration ID`);

    await page.fill('#webIntegrationId', 'not-a-web-integration');
    await page.click('#preview-btn');
    done = await waitFinished(page);
    assert.equal(done.state, 'failed');
    assert.equal(await page.textContent('#error-title'), 'Access denied (403)');
    assert.match(await page.textContent('#error-fields'), /WEB-INTEGRATION-2/);
    assert.match(await page.textContent('#error-summary'), /web integration/);
    await closePage(p);
  });

  test('an API key authenticates; it is stored only when the user asks', async () => {
    const p = await openPage(privateTenant.url);
    const { page } = p;
    await page.click('label[for=auth-apikey]');
    await page.fill('#apiKey', 'wrong-key');
    await fill(page, { predictionId: 'churn-small', dataset: 'shap', limit: 10 });
    await page.click('#preview-btn');
    let done = await waitFinished(page);
    assert.equal(done.state, 'failed');
    assert.equal(await page.textContent('#error-title'), 'Not signed in (401)');
    assert.match(await page.textContent('#error-summary'), /API key/);
    assert.equal(await page.isVisible('#sign-in-link'), false, 'no sign-in link for an API key');

    await page.fill('#apiKey', API_KEY);
    await page.click('#preview-btn');
    done = await waitFinished(page);
    assert.equal(done.state, 'done', done.message);
    assert.equal(await page.isVisible('#error'), false);
    assert.equal((await readBars(page)).length, 17);
    const stored = () => page.evaluate(() => JSON.parse(localStorage.getItem('qlik-automl-predictions-demo/form')));
    assert.equal((await stored()).authType, 'apikey', 'the form is remembered');
    assert.equal((await stored()).apiKey, undefined, 'the API key is not stored unless asked');
    await page.check('#rememberKey');
    assert.equal((await stored()).apiKey, API_KEY);
    await page.reload();
    await page.waitForFunction(() => document.querySelector('#samples').options.length > 0);
    assert.equal(await page.inputValue('#apiKey'), API_KEY, 'a remembered key is restored');
    await page.uncheck('#rememberKey');
    assert.equal((await stored()).apiKey, undefined, 'unticking forgets the key');
    await closePage(p);
  });

  test('a cut connection is a NetworkError, malformed CSV a CsvError', async () => {
    const p = await openPage(tenant.url);
    const { page } = p;
    // The page has no fault switches: the test adds the mock's fault flags to the API request.
    let flags = {};
    await page.route(`**${API}/**`, (route) => {
      const url = new URL(route.request().url());
      for (const [k, v] of Object.entries(flags)) url.searchParams.set(k, v);
      route.continue({ url: url.href });
    });
    // A connection reset (TCP RST) after 200 kB.
    flags = { mockReset: '200000' };
    await fill(page, { predictionId: 'churn-medium', dataset: 'predictions' });
    await page.click('#preview-btn');
    let done = await waitFinished(page);
    assert.equal(done.state, 'failed', done.message);
    assert.equal(await page.textContent('#error-title'), 'Connection failed');
    assert.match(await page.textContent('#error-fields'), /NetworkError/);

    // A connection closed after 1 MB of a longer body: the rows read so far stay.
    flags = { mockEarlyEnd: '1000000' };
    await page.click('#preview-btn');
    done = await waitFinished(page);
    assert.equal(done.state, 'failed', done.message);
    assert.equal(await page.textContent('#error-title'), 'Connection failed');
    assert.match(await page.textContent('#error-summary'), /before the file was complete \(after [\d.]+ (KB|MB)\)/);
    assert.equal((await readTable(page)).rowCount, 100);
    assert.match(await page.textContent('#table-subtitle'), /^First 100 of [\d,]+ rows · incomplete$/);
    assert.match(done.message, /rows read before it stopped/);

    flags = { mockMalformed: 'fields' };
    await fill(page, { predictionId: 'churn-small', dataset: 'predictions' });
    await page.click('#preview-btn');
    done = await waitFinished(page);
    assert.equal(done.state, 'failed', done.message);
    assert.equal(await page.textContent('#error-title'), 'The file is not valid CSV');
    assert.match(await page.textContent('#error-fields'), /FieldCount/);

    // A bad last record (an open quote) after every good row, read to the end for the chart:
    // the rows are shown and the error too.
    flags = { mockMalformed: 'quote' };
    await page.click('#preview-btn');
    done = await waitFinished(page);
    assert.equal(done.state, 'failed', done.message);
    assert.equal(await page.textContent('#error-title'), 'The file is not valid CSV');
    assert.match(await page.textContent('#error-fields'), /UnterminatedQuote/);
    assert.equal((await readTable(page)).rowCount, 100);
    assert.match(done.message, /500 rows read before it stopped/);
    await closePage(p);
  });

  test('with the File System Access API, a download streams into the chosen file', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    // A stand-in for the save picker (a headless browser cannot answer the real one): the
    // first call returns a file whose writable keeps the bytes, the second is dismissed.
    await context.addInitScript(() => {
      let calls = 0;
      window.__saved = null;
      window.showSaveFilePicker = async (options) => {
        calls += 1;
        if (calls > 1) throw new DOMException('The user aborted a request.', 'AbortError');
        const chunks = [];
        const file = { name: options.suggestedName, closed: false, aborted: false, chunks };
        window.__saved = file;
        return {
          name: options.suggestedName,
          async createWritable() {
            return new WritableStream({
              write(chunk) { chunks.push(chunk); },
              close() { file.closed = true; },
              abort() { file.aborted = true; },
            });
          },
        };
      };
    });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${tenant.url}/`);
    await page.waitForFunction(() => document.querySelector('#samples').options.length > 0);
    assert.equal(await page.isVisible('#saveMethod'), true);
    assert.equal(await page.inputValue('#saveMethod'), 'file');
    await fill(page, { predictionId: 'churn-small', dataset: 'coordinate-shap' });
    await page.click('#download-btn');
    const done = await waitFinished(page);
    assert.equal(done.state, 'done', done.message);
    const saved = await page.evaluate(async () => {
      const f = window.__saved;
      const bytes = await new Blob(f.chunks).arrayBuffer();
      const digest = await crypto.subtle.digest('SHA-256', bytes);
      return { name: f.name, closed: f.closed, aborted: f.aborted, sha256: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('') };
    });
    assert.deepEqual(saved, { name: 'churn-small-coordinate-shap.csv', closed: true, aborted: false, sha256: await fileSha256('churn-small', 'coordinate-shap') });
    await page.click('#download-btn');
    const dismissed = await waitFinished(page);
    assert.equal(dismissed.state, 'cancelled');
    assert.equal(dismissed.message, 'Cancelled: no file was chosen.');
    await context.close();
    assert.deepEqual(problems, []);
  });
});
