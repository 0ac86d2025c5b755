// The browser benchmark: streams generated CSV files from a loopback server into headless
// Chromium and parses them with this package and other JavaScript CSV parsers, each in a fresh
// page, runs interleaved; prints a table and writes a JSON and an HTML report.
// Expects the built package (pkg/) and Chromium: `npm run bench` (scripts/bench.mjs) sees to both.
// `node bench/run.mjs --help` lists the options.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { packageSize as packageSizeOf } from '../scripts/bundle-js.mjs';
import { launchBrowser, openPage, watchMemory } from './browser.mjs';
import { checkAgreement, median } from './checks.mjs';
import { DATASETS, ensureData } from './data.mjs';
import { CONTENDERS } from './page/contenders.js';
import { renderHtml, renderText } from './report.mjs';
import { LIBRARIES, startBenchServer } from './server.mjs';
import { TRACE_CATEGORIES, mainThreadFigures } from './trace.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `Usage: node bench/run.mjs [options]   (npm run bench -- [options])

  --size MIB         size of each generated file in MiB (default 100)
  --runs N           measured runs per dataset and contender, medians reported (default 5)
  --datasets LIST    comma-separated, of: ${DATASETS.map((d) => d.id).join(', ')} (default: all)
  --contenders LIST  comma-separated, of: ${CONTENDERS.map((c) => c.id).join(', ')} (default: all)
  --data DIR         where the generated files live (default bench-data/browser-<size>mib)
  --out DIR          where the reports go (default bench-results)
  --pkg DIR          the package build to load (default pkg/), e.g. one that keeps the wasm
                     name section so CPU profiles name wasm functions
  --compare DIR      a second build of the package (node scripts/build.mjs --out DIR), run as
                     the contender package-compare beside package: two builds in one run
  --profile          after the measured runs, one more run of each parser per dataset under
                     Chromium's CPU profiler; writes .cpuprofile files and prints where time goes
  --memory           after the measured runs (--runs 0: instead of them), the memory pass: the
                     renderer's RSS growth streaming each dataset at every --memory-sizes size,
                     on the main thread and in Worker mode (files in bench-data/browser-<size>mib)
  --memory-sizes L   comma-separated sizes in MiB for --memory (default 10,1024)
  --memory-runs N    runs per size, dataset and contender of the memory pass (default 1)
  --memory-contenders L  the parsers of the memory pass (default package,package-release,
                     package-worker,package-worker-release)
  --memory-data DIR  where the memory pass's files live (default bench-data), in browser-<size>mib/
  -h, --help         this text
