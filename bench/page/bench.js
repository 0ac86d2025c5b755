// The benchmark page: loads the package (its wasm included) and the other parsers once, then
// runs one contender on one dataset per call of `window.bench.run`. The harness opens a fresh
// page for every run, so no run inherits another's heap, wasm memory or caches.
import init, * as pkg from '/pkg/index.js';
import { CONTENDERS } from './contenders.js';

const libs = { pkg, uDSV: globalThis.uDSV, Papa: globalThis.Papa, d3: globalThis.d3 };

// The second build (`--compare DIR`, served at /pkg-compare/), loaded by the page that runs it.
async function compared() {
  const lib = await import('/pkg-compare/index.js');
  return { lib, exports: await lib.default() };
}

async function run(id, dataset) {
  const contender = CONTENDERS.find((c) => c.id === id);
  if (!contender) throw new Error(`no contender ${id}`);
  let exports = await init();
  let runLibs = libs;
  if (contender.compare) {
    const other = await compared();
    exports = other.exports;
    runLibs = { ...libs, pkg: other.lib };
  }
  const path = `/api/v1/automl-predictions/bench/${dataset}`;
  const url = new URL(path, location.href).href;
  let firstRow = null;
  const ctx = {
    libs: runLibs, dataset, url, predictionId: 'bench',
    firstRow() { if (firstRow === null) firstRow = performance.now(); },
    // The consumer is done with a unit (a batch, a chunk): a mark in the trace (bench/trace.mjs).
    unitDone() {
      performance.mark('bench-unit');
      performance.clearMarks('bench-unit');
    },
  };
  const wasmBefore = exports.memory.buffer.byteLength;
  performance.mark('bench-start');
  const start = performance.now();
  const result = await contender.run(ctx);
  const end = performance.now();
  performance.mark('bench-end');
  performance.clearMarks();
  // The request's first byte (Resource Timing; absent when the request ran in a Worker).
  const timing = await resourceTiming(url);
  const firstByte = timing && timing.responseStart > 0 ? timing.responseStart : null;
  return {
    ms: end - start,
    rows: result.rows,
    bytes: result.bytes ?? null,
    chars: result.chars ?? null,
    checksum: result.checksum ? result.checksum.toJSON() : null,
    firstRowMs: firstRow === null ? null : firstRow - start,
    // Epoch milliseconds, for a first byte the harness learns from the browser (a Worker's request).
    startEpochMs: performance.timeOrigin + start,
    firstRowEpochMs: firstRow === null ? null : performance.timeOrigin + firstRow,
    firstRowAfterFirstByteMs: firstRow === null || firstByte === null ? null : firstRow - firstByte,
    firstByteMs: firstByte === null ? null : firstByte - start,
    wasmBytesBefore: contender.wasmMemory ? wasmBefore : null,
    wasmBytes: contender.wasmMemory ? exports.memory.buffer.byteLength : null,
  };
}

/** The Resource Timing entry of `url`, which is queued shortly after its body ends; or null. */
async function resourceTiming(url, waitMs = 1000) {
  const until = performance.now() + waitMs;
  for (;;) {
    const entry = performance.getEntriesByName(url).at(-1);
    if (entry || performance.now() > until) return entry ?? null;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Holds `mib` MiB, every page written (0 releases them): the harness finds this page's renderer
 * process by the RSS this adds.
 */
let held = null;
function probe(mib) {
  held = mib > 0 ? new Uint8Array(mib << 20).fill(1) : null;
  return held ? held.length : 0;
}

window.bench = { ready: init().then(() => true), run, probe, gc: () => globalThis.gc?.() };
