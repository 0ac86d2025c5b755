// RecordBatch over raw batches as the wasm side hands them over (src/wasm/handoff.rs, in the
// layout of crates/decode/src/layout.rs), in Node: the module has no dependency on the wasm glue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordBatch } from '../../js/record-batch.js';
import { detach } from '../../js/spares.js';

/**
 * A raw batch in the layout of crates/decode/src/layout.rs: number columns' f64s, then u32 words (five per
 * column: kind, at, piece, at2, count, then the cells' UTF-16 ends, value indices and piece
 * ends), the text in pieces. A string column given as 'dict' goes as a dictionary; `pieceChars`
 * cuts a string column's text into pieces of about that many UTF-16 units, at cells' ends.
 */
function raw(columns, rowOffset = 0, { pieceChars = Infinity } = {}) {
  const names = columns.map(([name]) => name);
  const rows = columns.length ? columns[0][2].length : 0;
  const f64s = [];
  const words = new Array(columns.length * 5).fill(0);
  const text = [];
  columns.forEach(([, kind, cells], i) => {
    let meta;
    if (kind === 'number') {
      meta = [0, f64s.length, 0, 0, 0];
      f64s.push(...cells);
    } else if (kind === 'dict') {
      const values = [...new Set(cells)];
      const at = words.length;
      words.push(...cells.map((c) => values.indexOf(c)));
      const at2 = words.length;
      let end = 0;
      for (const v of values) words.push((end += v.length));
      meta = [2, at, text.length, at2, values.length];
      text.push(values.join(''));
    } else {
      const at = words.length;
      let end = 0;
      for (const c of cells) words.push((end += c.length));
      const first = text.length;
      const pieceEnds = [];
      let piece = '';
      for (const c of cells) {
        if (piece.length && piece.length + c.length > pieceChars) {
          text.push(piece);
          pieceEnds.push(pieceEnds.length ? pieceEnds.at(-1) + piece.length : piece.length);
          piece = '';
        }
        piece += c;
      }
      text.push(piece);
      pieceEnds.push((pieceEnds.at(-1) ?? 0) + piece.length);
      const at2 = words.length;
      words.push(...pieceEnds);
      meta = [1, at, first, at2, pieceEnds.length];
    }
    words.splice(i * 5, 5, ...meta);
  });
  const data = new ArrayBuffer(f64s.length * 8 + words.length * 4);
  new Float64Array(data, 0, f64s.length).set(f64s);
  new Uint32Array(data, f64s.length * 8).set(words);
  return { rowOffset, numRows: rows, columnNames: names, data, wordsAt: f64s.length * 8, text };
}

const BATCH = raw([
  ['id', 'string', ['a1', 'é😀', '']],
  ['score', 'number', [0.5, NaN, -2]],
  ['note', 'string', ['x, "y"', '', 'line\nbreak']],
  ['id', 'number', [1, 2, 3]],
], 20);

test('columns by name and index, typed; string cells sliced exactly (surrogate pairs, empty cells)', () => {
  const b = new RecordBatch(BATCH);
  assert.deepEqual([b.numRows, b.rowOffset, b.numColumns], [3, 20, 4]);
  assert.deepEqual(b.columnNames, ['id', 'score', 'note', 'id']);
  assert.deepEqual(b.column('id'), ['a1', 'é😀', ''], 'a repeated name finds its first column');
  assert.deepEqual(b.column(3), Float64Array.from([1, 2, 3]));
  assert.ok(b.column('score') instanceof Float64Array);
  assert.ok(Number.isNaN(b.column('score')[1]));
  assert.deepEqual(b.column(2), ['x, "y"', '', 'line\nbreak']);
  assert.equal(b.column(2), b.column('note'), 'built once');
  assert.deepEqual([0, 1, 2, 3].map((i) => b.columnType(i)), ['string', 'number', 'string', 'number']);
});

test('rows and objects', () => {
  const b = new RecordBatch(BATCH);
  assert.deepEqual(b.toRows(1), [['a1', 0.5, 'x, "y"', 1]]);
  assert.equal(b.toRows().length, 3);
  assert.deepEqual(b.toRows(0), []);
  assert.equal(b.toRows(99).length, 3);
  assert.deepEqual(b.toObjects()[2], { id: 3, score: -2, note: 'line\nbreak' }, 'a repeated name keeps its last cell');
});

