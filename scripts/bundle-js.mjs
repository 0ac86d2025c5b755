// The package's JavaScript as shipped: the readable modules of js/ and the wrapped wasm-bindgen
// glue, bundled and minified by esbuild into one ES module per entry point, and the package's
// sizes as a page loads them against the budget. Used by scripts/build.mjs, the benchmark and
// the consumer tests.
//
// Entry points: `index.js` (the package), `datasets.js` (the dataset names alone, for pages and
// scripts that need no wasm), and every module of js/ that another one loads as
// `new URL('./name.js', import.meta.url)` (a Worker's script): bundlers and browsers resolve
// that URL beside the bundle, where the entry's own bundle is written.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
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
// drops comments, so they are put back where the sources have them. Each source module with
// such an import keeps at most its count of them through the bundle (fewer when the entry does
// not reach the function that holds one), else the build fails.
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

/**
 * Bundles `stageDir` (js/ and the wrapped glue side by side) into `outDir`: one minified ES
 * module per entry. Returns the entries written.
 */
export async function bundleJs(stageDir, outDir, entries) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: entries.map((e) => join(stageDir, e)),
    outdir: outDir,
    bundle: true,
    splitting: false,
    format: 'esm',
    platform: 'neutral',
    // No syntax newer than the sources' (private fields, `??`, `?.`).
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
    // wasm-bindgen's import object names each inline snippet module once per function.
    logOverride: { 'duplicate-object-key': 'silent' },
  });
  mkdirSync(outDir, { recursive: true });
  for (const file of result.outputFiles) {
    const entry = relative(outDir, file.path);
    const deps = bundledSources(stageDir, entry);
    const hinted = deps.reduce((n, f) => n + (readFileSync(f, 'utf8').match(HINTED_IMPORT)?.length ?? 0), 0);
    writeFileSync(file.path, restoreImportHints(file.text, hinted));
  }
  return entries;
}

/** The source files statically reachable from `entry` in `stageDir`. */
function bundledSources(stageDir, entry) {
  const seen = new Set();
  const queue = [join(stageDir, entry)];
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...staticImports(file));
  }
  return [...seen];
}

/** The relative modules that `file` imports statically, or re-exports from. */
function staticImports(file) {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/(?:^|[\s;}])(?:import|export)\s*(?:[^'"();]*?\sfrom\s*)?['"](\.[^'"]+)['"]/g)]
    .map((m) => normalize(join(dirname(file), m[1])));
}

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** What a page loads, wasm and JavaScript, gzip -9: the package's size budget. */
export const BUDGET_GZIP_BYTES = 60 * 1024;

const sum = (list) => list.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip }), { raw: 0, gzip: 0 });

/**
 * The package's shipped code in `pkgDir`, raw and gzip (level 9, as a server sends each file).
 * Each file has a role: `page`, what a page loads with `init()` (the wasm module and the main
 * bundle with what it imports statically), `worker`, a Worker script the main bundle starts
 * (Worker mode), or `standalone`, a module the main bundle does not load (the dataset names).
 * `total` is the page's, held to the budget; `worker` is what Worker mode loads on top.
 */
export function packageSize(pkgDir) {
  const names = readdirSync(pkgDir).filter((f) => /\.(js|wasm)$/.test(f)).sort();
  const page = new Set(bundledSources(pkgDir, MAIN_ENTRY).map((f) => relative(pkgDir, f)));
  const workers = new Set();
  for (const f of page) {
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
  if (worker.raw) lines.push(`Worker mode loads ${kb(worker.gzip)} gzip more (the Worker script; the wasm module is shared)`);
  return lines;
}
