// parseCsv in Node, against the built package: a local file (as a web stream and as a Blob), a
// URL, a Request and a Response from a local server, its error answers, a cut body and abort.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, openAsBlob, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { root } from './harness.mjs';

const { default: init, parseCsv, CsvError, NetworkError, QlikApiError } = await import(pathToFileURL(join(root, 'pkg', 'index.js')).href);

const ROWS = 20000;
const CSV = `id,score,label\n${Array.from({ length: ROWS }, (_, i) => `${i},${i / 4},"row ${i}, quoted"`).join('\r\n')}\r\n`;
let dir;
let file;
let server;
let base;
const seen = [];

before(async () => {
  await init();
  dir = mkdtempSync(join(tmpdir(), 'parse-csv-'));
  file = join(dir, 'scores.csv');
  writeFileSync(file, CSV);
  server = http.createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    if (req.url === '/scores.csv') {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(CSV) });
      res.end(CSV);
    } else if (req.url === '/cut.csv') {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(CSV) });
      res.write(CSV.slice(0, 5000));
      setTimeout(() => res.destroy(), 50);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'DATA-FILE-404', title: 'Not found', detail: 'no such file' }] }));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => {
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function read(source, options) {
  const stream = parseCsv(source, options);
  let rows = 0;
  let sum = 0;
  let lastLabel = null;
  for await (const batch of stream) {
    assert.equal(batch.rowOffset, rows);
    const scores = batch.column('score');
    assert.ok(scores instanceof Float64Array);
    for (const x of scores) sum += x;
    lastLabel = batch.column('label').at(-1);
    rows += batch.numRows;
  }
  return { rows, sum, lastLabel, columns: stream.columnNames, bytes: stream.bytes, totalBytes: stream.totalBytes };
}

const expected = { rows: ROWS, sum: (ROWS * (ROWS - 1)) / 8, lastLabel: `row ${ROWS - 1}, quoted`, columns: ['id', 'score', 'label'] };

test('a local file as a web stream and as a Blob', async () => {
  const asStream = await read(Readable.toWeb(createReadStream(file, { highWaterMark: 1000 })), { batchRows: 999 });
  assert.deepEqual({ ...asStream, bytes: undefined, totalBytes: undefined }, { ...expected, bytes: undefined, totalBytes: undefined });
  assert.equal(asStream.bytes, Buffer.byteLength(CSV));
  const asBlob = await read(await openAsBlob(file));
  assert.deepEqual(asBlob, { ...expected, bytes: Buffer.byteLength(CSV), totalBytes: Buffer.byteLength(CSV) });
});

test('a URL, a Request and a Response', async () => {
  const size = Buffer.byteLength(CSV);
  assert.deepEqual(await read(`${base}/scores.csv`), { ...expected, bytes: size, totalBytes: size });
  assert.deepEqual(await read(new URL('/scores.csv', base)), { ...expected, bytes: size, totalBytes: size });
  const before = seen.length;
  const request = new Request(`${base}/scores.csv`, { headers: { authorization: 'Bearer k1' } });
  assert.deepEqual(await read(request), { ...expected, bytes: size, totalBytes: size });
  assert.equal(seen[before].authorization, 'Bearer k1');
  assert.equal(seen[before - 1].authorization, undefined, 'a plain URL carries no credentials');
  assert.deepEqual(await read(await fetch(`${base}/scores.csv`)), { ...expected, bytes: size, totalBytes: size });
});

test('an error answer is a QlikApiError, a cut body a NetworkError, malformed CSV a CsvError', async () => {
  await assert.rejects(read(`${base}/missing.csv`), (e) => {
    assert.ok(e instanceof QlikApiError);
    assert.deepEqual([e.status, e.code, e.title, e.detail, e.url], [404, 'DATA-FILE-404', 'Not found', 'no such file', `${base}/missing.csv`]);
    return true;
  });
  await assert.rejects(read(`${base}/cut.csv`), (e) => e instanceof NetworkError && e.bytesReceived === 5000);
  await assert.rejects(read(new Blob(['id,score,label\n1,2\n'])), (e) => e instanceof CsvError && e.reason === 'FieldCount' && e.line === 2);
  await assert.rejects(read('http://127.0.0.1:1/nothing.csv'), (e) => e instanceof NetworkError && /request failed/.test(e.message));
  assert.throws(() => parseCsv('not a url'), { name: 'TypeError', field: 'source' });
});

test('abort: the signal reason, and the file stream is released', async () => {
  const controller = new AbortController();
  const nodeStream = createReadStream(file, { highWaterMark: 1000 });
  let rows = 0;
  await assert.rejects(async () => {
    for await (const batch of parseCsv(Readable.toWeb(nodeStream), { signal: controller.signal, batchRows: 10 })) {
      rows += batch.numRows;
      controller.abort('enough');
    }
  }, (e) => e === 'enough');
  assert.ok(rows > 0 && rows < ROWS);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(nodeStream.destroyed, 'the file stream is closed');
});