test('a column before any string column starts at 0; empty string columns in between', () => {
  const b = new RecordBatch(raw([['n', 'number', [1, 2]], ['a', 'string', ['', '']], ['b', 'string', ['p', 'q']]]));
  assert.deepEqual(b.column('a'), ['', '']);
  assert.deepEqual(b.column('b'), ['p', 'q']);
  const empty = new RecordBatch(raw([['a', 'string', []], ['b', 'string', []]]));
  assert.deepEqual([empty.numRows, empty.column('b'), empty.toObjects()], [0, [], []]);
});

test('a bad column key is a RangeError or a TypeError', () => {
  const b = new RecordBatch(BATCH);
  assert.throws(() => b.column('nope'), RangeError);
  assert.throws(() => b.column(4), RangeError);
  assert.throws(() => b.column(-1), RangeError);
  assert.throws(() => b.column(1.5), RangeError);
  assert.throws(() => b.columnType({}), TypeError);
});

test('numbers() and strings() give a column of that type, and throw a TypeError for the other', () => {
  const b = new RecordBatch(BATCH);
  assert.equal(b.numbers('score'), b.column('score'));
  assert.equal(b.numbers(3), b.column(3));
  assert.equal(b.strings('note'), b.column('note'));
  assert.deepEqual(b.strings(0), ['a1', 'é😀', '']);
  assert.throws(() => b.numbers('note'), { name: 'TypeError', message: /"note" is a string column in this batch/ });
  assert.throws(() => b.strings('score'), { name: 'TypeError', message: /"score" is a number column in this batch/ });
  assert.throws(() => b.numbers('nope'), RangeError);
});

test('string cells across pieces, dictionary columns, and number columns as views of one buffer', () => {
  const ids = Array.from({ length: 50 }, (_, i) => (i % 7 === 0 ? '' : `id-${i}-${'é😀'.repeat(i % 4)}`));
  const labels = Array.from({ length: 50 }, (_, i) => ['churned', 'renewed', '', 'ü😀'][i % 4]);
  const scores = Array.from({ length: 50 }, (_, i) => (i % 5 ? i / 8 : NaN));
  const b = new RecordBatch(raw([
    ['id', 'string', ids], ['label', 'dict', labels], ['score', 'number', scores], ['n', 'number', scores.map((x) => -x)],
  ], 100, { pieceChars: 24 }));
  assert.deepEqual(b.column('id'), ids);
  assert.deepEqual(b.column('label'), labels);
  assert.deepEqual([...b.column('score')], scores);
  assert.deepEqual(b.columnType('label'), 'string');
  assert.deepEqual(b.strings('label'), labels);
  assert.throws(() => b.numbers('label'), TypeError);
  const score = b.numbers('score');
  assert.ok(score instanceof Float64Array && score.length === 50);
  assert.equal(score.buffer, b.column('n').buffer, 'one buffer per batch');
  assert.equal(b.column('n').byteOffset, 50 * 8);
  assert.deepEqual(b.toObjects()[3], { id: ids[3], label: 'ü😀', score: scores[3], n: -scores[3] });
});

test('a batch in a larger buffer reads its own bytes only (dataLength)', () => {
  const r = raw([['a', 'number', [1, 2]], ['s', 'string', ['x', 'yz']]]);
  const big = new ArrayBuffer(r.data.byteLength + 4096);
  new Uint8Array(big).fill(0xff);
  new Uint8Array(big).set(new Uint8Array(r.data));
  const b = new RecordBatch({ ...r, data: big, dataLength: r.data.byteLength });
  assert.deepEqual(Array.from(b.numbers('a')), [1, 2]);
  assert.deepEqual(b.strings('s'), ['x', 'yz']);
  assert.deepEqual(b.toRows(), [[1, 'x'], [2, 'yz']]);
});

