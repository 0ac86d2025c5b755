// Builds the npm package into pkg/: cargo (wasm32, release) -> wasm-bindgen (--target web)
// -> its glue wrapped into a factory (scripts/wrap-glue.mjs) -> wasm-opt (npm binaryen) -> the
// hand-written ES module entry and its types from js/.
// Skips the wasm-bindgen and wasm-opt steps when the compiled wasm has not changed, and
// prints the package's sizes.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { wrapGlue, wrapGlueTypes } from './wrap-glue.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'pkg');
const name = 'qlik_automl_predictions';
const rawWasm = join(root, 'target', 'wasm32-unknown-unknown', 'release', `${name}.wasm`);
const stampFile = join(pkg, '.build-stamp');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`[build] ${cmd} ${args.join(' ')} failed (${r.error ? r.error.message : `exit ${r.status}`})`);
    process.exit(1);
  }
}

run('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown']);

// The stamp covers the compiled wasm and the glue transform.
const hash = createHash('sha256').update(readFileSync(rawWasm))
  .update(readFileSync(join(root, 'scripts', 'wrap-glue.mjs'))).digest('hex');
const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : '';
if (stamp !== hash || !existsSync(join(pkg, `${name}_bg.wasm`))) {
  mkdirSync(pkg, { recursive: true });
  // Snippet folders are named by a hash: drop the previous build's.
  rmSync(join(pkg, 'snippets'), { recursive: true, force: true });
  run('wasm-bindgen', ['--target', 'web', '--out-dir', pkg, '--out-name', name,
    '--remove-name-section', '--remove-producers-section', rawWasm]);
  const glue = join(pkg, `${name}.js`);
  writeFileSync(glue, wrapGlue(readFileSync(glue, 'utf8')));
  const dts = join(pkg, `${name}.d.ts`);
  writeFileSync(dts, wrapGlueTypes(readFileSync(dts, 'utf8')));
  const bgWasm = join(pkg, `${name}_bg.wasm`);
  const wasmOpt = join(root, 'node_modules', '.bin', 'wasm-opt');
  run(wasmOpt, ['-O3', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
    '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue', '--enable-simd',
    bgWasm, '-o', bgWasm]);
  writeFileSync(stampFile, hash);
} else {
  console.log('[build] wasm unchanged: kept pkg/');
}

// The package entry and its modules (js/*.js), and its TypeScript types. Two modules are entry
// points: index.js, the package, and worker.js, the Worker of Worker mode, which remote.js
// starts with `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })` and
// which the `./worker` export names; a bundle of the package's JavaScript needs both.
const ENTRIES = ['index.js', 'worker.js'];
for (const f of ENTRIES) {
  if (!existsSync(join(root, 'js', f))) {
    console.error(`[build] js/${f}, an entry point of the package, is missing`);
    process.exit(1);
  }
}
for (const f of readdirSync(join(root, 'js'))) {
  copyFileSync(join(root, 'js', f), join(pkg, f));
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const jsFiles = [`${name}.js`, ...readdirSync(join(root, 'js')).filter((f) => f.endsWith('.js')).sort()];
for (const f of [`${name}_bg.wasm`, ...jsFiles]) {
  const bytes = readFileSync(join(pkg, f));
  console.log(`[build] pkg/${f}: ${kb(bytes.length)} (${kb(gz(bytes))} gzip)`);
}
// The JavaScript a page loads, gzipped file by file (as a server sends it) and as one bundle.
const js = jsFiles.map((f) => readFileSync(join(pkg, f)));
const each = js.reduce((sum, bytes) => sum + gz(bytes), 0);
const whole = Buffer.concat(js);
console.log(`[build] JavaScript: ${kb(whole.length)} (${kb(each)} gzip file by file, ${kb(gz(whole))} gzip as one bundle)`);
