// Shared set-up of the consumer tests: the package packed once with `npm pack`, fresh projects
// that install the tarball (offline: the package has no dependencies) and build it with the
// repository's pinned bundlers, pages run in headless Chromium, results compared with the mock
// tenant's files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseCsv, root } from '../e2e/harness.mjs';

export { root };

export const APPS = join(root, 'tests', 'consumers', 'apps');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// The bundlers' commands (vite, webpack, esbuild) from the repository's devDependencies.
const ENV = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` };

/** Runs a command; resolves to its stdout, rejects with its output when it fails. */
export function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: ENV, ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} (in ${options.cwd ?? root}) exited ${code}\n${out}\n${err}`));
    });
  });
}

/** A scratch folder for one test run; `remove()` deletes it. */
export function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'qap-consumers-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `npm pack` into `dir`: { tarball, files } (files: the packed paths). */
export async function pack(dir) {
  const out = await run(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root });
  const [info] = JSON.parse(out);
  return { tarball: join(dir, info.filename), files: info.files.map((f) => f.path).sort() };
}

/**
 * A fresh project in `parent`/`name` from tests/consumers/apps/`name` (plus the `shared` files
 * named), with the tarball installed as an ordinary dependency.
 */
export async function makeProject(parent, name, tarball, shared = []) {
  const dir = join(parent, name);
  cpSync(join(APPS, name), dir, { recursive: true });
  for (const f of shared) cpSync(join(APPS, 'shared', f), join(dir, f));
  await run(NPM, ['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir });
  return dir;
}

/**
 * Runs a script of a project's package.json the way `npm run` does (a shell, the project's and
 * the repository's node_modules/.bin on PATH), without npm's own start-up time.
 */
export function runScript(dir, script) {
  const { scripts } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const env = { ...ENV, PATH: `${join(dir, 'node_modules', '.bin')}${delimiter}${ENV.PATH}` };
  return run('sh', ['-c', scripts[script]], { cwd: dir, env });
}

/**
 * Opens `url` in a new page and waits for `window.result` (set by the app once done). Rejects
 * with the page's errors when it throws or logs an error first.
 */
export async function resultOf(browser, url, timeoutMs = 20_000) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Failed loads are reported by URL (the browser's own /favicon.ico request aside).
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico') errors.push(`${r.status()} ${r.url()}`);
  });
  try {
    await page.goto(url);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await page.evaluate(() => window.result);
      if (result !== undefined && !errors.length) return result;
      if (errors.length) throw new Error(`${url}:\n${errors.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`${url}: no result after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await page.close();
  }
}

/** A result file as the mock tenant serves it, parsed: { columns, rows }. */
export async function expectedFile(tenantUrl, apiKey, predictionId, dataset) {
  const r = await fetch(`${tenantUrl}/api/v1/automl-predictions/${predictionId}/${dataset}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  assert.equal(r.status, 200);
  const [columns, ...rows] = parseCsv(await r.text());
  return { columns, rows };
}

/** Asserts a cell equals the CSV text: a number cell by value (an empty cell is NaN), text exactly. */
export function assertCell(actual, text, where) {
  if (typeof actual === 'number') {
    assert.ok(text === '' ? Number.isNaN(actual) : Number(text) === actual, `${where}: ${actual} for ${JSON.stringify(text)}`);
  } else {
    assert.equal(actual, text, where);
  }
}

/** Asserts `table.columns` and `table.rows` are the file's header and its first rows. */
export function assertFirstRows(table, expected, count) {
  assert.deepEqual(table.columns, expected.columns);
  assert.equal(table.rows.length, count);
  table.rows.forEach((row, i) => {
    assert.equal(row.length, expected.columns.length);
    row.forEach((cell, j) => assertCell(cell, expected.rows[i][j], `row ${i} column ${expected.columns[j]}`));
  });
}

/** The mean |value| of every number column of a parsed file. */
export function meanAbs(expected, skip = []) {
  const means = {};
  expected.columns.forEach((name, j) => {
    if (skip.includes(name)) return;
    let s = 0;
    for (const row of expected.rows) s += Math.abs(Number(row[j]));
    means[name] = s / expected.rows.length;
  });
  return means;
}

/** Asserts two maps of numbers agree to a relative 1e-12 (sums in another order). */
export function assertClose(actual, expected) {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected)) {
    assert.ok(Math.abs(actual[k] - v) <= 1e-12 * Math.max(1, Math.abs(v)), `${k}: ${actual[k]} != ${v}`);
  }
}
