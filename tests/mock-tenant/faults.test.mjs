// Tests of the mock tenant's error answers and faults on demand, through Node's fetch and
// http client, and of the fault flags' parser.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  FAULTS, createFaultState, faultHelp, faultParams, generatorOptions, parseArm, parseFaults, withoutFlags,
} from './faults.mjs';
import { startMockTenant, fileSha256, sha256 } from './server.mjs';
import { API, AUTH, TENANT_OPTIONS, bytesOf, parseCsv, rawGet, sleep } from './testing.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('mock Qlik tenant', () => {
  let t;
  const url = (p) => `${t.url}${p}`;
  const get = (p, headers = AUTH, init = {}) => fetch(url(p), { headers, ...init });

  before(async () => {
    t = await startMockTenant(TENANT_OPTIONS);
  });
  after(async () => { await t.close(); });

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

    test('/__mock/arm refuses a flag it does not know, naming it', async () => {
      const r = await fetch(url('/__mock/arm?route=jobs&mockDealy=5000'), { method: 'POST' });
      assert.equal(r.status, 400);
      assert.equal((await r.json()).errors[0].detail, 'Unknown fault flags: mockDealy.');
      const jobs = await fetch(url(`${API}/churn-small/jobs`), { method: 'POST', headers: AUTH });
      assert.equal(jobs.status, 200, 'nothing was armed');
      await jobs.arrayBuffer();
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
});

describe('fault flags', () => {
  test('FAULTS names each flag once, with its reading and meaning', () => {
    assert.equal(new Set(FAULTS.map((f) => f.flag)).size, FAULTS.length);
    assert.equal(new Set(FAULTS.map((f) => f.name)).size, FAULTS.length);
    for (const f of FAULTS) {
      assert.match(f.flag, /^mock[A-Z0-9]/, f.flag);
      assert.ok(['int', 'flag', 'text'].includes(f.read), f.flag);
      assert.ok(f.meaning.length > 10 && f.arg, f.flag);
    }
  });

  test('parseFaults reads every flag by its kind, with its default when absent', () => {
    const none = parseFaults(new URLSearchParams());
    assert.deepEqual(Object.keys(none), [...FAULTS.map((f) => f.name), 'forcedStatus']);
    assert.equal(none.key, '');
    assert.equal(none.delay, null);
    assert.equal(none.gzip, false);
    assert.equal(none.stallAfter, 1024);
    assert.equal(none.wideRows, 1);
    assert.equal(none.forcedStatus, null);
    const f = parseFaults(new URLSearchParams({
      mockDelay: '2.7', mockDrop: '-1', mock502: 'x', mock429: '3', mockGzip: '0', mockChunked: 'false', mockBom: 'yes',
      mockRetryAfter: '7', mockStallAfter: 'bad', mockMalformed: 'fields,quote', mockKey: 'k',
    }));
    assert.deepEqual(
      [f.delay, f.drop, f.badGateway, f.tooManyRequests, f.gzip, f.chunked, f.bom, f.retryAfter, f.stallAfter, f.malformed, f.key],
      [2, null, null, 3, false, false, true, '7', 1024, 'fields,quote', 'k'],
    );
    assert.equal(parseFaults(new URLSearchParams('mockHtml=1')).forcedStatus, 502, 'mockHtml alone is a 502');
    assert.equal(parseFaults(new URLSearchParams('mockHtml=1&mockStatus=503')).forcedStatus, 503);
  });

  test('faultParams takes flags from inside refId; the query wins; refId stays as sent', () => {
    const refId = 'mock503=2&mockKey=inner&other=1';
    const url = new URL(`http://x.invalid/p?refId=${encodeURIComponent(refId)}&mockKey=outer`);
    const q = faultParams(url);
    assert.equal(q.get('mock503'), '2');
    assert.equal(q.get('mockKey'), 'outer');
    assert.equal(q.get('other'), null, 'only fault flags come out of refId');
    assert.equal(q.get('refId'), refId);
    assert.deepEqual(generatorOptions(new URLSearchParams('refId=r&mockBadUtf8=1')), { refId: 'r', bom: false, badUtf8: true, malformed: undefined });
  });

  test('withoutFlags drops a flag family from the query and from inside refId', () => {
    const q = new URLSearchParams({ refId: 'mockRedirect=307&mockRedirectTo=http://a.invalid&mockKey=k', mockRedirect: '302', x: '1' });
    assert.equal(withoutFlags(q, 'mockRedirect').toString(), 'refId=mockKey%3Dk&x=1');
  });

  test('parseArm needs a route and known fault flags', () => {
    assert.match(parseArm(new URLSearchParams('mockDelay=1')).error, /route=/);
    assert.match(parseArm(new URLSearchParams('route=jobs')).error, /mock\*/);
    assert.equal(parseArm(new URLSearchParams('route=jobs&mockDelai=5&mockPad=1')).error, 'Unknown fault flags: mockDelai.');
    assert.deepEqual(parseArm(new URLSearchParams('route=jobs&mockPad=9&x=1')), { route: 'jobs', count: 1, params: [['mockPad', '9']] });
  });

  test('fault state: the first n requests per kind and key; armed flags for the next requests of a route', () => {
    const s = createFaultState();
    assert.deepEqual([1, 2, 3].map(() => s.take('503', 'a', 2)), [true, true, false]);
    assert.equal(s.take('503', 'b', 2), true, 'another key counts apart');
    assert.equal(s.take('429', 'a', 1), true, 'another kind counts apart');
    assert.equal(s.take('503', 'c', null), false);
    s.arm('jobs', 2, [['mockPad', '9'], ['mockDelay', '5']]);
    const q = new URLSearchParams('mockDelay=1');
    assert.deepEqual(s.applyArmed('jobs', q), { mockPad: '9', mockDelay: '5' });
    assert.equal(q.get('mockDelay'), '1', 'the request\'s own flags win');
    assert.equal(q.get('mockPad'), '9');
    assert.equal(s.applyArmed('csrf-token', new URLSearchParams()), null);
    assert.notEqual(s.applyArmed('jobs', new URLSearchParams()), null);
    assert.equal(s.applyArmed('jobs', new URLSearchParams()), null, 'armed for two requests');
    s.clear();
    assert.equal(s.take('503', 'a', 2), true, 'clear() resets the counters');
  });

  test('the help lists every flag once, and the CLI prints it', async () => {
    const help = faultHelp();
    let at = -1;
    for (const f of FAULTS) {
      const i = help.indexOf(`  ${f.flag}=${f.arg}`);
      assert.ok(i > at, `${f.flag} listed in order`);
      at = i;
    }
    const out = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(here, 'cli.mjs'), '--help'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (c) => { text += c; });
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`cli exited ${code}`))));
    });
    assert.ok(out.includes(help), 'cli --help ends with the fault help');
  });
});
