// Tests of the mock tenant's datasets: every sample and file, byte-exact sizes, the same bytes
// from the server and the generator, gzip, and bounded memory for a 200 MB file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  startMockTenant, SAMPLE_DATASETS, FILE_TYPES, createFileStream, describeFile, fileSha256, sha256, resolveDataset, planFile,
} from './server.mjs';
import { API, AUTH, TENANT_OPTIONS, bytesOf, parseCsv, rawGet } from './testing.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('mock Qlik tenant', () => {
  let t;
  const url = (p) => `${t.url}${p}`;
  const get = (p, headers = AUTH, init = {}) => fetch(url(p), { headers, ...init });

  before(async () => {
    t = await startMockTenant(TENANT_OPTIONS);
  });
  after(async () => { await t.close(); });

  describe('datasets', () => {
    test('every sample and file: shape, field counts, Content-Length, same bytes as the generator', async () => {
      for (const d of SAMPLE_DATASETS) {
        if (d.missing || d.unavailable || d.bytes) continue;
        for (const file of FILE_TYPES) {
          // The 12 MB and 31 MB SHAP files of churn-medium add time, not coverage.
          if (d.rows > 10_000 && (file === 'shap' || file === 'coordinate-shap')) continue;
          const r = await get(`${API}/${d.id}/${file}`);
          if (d.multiclass && file === 'shap') {
            assert.equal(r.status, 404);
            assert.equal((await r.json()).errors[0].code, 'AUTOML-404');
            continue;
          }
          assert.equal(r.status, 200, `${d.id}/${file}`);
          assert.match(r.headers.get('content-type'), /^text\/csv/);
          assert.equal(r.headers.get('deprecation'), 'true');
          assert.match(r.headers.get('sunset'), /Feb 2026/);
          const body = Buffer.from(await r.arrayBuffer());
          assert.equal(Number(r.headers.get('content-length')), body.length, `${d.id}/${file} length`);
          assert.equal(await sha256(body), await fileSha256(d.id, file), `${d.id}/${file} sha256`);
          const eol = Buffer.from(d.eol);
          assert.ok(body.subarray(-eol.length).equals(eol), 'ends with a line ending');
          if (d.eol === '\n') assert.equal(body.indexOf('\r'), -1, 'LF only');
          // Large files hold one record per line: the first lines and the line count suffice.
          const big = body.length > 400_000;
          const text = big ? body.subarray(0, body.lastIndexOf(eol, 200_000) + eol.length).toString() : body.toString();
          const rows = parseCsv(text);
          const width = rows[0].length;
          for (const row of rows) assert.equal(row.length, width, `${d.id}/${file} field count`);
          const head = rows[0];
          let n = rows.length - 1;
          if (big) {
            n = -1;
            for (let i = body.indexOf(eol); i >= 0; i = body.indexOf(eol, i + eol.length)) n++;
          }
          assert.equal(head[0], 'AccountID');
          if (file === 'predictions') {
            assert.equal(n, d.rows);
            assert.deepEqual(head.slice(1), d.multiclass
              ? ['CustomerValue_predicted', 'CustomerValue_low', 'CustomerValue_medium', 'CustomerValue_high']
              : ['Churned_predicted', 'Churned_no', 'Churned_yes']);
            for (const row of rows.slice(1)) {
              const ps = row.slice(2).map(Number);
              assert.ok(Math.abs(ps.reduce((a, b) => a + b, 0) - 1) < 1e-6);
            }
          } else if (file === 'shap') {
            assert.equal(n, d.rows);
            assert.ok(width >= 11 && width <= 41);
            assert.ok(head.includes('Tenure_SHAP') && head.includes('AdditionalFeatureSpend_SHAP') && head.includes('PlanType_SHAP'));
            for (const row of rows.slice(1, 20)) for (const v of row.slice(1)) assert.ok(Number.isFinite(Number(v)));
          } else if (file === 'coordinate-shap') {
            assert.deepEqual(head.slice(0, 3), ['AccountID', 'automl_feature', 'SHAP_value']);
            assert.equal(n, d.rows * 17 * (d.multiclass ? 3 : 1));
            if (d.multiclass) assert.equal(head[3], 'automl_class');
          } else if (file === 'not-predicted-reasons') {
            assert.deepEqual(head, ['AccountID', 'reason']);
            if (d.rows) assert.ok(n >= 1 && n <= d.rows / 4);
          } else {
            assert.equal(head.at(-1), 'index');
            assert.equal(n, d.rows);
            if (n) assert.ok(body.toString('latin1', body.length - 20).endsWith(`,${d.rows - 1}${d.eol}`));
          }
        }
      }
    });

    test('source cells: quotes, commas, non-ASCII, emoji, empty cells; hostile payloads', async () => {
      const text = await (await get(`${API}/churn-small/source`)).text();
      for (const s of ['"Paris, Île-de-France"', '日本', '🎁', '"Say ""hello"" offer"', ',,']) assert.ok(text.includes(s), s);
      const rows = parseCsv(await (await get(`${API}/hostile/source`)).text());
      assert.ok(rows[0].includes('__proto__') && rows[0].includes('Notes'));
      assert.equal(rows[1][0], '<img src=x onerror=alert(1)>');
      assert.ok(rows.some((r) => r.includes('line one\r\nline two')), 'a multi-line cell');
      const reasons = await (await get(`${API}/churn-small/not-predicted-reasons`)).text();
      assert.ok(/"[^"\n]*""[^"\n]*"",[^"\n]*"/.test(reasons), 'quoted text with commas and quotes');
    });

    test('the same bytes twice; refId varies the values deterministically', async () => {
      const a = Buffer.from(await (await get(`${API}/churn-small/shap?refId=r1`)).arrayBuffer());
      const b = Buffer.from(await (await get(`${API}/churn-small/shap?refId=r1`)).arrayBuffer());
      const c = Buffer.from(await (await get(`${API}/churn-small/shap?refId=r2`)).arrayBuffer());
      const plain = Buffer.from(await (await get(`${API}/churn-small/shap`)).arrayBuffer());
      assert.ok(a.equals(b));
      assert.ok(!a.equals(c));
      assert.ok(!a.equals(plain));
      assert.equal(a.toString().split('\n')[0], c.toString().split('\n')[0], 'same header');
      assert.equal(await sha256(a), await fileSha256('churn-small', 'shap', { refId: 'r1' }));
      assert.equal(await sha256(createFileStream('churn-small', 'shap', { refId: 'r1' })), await sha256(a));
    });

    test('bytes-<N> files are exactly N bytes of valid CSV; rows-<N> has N rows', async () => {
      for (const id of ['bytes-20000', 'bytes-77777-crlf', 'bytes-30000-multiclass', 'bytes-9000-hostile']) {
        for (const file of FILE_TYPES) {
          if (id.includes('multiclass') && file === 'shap') continue;
          const n = Number(id.split('-')[1]);
          const r = await get(`${API}/${id}/${file}`);
          const body = Buffer.from(await r.arrayBuffer());
          assert.equal(body.length, n, `${id}/${file}`);
          assert.equal(Number(r.headers.get('content-length')), n);
          const rows = parseCsv(body.toString());
          for (const row of rows) assert.equal(row.length, rows[0].length, `${id}/${file} field count`);
        }
      }
      const tiny = bytesOf('bytes-5', 'predictions');
      assert.equal(tiny.toString().split('\n').length, 3, 'clamped to header and one row');
      assert.equal(planFile('bytes-5', 'predictions').knownLength, tiny.length);
      assert.equal(bytesOf('rows-7', 'predictions').toString().trim().split('\n').length, 8);
      assert.equal(resolveDataset('bytes-2m').bytes, 2_000_000);
      assert.equal(resolveDataset('rows-1k-crlf').eol, '\r\n');
      assert.equal(resolveDataset('nope'), null);
      const d = await describeFile('rows-7', 'source');
      assert.equal(d.rows, 7);
      assert.equal(d.sha256, await fileSha256('rows-7', 'source'));
    });

    test('gzip: Content-Encoding gzip, no Content-Length, same decoded bytes', async () => {
      const res = await rawGet(url(`${API}/churn-small/coordinate-shap?mockGzip=1`));
      assert.equal(res.headers['content-encoding'], 'gzip');
      assert.equal(res.headers['content-length'], undefined);
      assert.equal(res.headers['transfer-encoding'], 'chunked');
      assert.ok(gunzipSync(res.body).equals(bytesOf('churn-small', 'coordinate-shap')));
      const viaFetch = Buffer.from(await (await get(`${API}/churn-small/coordinate-shap?mockGzip=1`)).arrayBuffer());
      assert.equal(await sha256(viaFetch), await fileSha256('churn-small', 'coordinate-shap'));
    });

    test('mockChunked omits Content-Length; /__mock/expected reports size and hash', async () => {
      const r = await get(`${API}/churn-small/predictions?mockChunked=1`);
      assert.equal(r.headers.get('content-length'), null);
      const body = Buffer.from(await r.arrayBuffer());
      const e = await (await fetch(url('/__mock/expected/churn-small/predictions'))).json();
      assert.equal(e.bytes, body.length);
      assert.equal(e.sha256, await sha256(body));
      assert.equal(e.rows, 500);
      assert.equal(e.contentLength, body.length);
    });

    test('bytes-50000000: exact Content-Length and the generator hash', async () => {
      const id = 'bytes-50000000';
      const r = await get(`${API}/${id}/predictions`);
      assert.equal(r.headers.get('content-length'), '50000000');
      assert.equal(await sha256(r.body), await fileSha256(id, 'predictions'));
    });

    test('a 200 MB file streams through a fresh process with bounded memory', async () => {
      // A child process, so that earlier tests do not blur its memory figures; gc() runs
      // every 8 MiB so that retained memory, not collector laziness, is measured.
      const script = `
        import { startMockTenant } from ${JSON.stringify(pathToFileURL(path.join(here, 'server.mjs')).href)};
        const t = await startMockTenant({ allowAnonymous: true });
        await (await fetch(t.url + '${API}/churn-small/shap')).arrayBuffer();
        const live = () => process.memoryUsage().heapUsed;
        gc();
        const rss0 = process.memoryUsage().rss, live0 = live();
        let rss = rss0, peakLive = live0, n = 0, next = 0;
        const { get } = await import('node:http');
        await new Promise((resolve, reject) => get(t.url + '${API}/bytes-200000000/shap', (res) => {
          res.on('data', (c) => {
            n += c.length;
            if (n >= next) { gc(); rss = Math.max(rss, process.memoryUsage().rss); peakLive = Math.max(peakLive, live()); next += 8 << 20; }
          });
          res.on('end', resolve);
          res.on('error', reject);
        }).on('error', reject));
        console.log(JSON.stringify({ n, rss: rss - rss0, live: peakLive - live0 }));
        await t.close();`;
      const out = await new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let text = '';
        child.stdout.on('data', (c) => { text += c; });
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`child exited ${code}`))));
      });
      const mib = (v) => `${(v / 2 ** 20).toFixed(1)} MiB`;
      assert.equal(out.n, 200_000_000);
      assert.ok(out.rss < 100 * 2 ** 20, `RSS grew by ${mib(out.rss)} for a ${mib(out.n)} body`);
      assert.ok(out.live < 16 * 2 ** 20, `the JS heap grew by ${mib(out.live)}`);
    });
  });
});
