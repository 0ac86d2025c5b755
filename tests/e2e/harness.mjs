// Shared set-up of the browser end-to-end tests: a mock Qlik tenant on one origin, a "mashup"
// page on another origin that imports the built package from its own /pkg/, and headless
// Chromium (Debian's) driven by playwright-core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startMockTenant, startStaticServer } from '../mock-tenant/server.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--enable-precise-memory-info',
];

/** Launch options for Debian's Chromium, headless (CHROMIUM overrides the path). */
export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc'],
};

/**
 * Chromium on a fresh profile, with its one persistent context. `jsFlags` are V8 flags added
 * to `--expose-gc`, e.g. `--wasm-max-mem-pages=1024` to give wasm memories a 64 MiB ceiling.
 */
export async function launchBrowser({ jsFlags = [] } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'qap-chromium-'));
  const args = [...CHROMIUM_ARGS, `--js-flags=${['--expose-gc', ...jsFlags].join(' ')}`];
  const context = await chromium.launchPersistentContext(userDataDir, { ...CHROMIUM_LAUNCH, args });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a mock tenant and a mashup origin serving the built package, plus a browser page
 * opened on the mashup. `tenantOptions` are passed to startMockTenant, `browserOptions` to
 * launchBrowser.
 */
export async function startWorld(tenantOptions = {}, browserOptions = {}) {
  const mashup = await startStaticServer({
    port: 0,
    static: { '/': join(root, 'tests', 'e2e', 'fixtures'), '/pkg/': join(root, 'pkg') },
  });
  const tenant = await startMockTenant({
    port: 0,
    apiKeys: ['test-api-key', 'oauth-token-1', 'oauth-token-2'],
    webIntegrations: { 'web-int-1': [mashup.url] },
    ...tenantOptions,
  });
  const browser = await launchBrowser(browserOptions);
  const page = browser.context.pages()[0] ?? await browser.context.newPage();
  const consoleMessages = [];
  const pageErrors = [];
  page.on('console', (m) => consoleMessages.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => pageErrors.push(e));
  await page.goto(`${mashup.url}/index.html`);
  await page.evaluate(async () => { await window.lib.ready; });
  return {
    tenant, mashup, browser, page, consoleMessages, pageErrors,
    /**
     * Runs `fn(lib, arg)` in the mashup page, where `lib` is the imported package. The page
     * forbids eval (its CSP has no 'unsafe-eval'): `fn` travels as the source of a function
     * that the browser is asked to call, which is not code the page generates.
     */
    run(fn, arg) {
      // eslint-disable-next-line no-new-func
      const call = new Function('arg', `return (${fn.toString()})(window.lib, arg);`);
      return page.evaluate(call, arg);
    },
    /** The Content-Security-Policy violations the page has seen. */
    cspViolations() {
      return page.evaluate(() => window.cspViolations);
    },
    async close() {
      await browser.close();
      await tenant.close();
      await mashup.close();
    },
  };
}

/** A small RFC 4180 reader, the reference the browser results are compared with. */
export function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let any = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; any = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; any = true; i++; continue; }
    if (c === '\r' || c === '\n') {
      if (any || field !== '' || row.length) { row.push(field); rows.push(row); }
      row = []; field = ''; any = false;
      i += (c === '\r' && text[i + 1] === '\n') ? 2 : 1;
      continue;
    }
    field += c; any = true; i++;
  }
  if (any || field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}
