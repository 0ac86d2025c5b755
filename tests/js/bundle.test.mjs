// The build's bundling and size accounting (scripts/bundle-js.mjs): the entry points found in
// js/, one self-contained module per entry but the main one, whose dynamic imports are chunks
// beside it, and what a page loads held against the budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUDGET_GZIP_BYTES, bundleJs, jsEntries, packageSize, sizeLines } from '../../scripts/bundle-js.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function withDir(files, body) {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the package's entry points: index.js, datasets.js and the Worker that remote.js starts", () => {
  assert.deepEqual(jsEntries(join(root, 'js')), ['index.js', 'datasets.js', 'worker.js']);
});

test('a module loaded by URL that is not in js/ fails the build', () => {
  withDir({ 'index.js': "new Worker(new URL('./gone.js', import.meta.url));", 'datasets.js': '' }, (dir) => {
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
  const dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
  try {
    for (const [name, text] of Object.entries(src)) writeFileSync(join(dir, name), text);
    const out = join(dir, 'out');
    await bundleJs(dir, out, jsEntries(dir));
    for (const entry of ['index.js', 'w.js']) {
      const code = readFileSync(join(out, entry), 'utf8');
      assert.doesNotMatch(code, /from\s*["']\.|import\s*["']\./, entry);
      assert.match(code, /import\(\/\* webpackIgnore: true \*\/ \/\* @vite-ignore \*\/ \w+\)/, entry);
    }
    assert.match(readFileSync(join(out, 'index.js'), 'utf8'), /new URL\("\.\/w\.js",import\.meta\.url\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what a page loads is the wasm and the main bundle; Worker scripts and standalone modules are apart', () => {
  const big = Buffer.from(Array.from({ length: 20000 }, (_, i) => (i * 7919) % 251));
  const files = {
    'index.js': "export const w = () => new Worker(new URL('./worker.js', import.meta.url));",
    'worker.js': 'self.onmessage = () => {};',
    'datasets.js': 'export const D = [];',
    'x_bg.wasm': big,
  };
  withDir(files, (dir) => {
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

test('what index.js imports dynamically is a chunk beside it, the code they share another; classes stay one', async () => {
  const src = {
    'index.js': "export { E, f } from './a.js';\nexport const later = () => import('./lazy.js');\n",
    'a.js': "const M = 'node:fs/promises';\nexport class E {}\nexport async function f() { return import(/* webpackIgnore: true */ /* @vite-ignore */ M); }\n",
    'lazy.js': "import { E } from './a.js';\nexport const make = () => new E();\nexport const w = () => new Worker(new URL('./w.js', import.meta.url));\n",
    'w.js': "import { f } from './a.js';\nself.onmessage = () => f();\n",
    'datasets.js': 'export const D = [1];\n',
  };
  const dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
  try {
    for (const [name, text] of Object.entries(src)) writeFileSync(join(dir, name), text);
    const out = join(dir, 'out');
    await bundleJs(dir, out, jsEntries(dir));
    const names = readdirSync(out).sort();
    const lazy = names.find((f) => /^lazy-[A-Z0-9]{8}\.js$/.test(f));
    const shared = names.find((f) => /^shared-[A-Z0-9]{8}\.js$/.test(f));
    assert.deepEqual(names, ['datasets.js', 'index.js', lazy, shared, 'w.js'].sort());
    const code = (name) => readFileSync(join(out, name), 'utf8');
    // index.js imports the shared chunk, and the lazy one on demand, with no hints: bundlers follow it.
    assert.match(code('index.js'), new RegExp(`from\\s*"\\./${shared}"`));
    assert.match(code('index.js'), new RegExp(`import\\("\\./${lazy}"\\)`));
    assert.match(code(lazy), new RegExp(`from\\s*"\\./${shared}"`));
    // The hinted import is where its function went: in the shared chunk, and in the Worker's own bundle.
    for (const name of [shared, 'w.js']) {
      assert.match(code(name), /import\(\/\* webpackIgnore: true \*\/ \/\* @vite-ignore \*\/ \w+\)/, name);
    }
    assert.doesNotMatch(code('index.js') + code(lazy), /webpackIgnore/);
    assert.doesNotMatch(code('w.js'), /from\s*["']\.|import\s*["']\./);
    // Loaded as files: the chunk's class is the entry's.
    const entry = await import(pathToFileURL(join(out, 'index.js')).href);
    assert.ok((await entry.later()).make() instanceof entry.E);

    // What a page loads: index.js and the shared chunk; Worker mode, the lazy chunk and the
    // Worker script it starts.
    writeFileSync(join(out, 'x_bg.wasm'), Buffer.alloc(1000, 7));
    const size = packageSize(out);
    assert.deepEqual(size.files.map((f) => [f.name, f.role]), [
      ['datasets.js', 'standalone'], ['index.js', 'page'], [lazy, 'worker'], [shared, 'page'], ['w.js', 'worker'], ['x_bg.wasm', 'page'],
    ].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    const of = (name) => size.files.find((f) => f.name === name);
    assert.equal(size.js.gzip, of('index.js').gzip + of(shared).gzip);
    assert.equal(size.total.gzip, size.js.gzip + of('x_bg.wasm').gzip);
    assert.equal(size.worker.gzip, of(lazy).gzip + of('w.js').gzip);
    assert.equal(size.worker.raw, of(lazy).raw + of('w.js').raw);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the package's own build: index.js and the shared chunk are the page's; remote.js's chunk and worker.js Worker mode's", () => {
  // A path relative to the working directory does as well.
  const size = packageSize(relative(process.cwd(), join(root, 'pkg')));
  const roles = Object.fromEntries(size.files.map((f) => [f.name.replace(/-[A-Z0-9]{8}\.js$/, '-*.js'), f.role]));
  assert.deepEqual(roles, {
    'datasets.js': 'standalone', 'index.js': 'page', 'qlik_automl_predictions_bg.wasm': 'page',
    'remote-*.js': 'worker', 'shared-*.js': 'page', 'worker.js': 'worker',
  });
});
