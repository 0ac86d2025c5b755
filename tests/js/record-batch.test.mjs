// RecordBatch over raw batches as the wasm side hands them over (src/wasm/handoff.rs), in Node:
// the module has no dependency on the wasm glue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordBatch } from '../../js/record-batch.js';

/** A raw batch: number columns as Float64Arrays, string columns sliced from one text by UTF-16 ends. */
function raw(columns, rowOffset = 0) {
  const names = columns.map(([name]) => name);
  const kinds = new Uint8Array(columns.map(([, kind]) => (kind === 'number' ? 0 : 1)));
  const numbers = [];
  const textEnds = [];
  let text = '';
  for (const [, kind, cells] of columns) {
    if (kind === 'number') {
      numbers.push(Float64Array.from(cells));
      textEnds.push(null);
    } else {
      numbers.push(null);
      const ends = [];
      for (const cell of cells) { text += cell; ends.push(text.length); }
      textEnds.push(Uint32Array.from(ends));
    }
  }
  return { rowOffset, numRows: columns[0][2].length, columnNames: names, kinds, numbers, text, textEnds };
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