`;

function fail(message) {
  console.error(`[bench] ${message}`);
  process.exit(2);
}

const { values: opts } = parseArgs({
  options: {
    size: { type: 'string', default: '100' },
    runs: { type: 'string', default: '5' },
    datasets: { type: 'string' },
    contenders: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    pkg: { type: 'string' },
    compare: { type: 'string' },
    profile: { type: 'boolean', default: false },
    memory: { type: 'boolean', default: false },
    'memory-sizes': { type: 'string', default: '10,1024' },
    'memory-runs': { type: 'string', default: '1' },
    'memory-contenders': { type: 'string', default: 'package,package-release,package-worker,package-worker-release' },
    'memory-data': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const mib = Number(opts.size);
if (!(mib > 0)) fail(`--size must be a positive number of MiB, got ${opts.size}`);
const runs = Number(opts.runs);
if (!Number.isInteger(runs) || runs < (opts.memory ? 0 : 1)) {
  fail(`--runs must be a whole number >= 1 (0 with --memory), got ${opts.runs}`);
}
const memorySizes = opts['memory-sizes'].split(',').map(Number);
if (!memorySizes.every((x) => x > 0)) fail(`--memory-sizes must be sizes in MiB, got ${opts['memory-sizes']}`);
const memoryRuns = Number(opts['memory-runs']);
if (!Number.isInteger(memoryRuns) || memoryRuns < 1) fail(`--memory-runs must be a whole number >= 1, got ${opts['memory-runs']}`);
const pick = (list, arg, what) => {
  if (!arg) return list;
  const ids = arg.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) if (!list.some((x) => x.id === id)) fail(`unknown ${what} ${id}`);
  return list.filter((x) => ids.includes(x.id));
};
const datasetIds = pick(DATASETS, opts.datasets, 'dataset').map((d) => d.id);
const chosen = pick(CONTENDERS, opts.contenders, 'contender');
const dataDir = resolve(opts.data ?? join(root, 'bench-data', `browser-${mib}mib`));
const outDir = resolve(opts.out ?? join(root, 'bench-results'));
const pkgDir = resolve(opts.pkg ?? join(root, 'pkg'));
const compareDir = opts.compare ? resolve(opts.compare) : null;
if (compareDir && !existsSync(join(compareDir, 'index.js'))) fail(`--compare: no package build in ${compareDir}`);
const memoryChosen = opts.memory ? pick(CONTENDERS, opts['memory-contenders'], 'contender') : [];

// The package's ClientConfig options, from its declarations (declared beside the Rust code that
// reads them, in the glue's .d.ts, which index.d.ts re-exports): a contender that needs an option
// the package does not have yet (Worker mode) is listed as not available, never dropped silently.
// Likewise a RecordBatch method (`release`).
const dts = ['index.d.ts', 'qlik_automl_predictions.d.ts']
  .filter((f) => existsSync(join(pkgDir, f))).map((f) => readFileSync(join(pkgDir, f), 'utf8')).join('\n');
function declaredIn(kind, name) {
  const block = new RegExp(`${kind}\\s*\\{([\\s\\S]*?)\\n\\}`).exec(dts)?.[1] ?? '';
  return new Set([...block.matchAll(/^\s*(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*[:(]/gm)].map((m) => m[1])).has(name);
}
function missing(c) {
  if (c.compare && !compareDir) return 'not available: no second build given (--compare DIR)';
  if (c.requires && !declaredIn('interface ClientConfig', c.requires)) {
    return `not available: the package has no ClientConfig option \`${c.requires}\` (pkg/*.d.ts)`;
  }
  if (c.requiresMethod && !declaredIn('class RecordBatch', c.requiresMethod)) {
    return `not available: the package's RecordBatch has no \`${c.requiresMethod}()\` (pkg/*.d.ts)`;
  }
  return null;
}
const contenders = chosen.map((c) => ({ ...c, available: !missing(c), reason: missing(c) }));
const active = contenders.filter((c) => c.available);
for (const c of contenders) if (!c.available) console.log(`[bench] ${c.label}: ${c.reason}`);
const memoryContenders = memoryChosen.filter((c) => !missing(c));

