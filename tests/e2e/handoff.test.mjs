// End-to-end tests of the batch hand-off (crates/decode/src/layout.rs, src/wasm/handoff.rs, js/record-batch.js)
// through the built package in headless Chromium: text cut into pieces, columns of repeated cells
// as dictionaries, number columns as views of one buffer per batch, body chunks taken into the
// decoder in slices, byte streams read into one buffer of the reader's own (BYOB); on the main
// thread and in Worker mode. Set-up and helpers: calls.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from './harness.mjs';
import { useSignedInWorld, w, expectedText, cookieConfig } from './calls.mjs';

useSignedInWorld();

/** Reads every batch of `stream` in the page: its columns, kinds and buffers. Runs in the page. */
const READ = `async (stream) => {
  const batches = [];
  let first = null;
  let firstCopy = null;
  for await (const b of stream) {
    const columns = b.columnNames.map((_, i) => Array.from(b.column(i)));
    const numbers = b.columnNames.map((_, i) => i).filter((i) => b.columnType(i) === 'number');
    batches.push({
      rowOffset: b.rowOffset, numRows: b.numRows, columns,
      kinds: b.columnNames.map((_, i) => b.columnType(i)),
      oneBuffer: numbers.every((i) => b.column(i).buffer === b.column(numbers[0]).buffer),
      again: b.columnNames.every((_, i) => b.column(i) === b.column(b.columnNames[i]) || b.columnNames.indexOf(b.columnNames[i]) !== i),
    });
    if (!first) { first = b; firstCopy = columns; }
  }
  // A batch stays valid after the later ones were read.
  const kept = first ? first.columnNames.map((_, i) => Array.from(first.column(i))) : null;
  return { batches, columnNames: stream.columnNames, keptEqual: JSON.stringify(kept) === JSON.stringify(firstCopy) };
}`;

/** A function for `w.run` that gets `readAll` (READ) as its third argument. */
const withRead = (fn) => ({ toString: () => `(lib, arg) => (${fn})(lib, arg, ${READ})` });

/** The rows of `text` (the reference parser), numbers where a batch's column is a number column. */
function expectRows(got, text, what) {
  const [header, ...data] = parseCsv(text);
  assert.deepEqual(got.columnNames, header, what);
  assert.equal(got.keptEqual, true, `${what}: the first batch changed after later batches`);
  let offset = 0;
  for (const b of got.batches) {
    assert.equal(b.rowOffset, offset, what);
    assert.equal(b.oneBuffer, true, `${what}: number columns share the batch's buffer`);
    assert.equal(b.again, true, `${what}: column() gives the same array again`);
    const slice = data.slice(offset, offset + b.numRows);
    header.forEach((_, c) => {
      const cells = slice.map((r) => r[c]);
      const expected = b.kinds[c] === 'number' ? cells.map((x) => (x === '' ? NaN : Number(x))) : cells;
      assert.deepEqual(b.columns[c], expected, `${what}: column ${header[c]} at row ${offset}`);
    });
    offset += b.numRows;
  }
  assert.equal(offset, data.length, what);
}

/**
 * A CSV file of every shape the hand-off treats apart: long text with multi-byte characters,
 * surrogate pairs and a leading U+FEFF in cells; cells over 32 KiB; a label column of few values
 * (a dictionary), a column of few long values, numbers with empty cells, a column that is all
 * numbers at first and text later.
 */
function trickyCsv(rows) {
  const words = ['alpha', 'ünïcödé', '東京', '😀 emoji', '"quoted"', 'comma, inside', 'line\nbreak', '\uFEFFbom', ''];
  const labels = ['churned', 'renewed', '', 'é😀'];
  const quote = (s) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  let out = '\uFEFFid,text,label,long,score,late\n';
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let i = 0; i < rows; i++) {
    const n = Math.floor(rand() * 30);
    let text = Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(' ');
    if (i % 997 === 3) text += 'x'.repeat(40_000) + '😀';
    if (i % 13 === 0) text = '\uFEFF' + text;
    const label = labels[i % 4];
    const long = ['A'.repeat(300), 'ß'.repeat(200), '😀'.repeat(100)][i % 3];
    const score = i % 5 === 0 ? '' : String((i * 0.37) - 100);
    const late = i < rows / 2 ? String(i) : `v${i % 3}`;
    out += [i, quote(text), quote(label), quote(long), score, late].join(',') + '\n';
  }
  return out;
}

