// The browser benchmark's harness, end to end on tiny files (1 MiB, one run): every contender
// runs in headless Chromium, the parsers' checksums agree, the reports are written. Speed is
// printed by the benchmark, never asserted here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchBrowser, memoryOf, openPage, watchMemory } from './browser.mjs';
import { checkAgreement, checksumDiff, median } from './checks.mjs';
import { CONTENDERS } from './page/contenders.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

test('the browser benchmark runs every contender on 1 MiB files; checksums agree; reports are written', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'qap-bench-'));
  try {
    const out = join(tmp, 'out');
    const r = spawnSync(process.execPath, [join(root, 'bench', 'run.mjs'), '--size', '1', '--runs', '1',
      '--data', join(tmp, 'data'), '--out', out,
      // A second build (here the same one) runs as `package-compare`.
      '--compare', join(root, 'pkg')], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    const files = readdirSync(out);
    const json = files.find((f) => /^browser-.*\.json$/.test(f));
    const html = files.find((f) => /^browser-.*\.html$/.test(f));
    assert.ok(json && html, `reports missing: ${files}`);
    const report = JSON.parse(readFileSync(join(out, json), 'utf8'));
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.failures, []);
    assert.deepEqual(report.datasets.map((d) => d.id), ['shap', 'predictions', 'source']);

    const manifest = JSON.parse(readFileSync(join(tmp, 'data', 'manifest.json'), 'utf8'));
    for (const d of report.datasets) {
      const file = manifest.datasets.find((m) => m.id === d.id);
      assert.ok(d.bytes >= 1048576 && d.bytes === file.bytes, `${d.id}: ${d.bytes} bytes`);
      assert.ok(d.rows > 100, `${d.id}: ${d.rows} rows`);
      const parsers = report.records.filter((x) => x.dataset === d.id && x.kind === 'parser');
      assert.ok(parsers.length >= 4, `${d.id}: ${parsers.length} parser runs`);
      for (const p of parsers) {
        assert.equal(p.rows, d.rows, `${d.id}: ${p.contender}`);
        assert.deepEqual(p.checksum, parsers[0].checksum, `${d.id}: ${p.contender} vs ${parsers[0].contender}`);
        assert.ok(p.ms > 0 && p.firstRowMs >= 0 && p.firstRowMs <= p.ms, `${d.id}: ${p.contender} timings`);
        assert.ok(Number.isFinite(p.rssGrowth) && p.rssBefore > 0, `${d.id}: ${p.contender} RSS`);
      }
      // Every cell was seen: each column's numbers, strings and empties add up to the rows.
      for (const col of parsers[0].checksum.columns) {
        assert.equal(col.num + col.str + col.empty + col.other, d.rows);
      }
      assert.ok(parsers.some((p) => p.contender === 'package-compare'), `${d.id}: the --compare build ran`);
      const pkg = report.records.find((x) => x.dataset === d.id && x.contender === 'package');
      assert.ok(pkg.wasmBytes >= 65536, `${d.id}: wasm memory ${pkg.wasmBytes}`);
      // Each batch's main-thread time, from the run's trace.
      assert.ok(pkg.mainThread.units >= 1 && pkg.mainThread.unitMaxCpuMs > 0, `${d.id}: ${JSON.stringify(pkg.mainThread)}`);
      assert.ok(pkg.firstRowAfterFirstByteMs >= 0, `${d.id}: first row after first byte`);
      for (const id of ['bytes', 'bytes-byob']) assert.equal(report.records.find((x) => x.dataset === d.id && x.contender === id).bytes, d.bytes);
    }
    // A contender the package cannot run yet is listed and printed as not available.
    for (const c of report.contenders.filter((x) => !x.available)) {
      assert.match(c.reason, /not available/);
      assert.ok(r.stdout.includes(`${c.label}: ${c.reason}`), `${c.id} not announced`);
      assert.equal(report.records.filter((x) => x.contender === c.id).length, 0);
    }
    assert.deepEqual(report.contenders.map((c) => c.id), CONTENDERS.map((c) => c.id));
    assert.ok(report.packageSize.files.some((f) => f.name.endsWith('.wasm') && f.role === 'page' && f.gzip > 0));
    assert.ok(report.packageSize.files.some((f) => f.name === 'worker.js' && f.role === 'worker'));
    assert.match(r.stdout, /this package: a page loads wasm [\d.]+ KB \+ JavaScript [\d.]+ KB = [\d.]+ KB gzip .*: (within|OVER) the 60\.0 KB budget/);
    assert.ok(report.summary.some((s) => s.contender === 'udsv' && s.vsBase === 1));
    // The CPU-time ratio, for the main thread's parsers only.
    for (const s of report.summary.filter((x) => x.available)) {
      const main = s.kind === 'parser' && !s.contender.startsWith('package-worker');
      assert.equal(Number.isFinite(s.vsBaseCpu) && s.vsBaseCpu > 0, main, `${s.dataset} ${s.contender}: ${s.vsBaseCpu}`);
    }

    const page = readFileSync(join(out, html), 'utf8');
    assert.match(page, /<svg[^>]*>[\s\S]*<rect/);
    assert.doesNotMatch(page, /<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    for (const c of report.contenders) assert.ok(page.includes(c.label.replace(/&/g, '&amp;')), c.label);
    assert.match(r.stdout, /this package \(main thread\)\s+\d/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the memory pass streams each file size on the main thread and in Worker mode, batches kept or released, and reports the growth', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'qap-bench-'));
  try {
    const out = join(tmp, 'out');
    const r = spawnSync(process.execPath, [join(root, 'bench', 'run.mjs'), '--runs', '0', '--memory', '--memory-sizes', '1,2',
      '--datasets', 'predictions', '--memory-data', join(tmp, 'data'), '--out', out], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    const report = JSON.parse(readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.json'))), 'utf8'));
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.records, []);
    assert.deepEqual(report.memory.rows.map((x) => x.contender), ['package', 'package-release', 'package-worker', 'package-worker-release']);
    for (const row of report.memory.rows) {
      assert.deepEqual(row.bySize.map((b) => [b.sizeMiB, b.runs]), [[1, 1], [2, 1]]);
      assert.ok(row.bySize.every((b) => Number.isFinite(b.rssGrowthBytes)), JSON.stringify(row));
      assert.equal(row.beyondSmallestBytes, row.bySize[1].rssGrowthBytes - row.bySize[0].rssGrowthBytes);
    }
    assert.equal(report.memoryRecords.length, 8);
    assert.ok(report.memoryRecords.every((x) => x.rows > 1000 && x.checksum), 'rows read and checksummed');
    assert.match(r.stdout, /memory: the renderer's RSS growth/);
    assert.match(readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.html'))), 'utf8'), /Memory: renderer RSS growth/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the renderer process found for a page is the one whose memory grows when the page allocates', async () => {
  const { startBenchServer } = await import('./server.mjs');
  const server = await startBenchServer({ datasets: [] });
  const chrome = await launchBrowser();
  try {
    for (let i = 0; i < 2; i++) {
      const p = await openPage(chrome, `${server.url}/index.html`);
      try {
        const mem = watchMemory(p.pid);
        // 64 MiB, every page written, kept alive until after the reading.
        await p.page.evaluate(() => { window.held = new Uint8Array(64 << 20).fill(1); });
        const m = mem.stop();
        assert.ok(m.peak - m.before >= 48 << 20, `renderer ${p.pid}: RSS ${m.before} -> ${m.peak}`);
        assert.ok(memoryOf(p.pid).rss >= m.before + (48 << 20));
      } finally {
        await p.close();
      }
    }
  } finally {
    await chrome.close();
    await server.close();
  }
});

test('checkAgreement reports differing checksums, wrong row counts and short reads', () => {
  const datasets = [{ id: 'd', bytes: 100, rows: 2 }];
  const sum = (s) => ({ rows: 2, columns: [{ num: 2, sum: s, str: 0, len: 0, empty: 0, other: 0 }] });
  const ok = [
    { dataset: 'd', contender: 'a', kind: 'parser', run: 0, rows: 2, checksum: sum(0.3) },
    { dataset: 'd', contender: 'b', kind: 'parser', run: 0, rows: 2, checksum: sum(0.3) },
    { dataset: 'd', contender: 'bytes', kind: 'baseline', run: 0, bytes: 100, chars: null },
    { dataset: 'd', contender: 'text', kind: 'baseline', run: 0, bytes: null, chars: 90 },
  ];
  assert.deepEqual(checkAgreement(ok, datasets), []);
  // 0.1 + 0.2 !== 0.3: a sum in another order is a mismatch, by design (every parser sums in row order).
  const bad = [
    ...ok,
    { dataset: 'd', contender: 'c', kind: 'parser', run: 0, rows: 2, checksum: sum(0.1 + 0.2) },
    { dataset: 'd', contender: 'e', kind: 'parser', run: 0, rows: 1, checksum: { ...sum(0.3), rows: 1 } },
    { dataset: 'd', contender: 'bytes', kind: 'baseline', run: 1, bytes: 99, chars: null },
    { dataset: 'd', contender: 'text', kind: 'baseline', run: 1, bytes: null, chars: 91 },
    { dataset: 'd', contender: 'f', kind: 'parser', run: 0, error: 'boom' },
  ];
  const problems = checkAgreement(bad, datasets);
  assert.equal(problems.length, 5, problems.join('\n'));
  assert.match(problems[0], /c run 0: checksum differs from a run 0: column 0 sum/);
  assert.match(problems[1], /e run 0: 1 rows, the file has 2/);
  assert.match(problems[2], /rows 2 vs 1/);
  assert.match(problems[3], /read 99 bytes, the file has 100/);
  assert.match(problems[4], /decoded 91 characters, another run 90/);
  assert.deepEqual(checksumDiff(sum(1), sum(1)), []);
  assert.equal(median([3, 1, null, 2, NaN]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(median([]), null);
});

test('mainThreadFigures: each unit\'s main-thread time between the marks, in wall and CPU time', async () => {
  const { mainThreadFigures } = await import('./trace.mjs');
  const pid = 7;
  const tid = 9;
  const x = (ts, dur, tdur, name = 'ThreadControllerImpl::RunTask', t = tid) => ({ pid, tid: t, ph: 'X', cat: 'toplevel', name, ts, dur, tdur });
  const mark = (name, ts) => ({ pid, tid, ph: 'I', cat: 'blink.user_timing', name, ts });
  const trace = { traceEvents: [
    { pid, tid, ph: 'M', name: 'thread_name', args: { name: 'CrRendererMain' } },
    mark('bench-start', 1000),
    x(1000, 2000, 1000), // a task, half of it on the CPU, with a nested event: counted once
    x(1500, 500, 500, 'v8.callFunction'),
    x(3010, 490, 490, 'BlinkScheduler_PerformMicrotaskCheckpoint'), // the same stretch as the task
    mark('bench-unit', 3500),
    x(10000, 2000, 2000), // half in unit 1, half in unit 2
    mark('bench-unit', 11000),
    x(15000, 1000, 1000, 'ThreadControllerImpl::RunTask', 99), // another thread: not counted
    x(16000, 1500, 1500), // two tasks 5 µs apart (a yield between them): two stretches
    x(17505, 1500, 1500),
    mark('bench-unit', 21000),
    mark('bench-end', 30000),
    x(40000, 9000, 9000), // after the end
  ] };
  const f = mainThreadFigures(trace, pid);
  assert.equal(f.units, 3);
  assert.equal(f.unitMaxMs, 4);
  assert.equal(f.unitMaxCpuMs, 4);
  assert.deepEqual(f.worstUnits.map((u) => [u.index, u.ms, u.cpuMs]), [[2, 4, 4], [0, 2.49, 1.49], [1, 1, 1]]);
  assert.equal(f.longestTaskMs, 2.5, 'a task and its microtask checkpoint are one stretch, two tasks two');
  assert.equal(f.busyMs, 7.49);
  assert.equal(f.busyCpuMs, 6.49);
  assert.equal(mainThreadFigures({ traceEvents: [] }, pid), null);
});
