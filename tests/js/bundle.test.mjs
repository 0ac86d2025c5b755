// The build's bundling and size accounting (scripts/bundle-js.mjs): the entry points found in
// js/, one self-contained module per entry and per module the main one imports on demand, none
// holding a module of the main one, and what a page loads held against the budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUDGET_GZIP_BYTES, bundleJs, jsEntries, packageSize, sizeLines } from '../../scripts/bundle-js.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function withDir(files, body) {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the package's entry points: index.js, datasets.js and the Worker that remote.js starts", () => {
  assert.deepEqual(jsEntries(join(root, 'js')), ['index.js', 'datasets.js', 'worker.js']);
});

test('a module loaded by URL that is not in js/ fails the build', async () => {
  await withDir({ 'index.js': "new Worker(new URL('./gone.js', import.meta.url));", 'datasets.js': '' }, (dir) => {
    assert.throws(() => jsEntries(dir), /loads \.\/gone\.js, which is not in js\//);
  });
});

test("each entry is one module without imports; a dynamic import keeps its bundlers' hints", async () => {
  const src = {
    'index.js': "export { f } from './a.js';\nexport const w = () => new Worker(new URL('./w.js', import.meta.url));\n",
    'a.js': "const M = 'node:fs/promises';\nexport async function f() { return import(/* webpackIgnore: true */ /* @vite-ignore */ M); }\n",
    'w.js': "import { f } from './a.js';\nself.onmessage = () => f();\n",
    'datasets.js': 'export const D = [1];\n',
  };
  await withDir(src, async (dir) => {
    const out = join(dir, 'out');
    await bundleJs(dir, out, jsEntries(dir));
    for (const entry of ['index.js', 'w.js']) {
      const code = readFileSync(join(out, entry), 'utf8');
      assert.doesNotMatch(code, /from\s*["']\.|import\s*["']\./, entry);
      assert.match(code, /import\(\/\* webpackIgnore: true \*\/ \/\* @vite-ignore \*\/ \w+\)/, entry);
    }
    assert.match(readFileSync(join(out, 'index.js'), 'utf8'), /new URL\("\.\/w\.js",import\.meta\.url\)/);
  });
});

test('what a page loads is the wasm and the main bundle; Worker scripts and standalone modules are apart', async () => {
  const big = Buffer.from(Array.from({ length: 20000 }, (_, i) => (i * 7919) % 251));
  const files = {
    'index.js': "export const w = () => new Worker(new URL('./worker.js', import.meta.url));",
    'worker.js': 'self.onmessage = () => {};',
    'datasets.js': 'export const D = [];',
    'x_bg.wasm': big,
  };
  await withDir(files, (dir) => {
    const size = packageSize(dir);
    assert.deepEqual(size.files.map((f) => [f.name, f.role]),
      [['datasets.js', 'standalone'], ['index.js', 'page'], ['worker.js', 'worker'], ['x_bg.wasm', 'page']]);
    const of = (name) => size.files.find((f) => f.name === name);
    assert.equal(size.wasm.raw, big.length);
    assert.equal(size.js.gzip, of('index.js').gzip);
    assert.equal(size.total.gzip, of('index.js').gzip + of('x_bg.wasm').gzip);
    assert.equal(size.worker.gzip, of('worker.js').gzip);
    assert.equal(size.budget.within, size.total.gzip <= BUDGET_GZIP_BYTES);
    assert.match(sizeLines(size)[0], /^a page loads wasm [\d.]+ KB \+ JavaScript [\d.]+ KB = [\d.]+ KB gzip \([\d.]+ KB raw\): within the 60\.0 KB budget \([\d.]+ KB to spare\)$/);
    assert.match(sizeLines(size)[1], /^Worker mode loads [\d.]+ KB gzip more/);
    const over = sizeLines({ ...size, total: { raw: 1, gzip: BUDGET_GZIP_BYTES + 1024 } })[0];
    assert.match(over, /OVER the 60\.0 KB budget by 1\.0 KB$/);
  });
});

test('what index.js imports on demand is a module of its own beside it; index.js imports nothing; classes stay one', async () => {
  const src = {
    'index.js': "import { E } from './a.js';\nexport { E };\nexport { f, names } from './a.js';\n"
      + "export const later = async () => { const m = await import('./lazy.js'); m.connect({ E }); return m; };\n",
    'a.js': "import * as ns from './b.js';\nconst M = 'node:fs/promises';\nexport class E {}\nexport const names = ns;\n"
      + 'export async function f() { return import(/* webpackIgnore: true */ /* @vite-ignore */ M); }\n',
    'b.js': 'export const x = 1;\n',
    'lazy.js': "let E;\nexport const connect = (page) => { ({ E } = page); };\nexport const make = () => new E();\n"
      + "export const w = () => new Worker(new URL('./w.js', import.meta.url));\n",
    'w.js': "import { f } from './a.js';\nself.onmessage = () => f();\n",
    'datasets.js': 'export const D = [1];\n',
  };
  await withDir(src, async (dir) => {
    const out = join(dir, 'out');
    await bundleJs(dir, out, jsEntries(dir));
    const names = readdirSync(out).sort();
    const lazy = names.find((f) => /^lazy-[A-Z0-9]{8}\.js$/.test(f));
    // One file per entry and per module imported on demand: no shared chunk, not even for
    // esbuild's helpers (a.js's namespace object needs one).
    assert.deepEqual(names, ['datasets.js', 'index.js', lazy, 'w.js'].sort());
    const code = (name) => readFileSync(join(out, name), 'utf8');
    // index.js imports the lazy module on demand, with no hints: bundlers follow it; nothing statically.
    assert.match(code('index.js'), new RegExp(`import\\("\\./${lazy}"\\)`));
    for (const name of ['index.js', lazy, 'w.js']) assert.doesNotMatch(code(name), /from\s*["']\.|import\s*["']\./, name);
    // The hinted import is where its function went: in index.js, and in the Worker's own bundle.
    for (const name of ['index.js', 'w.js']) {
      assert.match(code(name), /import\(\/\* webpackIgnore: true \*\/ \/\* @vite-ignore \*\/ \w+\)/, name);
    }
    assert.doesNotMatch(code(lazy), /webpackIgnore/);
    // Loaded as files: the class the lazy module makes is the one index.js exports (handed over).
    const entry = await import(pathToFileURL(join(out, 'index.js')).href);
    assert.ok((await entry.later()).make() instanceof entry.E);

    // What a page loads: index.js; Worker mode, the lazy module and the Worker script it starts.
    writeFileSync(join(out, 'x_bg.wasm'), Buffer.alloc(1000, 7));
    const size = packageSize(out);
    assert.deepEqual(size.files.map((f) => [f.name, f.role]), [
      ['datasets.js', 'standalone'], ['index.js', 'page'], [lazy, 'worker'], ['w.js', 'worker'], ['x_bg.wasm', 'page'],
    ].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    const of = (name) => size.files.find((f) => f.name === name);
    assert.equal(size.js.gzip, of('index.js').gzip);
    assert.equal(size.total.gzip, size.js.gzip + of('x_bg.wasm').gzip);
    assert.equal(size.worker.gzip, of(lazy).gzip + of('w.js').gzip);
    assert.equal(size.worker.raw, of(lazy).raw + of('w.js').raw);
  });
});

test('a module imported on demand that imports a module of index.js fails the build, and nothing is written', async () => {
  const src = {
    'index.js': "export { E } from './a.js';\nexport const later = () => import('./lazy.js');\n",
    'a.js': "import { x } from './b.js';\nexport class E { x = x; }\n",
    'b.js': 'export const x = 1;\n',
    'lazy.js': "import { E } from './a.js';\nexport const make = () => new E();\n",
    'datasets.js': 'export const D = [1];\n',
  };
  await withDir(src, async (dir) => {
    const out = join(dir, 'out');
    await assert.rejects(bundleJs(dir, out, jsEntries(dir)),
      /^Error: bundle: lazy\.js, which index\.js imports on demand, would hold a copy of a\.js, b\.js, which index\.js holds .*one more request before every page can start.*Hand lazy\.js what it needs/);
    assert.deepEqual(readdirSync(dir).sort(), Object.keys(src).sort());
  });
});

test("the package's own build: index.js is the page's; remote.js's bundle and worker.js Worker mode's", () => {
  // A path relative to the working directory does as well.
  const size = packageSize(relative(process.cwd(), join(root, 'pkg')));
  const roles = Object.fromEntries(size.files.map((f) => [f.name.replace(/-[A-Z0-9]{8}\.js$/, '-*.js'), f.role]));
  assert.deepEqual(roles, {
    'datasets.js': 'standalone', 'index.js': 'page', 'qlik_automl_predictions_bg.wasm': 'page',
    'remote-*.js': 'worker', 'worker.js': 'worker',
  });
  // index.js imports nothing but on demand.
  const index = readFileSync(join(root, 'pkg', 'index.js'), 'utf8');
  assert.doesNotMatch(index, /from\s*["']\.|import\s*["']\./);
});

test("the package's own build: the public classes and functions keep their names through minifying", async () => {
  const pkg = await import(pathToFileURL(join(root, 'pkg', 'index.js')).href);
  for (const name of ['PredictionsClient', 'parseCsv', 'RecordBatch', 'QlikApiError', 'CsvError', 'NetworkError', 'WasmModuleError']) {
    assert.equal(pkg[name].name, name);
  }
  // An error made by the package reads as its class, by constructor and by name.
  const error = new pkg.CsvError('m', { reason: 'FieldCount' });
  assert.equal(error.constructor.name, 'CsvError');
  assert.match(String(error.stack), /^CsvError: m/);
});
