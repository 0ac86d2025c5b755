// The build's bundling and size accounting (scripts/bundle-js.mjs): the entry points found in
// js/, one self-contained module per entry, and what a page loads held against the budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