test('release() hands the buffer to its taker, which detaches it; the batch has no columns after', () => {
  const r = raw([['a', 'number', [1.5, NaN, 3]], ['s', 'dict', ['u', 'v', 'u']]]);
  const bytes = r.data.byteLength;
  const given = [];
  const b = new RecordBatch(r, (buffer) => given.push(detach(buffer)));
  const numbers = b.numbers('a');
  const strings = b.strings('s');
  b.release();
  b.release();
  assert.equal(given.length, 1, 'given back once');
  assert.ok(given[0] instanceof ArrayBuffer && given[0].byteLength === bytes);
  assert.deepEqual(Array.from(new Float64Array(given[0], 0, 3)), [1.5, NaN, 3], 'the same bytes, moved');
  assert.equal(r.data.byteLength, 0, 'the batch\'s buffer is detached');
  assert.equal(numbers.length, 0, 'a Float64Array taken before reads as empty');
  assert.deepEqual(strings, ['u', 'v', 'u'], 'string cells taken before stay');
  assert.equal(b.numRows, 3);
  for (const f of [() => b.column(0), () => b.numbers('a'), () => b.strings('s'), () => b.columnType(0), () => b.columns(), () => b.toRows(), () => b.toObjects()]) {
    assert.throws(f, { name: 'TypeError', message: /this batch was released/ });
  }
});

test('a taker that fails leaves the batch released; release() without a taker detaches; [Symbol.dispose] releases', () => {
  const r0 = raw([['a', 'number', [1]]]);
  const b0 = new RecordBatch(r0, () => { throw new Error('cannot take'); });
  b0.release();
  assert.throws(() => b0.column(0), TypeError);

  const r = raw([['a', 'number', [1]]]);
  const b = new RecordBatch(r);
  b.release();
  assert.equal(r.data.byteLength, 0);
  assert.throws(() => b.column(0), TypeError);
  if (typeof Symbol.dispose === 'symbol') {
    const r2 = raw([['a', 'number', [2]]]);
    const given = [];
    const b2 = new RecordBatch(r2, (buffer) => given.push(detach(buffer)));
    b2[Symbol.dispose]();
    assert.equal(given.length, 1);
    assert.throws(() => b2.column(0), TypeError);
  }
});

/**
 * `r` as Worker mode's Worker hands it over (src/wasm/handoff.rs, `textBytes`): the text as
 * UTF-8 bytes in the buffer after the data and the pieces' byte ends (u32, 4-aligned).
 */
function asBytes(r) {
  const encoded = r.text.map((t) => new TextEncoder().encode(t));
  const dataLength = r.data.byteLength;
  const cutsAt = (dataLength + 3) & ~3;
  const textAt = cutsAt + encoded.length * 4;
  const n = textAt + encoded.reduce((sum, e) => sum + e.length, 0);
  const data = new ArrayBuffer(n);
  new Uint8Array(data).set(new Uint8Array(r.data));
  const cuts = new Uint32Array(data, cutsAt, encoded.length);
  let end = 0;
  encoded.forEach((e, i) => {
    new Uint8Array(data).set(e, textAt + end);
    end += e.length;
    cuts[i] = end;
  });
  const { text, ...rest } = r;
  return { ...rest, data, dataLength, cutsAt, pieces: encoded.length, textAt };
}

test('a batch with its text as bytes in its buffer (Worker mode) reads as the same batch', () => {
  const samples = [
    BATCH,
    raw([['n', 'number', [1, 2]], ['a', 'string', ['', '']], ['b', 'string', ['p', 'q']]]),
    raw([['s', 'string', ['αβγ', 'x', '😀😀', 'long cell'.repeat(3), '', 'é']], ['d', 'dict', ['u', 'ü', 'u', 'v', 'ü', 'u']]], 7, { pieceChars: 8 }),
    raw([['a', 'string', []], ['b', 'dict', []]]),
  ];
  for (const r of samples) {
    const want = new RecordBatch(r);
    const got = new RecordBatch(asBytes(r));
    assert.deepEqual(got.columns(), want.columns());
    assert.deepEqual(got.toRows(), want.toRows());
    assert.deepEqual(got.columnNames.map((_, i) => got.columnType(i)), want.columnNames.map((_, i) => want.columnType(i)));
  }
  // The text is decoded once, when a string column is first read; releasing afterwards keeps
  // the cells taken.
  const b = new RecordBatch(asBytes(BATCH), (buffer) => detach(buffer));
  const ids = b.strings(0);
  b.release();
  assert.deepEqual(ids, ['a1', 'é😀', '']);
  assert.throws(() => b.strings(2), TypeError);
});