function sizeOf(file) {
  const bytes = readFileSync(file);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** The package's shipped files (wasm + JS), raw and gzip, and what a page loads against the budget, as the build prints them. */
function packageSize() {
  return packageSizeOf(pkgDir);
}

function librarySizes() {
  return Object.values(LIBRARIES).map((l) => {
    const version = JSON.parse(readFileSync(join(root, 'node_modules', l.pkg, 'package.json'), 'utf8')).version;
    return { name: l.name, version, file: basename(l.file), ...sizeOf(l.file) };
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

const fmt = (x, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));

/**
 * One measured run of contender `c` on dataset `d`, in a fresh page, traced (bench/trace.mjs) for
 * each unit's main-thread time.
 */
async function measure(chrome, url, c, d, run, { trace = true } = {}) {
  const rec = { dataset: d.id, contender: c.id, kind: c.kind, run };
  const timeoutMs = 120_000 + d.bytes / 1048576 * 1000;
  let p;
  let tracing = false;
  try {
    p = await openPage(chrome, `${url}/index.html`);
    // The data request as the browser saw it, a Worker's included (Resource Timing does not
    // reach the page from a Worker).
    const requests = [];
    p.context.on('requestfinished', (r) => { if (r.url().includes('/api/')) requests.push(r); });
    await p.page.evaluate(() => window.bench.gc());
    if (trace) {
      await chrome.browser.startTracing(p.page, { categories: TRACE_CATEGORIES });
      tracing = true;
    }
    const mem = watchMemory(p.pid);
    try {
      Object.assign(rec, await withTimeout(
        p.page.evaluate(([id, ds]) => window.bench.run(id, ds), [c.id, d.id]), timeoutMs, `${c.id} on ${d.id}`));
    } finally {
      const m = mem.stop();
      Object.assign(rec, { rssBefore: m.before, rssPeak: m.peak, rssAfter: m.after, rssGrowth: m.peak - m.before,
        rssPeakSource: m.peakSource });
    }
    if (tracing) {
      tracing = false;
      const events = JSON.parse((await chrome.browser.stopTracing()).toString('utf8'));
      Object.assign(rec, { mainThread: mainThreadFigures(events, p.pid) });
    }
    if (rec.firstRowAfterFirstByteMs === null && rec.firstRowEpochMs !== null && requests.length) {
      const t = requests[0].timing();
      if (t.responseStart >= 0) rec.firstRowAfterFirstByteMs = rec.firstRowEpochMs - (t.startTime + t.responseStart);
    }
    if (p.errors.length) throw p.errors[0];
  } catch (e) {
    rec.error = String(e?.message ?? e).split('\n')[0];
  } finally {
    if (tracing) await chrome.browser.stopTracing().catch(() => {});
    await p?.close();
  }
  return rec;
}

// Categories of a CPU profile's self time.
function category(frame) {
  const { functionName: fn, url } = frame;
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)') return 'browser (program)';
  if (url.startsWith('wasm://') || url.endsWith('.wasm')) return 'package wasm';
  if (url.includes('/pkg/') || url.includes('/pkg-compare/')) return 'package JS';
  if (url.includes('/lib/')) return 'library JS';
  if (url.endsWith('/contenders.js') || url.endsWith('/bench.js')) return 'benchmark (checksum)';
  if (!url && fn === '(anonymous)') return 'code without a script (new Function)';
  return 'built-ins and other';
}

/** Self time per category and the top functions of a V8 CPU profile. */
function summarizeProfile(profile) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const categories = {};
  const functions = new Map();
  let total = 0;
  for (const [id, ms] of self) {
    const frame = byId.get(id).callFrame;
    const cat = category(frame);
    categories[cat] = (categories[cat] ?? 0) + ms;
    total += ms;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url ? basename(frame.url) : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const top = [...functions].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([name, ms]) => ({ name, ms }));
  return { totalMs: total, categories, top };
}

async function profileRun(chrome, url, c, d, dir) {
  const p = await openPage(chrome, `${url}/index.html`);
  try {
    const cdp = await p.context.newCDPSession(p.page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await p.page.evaluate(() => window.bench.gc());
    await cdp.send('Profiler.start');
    const result = await p.page.evaluate(([id, ds]) => window.bench.run(id, ds), [c.id, d.id]);
    const { profile } = await cdp.send('Profiler.stop');
    const file = join(dir, `${d.id}-${c.id}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return { dataset: d.id, contender: c.id, file, ms: result.ms, ...summarizeProfile(profile) };
  } finally {
    await p.close();
  }
}

const started = new Date();
const stamp = started.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
const manifest = runs > 0 ? await ensureData(dataDir, mib) : { datasets: [] };
const datasets = manifest.datasets.filter((d) => datasetIds.includes(d.id));
// The memory pass's files, generated before the browser starts.
const memoryData = [];
for (const size of opts.memory ? memorySizes : []) {
  const m = await ensureData(join(resolve(opts['memory-data'] ?? join(root, 'bench-data')), `browser-${size}mib`), size);
  memoryData.push({ size, datasets: m.datasets.filter((d) => datasetIds.includes(d.id)) });
}
const loadBefore = os.loadavg();
const chrome = await launchBrowser();
const server = await startBenchServer({ datasets, pkgDir, compareDir });
const records = [];
const profiles = [];
const memoryRecords = [];
try {
  console.log(`[bench] Chromium ${chrome.version}; ${runs} run(s) x ${datasets.length} dataset(s) x ` +
    `${active.length} contender(s), each in a fresh page, order rotated every run`);
  for (let run = 0; run < runs; run++) {
    for (const d of datasets) {
      const order = active.map((_, i) => active[(i + run) % active.length]);
      for (const c of order) {
        const r = await measure(chrome, server.url, c, d, run);
        records.push(r);
        const what = `[bench] run ${run + 1}/${runs} ${d.id.padEnd(11)} ${c.id.padEnd(14)}`;
        if (r.error) {
          console.log(`${what} FAILED: ${r.error}`);
        } else {
          console.log(`${what} ${fmt(d.bytes / 1048576 / (r.ms / 1000)).padStart(7)} MiB/s  ` +
            `first row ${fmt(r.firstRowMs)} ms (${fmt(r.firstRowAfterFirstByteMs)} from 1st byte)  ` +
            `max unit ${fmt(r.mainThread?.unitMaxCpuMs)} ms cpu  RSS +${fmt(r.rssGrowth / 1048576, 0)} MiB`);
        }
      }
    }
  }
  if (opts.profile) {
    const dir = join(outDir, `profiles-${stamp}`);
    mkdirSync(dir, { recursive: true });
    for (const d of datasets) {
      for (const c of active.filter((x) => x.kind === 'parser')) {
        if (c.requires) {
          console.log(`[bench] profile: ${c.id} runs in a Worker, which the page's profiler does not see; skipped`);
          continue;
        }
        const prof = await profileRun(chrome, server.url, c, d, dir);
        profiles.push(prof);
      }
    }
  }
  if (opts.memory) {
    console.log(`[bench] memory pass: ${memoryContenders.map((c) => c.id).join(', ')} at ${memorySizes.join(', ')} MiB, ` +
      `${memoryRuns} run(s) each, untraced`);
    for (const { size, datasets: sized } of memoryData) {
      const memServer = await startBenchServer({ datasets: sized, pkgDir, compareDir });
      try {
        for (let run = 0; run < memoryRuns; run++) {
          for (const d of sized) {
            for (const c of memoryContenders) {
              const r = await measure(chrome, memServer.url, c, d, run, { trace: false });
              memoryRecords.push({ ...r, sizeMiB: size, fileBytes: d.bytes });
              const what = `[bench] memory ${String(size).padStart(5)} MiB ${d.id.padEnd(11)} ${c.id.padEnd(14)}`;
              console.log(r.error ? `${what} FAILED: ${r.error}` : `${what} RSS +${fmt(r.rssGrowth / 1048576, 0)} MiB` +
                `${r.wasmBytes ? `  wasm ${fmt(r.wasmBytes / 1048576)} MiB` : ''}  ${fmt(d.bytes / 1048576 / (r.ms / 1000))} MiB/s`);
            }
          }
        }
      } finally {
        await memServer.close();
      }
    }
  }
} finally {
  await server.close();
  await chrome.close();
}

