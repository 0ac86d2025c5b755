// The npm package as published: `npm pack` must include every file the entry module imports,
// directly or through the wasm-bindgen glue, and the wasm it loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { root } from './harness.mjs';

function importsOf(file) {
  const src = readFileSync(file, 'utf8');
  const specs = [...src.matchAll(/(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]/g)].map((m) => m[1]);
  // `new URL(…, import.meta.url)` resolves against the module, like a relative import.
  const urls = [...src.matchAll(/new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\)/g)].map((m) => m[1]);
  return [...specs, ...urls].map((s) => normalize(join(dirname(file), s)));
}

test('npm pack includes everything the entry module loads', () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const [packed] = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
  const files = new Set(packed.files.map((f) => f.path));
  const entry = join(root, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports['.'].default);
  const seen = new Set();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop();
    const rel = relative(root, file);
    if (seen.has(rel)) continue;
    seen.add(rel);
    assert.ok(files.has(rel), `${rel} is loaded but not packed`);
    if (file.endsWith('.js')) queue.push(...importsOf(file));
  }
  assert.ok(seen.has('pkg/qlik_automl_predictions_bg.wasm'));
  assert.ok([...seen].some((f) => f.startsWith('pkg/snippets/')));
  assert.ok(files.has('pkg/index.d.ts'));
});
