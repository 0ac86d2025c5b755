// End-to-end tests of parseCsv as a page uses it: the built package imported by a page on one
// origin (the "mashup"), reading CSV from the mock tenant on another origin (a URL, a Request,
// a Response) and from sources the page makes (a ReadableStream, a Blob, a blob: URL), in
// headless Chromium. Set-up and helpers: calls.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from './harness.mjs';
import { useSignedInWorld, w, API_KEY, expectedText, lastRequestId, mockRequests } from './calls.mjs';

useSignedInWorld();

const fileUrl = (id, dataset, query = '') => `${w.tenant.url}/api/v1/automl-predictions/${id}/${dataset}${query}`;

/** The rows of the server's file, numbers where the decoder makes numbers of a whole column's batch. */
function expectRows(got, text) {
  const [header, ...data] = parseCsv(text);
  assert.deepEqual(got.columnNames, header);
  let offset = 0;
  for (const b of got.batches) {
    assert.equal(b.rowOffset, offset);
    const slice = data.slice(offset, offset + b.numRows);
    header.forEach((_, c) => {
      const cells = slice.map((r) => r[c]);
      const expected = b.kinds[c] === 'number' ? cells.map((x) => (x === '' ? NaN : Number(x))) : cells;
      assert.deepEqual(b.columns[c], expected, `column ${header[c]} at row ${offset}`);
    });
    offset += b.numRows;
  }
  assert.equal(offset, data.length);
}