// Medians per dataset and contender; ratios to the ratio base (uDSV) paired run by run.
const base = active.find((c) => c.ratioBase);
const summary = [];
for (const d of datasets) {
  for (const c of contenders) {
    if (!c.available) {
      summary.push({ dataset: d.id, contender: c.id, label: c.label, kind: c.kind, available: false, reason: c.reason });
      continue;
    }
    const ok = records.filter((r) => r.dataset === d.id && r.contender === c.id && !r.error);
    const failed = records.filter((r) => r.dataset === d.id && r.contender === c.id && r.error);
    const ms = median(ok.map((r) => r.ms));
    // Each run paired with the ratio base's run of the same round.
    const paired = base ? ok.map((r) => [r, records.find((x) => x.dataset === d.id && x.contender === base.id && x.run === r.run && !x.error)])
      .filter(([, b]) => b) : [];
    const ratios = paired.map(([r, b]) => b.ms / r.ms);
    // The same on the main thread's CPU time (the trace's), which the other processes of a
    // loaded machine disturb less than wall time; not for a Worker's contender, whose work the
    // page's thread does not see.
    const cpuRatios = !c.requires && c.kind === 'parser'
      ? paired.map(([r, b]) => b.mainThread?.busyCpuMs / r.mainThread?.busyCpuMs).filter((x) => Number.isFinite(x) && x > 0) : [];
    summary.push({
      dataset: d.id, contender: c.id, label: c.label, kind: c.kind, available: true,
      runs: ok.length, failedRuns: failed.length, errors: [...new Set(failed.map((r) => r.error))],
      ms,
      mibPerSec: ms ? d.bytes / 1048576 / (ms / 1000) : null,
      rowsPerSec: ms && c.kind === 'parser' ? d.rows / (ms / 1000) : null,
      firstRowMs: median(ok.map((r) => r.firstRowMs)),
      firstRowAfterFirstByteMs: median(ok.map((r) => r.firstRowAfterFirstByteMs)),
      rssGrowthBytes: median(ok.map((r) => r.rssGrowth)),
      unitMaxMs: median(ok.map((r) => r.mainThread?.unitMaxMs)),
      unitMaxCpuMs: median(ok.map((r) => r.mainThread?.unitMaxCpuMs)),
      unitMaxCpuWorstMs: ok.some((r) => Number.isFinite(r.mainThread?.unitMaxCpuMs))
        ? Math.max(...ok.map((r) => r.mainThread?.unitMaxCpuMs).filter(Number.isFinite)) : null,
      unitP99CpuMs: median(ok.map((r) => r.mainThread?.unitP99CpuMs)),
      units: median(ok.map((r) => r.mainThread?.units)),
      longestTaskMs: median(ok.map((r) => r.mainThread?.longestTaskMs)),
      mainThreadBusyMs: median(ok.map((r) => r.mainThread?.busyMs)),
      mainThreadCpuMs: median(ok.map((r) => r.mainThread?.busyCpuMs)),
      wasmBytes: c.wasmMemory ? Math.max(...ok.map((r) => r.wasmBytes ?? 0)) : null,
      vsBase: median(ratios),
      vsBaseCpu: cpuRatios.length ? median(cpuRatios) : null,
      bestMs: ok.length ? Math.min(...ok.map((r) => r.ms)) : null,
    });
  }
}

