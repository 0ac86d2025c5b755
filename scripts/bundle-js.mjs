// The package's JavaScript as shipped: the readable modules of js/ and the wrapped wasm-bindgen
// glue, bundled and minified by esbuild into ES modules, and the package's sizes as a page loads
// them against the budget. Used by scripts/build.mjs, the benchmark and the consumer tests.
//
// Entry points: `index.js` (the package), `datasets.js` (the dataset names alone, for pages and
// scripts that need no wasm), and every module of js/ that another one loads as
// `new URL('./name.js', import.meta.url)` (a Worker's script): bundlers and browsers resolve
// that URL beside the bundle, where the entry's own bundle is written. index.js is split: what
// it imports dynamically (Worker mode's page side, remote.js) is a chunk of its own,
// `remote-<hash>.js`, and the code that chunk shares with index.js another, `shared-<hash>.js`,
// which index.js imports; both are written beside index.js. The other entries are one
// self-contained module each.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The bundle a page loads first, and the module that holds the dataset names alone. */
export const MAIN_ENTRY = 'index.js';
export const STANDALONE_ENTRIES = ['datasets.js'];

const URL_OF_MODULE = /new URL\(\s*['"]\.\/([\w.-]+\.js)['"]\s*,\s*import\.meta\.url\s*\)/g;

/** The entry points of the modules in `jsDir`: index.js, datasets.js and every Worker script. */
export function jsEntries(jsDir) {
  const modules = readdirSync(jsDir).filter((f) => f.endsWith('.js'));
  const workers = new Set();
  for (const f of modules) {
    for (const [, name] of readFileSync(join(jsDir, f), 'utf8').matchAll(URL_OF_MODULE)) {
      if (!modules.includes(name)) throw new Error(`bundle: js/${f} loads ./${name}, which is not in js/`);
      workers.add(name);
    }
  }
  return [MAIN_ENTRY, ...STANDALONE_ENTRIES, ...[...workers].sort()].filter((e, i, all) => all.indexOf(e) === i);
}

// The bundler-facing hints of a dynamic import (`import(/* webpackIgnore: true */ … )`): esbuild
// drops comments, so they are put back where the sources have them. Each output file keeps at
// most the count of them in the source modules it holds (fewer when the entry does not reach the
// function that holds one), else the build fails. The chunks' own imports (`import("./x.js")`)
// get no hints: bundlers follow them.
const HINTS = '/* webpackIgnore: true */ /* @vite-ignore */';
const HINTED_IMPORT = /import\(\s*\/\* webpackIgnore: true \*\/\s*\/\* @vite-ignore \*\/\s*[A-Za-z_$][\w$]*\s*\)/g;
const VARIABLE_IMPORT = /\bimport\(([A-Za-z_$][\w$]*)\)/g;

function restoreImportHints(code, hinted) {
  const found = code.match(VARIABLE_IMPORT)?.length ?? 0;
  if (found > hinted) {
    throw new Error(`bundle: ${hinted} hinted dynamic import(s) in the sources, ${found} import(variable) in the bundle`);
  }
  return code.replace(VARIABLE_IMPORT, `import(${HINTS} $1)`);
}

/** The chunks of the split main entry: `<entry point's name>-<hash>.js`, the shared code's `shared-<hash>.js`. */
const CHUNK_NAMES = '[name]-[hash]';
const SHARED_CHUNK = /^chunk-/;

/**
 * Bundles `stageDir` (js/ and the wrapped glue side by side) into `outDir`: the main entry with
 * its chunks, and one minified ES module per other entry. Returns the entries written.
 */
export async function bundleJs(stageDirPath, outDirPath, entries) {
  const esbuild = await import('esbuild');
  const stageDir = resolve(stageDirPath);
  const outDir = resolve(outDirPath);
  const options = {
    absWorkingDir: stageDir,
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    // No syntax newer than the sources' (private fields, `??`, `?.`).
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    write: false,
    metafile: true,
    logLevel: 'warning',
    // wasm-bindgen's import object names each inline snippet module once per function.
    logOverride: { 'duplicate-object-key': 'silent' },
  };
  const others = entries.filter((e) => e !== MAIN_ENTRY);
  const results = await Promise.all([
    entries.includes(MAIN_ENTRY)
      ? esbuild.build({ ...options, entryPoints: [join(stageDir, MAIN_ENTRY)], splitting: true, chunkNames: CHUNK_NAMES })
      : null,
    others.length ? esbuild.build({ ...options, entryPoints: others.map((e) => join(stageDir, e)), splitting: false }) : null,
  ]);
  const files = new Map();
  for (const result of results.filter(Boolean)) {
    for (const file of result.outputFiles) {
      const sources = Object.keys(result.metafile.outputs[relative(stageDir, file.path)]?.inputs ?? {});
      const hinted = sources.reduce((n, f) => n + (readFileSync(join(stageDir, f), 'utf8').match(HINTED_IMPORT)?.length ?? 0), 0);
      files.set(relative(outDir, file.path), restoreImportHints(file.text, hinted));
    }
  }
  // esbuild names a shared chunk `chunk-<hash>`: named here for what it is, and the imports of
  // it renamed with it.
  const renamed = new Map([...files.keys()].filter((f) => SHARED_CHUNK.test(f)).map((f) => [f, f.replace(SHARED_CHUNK, 'shared-')]));
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of files) {
    let code = text;
    for (const [from, to] of renamed) code = code.replaceAll(`"./${from}"`, `"./${to}"`);
    writeFileSync(join(outDir, renamed.get(name) ?? name), code);
  }
  return entries;
}

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** What a page loads, wasm and JavaScript, gzip -9: the package's size budget. */
export const BUDGET_GZIP_BYTES = 60 * 1024;

const sum = (list) => list.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip }), { raw: 0, gzip: 0 });