describe('parseCsv', () => {
  test('every kind of source gives the file, batch by batch', async () => {
    const url = fileUrl('hostile', 'coordinate-shap');
    const got = await w.run(async (lib, [url, key]) => {
      const read = async (source, options) => {
        const stream = lib.parseCsv(source, options);
        const batches = [];
        for await (const b of stream) {
          batches.push({
            rowOffset: b.rowOffset, numRows: b.numRows,
            kinds: b.columnNames.map((_, i) => b.columnType(i)),
            columns: b.columnNames.map((_, i) => Array.from(b.column(i))),
          });
        }
        return { batches, columnNames: stream.columnNames, rows: stream.rows, bytes: stream.bytes, totalBytes: stream.totalBytes };
      };
      const request = () => new Request(url, { headers: { authorization: `Bearer ${key}` } });
      const blob = await (await fetch(request())).blob();
      const blobUrl = URL.createObjectURL(blob);
      const bytes = new Uint8Array(await blob.arrayBuffer());
      // A stream of the page's own, in chunks of 1 to 97 bytes.
      const chunked = () => new ReadableStream({
        start(controller) {
          for (let i = 0, n = 1; i < bytes.length; i += n, n = (n * 7) % 97 + 1) controller.enqueue(bytes.slice(i, i + n));
          controller.close();
        },
      });
      return {
        request: await read(request(), { batchRows: 5 }),
        cookies: await read(new Request(url, { credentials: 'include', headers: { 'qlik-web-integration-id': 'web-int-1' } })),
        response: await read(await fetch(request())),
        body: await read((await fetch(request())).body, { batchRows: 3 }),
        stream: await read(chunked(), { batchRows: 4 }),
        blob: await read(blob),
        blobUrl: await read(blobUrl),
        urlObject: await read(new URL(blobUrl)),
        size: blob.size,
      };
    }, [url, API_KEY]);
    const text = (await expectedText('hostile', 'coordinate-shap')).toString('utf8');
    for (const [name, result] of Object.entries(got)) {
      if (name === 'size') continue;
      expectRows(result, text);
      assert.equal(result.bytes, got.size, name);
      assert.equal(result.rows, parseCsv(text).length - 1, name);
    }
    assert.ok(got.request.batches.every((b) => b.numRows <= 5));
    assert.ok(got.stream.batches.every((b) => b.numRows <= 4));
    assert.equal(got.blob.totalBytes, got.size);
    assert.equal(got.stream.totalBytes, null);
  });

  test('a URL is fetched without credentials; an error status is a QlikApiError', async () => {
    const since = await lastRequestId();
    const r = await w.run(async (lib, [plain, missing, key]) => {
      const fail = async (source) => {
        try {
          for await (const _ of lib.parseCsv(source));
          return null;
        } catch (e) {
          return { name: e.name, status: e.status, code: e.code, title: e.title, url: e.url, isApi: e instanceof lib.QlikApiError };
        }
      };
      return {
        plain: await fail(plain),
        missing: await fail(new Request(missing, { headers: { authorization: `Bearer ${key}` } })),
      };
    }, [fileUrl('churn-small', 'predictions'), fileUrl('missing', 'predictions'), API_KEY]);
    // Cross-origin and without the session cookie, the tenant asks for a web integration.
    assert.deepEqual(r.plain, { name: 'QlikApiError', status: 403, code: 'WEB-INTEGRATION-1', title: 'Missing web integration ID', url: fileUrl('churn-small', 'predictions'), isApi: true });
    assert.equal(r.missing.status, 404);
    assert.equal(r.missing.isApi, true);
    const plain = (await mockRequests(since)).find((q) => q.predictionId === 'churn-small');
    assert.equal(plain.headers.cookie, false, 'no cookie sent for a plain URL');
    assert.equal(plain.headers.authorization, false);
  });

  test('malformed CSV is a CsvError after the rows before it; a failed or short body a NetworkError', async () => {
    const r = await w.run(async (lib, [reset, earlyEnd, key, dropped]) => {
      const outcome = async (source, options) => {
        let rows = 0;
        try {
          for await (const b of lib.parseCsv(source, options)) rows += b.numRows;
          return { rows };
        } catch (e) {
          return { rows, name: e.name, reason: e.reason, line: e.line, bytesReceived: e.bytesReceived, url: e.url, message: e.message };
        }
      };
      const auth = (url) => new Request(url, { headers: { authorization: `Bearer ${key}` } });
      const failing = new ReadableStream({
        pull(controller) {
          if (!this.sent) { this.sent = true; controller.enqueue(new TextEncoder().encode('a,b\n1,2\n')); } else controller.error(new Error('disk gone'));
        },
      });
      const notBytes = new ReadableStream({ start(c) { c.enqueue('a,b\n'); c.close(); } });
      return {
        malformed: await outcome(new Blob(['a,b\n1,2\n3,4\n5,6,7\n8,9\n']), { batchRows: 1 }),
        quote: await outcome(new Blob(['a,b\n1,"2\n'])),
        wide: await outcome(new Blob(['a,b,c,d\n']), { maxColumns: 3 }),
        flexible: await outcome(new Blob(['a,b\n1\n2,3,4\n']), { flexible: true }),
        reset: await outcome(auth(reset)),
        earlyEnd: await outcome(auth(earlyEnd)),
        failing: await outcome(failing),
        notBytes: await outcome(notBytes),
        dropped: await outcome(auth(dropped)),
      };
    }, [fileUrl('churn-medium', 'predictions', '?mockReset=20000'), fileUrl('churn-medium', 'predictions', '?mockEarlyEnd=20000'), API_KEY,
      fileUrl('churn-small', 'predictions', '?mockDrop=1&mockKey=pcsv-drop')]);
    assert.deepEqual(r.malformed, { ...r.malformed, rows: 2, name: 'CsvError', reason: 'FieldCount', line: 4 });
    assert.deepEqual(r.quote, { ...r.quote, rows: 0, name: 'CsvError', reason: 'UnterminatedQuote' });
    assert.deepEqual(r.wide, { ...r.wide, name: 'CsvError', reason: 'TooManyColumns' });
    assert.deepEqual(r.flexible, { rows: 2 });
    for (const name of ['reset', 'earlyEnd']) {
      assert.equal(r[name].name, 'NetworkError', `${name}: ${r[name].message}`);
      assert.ok(r[name].bytesReceived <= 20000, `${name}: ${r[name].bytesReceived}`);
      assert.match(r[name].url, /churn-medium\/predictions/);
    }
    assert.deepEqual(r.failing, { ...r.failing, rows: 1, name: 'NetworkError', url: '' });
    assert.match(r.failing.message, /disk gone/);
    assert.equal(r.notBytes.name, 'NetworkError');
    // No answer, from a page on another origin than the URL: the message says that CORS fails a
    // request the same way (with nothing about Qlik Cloud: the URL may be anyone's).
    assert.equal(r.dropped.name, 'NetworkError');
    const page = new URL(w.mashup.url).origin.replace(/[.]/g, '\\.');
    assert.match(r.dropped.message, new RegExp(`^the request failed: .*\\(this page's origin, ${page}, is not the URL's: .*\\(CORS\\) the same way\\)$`));
  });

  test('bad sources and options are TypeErrors naming the field', async () => {
    const r = await w.run(async (lib) => {
      const field = (f) => {
        try {
          f();
          return null;
        } catch (e) {
          return `${e.name}:${e.field}`;
        }
      };
      const used = new Response('a\n1\n');
      await used.text();
      const locked = new ReadableStream();
      locked.getReader();
      return [
        field(() => lib.parseCsv(42)),
        field(() => lib.parseCsv({ url: 'x' })),
        field(() => lib.parseCsv(used)),
        field(() => lib.parseCsv(locked)),
        field(() => lib.parseCsv('http://[bad')),
        field(() => lib.parseCsv(new Blob(['a']), { batchRows: 0 })),
        field(() => lib.parseCsv(new Blob(['a']), { types: 'numbers' })),
        field(() => lib.parseCsv(new Blob(['a']), { signal: 'soon' })),
        field(() => lib.parseCsv(new Blob(['a']), 5)),
      ];
    });
    assert.deepEqual(r, ['TypeError:source', 'TypeError:source', 'TypeError:source', 'TypeError:source', 'TypeError:source',
      'TypeError:batchRows', 'TypeError:types', 'TypeError:signal', 'TypeError:options']);
  });

  test('CSV text given as a string is refused, saying how to pass it, and nothing is fetched', async () => {
    const since = await lastRequestId();
    const r = await w.run(async (lib) => {
      const requests = performance.getEntriesByType('resource').length;
      let error = null;
      try {
        lib.parseCsv('id,p\r\n1,0.5\r\n');
      } catch (e) {
        error = { name: e.name, field: e.field, message: e.message };
      }
      // As the message says: a Blob of the text.
      const rows = [];
      for await (const batch of lib.parseCsv(new Blob(['id,p\r\n1,0.5\r\n']))) rows.push(...batch.toRows());
      return { error, rows, fetched: performance.getEntriesByType('resource').length - requests };
    });
    assert.equal(r.error.name, 'TypeError');
    assert.equal(r.error.field, 'source');
    assert.match(r.error.message, /holds a line break, and a string is the URL of a file: to parse CSV text, pass it as `new Blob\(\[text\]\)`/);
    assert.deepEqual(r.rows, [[1, 0.5]]);
    assert.equal(r.fetched, 0);
    assert.deepEqual(await mockRequests(since), []);
  });

  test('abort and cancel stop the reading: the fetch, or the source stream', async () => {
    const since = await lastRequestId();
    const r = await w.run(async (lib, [url, key]) => {
      const auth = () => new Request(url, { headers: { authorization: `Bearer ${key}` } });
      // Aborted before the first read, with a reason that is not an Error.
      const early = new AbortController();
      early.abort(42);
      let earlyReason;
      try { for await (const _ of lib.parseCsv(auth(), { signal: early.signal })); } catch (e) { earlyReason = e; }
      // Aborted during the download, after the first batch.
      const during = new AbortController();
      let duringReason;
      let rows = 0;
      try {
        for await (const b of lib.parseCsv(auth(), { signal: during.signal, batchRows: 100 })) {
          rows += b.numRows;
          during.abort(new DOMException('enough', 'AbortError'));
        }
      } catch (e) { duringReason = `${e.name}:${e.message}`; }
      // A source stream of the page's own: breaking out of the loop cancels it, with the reason.
      let cancelled = null;
      let pulls = 0;
      const endless = new ReadableStream({
        pull(controller) { pulls++; controller.enqueue(new TextEncoder().encode(pulls === 1 ? 'n\n' : `${pulls}\n`.repeat(1000))); },
        cancel(reason) { cancelled = String(reason); },
      }, { highWaterMark: 0 });
      for await (const _ of lib.parseCsv(endless, { batchRows: 10 })) break;
      const pullsAtBreak = pulls;
      await new Promise((resolve) => setTimeout(resolve, 100));
      // stream.cancel(reason) on a Blob's stream and on a fetch.
      const s = lib.parseCsv(auth(), { batchRows: 10 });
      const reader = s.getReader();
      await reader.read();
      await reader.cancel('stop');
      return { earlyReason, duringReason, rows, cancelled, pullsAtBreak, pullsAfter: pulls };
    }, [fileUrl('churn-large', 'predictions', '?mockKey=parse-abort'), API_KEY]);
    assert.equal(r.earlyReason, 42);
    assert.equal(r.duringReason, 'AbortError:enough');
    // Batches already decoded from a received chunk may still come; the source is read no more.
    assert.ok(r.rows > 0 && r.rows < 100_000, JSON.stringify(r));
    assert.equal(r.cancelled, 'undefined');
    assert.equal(r.pullsAfter, r.pullsAtBreak, 'nothing is read from a cancelled source');
    let requests = [];
    for (let i = 0; i < 50; i++) {
      requests = (await mockRequests(since)).filter((q) => q.predictionId === 'churn-large');
      if (requests.length && requests.every((q) => q.endTime)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(requests.length, 2, 'the request aborted before the first read was never sent');
    for (const q of requests) {
      assert.ok(q.endTime, 'the request ended');
      assert.ok(q.bytesWritten < 50_000_000, `the download stopped: ${q.bytesWritten} of 100 MB written`);
    }
  });

  test('onProgress reports bytes, the total and rows; batches are adaptive without batchRows', async () => {
    const r = await w.run(async (lib) => {
      const text = `x,y\n${Array.from({ length: 3000 }, (_, i) => `${i},r${i}`).join('\n')}\n`;
      const blob = new Blob([text]);
      const progress = [];
      const sizes = [];
      for await (const b of lib.parseCsv(blob, { onProgress: (p) => progress.push(p), types: 'string' })) {
        sizes.push(b.numRows);
        if (b.columnType('x') !== 'string') throw new Error('types: string');
      }
      return { progress, sizes, size: blob.size };
    });
    const last = r.progress[r.progress.length - 1];
    assert.deepEqual(last, { bytes: r.size, totalBytes: r.size, rows: 3000 });
    assert.ok(r.sizes[0] <= 64, `first batch ${r.sizes[0]}`);
    assert.equal(r.sizes.reduce((a, b) => a + b, 0), 3000);
  });
});