// The memory pass: per dataset and contender, the median RSS growth at each size, and the growth
// at the largest size beyond the smallest's (the memory that depends on the file's size).
const MEMORY_LIMIT_MIB = 64;
const memory = opts.memory ? {
  sizesMiB: memorySizes,
  limitMiB: MEMORY_LIMIT_MIB,
  rows: datasetIds.flatMap((id) => memoryContenders.map((c) => {
    const bySize = memorySizes.map((size) => {
      const ok = memoryRecords.filter((r) => r.dataset === id && r.contender === c.id && r.sizeMiB === size && !r.error);
      return {
        sizeMiB: size, runs: ok.length, rssGrowthBytes: median(ok.map((r) => r.rssGrowth)),
        wasmBytes: c.wasmMemory ? median(ok.map((r) => r.wasmBytes)) : null,
        mibPerSec: median(ok.map((r) => r.fileBytes / 1048576 / (r.ms / 1000))),
      };
    });
    const small = bySize[0]?.rssGrowthBytes;
    const large = bySize.at(-1)?.rssGrowthBytes;
    const beyond = Number.isFinite(small) && Number.isFinite(large) ? large - small : null;
    return { dataset: id, contender: c.id, label: c.label, bySize, beyondSmallestBytes: beyond,
      withinLimit: beyond === null ? null : beyond <= MEMORY_LIMIT_MIB * 1048576 };
  })),
} : null;

const problems = [
  ...checkAgreement(records, datasets),
  ...memoryData.flatMap(({ size, datasets: sized }) => checkAgreement(memoryRecords.filter((r) => r.sizeMiB === size), sized)
    .map((p) => `memory pass, ${size} MiB: ${p}`)),
];
const failures = [...records, ...memoryRecords].filter((r) => r.error)
  .map((r) => `${r.dataset}${r.sizeMiB ? ` (${r.sizeMiB} MiB)` : ''}: ${r.contender} run ${r.run}: ${r.error}`);
