// The live wasm instance: loaded once by init(), and made again, from the compiled module and
// with fresh memory, by the first call after an instance failed (instance.js).
import { createBindings } from './qlik_automl_predictions.js';
import { Instance } from './instance.js';
import { spares } from './spares.js';

let compiled = null; // the WebAssembly.Module, once init() has loaded it
let current = null; // the live Instance
let firstExports = null;
let instances = 0;
let ready = null;

function make() {
  return new Instance(createBindings, (dead) => { if (current === dead) current = null; });
}

/** The live instance, instantiating the compiled module again after a failure. */
export function live() {
  if (current) return current;
  if (!compiled) throw new Error('qlik-automl-predictions: await init() before creating a client');
  const instance = make();
  instance.bindings.initSync({ module: compiled });
  instances += 1;
  current = instance;
  return instance;
}

const warmUps = [];

/**
 * The few CSV rows the warm-ups parse (client.js's on the page, worker.js's in Worker mode's
 * Worker): numbers short and long, a quoted field, text beyond ASCII.
 */
export const WARM_UP_CSV = 'id,p,label\r\nA1,0.5,"x, y"\r\nA2,-1.25e-3,z\r\nA3,0.12345678901234567,\u00e9t\u00e9\r\n';

/**
 * Registers `run`, called once the module is first instantiated, to run what a page's first
 * call runs (engines compile a function when it is first called; client.js registers a client
 * and a small in-memory parse, worker.js the same in its Worker). What it throws is ignored:
 * the calls report their own failures.
 */
export function warmUpWith(run) {
  warmUps.push(run);
}

function adopt(instance, exports) {
  // The decoder's code compiled now, not when the first chunk of a body arrives.
  instance.bindings.Reader.warmUp();
  compiled = instance.bindings.module();
  current = instance;
  firstExports = exports;
  instances += 1;
  ready = Promise.resolve(exports);
  for (const run of warmUps.splice(0)) {
    try {
      run();
    } catch {
      // See warmUpWith.
    }
  }
  return exports;
}

// Node's fetch cannot read file: URLs, so there the .wasm beside this module is read with
// node:fs. Browsers and bundlers keep wasm-bindgen's own `new URL(…, import.meta.url)` fetch;
// `import.meta` is read only here, when init() is called without an argument in Node, so a
// bundle that has no `import.meta` (an IIFE) works when init is given the wasm.
const FS_MODULE = 'node:fs/promises';

async function nodeDefaultModule() {
  const url = new URL('qlik_automl_predictions_bg.wasm', import.meta.url);
  if (url.protocol !== 'file:') return undefined;
  const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ FS_MODULE);
  return { module_or_path: await readFile(url) };
}

function isNode() {
  return typeof globalThis.process?.versions?.node === 'string' && typeof globalThis.document === 'undefined';
}

/** The compiled module, which Worker mode's Worker instantiates too (null before init()). */
export function compiledModule() {
  return compiled;
}

// Worker mode's figures for __internals: told by worker-mode.js once it imports remote.js, which
// this module does not import (the Worker itself loads this module, and must not load remote.js).
let workerFigures = { count: () => 0, stats: async () => null };

/** Sets where `__internals.workers()` and `workerStats()` read Worker mode's figures. */
export function reportWorkersWith(figures) {
  workerFigures = figures;
}

/**
 * Loads and instantiates the wasm module (idempotent). Resolves to the module's exports.
 * Takes what wasm-bindgen's init takes: nothing (the .wasm beside this file: fetched in
 * browsers, read from disk in Node), or `{ module_or_path }` with a URL, Response,
 * BufferSource or WebAssembly.Module.
 */
export default function init(moduleOrPath) {
  if (!ready) {
    const instance = make();
    const input = moduleOrPath === undefined && isNode() ? nodeDefaultModule() : Promise.resolve(moduleOrPath);
    ready = input.then((m) => instance.bindings.init(m)).then(
      (exports) => adopt(instance, exports),
      (e) => { ready = null; throw e; },
    );
  }
  return ready;
}

/** Synchronous instantiation from a `WebAssembly.Module` or bytes: `{ module }`. */
export function initSync(module) {
  if (firstExports) return firstExports;
  const instance = make();
  return adopt(instance, instance.bindings.initSync(module));
}

/**
 * Not part of the API: figures for the package's own tests, which may change at any time.
 * `wasmMemoryBytes()` is the size of the live instance's memory (0 before init), and
 * `instances()` the number of instances made so far, `spares()` the buffers of released
 * batches kept for reuse (spares.js: `{ bytes, made, reused }`), `workers()` the number of Workers of Worker mode
 * running, and `workerStats()` what the package's own Worker holds (a promise of
 * `{ calls, clients, tokenRequests, wasmMemoryBytes, spares, warmUp }`, or null when it does not
 * run; `warmUp` is how worker.js's warm-up went: `'running'`, `'done'` or `'failed'`).
 */
export const __internals = Object.freeze({
  wasmMemoryBytes: () => (current?.exports?.memory?.buffer.byteLength ?? 0),
  instances: () => instances,
  spares: () => spares.stats,
  workers: () => workerFigures.count(),
  workerStats: () => workerFigures.stats(),
});
