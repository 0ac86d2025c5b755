// The pool of released batches' buffers (js/spares.js), in Node: what it hands out and keeps.
// One pool per module instance, so the steps run in order in one test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detach, spares } from '../../js/spares.js';

test('spares: nothing until a batch is released; then the smallest fit, room to spare, at most four kept', () => {
  // Before any release the caller copies with slice(): no buffer is made here.
  assert.equal(spares.buffer(1000), null);
  assert.deepEqual(spares.stats, { bytes: 0, made: 0, reused: 0 });

  const a = new ArrayBuffer(1000);
  const b = new ArrayBuffer(5000);
  spares.give(b);
  spares.give(a);
  spares.give(new ArrayBuffer(0));
  spares.give('not a buffer');
  assert.equal(spares.stats.bytes, 6000);

  // The smallest that fits.
  assert.equal(spares.buffer(900), a);
  assert.equal(spares.buffer(900), b);
  // None fits: a new one, with room to spare.
  const made = spares.buffer(10_000);
  assert.ok(made.byteLength > 10_000 && made.byteLength <= 10_000 + 10_000 / 8 + 4096, `${made.byteLength}`);
  assert.deepEqual({ made: spares.stats.made, reused: spares.stats.reused }, { made: 1, reused: 2 });

  // Four kept at most; a bigger one then replaces the smallest, a smaller one is dropped.
  for (const n of [100, 200, 300, 400]) spares.give(new ArrayBuffer(n));
  spares.give(new ArrayBuffer(50));
  assert.equal(spares.stats.bytes, 1000);
  spares.give(new ArrayBuffer(1000));
  assert.equal(spares.stats.bytes, 1900);
  while (spares.buffer(1)?.byteLength < 1000);
  assert.equal(spares.stats.bytes, 0);

  // At most 32 MiB kept in all: a buffer that would go beyond is left to the collector.
  const MiB = 1024 * 1024;
  spares.give(new ArrayBuffer(20 * MiB));
  spares.give(new ArrayBuffer(16 * MiB));
  assert.equal(spares.stats.bytes, 20 * MiB);
  spares.give(new ArrayBuffer(12 * MiB));
  assert.equal(spares.stats.bytes, 32 * MiB);
  spares.give(new ArrayBuffer(MiB));
  spares.give(new ArrayBuffer(MiB));
  assert.equal(spares.stats.bytes, 32 * MiB, 'full: nothing more kept');
  spares.give(new ArrayBuffer(40 * MiB));
  assert.equal(spares.stats.bytes, 32 * MiB, 'too big to keep');
});

test('detach() moves the bytes into a new buffer; views of the old one read as empty', () => {
  const buffer = new ArrayBuffer(16);
  const view = new Float64Array(buffer);
  view[1] = 42;
  const moved = detach(buffer);
  assert.equal(buffer.byteLength, 0);
  assert.equal(view.length, 0);
  assert.equal(new Float64Array(moved)[1], 42);
});
