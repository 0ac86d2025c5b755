// Runs every test suite, each once, and fails when any fails:
//   0. the house rules: `cargo fmt --check` and clippy with warnings as errors (native, wasm32,
//      and the fuzz crate, a workspace of its own);
//   1. native Rust tests (decoder, HTTP policy) with `cargo test`, then 40 s of fuzzing the
//      decoder against the `csv` crate (scripts/fuzz.sh, cargo fuzz);
//   2. the same core compiled to wasm32, in headless Chromium (wasm-bindgen-test, tests/web.rs);
//   3. the package's TypeScript declarations, compiled strictly against tests/types/usage.ts;
//   4. the package's JavaScript modules that need no browser (tests/js/), the mock tenant's own
//      tests, the demo page's logic without a browser (tests/www/), and the browser end-to-end
//      tests (headless Chromium driving the built package from another origin than the mock
//      tenant), with `node --test`;
//   5. the consumer tests: the `npm pack` tarball installed into fresh projects and used from
//      Node, Vite, webpack, esbuild, a plain page, a Worker and a RequireJS-loaded extension.
//   6. the browser benchmark's harness end to end on 1 MiB files (bench/), with `node --test`.
// Expects `scripts/setup.sh --browser` and `scripts/build.mjs` to have run (npm test does both).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Nothing may hang CI: a test (or hook) fails after 5 minutes, a suite is killed after 25.
const TEST_TIMEOUT = '--test-timeout=300000';
const SUITE_TIMEOUT_MS = 25 * 60 * 1000;
const suites = [
  ['Rust formatting', 'cargo', ['fmt', '--all', '--check']],
  ['Rust formatting (fuzz crate)', 'cargo', ['fmt', '--check', '--manifest-path', 'fuzz/Cargo.toml']],
  ['Rust lints', 'cargo', ['clippy', '--release', '--workspace', '--all-targets', '--', '-D', 'warnings']],
  // The wasm build as shipped (`no_std`), then with std as the wasm tests build it (Cargo.toml's `std`).
  ['Rust lints (wasm32)', 'cargo', ['clippy', '--release', '--target', 'wasm32-unknown-unknown', '--workspace', '--lib',
    '--', '-D', 'warnings']],
  ['Rust lints (wasm32 tests)', 'cargo', ['clippy', '--release', '--target', 'wasm32-unknown-unknown', '--workspace', '--lib',
    '--test', 'web', '--features', 'std', '--', '-D', 'warnings']],
  ['Rust lints (fuzz crate)', 'cargo', ['clippy', '--release', '--manifest-path', 'fuzz/Cargo.toml', '--', '-D', 'warnings']],
  ['native Rust tests', 'cargo', ['test', '--release', '--workspace']],
  ['decoder fuzzing (40 s)', 'bash', [join(root, 'scripts', 'fuzz.sh'), '40']],
  ['wasm tests in headless Chromium', 'cargo', ['test', '--target', 'wasm32-unknown-unknown', '--test', 'web', '--features', 'std']],
  ['TypeScript declarations', join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tests/types/tsconfig.json']],
  ['JavaScript and browser tests', process.execPath, ['--test', '--test-concurrency=1', TEST_TIMEOUT,
    'tests/js/', 'tests/mock-tenant/', 'tests/www/', 'tests/e2e/', 'tests/consumers/']],
  ['browser benchmark harness', process.execPath, ['--test', TEST_TIMEOUT, 'bench/']],
];

// wasm-bindgen-test-runner drives Chromium through chromedriver (flags in webdriver.json).
process.env.CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER ??= 'wasm-bindgen-test-runner';
process.env.CHROMEDRIVER ??= '/usr/bin/chromedriver';

const failed = [];
for (const [name, cmd, args] of suites) {
  console.log(`\n[test] ${name}: ${[cmd === process.execPath ? 'node' : cmd, ...args].join(' ')}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    cwd: root, stdio: 'inherit', env: process.env, timeout: SUITE_TIMEOUT_MS, killSignal: 'SIGKILL',
  });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status === 0) {
    console.log(`[test] ${name}: passed in ${secs} s`);
  } else {
    const why = r.error?.code === 'ETIMEDOUT' ? ' (killed: over the suite time limit)' : '';
    console.log(`[test] ${name}: FAILED in ${secs} s${why}`);
    failed.push(name);
  }
}
if (failed.length) {
  console.error(`\n[test] failed suites: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\n[test] all suites passed');