/**
 * The modules of `pkgDir` that `entry` loads: statically (`page`: itself, what it imports, and
 * so on) and on demand (`later`: what they import with `import()`, and what that imports, less
 * `page`), read by esbuild's parser. Names relative to `pkgDir`.
 */
function loadedModules(pkgDir, entry) {
  const esbuild = createRequire(import.meta.url)('esbuild');
  const { metafile } = esbuild.buildSync({
    absWorkingDir: resolve(pkgDir),
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    outdir: 'out',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const imports = (file, kind) => (metafile.inputs[file]?.imports ?? []).filter((i) => i.kind === kind).map((i) => i.path);
  const closure = (start, seen = new Set()) => {
    const queue = [...start];
    while (queue.length) {
      const file = queue.pop();
      if (seen.has(file)) continue;
      seen.add(file);
      queue.push(...imports(file, 'import-statement'));
    }
    return seen;
  };
  const page = closure([entry]);
  const later = closure([...page].flatMap((f) => imports(f, 'dynamic-import')), new Set(page));
  for (const f of page) later.delete(f);
  return { page, later };
}

/**
 * The package's shipped code in `pkgDir`, raw and gzip (level 9, as a server sends each file).
 * Each file has a role: `page`, what a page loads with `init()` (the wasm module, and the main
 * bundle with the chunks it imports statically), `worker`, what Worker mode loads on top (the
 * chunks the main bundle imports on demand, which are Worker mode's page side, and the Worker
 * scripts they start), or `standalone`, a module the main bundle does not load (the dataset
 * names). `total` is the page's, held to the budget; `worker` is what Worker mode loads on top.
 */
export function packageSize(pkgDir) {
  const names = readdirSync(pkgDir).filter((f) => /\.(js|wasm)$/.test(f)).sort();
  const { page, later } = loadedModules(pkgDir, MAIN_ENTRY);
  const workers = new Set(later);
  for (const f of [...page, ...later]) {
    for (const [, name] of readFileSync(join(pkgDir, f), 'utf8').matchAll(URL_OF_MODULE)) workers.add(name);
  }
  const files = names.map((name) => {
    const bytes = readFileSync(join(pkgDir, name));
    const role = name.endsWith('.wasm') || page.has(name) ? 'page' : workers.has(name) ? 'worker' : 'standalone';
    return { name, role, raw: bytes.length, gzip: gz(bytes) };
  });
  const onPage = files.filter((f) => f.role === 'page');
  const total = sum(onPage);
  return {
    files,
    wasm: sum(onPage.filter((f) => f.name.endsWith('.wasm'))),
    js: sum(onPage.filter((f) => f.name.endsWith('.js'))),
    total,
    worker: sum(files.filter((f) => f.role === 'worker')),
    budget: { gzip: BUDGET_GZIP_BYTES, within: total.gzip <= BUDGET_GZIP_BYTES },
  };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** The sizes as the build prints them, and the benchmark report shows them: one line each. */
export function sizeLines(size) {
  const { wasm, js, total, worker, budget } = size;
  const over = total.gzip - budget.gzip;
  const verdict = over <= 0
    ? `within the ${kb(budget.gzip)} budget (${kb(-over)} to spare)`
    : `OVER the ${kb(budget.gzip)} budget by ${kb(over)}`;
  const lines = [`a page loads wasm ${kb(wasm.gzip)} + JavaScript ${kb(js.gzip)} = ${kb(total.gzip)} gzip ` +
    `(${kb(total.raw)} raw): ${verdict}`];
  if (worker.raw) lines.push(`Worker mode loads ${kb(worker.gzip)} gzip more (its page side and the Worker script; the wasm module is shared)`);
  return lines;
}