describe('the batch hand-off', () => {
  test('text in pieces, dictionaries and number views read back exactly: adaptive and fixed batches, big chunks, byte streams', async () => {
    const text = trickyCsv(6000);
    const got = await w.run(withRead(async (lib, csv, readAll) => {
      const bytes = new TextEncoder().encode(csv);
      // One chunk of the whole file: the reader takes it into the decoder in slices.
      const oneChunk = () => new ReadableStream({ start(c) { c.enqueue(bytes); c.close(); } });
      // Byte streams, read into the reader's own buffer: chunks queued by the source (larger and
      // smaller than that buffer), and a source that writes into the reader's buffer itself.
      const queued = () => new ReadableStream({
        type: 'bytes',
        start(c) {
          for (let i = 0, n = 1; i < bytes.length; i += n, n = n > 600_000 ? 7 : n * 9) c.enqueue(bytes.slice(i, i + n));
          c.close();
        },
      });
      let at = 0;
      const byob = () => new ReadableStream({
        type: 'bytes',
        pull(c) {
          const request = c.byobRequest;
          if (at >= bytes.length) {
            c.close();
            request?.respond(0);
            return;
          }
          const n = Math.min(request.view.byteLength, bytes.length - at, 1 + (at % 50_000));
          new Uint8Array(request.view.buffer, request.view.byteOffset, n).set(bytes.subarray(at, at + n));
          at += n;
          request.respond(n);
        },
      });
      return {
        queued: await readAll(lib.parseCsv(queued())),
        byob: await readAll(lib.parseCsv(byob())),
        adaptive: await readAll(lib.parseCsv(new Blob([bytes]))),
        fixed: await readAll(lib.parseCsv(new Blob([bytes]), { batchRows: 700 })),
        oneChunk: await readAll(lib.parseCsv(oneChunk())),
        strings: await readAll(lib.parseCsv(oneChunk(), { types: 'string', batchRows: 5000 })),
      };
    }), text);
    for (const [what, result] of Object.entries(got)) expectRows(result, text, what);
    // The first batch comes after a slice of the one big chunk, not after all of it.
    assert.ok(got.oneChunk.batches[0].numRows <= 64, `first batch of ${got.oneChunk.batches[0].numRows} rows`);
    // Fixed batches hold 700 rows, but for the one that ends before row 3000, whose `late` cell
    // turns that column String (a column turns String only at a batch's first row), and the last.
    assert.deepEqual(got.fixed.batches.map((b) => b.numRows), [700, 700, 700, 700, 200, 700, 700, 700, 700, 200]);
    assert.deepEqual(got.strings.batches[0].kinds, Array(6).fill('string'));
    // The late column is a number column until that batch, and String from it on.
    assert.deepEqual(got.fixed.batches.map((b) => b.kinds[5]), [...Array(5).fill('number'), ...Array(5).fill('string')]);
  });

  test('Worker mode transfers the same rows as the main thread', async () => {
    const got = await w.run(withRead(async (lib, config, readAll) => {
      const stream = (worker) => new lib.PredictionsClient({ ...config, worker }).stream('rows-8000', 'source');
      return { worker: await readAll(stream(true)), main: await readAll(stream(false)) };
    }), cookieConfig());
    // Adaptive batches end where the time says: the rows are the same, the batches may differ.
    const text = (await expectedText('rows-8000', 'source')).toString('utf8');
    expectRows(got.worker, text, 'worker');
    expectRows(got.main, text, 'main thread');
    assert.ok(got.worker.batches.length > 3, `${got.worker.batches.length} batches`);
  });
});
