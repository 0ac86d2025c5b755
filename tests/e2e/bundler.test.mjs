// The package through a bundler: a small mashup importing 'qlik-automl-predictions' by name is
// built with Vite (which must emit the .wasm referenced with `new URL(…, import.meta.url)`),
// served from its own origin, and run in headless Chromium against the mock tenant; the bundled
// package also replaces a wasm instance that failed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { launchBrowser, root } from './harness.mjs';
import { startMockTenant, startStaticServer } from '../mock-tenant/server.mjs';

let outDir;
let tenant;
let site;
let browser;

before(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'qap-vite-'));
  await build({
    root: join(root, 'tests', 'bundler'),
    base: './',
    logLevel: 'warn',
    resolve: { alias: { 'qlik-automl-predictions': join(root, 'pkg', 'index.js') } },
    build: { outDir, emptyOutDir: true, assetsInlineLimit: 0 },
  });
  tenant = await startMockTenant({ port: 0, apiKeys: ['bundle-key'] });
  site = await startStaticServer({ port: 0, static: { '/': outDir } });
  // A 32 MiB ceiling on wasm memories, so that a hostile file makes the module fail.
  browser = await launchBrowser({ jsFlags: ['--wasm-max-mem-pages=512'] });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await tenant?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

test('a Vite build of a mashup emits the wasm and runs the client', async () => {
  const assets = readdirSync(join(outDir, 'assets'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `no .wasm emitted: ${assets.join(', ')}`);
  const page = browser.context.pages()[0] ?? await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const trap = encodeURIComponent('mockWide=8000000&mockWideRows=0');
  await page.goto(`${site.url}/index.html?host=${encodeURIComponent(tenant.url)}&key=bundle-key&trap=${trap}`);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 20_000 });
  const result = await page.evaluate(() => window.result);
  assert.equal(result.error, undefined, result.error);
  assert.deepEqual(result.columns, ['AccountID', 'Churned_predicted', 'Churned_no', 'Churned_yes']);
  assert.equal(result.rows.length, 2);
  assert.equal(result.rows[0][0], 'aa10000');
  assert.equal(typeof result.rows[0][2], 'number');
  assert.equal(result.notFound, 'AUTOML-404');
  assert.deepEqual(result.trap, { failed: 'WasmModuleError', next: 1 }, 'the bundled package survives a wasm trap');
  // The trap itself is reported by the browser as an uncaught RuntimeError; nothing else is.
  assert.deepEqual(errors.map(String).filter((e) => !/RuntimeError: unreachable/.test(e)), []);
});
