// What the demo's activity panel and preview say while data streams (www/progress.js),
// without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatCount, formatDuration, formatPercent, formatSpeed } from '../../www/format.js';
import {
  QUIET_MS, countLines, progressFigures, quietMessage, retryNotice, rowsOf, tableNote, timeSlicer,
} from '../../www/progress.js';

test('figures of a download with a known size', () => {
  const fig = progressFigures({
    kind: 'download', progress: { bytes: 300_000, totalBytes: 1_200_000, rows: 0 }, lines: 8225, elapsed: 200, ended: false,
  });
  assert.deepEqual(fig, {
    elapsed: formatDuration(200),
    rows: formatCount(8225),
    bytes: `${formatBytes(300_000)} of ${formatBytes(1_200_000)}`,
    speed: formatSpeed(300_000, 200),
    fraction: 0.25,
    progress: formatPercent(0.25),
    valueText: `${formatPercent(0.25)} (${formatBytes(300_000)} of ${formatBytes(1_200_000)})`,
  });
  const over = progressFigures({ kind: 'preview', progress: { bytes: 12, totalBytes: 10, rows: 3 }, elapsed: 1, ended: true });
  assert.equal(over.fraction, 1, 'never more than the whole');
  assert.equal(over.rows, formatCount(3), 'a preview counts rows');
});

test('figures without a size, before any byte, and of jobs', () => {
  const running = progressFigures({ kind: 'preview', progress: { bytes: 0, totalBytes: null, rows: 0 }, elapsed: 50, ended: false });
  assert.equal(running.fraction, null);
  assert.equal(running.progress, 'size unknown');
  assert.equal(running.speed, '–');
  assert.equal(running.valueText, `${formatBytes(0)} received`);
  const ended = progressFigures({ kind: 'preview', progress: { bytes: 5, totalBytes: null, rows: 1 }, elapsed: 50, ended: true });
  assert.equal(ended.progress, '–');
  assert.deepEqual(progressFigures({ kind: 'jobs', progress: { bytes: 9 }, elapsed: 1500, ended: false }), { elapsed: formatDuration(1500) });
});

test('quiet and retry messages', () => {
  assert.equal(quietMessage(0, QUIET_MS), null);
  assert.equal(quietMessage(0, QUIET_MS + 1), 'Waiting for the tenant to answer…');
  assert.equal(quietMessage(10, 4000), `No data for ${formatDuration(4000)}: waiting for the tenant…`);
  assert.match(retryNotice(429), /^The tenant answered 429 Too Many Requests/);
  assert.match(retryNotice(503), /^The tenant answered 503 Service Unavailable/);
  assert.equal(retryNotice(200), null);
  assert.equal(retryNotice(undefined), null);
});

test('the table caption', () => {
  assert.equal(tableNote({ shown: 100, total: 100, more: true, stoppedEarly: true }),
    `First ${formatCount(100)} rows · the file has more (reading stopped after the preview rows)`);
  assert.equal(tableNote({ shown: 100, total: 50_000, more: true, stoppedEarly: false }), `First 100 of ${formatCount(50_000)} rows`);
  assert.equal(tableNote({ shown: 100, total: 2000, more: false, stoppedEarly: false }), `First 100 of ${formatCount(2000)} rows`);
  assert.equal(tableNote({ shown: 40, total: 40, more: false, stoppedEarly: false }), 'All 40 rows');
});

test('rows of a batch, and lines of a chunk', () => {
  const batch = { numRows: 3, columns: () => [Float64Array.of(1, 2, 3), ['a', 'b', 'c']] };
  assert.deepEqual(rowsOf(batch, 2), [[1, 'a'], [2, 'b']]);
  assert.deepEqual(rowsOf(batch, 10), [[1, 'a'], [2, 'b'], [3, 'c']]);
  assert.deepEqual(rowsOf(batch, 0), []);
  const bytes = new TextEncoder().encode('a,b\r\n1,"x\ny"\n2,3');
  assert.equal(countLines(bytes), 3);
  assert.equal(countLines(new Uint8Array(0)), 0);
});

test('the time slicer yields to the event loop only after a slice of work', async () => {
  let clock = 0;
  const slice = timeSlicer(30, () => clock);
  let ticked = false;
  setTimeout(() => { ticked = true; }, 0);
  clock = 29;
  await slice();
  assert.equal(ticked, false, 'within the slice: no macrotask ran');
  clock = 30;
  await slice();
  assert.equal(ticked, true, 'after the slice: the pending timer ran');
  ticked = false;
  setTimeout(() => { ticked = true; }, 0);
  clock = 45;
  await slice();
  assert.equal(ticked, false, 'a new slice starts after the yield');
});