const finished = new Date();
const report = {
  date: started.toISOString(),
  durationSeconds: (finished - started) / 1000,
  machine: {
    cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memoryBytes: os.totalmem(),
    platform: `${os.type()} ${os.release()} ${os.arch()}`, node: process.version, chromium: chrome.version,
    loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg(),
  },
  options: { sizeMiB: mib, runs, pkg: pkgDir, datasets: datasetIds, contenders: chosen.map((c) => c.id), profile: opts.profile,
    memory: opts.memory ? { sizesMiB: memorySizes, runs: memoryRuns, contenders: memoryContenders.map((c) => c.id) } : null },
  definitions: {
    time: 'from just before fetch() (or client.stream()) until every value has been touched',
    mibPerSec: 'file bytes / 2^20 / median time',
    rowsPerSec: 'data rows / median time',
    firstRowMs: 'from just before fetch() (or client.stream()) to the first data row held by the parser\'s consumer',
    firstRowAfterFirstByteMs: 'from the response\'s first byte (Resource Timing responseStart; in Worker mode the browser\'s timing of the Worker\'s request, as Playwright reports it) to the first data row',
    unitMaxMs: 'the main thread\'s time spent on the most costly unit of output (a batch of this package, a chunk of uDSV or PapaParse): the wall time of the tasks run between the consumer finishing the unit before and finishing this one (Chromium trace); median over runs of each run\'s maximum',
    unitMaxCpuMs: 'the same in the main thread\'s CPU time (the trace\'s thread time: what other processes take from the thread on a loaded machine left out); median over runs of each run\'s maximum; unitMaxCpuWorstMs the largest of any run',
    longestTaskMs: 'the longest main-thread task during the run (median over runs)',
    rssGrowthBytes: 'peak renderer RSS during the run minus its RSS just before (after a forced GC)',
    wasmBytes: 'the package\'s wasm memory after the run (it never shrinks, so this is its peak)',
    memory: 'the memory pass (--memory): the renderer\'s RSS growth (as rssGrowthBytes, one untraced run in a fresh page) streaming each dataset at each size, main thread and Worker mode (a dedicated Worker runs in the page\'s renderer process); beyondSmallestBytes is the growth at the largest size minus that at the smallest, which the target bounds at 64 MiB',
    vsBase: `median over runs of ${base ? base.label : 'the base'} time / this contender's time in the same run (> 1: faster)`,
    vsBaseCpu: 'the same ratio on the main thread\'s CPU time during the run (from the trace); null for Worker mode and baselines',
  },
  packageSize: packageSize(),
  librarySizes: librarySizes(),
  datasets: datasets.map(({ id, label, file, bytes, rows }) => ({ id, label, file, bytes, rows })),
  contenders: contenders.map(({ id, label, kind, available, reason }) => ({ id, label, kind, available, reason })),
  base: base?.id ?? null,
  summary,
  problems,
  failures,
  profiles,
  memory,
  records,
  memoryRecords,
};

mkdirSync(outDir, { recursive: true });
const jsonFile = join(outDir, `browser-${stamp}.json`);
const htmlFile = join(outDir, `browser-${stamp}.html`);
writeFileSync(jsonFile, JSON.stringify(report, null, 2) + '\n');
writeFileSync(htmlFile, renderHtml(report));
console.log('\n' + renderText(report));
console.log(`[bench] report: ${jsonFile}\n[bench] report: ${htmlFile}`);
console.log(`[bench] took ${fmt(report.durationSeconds / 60)} min`);
if (problems.length) {
  console.error('\n[bench] !!!!!!!! CHECKSUM MISMATCH: the contenders did not read the same data !!!!!!!!');
  for (const p of problems) console.error(`[bench]   ${p}`);
}
if (failures.length) {
  console.error('\n[bench] FAILED RUNS:');
  for (const f of failures) console.error(`[bench]   ${f}`);
}
process.exit(problems.length || failures.length ? 1 : 0);
