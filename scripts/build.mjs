// Builds the npm package into pkg/: cargo (wasm32, release) -> wasm-bindgen (--target web)
// -> its glue wrapped into a factory (scripts/wrap-glue.mjs) -> wasm-opt (npm binaryen) -> the
// imports from the glue given short names (scripts/short-imports.mjs); then
// the modules of js/ and the glue bundled and minified by esbuild into one ES module per entry,
// and one for what index.js imports on demand (Worker mode's page side) (scripts/bundle-js.mjs),
// and the TypeScript declarations beside them.
// Skips the wasm-bindgen and wasm-opt steps when the compiled wasm has not changed. Prints the
// package's sizes and what a page loads (wasm + JavaScript, gzip) against the budget.
//
//   node scripts/build.mjs                          the package, into pkg/
//   node scripts/build.mjs --out DIR --keep-names   a build for profiling and size analysis
//                                                   (twiggy, CPU profiles): the wasm keeps its
//                                                   function names
// The cargo profile can be changed for a comparison with CARGO_PROFILE_RELEASE_* variables and
// a CARGO_TARGET_DIR of its own.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleJs, jsEntries, packageSize, sizeLines } from './bundle-js.mjs';
import { shortenImports } from './short-imports.mjs';
import { wrapGlue, wrapGlueTypes } from './wrap-glue.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: { out: { type: 'string' }, 'keep-names': { type: 'boolean', default: false } },
});
const keepNames = opts['keep-names'];
const pkg = resolve(opts.out ?? join(root, 'pkg'));
const js = join(root, 'js');
const name = 'qlik_automl_predictions';
const target = resolve(root, process.env.CARGO_TARGET_DIR ?? 'target');
const rawWasm = join(target, 'wasm32-unknown-unknown', 'release', `${name}.wasm`);
// wasm-bindgen's output with the glue wrapped, and the optimized wasm; kept between builds.
const glueDir = join(target, keepNames ? 'wasm-bindgen-names' : 'wasm-bindgen');
const stampFile = join(glueDir, '.build-stamp');
// js/ and the glue side by side, as esbuild bundles them.
const stageDir = join(target, 'pkg-js');

const WASM_OPT_FLAGS = ['-O3', ...(keepNames ? ['-g'] : []), '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue', '--enable-simd', '--strip-target-features'];

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`[build] ${cmd} ${args.join(' ')} failed (${r.error ? r.error.message : `exit ${r.status}`})`);
    process.exit(1);
  }
}

// The source paths that panic locations carry are made relative: the crates' from the cargo
// registry (`<crate>-<version>/src/…` rather than `$CARGO_HOME/registry/src/<index>/…`) and
// this crate's (`src/…`). The module is smaller and does not hold the build machine's paths.
// Added to .cargo/config.toml's flags for the target (cargo merges the lists).
const cargoHome = process.env.CARGO_HOME ?? join(homedir(), '.cargo');
const registrySrc = join(cargoHome, 'registry', 'src');
const remapped = [...(existsSync(registrySrc) ? readdirSync(registrySrc).map((d) => join(registrySrc, d)) : []), root];
const remapFlags = remapped.map((dir) => JSON.stringify(`--remap-path-prefix=${resolve(dir)}/=`));
run('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown',
  '--config', `target.wasm32-unknown-unknown.rustflags=[${remapFlags.join(', ')}]`]);

// The stamp covers the compiled wasm, the glue transforms and the wasm-opt flags.
const hash = createHash('sha256').update(readFileSync(rawWasm))
  .update(readFileSync(join(root, 'scripts', 'wrap-glue.mjs'))).update(readFileSync(join(root, 'scripts', 'short-imports.mjs')))
  .update(WASM_OPT_FLAGS.join(' ')).digest('hex');
const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : '';
const bgWasm = join(glueDir, `${name}_bg.wasm`);
if (stamp !== hash || !existsSync(bgWasm)) {
  rmSync(glueDir, { recursive: true, force: true });
  mkdirSync(glueDir, { recursive: true });
  const strip = keepNames ? [] : ['--remove-name-section', '--remove-producers-section'];
  run('wasm-bindgen', ['--target', 'web', '--out-dir', glueDir, '--out-name', name, ...strip, rawWasm]);
  const glue = join(glueDir, `${name}.js`);
  writeFileSync(glue, wrapGlue(readFileSync(glue, 'utf8')));
  const dts = join(glueDir, `${name}.d.ts`);
  writeFileSync(dts, wrapGlueTypes(readFileSync(dts, 'utf8')));
  run(join(root, 'node_modules', '.bin', 'wasm-opt'), [...WASM_OPT_FLAGS, bgWasm, '-o', bgWasm]);
  // A build that keeps names (for profiles) keeps the imports' long names too.
  if (!keepNames) {
    const short = shortenImports(readFileSync(bgWasm), readFileSync(glue, 'utf8'));
    writeFileSync(bgWasm, short.wasm);
    writeFileSync(glue, short.glue);
  }
  writeFileSync(stampFile, hash);
} else {
  console.log('[build] wasm unchanged: kept the optimized module');
}

// The JavaScript: js/ and the wrapped glue (with wasm-bindgen's snippets) staged together, then
// bundled into pkg/.
rmSync(stageDir, { recursive: true, force: true });
mkdirSync(stageDir, { recursive: true });
cpSync(js, stageDir, { recursive: true });
copyFileSync(join(glueDir, `${name}.js`), join(stageDir, `${name}.js`));
if (existsSync(join(glueDir, 'snippets'))) cpSync(join(glueDir, 'snippets'), join(stageDir, 'snippets'), { recursive: true });

rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
await bundleJs(stageDir, pkg, jsEntries(js));
copyFileSync(bgWasm, join(pkg, `${name}_bg.wasm`));
// The declarations: the entry's, the `/wasm` subpath's, and the glue's, which hold the option
// types the entry's import.
for (const f of readdirSync(js).filter((f) => f.endsWith('.d.ts'))) copyFileSync(join(js, f), join(pkg, f));
copyFileSync(join(glueDir, `${name}.d.ts`), join(pkg, `${name}.d.ts`));

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const size = packageSize(pkg);
for (const f of size.files) {
  const note = { page: '', worker: ' (Worker mode)', standalone: ' (not loaded by index.js)' }[f.role];
  console.log(`[build] pkg/${f.name}: ${kb(f.raw)} (${kb(f.gzip)} gzip)${note}`);
}
for (const line of sizeLines(size)) console.log(`[build] ${line}${keepNames ? ' (names kept: not the shipped size)' : ''}`);
