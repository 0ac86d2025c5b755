// Tests of the mock Qlik tenant with Node's fetch and http client: datasets, auth, CORS,
// CSRF, rate limits, faults, observability, static files and the CLI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  startMockTenant, startStaticServer, SAMPLE_DATASETS, FILE_TYPES, generateChunks, createFileStream,
  describeFile, fileSha256, sha256, resolveDataset, planFile,
} from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const KEY = 'test-api-key';
const AUTH = { authorization: `Bearer ${KEY}` };
const MASHUP = 'http://127.0.0.1:9';
const API = '/api/v1/automl-predictions';

// RFC 4180 parser: records as arrays of fields; throws on an unterminated quoted field.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let inQuotes = false;
  let atFieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else inQuotes = false;
      } else field += c;
    } else if (c === '"' && atFieldStart) {
      inQuotes = true;
      atFieldStart = false;
    } else if (c === ',') {
      row.push(field); field = ''; atFieldStart = true;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(field); rows.push(row); row = []; field = ''; atFieldStart = true;
    } else {
      field += c;
      atFieldStart = false;
    }
  }
  if (inQuotes) throw new Error('unterminated quoted field');
  if (!atFieldStart || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function bytesOf(id, file, opts) {
  return Buffer.concat([...generateChunks(id, file, opts)]);
}

// A GET with node:http: body bytes, chunk arrival times, and how the body ended.
function rawGet(url, { headers = AUTH, onResponse } = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const out = { status: null, headers: null, chunks: [], times: [], error: null, complete: false, headersAt: null };
    const req = http.get(url, { headers, agent: false }, (res) => {
      out.status = res.statusCode;
      out.headers = res.headers;
      out.headersAt = performance.now() - started;
      onResponse?.(res, req);
      res.on('data', (c) => { out.chunks.push(c); out.times.push(performance.now() - started); });
      res.on('error', (e) => { out.error = e; });
      res.on('close', () => {
        out.complete = res.complete;
        out.body = Buffer.concat(out.chunks);
        resolve(out);
      });
    });
    req.on('error', (e) => {
      out.error ??= e;
      out.body = Buffer.concat(out.chunks);
      resolve(out);
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('mock Qlik tenant', () => {
  let t;
  const url = (p) => `${t.url}${p}`;
  const get = (p, headers = AUTH, init = {}) => fetch(url(p), { headers, ...init });

  before(async () => {
    t = await startMockTenant({ apiKeys: [KEY], webIntegrations: { 'wi-1': [MASHUP] } });
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

  describe('errors', () => {
    test('unknown and missing IDs: 404 AUTOML-404; pending 409; failed 404', async () => {
      for (const id of ['missing', 'no-such-prediction', 'rows-x']) {
        const r = await get(`${API}/${id}/predictions`);
        assert.equal(r.status, 404);
        assert.match(r.headers.get('content-type'), /^application\/json/);
        const e = (await r.json()).errors[0];
        assert.equal(e.code, 'AUTOML-404');
        assert.equal(e.title, 'Prediction not found');
        assert.equal(e.meta.resourceId, id);
      }
      assert.equal((await get(`${API}/missing/jobs`, AUTH, { method: 'POST' })).status, 404);
      const p = await get(`${API}/pending/predictions`);
      assert.equal(p.status, 409);
      assert.equal((await p.json()).errors[0].code, 'AUTOML-409');
      assert.equal((await get(`${API}/failed/source`)).status, 404);
      assert.equal((await get(`${API}/churn-small/nope`)).status, 404);
      assert.equal((await get(`${API}/churn-small/predictions`, AUTH, { method: 'POST' })).status, 405);
    });

    test('mockStatus with the Qlik JSON shape, mockHtml as a proxy page', async () => {
      for (const s of [400, 403, 409, 503]) {
        const r = await get(`${API}/churn-small/predictions?mockStatus=${s}`);
        assert.equal(r.status, s);
        const e = (await r.json()).errors[0];
        assert.equal(e.code, `HTTP-${s}`);
        assert.equal(e.status, String(s));
      }
      const h = await get(`${API}/churn-small/predictions?mockStatus=503&mockHtml=1`);
      assert.equal(h.status, 503);
      assert.match(h.headers.get('content-type'), /^text\/html/);
      assert.match(await h.text(), /<h1>503 Service Unavailable<\/h1>/);
      const j = await get(`${API}/churn-small/jobs?mockStatus=400`, AUTH, { method: 'POST' });
      assert.equal(j.status, 400);
      await j.body.cancel();
    });

    test('mock429: n answers 429 with retry-after and the Qlik body, then success; keys are separate', async () => {
      const p = `${API}/churn-small/predictions?mock429=2&mockKey=k429`;
      for (let i = 0; i < 2; i++) {
        const r = await get(p);
        assert.equal(r.status, 429);
        assert.equal(r.headers.get('retry-after'), '1');
        assert.deepEqual(await r.json(), {
          errors: [{ code: 'HTTP-429', title: 'API rate limit reached.', detail: 'You need to wait 1 seconds before retrying.' }],
        });
      }
      const ok = await get(p);
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();
      const other = await get(`${API}/churn-small/predictions?mock429=1&mockKey=other&mockRetryAfter=3`);
      assert.equal(other.status, 429);
      assert.equal(other.headers.get('retry-after'), '3');
      await other.arrayBuffer();
      const otherFile = await get(`${API}/churn-small/shap?mock429=1&mockKey=k429`);
      assert.equal(otherFile.status, 429, 'counted per (id, file, key)');
      await otherFile.arrayBuffer();
    });

    test('mock flags also work written inside refId; refId still seeds the data as sent', async () => {
      const refId = 'mock429=1&mockRetryAfter=2&mockKey=inref';
      const p = `${API}/churn-small/predictions?refId=${encodeURIComponent(refId)}`;
      const r = await get(p);
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '2');
      await r.arrayBuffer();
      const ok = await get(p);
      assert.equal(ok.status, 200);
      assert.equal(await sha256(ok.body), await fileSha256('churn-small', 'predictions', { refId }));
      assert.deepEqual(t.requests.at(-1).query, { refId });
      const gz = await rawGet(url(`${API}/churn-small/shap?refId=${encodeURIComponent('mockGzip=1')}`));
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.ok(gunzipSync(gz.body).equals(bytesOf('churn-small', 'shap', { refId: 'mockGzip=1' })));
      const e = await (await fetch(url(`/__mock/expected/churn-small/source?refId=${encodeURIComponent('mockBadUtf8=1')}`))).json();
      assert.equal(e.sha256, await fileSha256('churn-small', 'source', { refId: 'mockBadUtf8=1', badUtf8: true }));
    });

    test('mock503: n answers 503 without retry-after, then success', async () => {
      const p = `${API}/churn-small/predictions?mock503=1&mockKey=k503`;
      const r = await get(p);
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('retry-after'), null);
      assert.equal((await r.json()).errors[0].code, 'HTTP-503');
      const ok = await get(p);
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();
    });
  });

  describe('faults', () => {
    const src = `${API}/bytes-300000/source`;

    test('mockReset: the connection is reset after exactly that many body bytes', async () => {
      for (const extra of ['', '&mockChunked=1']) {
        const r = await rawGet(url(`${src}?mockReset=12345${extra}`));
        assert.equal(r.status, 200);
        assert.ok(r.error, 'an error');
        assert.equal(r.complete, false);
        assert.equal(r.body.length, 12345);
        assert.ok(r.body.equals(bytesOf('bytes-300000', 'source').subarray(0, 12345)));
      }
      await assert.rejects(async () => (await get(`${src}?mockReset=1000`)).arrayBuffer());
      const rec = t.requests.at(-1);
      assert.equal(rec.fault, 'reset');
      assert.equal(rec.aborted, false);
    });

    test('mockEarlyEnd: full Content-Length, the body stops after that many bytes', async () => {
      const r = await rawGet(url(`${src}?mockEarlyEnd=5000`));
      assert.equal(r.headers['content-length'], '300000');
      assert.equal(r.body.length, 5000);
      assert.equal(r.complete, false);
      await assert.rejects(async () => (await get(`${src}?mockEarlyEnd=5000`)).arrayBuffer());
      assert.equal(t.requests.at(-1).fault, 'earlyEnd');
    });

    test('mockDrip: tiny chunks with a delay between', async () => {
      const r = await rawGet(url(`${API}/rows-1/predictions?mockDrip=5`));
      assert.ok(r.body.equals(bytesOf('rows-1', 'predictions')));
      assert.ok(r.chunks.length >= 10, `${r.chunks.length} chunks`);
      assert.ok(r.chunks.every((c) => c.length <= 7));
      assert.ok(r.times.at(-1) - r.times[0] >= 5 * 8);
    });

    test('mockStall and mockDelay', async () => {
      const s = await rawGet(url(`${API}/churn-small/predictions?mockStall=300&mockStallAfter=100`));
      assert.equal(s.chunks[0].length, 100);
      assert.ok(s.times[1] - s.times[0] >= 250, `stalled ${s.times[1] - s.times[0]} ms`);
      assert.ok(s.body.equals(bytesOf('churn-small', 'predictions')));
      const d = await rawGet(url(`${API}/churn-small/predictions?mockDelay=300`));
      assert.ok(d.headersAt >= 280, `headers after ${d.headersAt} ms`);
      assert.equal(d.status, 200);
    });

    test('mockBadUtf8, mockMalformed=fields|quote|short, mockBom', async () => {
      const bad = Buffer.from(await (await get(`${API}/churn-small/source?mockBadUtf8=1`)).arrayBuffer());
      assert.ok(bad.includes(Buffer.from([0xff, 0xe6, 0x97])));
      assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bad));
      assert.equal(await sha256(bad), await fileSha256('churn-small', 'source', { badUtf8: true }));
      const text = new TextDecoder().decode(bad);
      assert.equal(text.split('\n')[2].split('\uFFFD').length, 3, 'two replacement characters in data row 1');

      const fields = parseCsv(await (await get(`${API}/churn-small/predictions?mockMalformed=fields`)).text());
      assert.equal(fields[3].length, fields[0].length + 1);
      assert.ok(fields.filter((r) => r.length !== fields[0].length).length === 1);
      const quote = await (await get(`${API}/churn-small/predictions?mockMalformed=quote`)).text();
      assert.throws(() => parseCsv(quote), /unterminated/);
      const short = await (await get(`${API}/churn-small/predictions?mockMalformed=short`)).text();
      assert.ok(short.endsWith('\naa10500,too few fields'), 'the last record has two fields and no line break');
      assert.equal(parseCsv(short).length, 502);
      const both = await get(`${API}/bytes-4000/predictions?mockMalformed=fields,quote`);
      assert.equal((await both.arrayBuffer()).byteLength, 4000);

      const bom = Buffer.from(await (await get(`${API}/churn-small/predictions?mockBom=1`)).arrayBuffer());
      assert.deepEqual([...bom.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    });

    test('mockWide: a header of empty names and rows of ones, exactly as long as announced', async () => {
      const r = await get(`${API}/churn-small/predictions?mockWide=5&mockWideRows=2`);
      assert.equal(await r.text(), ',,,,\n1,1,1,1,1\n1,1,1,1,1\n');
      const big = await get(`${API}/churn-small/shap?mockWide=1500000`);
      assert.equal(big.headers.get('content-length'), '4500000');
      const body = Buffer.from(await big.arrayBuffer());
      assert.equal(body.length, 4_500_000);
      assert.equal(body.subarray(0, 1_500_000).toString(), `${','.repeat(1_499_999)}\n`);
      assert.equal(body.subarray(1_500_000).toString(), `${'1,'.repeat(1_499_999)}1\n`);
    });

    test('mock502, mock504 and mockDrop fail the first n requests of a route, before authentication', async () => {
      const q = (f) => `${API}/churn-small/predictions?${f}&mockKey=front`;
      const first = await get(q('mock502=1&mock504=1'), {});
      assert.equal(first.status, 502);
      assert.match(await first.text(), /502 Bad Gateway/);
      const second = await get(q('mock502=1&mock504=1'), {});
      assert.equal(second.status, 504);
      assert.equal((await get(q('mock502=1&mock504=1'))).status, 200);
      await assert.rejects(get(q('mockDrop=1')), /fetch failed/);
      assert.equal((await get(q('mockDrop=1'))).status, 200);
      assert.equal(t.requests.findLast((r) => r.query.mockDrop).fault, null);
      assert.equal(t.requests.filter((r) => r.fault === 'drop').length, 1);
    });

    test('mockRedirect sends the request to another origin, without the redirect flags', async () => {
      const r = await get(`${API}/churn-small/predictions?refId=${encodeURIComponent('mockRedirect=307&mockRedirectTo=http://127.0.0.1:9&mockKey=k')}&x=1`, {}, { redirect: 'manual' });
      assert.equal(r.status, 307);
      assert.equal(r.headers.get('location'), `http://127.0.0.1:9${API}/churn-small/predictions?refId=mockKey%3Dk&x=1`);
      assert.equal(t.requests.at(-1).fault, 'redirect');
    });

    test('mockPad pads a JSON answer; /__mock/arm gives the next requests of a route fault flags', async () => {
      const padded = await get(`${API}/churn-small/shap?mockStatus=500&mockPad=100000`);
      assert.equal(padded.status, 500);
      const body = await padded.text();
      assert.equal(body.length, 100000);
      const parsed = JSON.parse(body);
      assert.equal(parsed.errors[0].code, 'HTTP-500');
      assert.match(parsed.padding, /^x+$/);
      const arm = await fetch(url('/__mock/arm?route=jobs&count=2&mockPad=5000&mockDelay=200'), { method: 'POST' });
      assert.deepEqual(await arm.json(), { armed: 'jobs', count: 2, params: { mockPad: '5000', mockDelay: '200' } });
      const jobs = () => fetch(url(`${API}/churn-small/jobs`), { method: 'POST', headers: AUTH }).then(async (r) => (await r.text()).length);
      const started = performance.now();
      assert.equal(await jobs(), 5000);
      assert.ok(performance.now() - started >= 180, 'mockDelay applied');
      assert.equal(await jobs(), 5000);
      assert.ok(await jobs() < 1000, 'armed for two requests only');
      const bad = await fetch(url('/__mock/arm?route=jobs'), { method: 'POST' });
      assert.equal(bad.status, 400);
    });

    test('backpressure: a paused client stops the server writing; closing it is logged as aborted', async () => {
      let resRef;
      let reqRef;
      const done = rawGet(url(`${API}/bytes-50000000/shap`), {
        onResponse: (res, req) => { res.pause(); resRef = res; reqRef = req; },
      });
      while (!resRef) await sleep(10);
      const rec = t.requests.findLast((r) => r.path.endsWith('/bytes-50000000/shap'));
      // Wait until the socket buffers are full and the server has stopped writing.
      let w1 = -1;
      for (let i = 0; i < 25 && rec.bytesWritten !== w1; i++) {
        w1 = rec.bytesWritten;
        await sleep(200);
      }
      await sleep(300);
      const w2 = rec.bytesWritten;
      assert.equal(w1, w2, 'no writes while the client is paused');
      assert.ok(w2 < 20 * 2 ** 20, `${w2} bytes written`);
      assert.ok(t.stats.openStreams >= 1);
      reqRef.destroy();
      await done;
      assert.equal(await t.idle(2000), true);
      assert.equal(rec.aborted, true);
      assert.equal(rec.finished, false);
      assert.equal(t.stats.openStreams, 0);
    });
  });

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

  describe('static files', () => {
    let dir;
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'mock-tenant-static-'));
      await mkdir(path.join(dir, 'www', 'sub'), { recursive: true });
      await mkdir(path.join(dir, 'pkg'));
      await writeFile(path.join(dir, 'secret.txt'), 'secret');
      await writeFile(path.join(dir, 'www', 'index.html'), '<!doctype html><title>demo</title>');
      await writeFile(path.join(dir, 'www', 'sub', 'index.html'), 'sub');
      await writeFile(path.join(dir, 'www', 'style.css'), 'body{}');
      await writeFile(path.join(dir, 'www', 'logo.svg'), '<svg/>');
      await writeFile(path.join(dir, 'www', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      await writeFile(path.join(dir, 'www', 'data.json'), '{}');
      await writeFile(path.join(dir, 'pkg', 'index.js'), 'export {}');
      await writeFile(path.join(dir, 'pkg', 'index.mjs'), 'export {}');
      await writeFile(path.join(dir, 'pkg', 'index.d.ts'), 'export {};');
      await writeFile(path.join(dir, 'pkg', 'm_bg.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    });
    after(async () => { await rm(dir, { recursive: true, force: true }); });

    const expectTypes = {
      '/': 'text/html; charset=utf-8',
      '/style.css': 'text/css; charset=utf-8',
      '/logo.svg': 'image/svg+xml',
      '/logo.png': 'image/png',
      '/data.json': 'application/json; charset=utf-8',
      '/sub/': 'text/html; charset=utf-8',
      '/pkg/index.js': 'text/javascript; charset=utf-8',
      '/pkg/index.mjs': 'text/javascript; charset=utf-8',
      '/pkg/index.d.ts': 'application/typescript; charset=utf-8',
      '/pkg/m_bg.wasm': 'application/wasm',
    };

    async function checkServer(base) {
      for (const [p, type] of Object.entries(expectTypes)) {
        const r = await fetch(`${base}${p}`);
        assert.equal(r.status, 200, p);
        assert.equal(r.headers.get('content-type'), type, p);
        await r.arrayBuffer();
      }
      const wasm = await WebAssembly.compileStreaming(fetch(`${base}/pkg/m_bg.wasm`));
      assert.ok(wasm instanceof WebAssembly.Module);
      const redirect = await fetch(`${base}/sub`, { redirect: 'manual' });
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.get('location'), '/sub/');
      assert.equal((await fetch(`${base}/pkg`, { redirect: 'manual' })).headers.get('location'), '/pkg/');
      assert.equal((await fetch(`${base}/nope.js`)).status, 404);
      for (const evil of ['/..%2fsecret.txt', '/pkg/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt', '/sub/%2e%2e%2f%2e%2e%2fsecret.txt']) {
        const r = await rawGet(`${base}${evil}`, { headers: {} });
        assert.ok(r.status === 403 || r.status === 404, `${evil}: ${r.status}`);
        assert.notEqual(r.body.toString(), 'secret');
      }
      const raw = await new Promise((resolve) => {
        const u = new URL(base);
        const req = http.request({ host: u.hostname, port: u.port, path: '/../secret.txt', agent: false }, (res) => {
          let b = '';
          res.on('data', (c) => { b += c; });
          res.on('end', () => resolve({ status: res.statusCode, body: b }));
        });
        req.end();
      });
      assert.notEqual(raw.body, 'secret');
    }

    test('the tenant serves static mounts beside the API', async () => {
      const s = await startMockTenant({ static: { '/': path.join(dir, 'www'), '/pkg/': path.join(dir, 'pkg') } });
      try {
        await checkServer(s.url);
        assert.equal((await fetch(`${s.url}${API}/churn-small/predictions`)).status, 401, 'the API still wins');
      } finally {
        await s.close();
      }
    });

    test('startStaticServer serves the same mounts on another origin', async () => {
      const s = await startStaticServer({ static: { '/': path.join(dir, 'www'), '/pkg': path.join(dir, 'pkg') } });
      try {
        assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        await checkServer(s.url);
      } finally {
        await s.close();
      }
    });
  });

  test('cli prints the URL and serves', async () => {
    const child = spawn(process.execPath, [path.join(here, 'cli.mjs'), '--port', '0', '--anonymous', '--static', `${here}=/files/`], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const base = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c) => {
          out += c;
          const m = /Mock Qlik tenant on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`cli exited ${code}`)));
      });
      const r = await fetch(`${base}${API}/churn-small/predictions`);
      assert.equal(r.status, 200);
      await r.arrayBuffer();
      assert.equal((await fetch(`${base}/files/cli.mjs`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
