// End-to-end tests of RecordBatch.release(): a released batch's buffer is reused for later
// batches, on the main thread and in Worker mode (sent back to the Worker), and the batches read
// that way hold the same values as batches kept; a released batch has no columns any more and
// its Float64Arrays are empty. The built package in headless Chromium, the mock tenant on
// another origin. Set-up and helpers: calls.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useSignedInWorld, w, cookieConfig } from './calls.mjs';

useSignedInWorld();

for (const worker of [false, true]) {
  describe(`release() ${worker ? 'in Worker mode' : 'on the main thread'}`, () => {
    test('batches released as they come hold the values of batches kept; the buffers are reused', async () => {
      const r = await w.run(async (lib, [config, inWorker]) => {
        const client = new lib.PredictionsClient({ ...config, worker: inWorker });
        // Every cell, as text, so that NaN and -0 compare too.
        const read = async (release) => {
          const out = [];
          let batches = 0;
          for await (const b of client.stream('churn-large', 'shap', { batchRows: 5000 })) {
            batches += 1;
            for (let i = 0; i < b.numColumns; i++) {
              const col = b.column(i);
              if (b.rowOffset < 20_000) out.push(`${i}:${Array.from(col, String).join(',')}`);
              else if (col.length) out.push(`${i}:${String(col[0])},${String(col[col.length - 1])}`);
            }
            if (release) b.release();
          }
          return { out, batches };
        };
        const spares = async () => (inWorker ? (await lib.__internals.workerStats()).spares : lib.__internals.spares());
        const kept = await read(false);
        const before = await spares();
        const released = await read(true);
        const after = await spares();
        return {
          same: JSON.stringify(kept.out) === JSON.stringify(released.out),
          cells: kept.out.length,
          batches: released.batches,
          made: after.made - before.made,
          reused: after.reused - before.reused,
          bytes: after.bytes,
        };
      }, [cookieConfig(), worker]);
      assert.ok(r.batches > 20, `${r.batches} batches`);
      assert.ok(r.cells > 1000);
      assert.equal(r.same, true, 'released batches hold the values of batches kept');
      // Nearly every batch reuses a released buffer; a few are kept for later. Those made before
      // the first release came back are plain copies, not counted: one on the main thread, up
      // to the Worker's read-ahead window in Worker mode.
      const early = worker ? 4 : 1;
      assert.ok(r.made + r.reused >= r.batches - early && r.made + r.reused <= r.batches, `${r.made} + ${r.reused} of ${r.batches}`);
      assert.ok(r.reused >= r.batches * 0.8, `${r.reused} of ${r.batches} batches in a reused buffer (${r.made} made)`);
      assert.ok(r.bytes > 0 && r.bytes < 64 * 2 ** 20, `${r.bytes} bytes kept`);
    });

    test('a released batch has no columns; its Float64Arrays are empty; its strings stay; release twice is fine', async () => {
      const r = await w.run(async (lib, [config, inWorker]) => {
        const client = new lib.PredictionsClient({ ...config, worker: inWorker });
        const stream = client.stream('churn-large', 'predictions', { batchRows: 100 });
        const reader = stream.getReader();
        const { value: batch } = await reader.read();
        const numbers = batch.numbers(2);
        const strings = batch.strings(0);
        const before = { numbers: numbers.length, first: strings[0], rows: batch.numRows };
        batch.release();
        batch.release();
        const errors = [];
        for (const f of [() => batch.column(0), () => batch.numbers(2), () => batch.columnType(1), () => batch.toRows(1), () => batch.columns()]) {
          try {
            f();
            errors.push(null);
          } catch (e) {
            errors.push(`${e.constructor.name}: ${e.message}`);
          }
        }
        // Symbol.dispose releases too, where the runtime has it.
        const { value: next } = await reader.read();
        const col = next.numbers(2);
        const hasDispose = typeof Symbol.dispose === 'symbol' && typeof next[Symbol.dispose] === 'function';
        if (hasDispose) next[Symbol.dispose]();
        await reader.cancel();
        return {
          before, errors, hasDispose, after: { numbers: numbers.length, first: strings[0], rows: batch.numRows },
          disposed: col.length,
        };
      }, [cookieConfig(), worker]);
      assert.ok(r.before.numbers > 0 && r.before.rows > 0);
      assert.equal(r.after.numbers, 0, 'the Float64Array taken before is empty');
      assert.equal(r.after.first, r.before.first, 'string cells taken stay');
      assert.equal(r.after.rows, r.before.rows);
      for (const e of r.errors) assert.match(e, /^TypeError: this batch was released/);
      assert.equal(r.hasDispose, true, 'Chromium has Symbol.dispose');
      assert.equal(r.disposed, 0, '[Symbol.dispose]() released the batch');
    });
  });
}

test('table() releases the batches it has read its rows from', async () => {
  const r = await w.run(async (lib, config) => {
    const client = new lib.PredictionsClient(config);
    const before = lib.__internals.spares();
    const t = await client.table('churn-large', 'shap', { limit: 30_000, batchRows: 1000 });
    const after = lib.__internals.spares();
    return { rows: t.numRows, width: t.rows[0].length, reused: after.reused - before.reused };
  }, cookieConfig());
  assert.equal(r.rows, 30_000);
  assert.ok(r.width > 1);
  assert.ok(r.reused >= 20, `${r.reused} batches in a reused buffer`);
});
