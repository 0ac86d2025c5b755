// The package's JavaScript as shipped: the readable modules of js/ and the wrapped wasm-bindgen
// glue, bundled and minified by esbuild into ES modules, and the package's sizes as a page loads
// them against the budget. Used by scripts/build.mjs, the benchmark and the consumer tests.
//
// Entry points: `index.js` (the package), `datasets.js` (the dataset names alone, for pages and
// scripts that need no wasm), and every module of js/ that another one loads as
// `new URL('./name.js', import.meta.url)` (a Worker's script): bundlers and browsers resolve
// that URL beside the bundle, where the entry's own bundle is written. What index.js imports on
// demand (Worker mode's page side, remote.js) is a bundle of its own beside it, `remote-<hash>.js`,
// which holds no module that index.js holds (else the build fails): index.js stays one file, the
// one module a page loads. Every bundle is one self-contained module.
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

/** The bundle of a module imported on demand: `<module's name>-<hash of its content>.js`. */
const ON_DEMAND_NAMES = '[name]-[hash]';

/**
 * An esbuild plugin: each module that a bundle imports on demand (`import('./x.js')`) is bundled
 * by itself, as `x-<hash>.js` in the same directory, and the `import()` points at that file.
 * `built` maps each such module's path to its build (a promise of esbuild's result).
 *
 * Not esbuild's code splitting: that puts esbuild's own helpers (`__export`, which the glue's
 * namespace imports need) and any module both bundles use in a chunk of their own, which the
 * main bundle imports: one more request, after index.js, before a page can start fetching the
 * wasm. Here the main bundle stays one file, and a module that both would hold fails the build
 * (`checkNothingShared`).
 */
function onDemand(esbuild, options, built) {
  return {
    name: 'on-demand',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const path = resolve(args.resolveDir, args.path);
        if (!built.has(path)) {
          built.set(path, esbuild.build({
            ...options, entryPoints: [path], entryNames: ON_DEMAND_NAMES, plugins: [onDemand(esbuild, options, built)],
          }));
        }
        const [file] = (await built.get(path)).outputFiles;
        return { path: `./${relative(options.outdir, file.path)}`, external: true };
      });
    },
  };
}

/**
 * Throws when a module imported on demand would hold a module that the main bundle holds too
 * (errors.js, loader.js…): a copy of it, whose classes and state are not the page's. Such a
 * module must import nothing the main bundle holds; it is handed what it needs once imported
 * (js/worker-mode.js hands remote.js the error classes, the compiled module and `detach`).
 */
function checkNothingShared(main, lazy) {
  const held = new Set(Object.keys(main.metafile.inputs));
  for (const result of lazy) {
    const both = Object.keys(result.metafile.inputs).filter((f) => held.has(f)).sort();
    if (both.length) {
      const [output] = Object.values(result.metafile.outputs);
      throw new Error(`bundle: ${output.entryPoint}, which ${MAIN_ENTRY} imports on demand, would hold a copy of`
        + ` ${both.join(', ')}, which ${MAIN_ENTRY} holds (other classes and state than the page's; split into a chunk`
        + ` of their own, one more request before every page can start). Hand ${output.entryPoint} what it needs of`
        + ' them once it is loaded, instead of importing them there.');
    }
  }
}

/**
 * Bundles `stageDir` (js/ and the wrapped glue side by side) into `outDir`: one minified ES
 * module per entry, and one per module that the main entry imports on demand (`<name>-<hash>.js`).
 * Returns the entries written. Throws, writing nothing, when a module imported on demand would
 * hold a module of the main bundle.
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
  const built = new Map();
  const others = entries.filter((e) => e !== MAIN_ENTRY);
  const [main, rest] = await Promise.all([
    entries.includes(MAIN_ENTRY)
      ? esbuild.build({ ...options, entryPoints: [join(stageDir, MAIN_ENTRY)], plugins: [onDemand(esbuild, options, built)] })
      : null,
    others.length ? esbuild.build({ ...options, entryPoints: others.map((e) => join(stageDir, e)) }) : null,
  ]);
  const lazy = await Promise.all(built.values());
  if (main) checkNothingShared(main, lazy);
  const files = new Map();
  for (const result of [main, rest, ...lazy].filter(Boolean)) {
    for (const file of result.outputFiles) {
      const sources = Object.keys(result.metafile.outputs[relative(stageDir, file.path)]?.inputs ?? {});
      const hinted = sources.reduce((n, f) => n + (readFileSync(join(stageDir, f), 'utf8').match(HINTED_IMPORT)?.length ?? 0), 0);
      files.set(relative(outDir, file.path), restoreImportHints(file.text, hinted));
    }
  }
  mkdirSync(outDir, { recursive: true });
  for (const [name, code] of files) writeFileSync(join(outDir, name), code);
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
