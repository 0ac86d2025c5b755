// End-to-end tests of the JS API as a mashup uses it — datasets: every file streamed, tables,
// downloads, batches, jobs: the built package imported by a page on one origin (the "mashup")
// talking to the mock Qlik tenant on another origin, in headless Chromium. Set-up and helpers:
// calls.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DATASETS } from '../../js/datasets.js';
import { parseCsv } from './harness.mjs';
import { useSignedInWorld, w, lastRequestId, endedRequest, expectedText, cookieConfig, keyConfig } from './calls.mjs';

useSignedInWorld();

describe('datasets', () => {
  for (const dataset of DATASETS) {
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
