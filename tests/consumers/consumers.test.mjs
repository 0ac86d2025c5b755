// The package as its users get it: `npm pack` once, then fresh projects that install the
// tarball and use it the way the README's recipes say — Node, Vite (build and dev server),
// webpack 5, esbuild (ES module and IIFE), a page without a bundler under a strict CSP with a
// module Worker, and a Qlik Sense extension loaded by RequireJS — each run against the mock
// tenant, the browser pages from other origins than the tenant.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, normalize, relative } from 'node:path';
import { jsEntries } from '../../scripts/bundle-js.mjs';
import { launchBrowser } from '../e2e/harness.mjs';
import { startMockTenant, startStaticServer } from '../mock-tenant/server.mjs';
import {
  APPS, assertClose, assertFirstRows, expectedFile, makeProject, meanAbs, runScript, pack, resultOf, root, run,
  scratch,
} from './helpers.mjs';

const API_KEY = 'consumer-key';
const TOKEN = 'consumer-token';
const WEB_INTEGRATION = 'consumer-web-int';
const README = readFileSync(join(root, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

let work;
let packed;
let browser;
let tenant;
const servers = [];
const projects = {};
let predictions;

async function serve(dir, headers = {}, port = 0) {
  const s = await startStaticServer({ port, static: { '/': dir }, headers });
  servers.push(s);
  return s;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

before(async () => {
  work = scratch();
  packed = await pack(work.dir);
  // Fresh projects, installed and built side by side.
  const browserApps = ['vite', 'webpack', 'esbuild'];
  await Promise.all([
    ...browserApps.map(async (name) => {
      projects[name] = await makeProject(work.dir, name, packed.tarball, ['page.js']);
      await runScript(projects[name], 'build');
    }),
    makeProject(work.dir, 'plain', packed.tarball).then((dir) => { projects.plain = dir; }),
    makeProject(work.dir, 'node', packed.tarball).then((dir) => { projects.node = dir; }),
  ]);
  tenant = await startMockTenant({
    port: 0,
    apiKeys: [API_KEY, TOKEN],
    webIntegrations: {},
    static: {
      '/sense/': join(APPS, 'sense'),
      '/resources/': join(root, 'node_modules', 'requirejs'),
      '/extensions/': join(work.dir, 'extensions'),
    },
  });
  predictions = await expectedFile(tenant.url, API_KEY, 'churn-small', 'predictions');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  await tenant?.close();
  work?.remove();
});

const query = (host) => `?host=${encodeURIComponent(host)}&key=${API_KEY}`;

describe('what npm pack ships', () => {
  test('LICENSE, CHANGELOG, README, package.json and the built files only', () => {
    // One bundle per entry point of js/ (the package, the dataset names alone, Worker scripts),
    // and the one index.js imports on demand (Worker mode's page side), with no shared chunk.
    const bundles = jsEntries(join(root, 'js')).map((entry) => `pkg/${entry}`);
    assert.ok(bundles.includes('pkg/index.js') && bundles.includes('pkg/datasets.js'));
    const chunks = readdirSync(join(root, 'pkg')).filter((f) => f.endsWith('.js') && !bundles.includes(`pkg/${f}`));
    assert.deepEqual(chunks.map((f) => f.replace(/-[A-Z0-9]{8}\.js$/, '')).sort(), ['remote'], chunks.join());
    assert.deepEqual(packed.files, [
      'CHANGELOG.md', 'LICENSE', 'README.md', 'package.json',
      ...bundles, ...chunks.map((f) => `pkg/${f}`),
      'pkg/index.d.ts', 'pkg/qlik_automl_predictions.d.ts', 'pkg/qlik_automl_predictions_bg.wasm', 'pkg/wasm.d.ts',
    ].sort());
  });

  test('every module the entry loads, and every export target, is packed', () => {
    const files = new Set(packed.files);
    const importsOf = (file) => {
      const src = readFileSync(file, 'utf8');
      // Static imports and re-exports, minified (`import{a as b}from"./x.js"`) or not, and
      // dynamic imports of a literal path.
      const specs = [
        ...src.matchAll(/(?:^|[\s;}])(?:import|export)\s*(?:[^'"();]*?\bfrom\s*)?['"](\.[^'"]+)['"]/g),
        ...src.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g),
      ].map((m) => m[1]);
      // `new URL(…, import.meta.url)` resolves against the module, like a relative import.
      const urls = [...src.matchAll(/new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\)/g)].map((m) => m[1]);
      return [...specs, ...urls].map((s) => normalize(join(dirname(file), s)));
    };
    const seen = new Set();
    const queue = [join(root, PACKAGE.exports['.'].default)];
    while (queue.length) {
      const file = queue.pop();
      const rel = relative(root, file);
      if (seen.has(rel)) continue;
      seen.add(rel);
      assert.ok(files.has(rel), `${rel} is loaded but not packed`);
      if (file.endsWith('.js')) queue.push(...importsOf(file));
    }
    assert.ok(seen.has('pkg/qlik_automl_predictions_bg.wasm'));
    assert.ok(seen.has('pkg/worker.js'));
    // Every packed module is one the entry loads, but the dataset names alone (an entry of their own).
    const unseen = packed.files.filter((f) => f.endsWith('.js') && !seen.has(f));
    assert.deepEqual(unseen, ['pkg/datasets.js']);
    // index.js imports no module statically: a page fetches it, then the wasm, nothing in between.
    assert.doesNotMatch(readFileSync(join(root, 'pkg', 'index.js'), 'utf8'), /(?:^|[\s;}])(?:import|export)\s*(?:[^'"();]*?\bfrom\s*)?['"]\./);
    const targets = Object.values(PACKAGE.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
    for (const t of targets) assert.ok(files.has(normalize(t)), `export target ${t} is not packed`);
    assert.equal(PACKAGE.exports['./wasm'].default, './pkg/qlik_automl_predictions_bg.wasm');
  });

  test('package.json describes the package; LICENSE is the MIT licence it names', () => {
    assert.equal(PACKAGE.license, 'MIT');
    assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) \d{4} /);
    const repo = PACKAGE.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    assert.match(repo, /^https:\/\/github\.com\/[\w.-]+\/qlik-automl-predictions$/);
    assert.equal(PACKAGE.homepage, `${repo}#readme`);
    assert.equal(PACKAGE.bugs.url, `${repo}/issues`);
    assert.ok(PACKAGE.keywords.includes('qlik') && PACKAGE.keywords.includes('webassembly'));
    assert.match(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), new RegExp(`## \\[${PACKAGE.version.replace(/\./g, '\\.')}\\]`));
  });

  test('README images are absolute URLs of files in the repository', () => {
    const repo = PACKAGE.repository.url.replace(/^git\+https:\/\/github\.com\//, '').replace(/\.git$/, '');
    const raw = `https://raw.githubusercontent.com/${repo}/main/`;
    const images = [...README.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g), ...README.matchAll(/<img[^>]+src="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(images.length > 0);
    for (const src of images) {
      assert.ok(src.startsWith(raw), `${src} is not under ${raw}`);
      assert.ok(existsSync(join(root, src.slice(raw.length))), `${src}: no such file in the repository`);
    }
  });

  test('README recipes are excerpts of the consumer apps these tests run', () => {
    const blocks = [...README.matchAll(/<!-- tested: (\S+) -->\n```\w*\n([\s\S]*?)```/g)];
    assert.ok(blocks.length >= 8, `only ${blocks.length} tested recipes found`);
    // Compared with runs of white space made one space: indentation and line breaks aside, the
    // block is a contiguous part of the file.
    const squash = (text) => text.replace(/\s+/g, ' ').trim();
    for (const [, file, body] of blocks) {
      const text = squash(readFileSync(join(root, file), 'utf8'));
      assert.ok(text.includes(squash(body)), `the README recipe from ${file} is not in that file:\n${body}`);
    }
  });
});

describe('Node', () => {
  test('init() reads the wasm from disk; the client works with an API key and an OAuth2 token', async () => {
    const out = await run(process.execPath, ['app.mjs', 'churn-small'], {
      cwd: projects.node,
      env: { ...process.env, QLIK_HOST: tenant.url, QLIK_API_KEY: API_KEY, QLIK_ACCESS_TOKEN: TOKEN },
    });
    const r = JSON.parse(out);
    assertFirstRows(r, predictions, 5);
    const shap = await expectedFile(tenant.url, API_KEY, 'churn-small', 'shap');
    assert.equal(r.shapRows, shap.rows.length);
    assertClose(r.meanAbsShap, meanAbs(shap, [shap.columns[0]]));
    const calls = tenant.requests.filter((q) => q.method === 'GET' && q.path.startsWith('/api/v1/automl-predictions/churn-small/'));
    assert.ok(calls.length >= 2 && calls.every((q) => q.principal === 'bearer' && q.origin === null));
  });

  test('from CommonJS through import(); a wrong API key is a QlikApiError with status 401', async () => {
    const script = `import('qlik-automl-predictions').then(async ({ default: init, PredictionsClient, QlikApiError }) => {
      await init();
      const c = new PredictionsClient({ host: process.env.QLIK_HOST, authType: 'apikey', apiKey: 'wrong' });
      try { await c.table('churn-small', 'predictions'); } catch (e) { console.log(JSON.stringify([e instanceof QlikApiError, e.status])); }
    });`;
    const out = await run(process.execPath, ['--input-type=commonjs', '-e', script], {
      cwd: projects.node, env: { ...process.env, QLIK_HOST: tenant.url },
    });
    assert.deepEqual(JSON.parse(out), [true, 401]);
  });

  test('the declarations resolve from the installed package, the wasm subpath included', async () => {
    const check = join(projects.node, 'check.ts');
    cpSync(join(APPS, 'types', 'check.ts'), check);
    await run(join(root, 'node_modules', '.bin', 'tsc'), ['--noEmit', '--strict', '--target', 'es2022',
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', '--types', '', check],
    { cwd: projects.node });
  });
});

describe('bundlers', () => {
  const wasmFiles = (dir) => readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.wasm'));

  test('Vite build: the ?url import emits the wasm once; the mashup runs', async () => {
    const dist = join(projects.vite, 'dist');
    assert.equal(wasmFiles(dist).length, 1, `emitted: ${wasmFiles(dist)}`);
    const site = await serve(dist);
    const result = await resultOf(browser, `${site.url}/index.html${query(tenant.url)}`);
    assertFirstRows(result, predictions, 5);
    assertFirstRows(result.worker, predictions, 5);
  });

  test('Vite dev server: the same code runs unbundled, the package pre-bundled', async () => {
    const port = await freePort();
    // CI sets `CI`, which turns vite's colours on (the port is printed in bold): ask for none,
    // strip any left, and give up after a minute rather than wait forever.
    const env = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    const vite = spawn(join(root, 'node_modules', '.bin', 'vite'), ['--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
      cwd: projects.vite, stdio: ['ignore', 'pipe', 'pipe'], env,
    });
    try {
      let log = '';
      await new Promise((resolve, reject) => {
        // eslint-disable-next-line no-control-regex
        const plain = () => log.replace(/\x1b\[[0-9;]*m/g, '');
        const timer = setTimeout(() => reject(new Error(`vite did not start in 60 s: ${plain()}`)), 60_000);
        vite.stdout.on('data', (d) => {
          log += d;
          if (plain().includes(`:${port}/`)) { clearTimeout(timer); resolve(); }
        });
        vite.stderr.on('data', (d) => { log += d; });
        vite.on('exit', (code) => { clearTimeout(timer); reject(new Error(`vite exited ${code}: ${plain()}`)); });
      });
      const result = await resultOf(browser, `http://127.0.0.1:${port}/${query(tenant.url)}`, 60_000);
      assertFirstRows(result, predictions, 5);
      assertFirstRows(result.worker, predictions, 5);
    } finally {
      vite.kill();
    }
  });

  test('webpack 5 without configuration for the wasm or the Worker: it emits the wasm once; the mashup runs', async () => {
    assert.equal(wasmFiles(join(projects.webpack, 'dist')).length, 1);
    const site = await serve(projects.webpack);
    const result = await resultOf(browser, `${site.url}/index.html${query(tenant.url)}`);
    assertFirstRows(result, predictions, 5);
    assertFirstRows(result.worker, predictions, 5);
  });

  test('esbuild, ES module: the file loader emits the wasm, the Worker is an entry of its own; the mashup runs', async () => {
    assert.equal(wasmFiles(join(projects.esbuild, 'dist')).length, 1);
    const site = await serve(projects.esbuild);
    const result = await resultOf(browser, `${site.url}/index.html${query(tenant.url)}`);
    assertFirstRows(result, predictions, 5);
    assertFirstRows(result.worker, predictions, 5);
  });

  test('esbuild, IIFE in a classic script: runs without import.meta', async () => {
    const site = await serve(projects.esbuild);
    assertFirstRows(await resultOf(browser, `${site.url}/iife.html${query(tenant.url)}`), predictions, 5);
  });
});

describe('without a bundler', () => {
  // The README's CSP, with the tenant's origin in place of the example tenant.
  const readmeCsp = (tenantUrl) => {
    const m = README.match(/Content-Security-Policy: (script-src [^\n`]+)/);
    assert.ok(m, 'no Content-Security-Policy recipe in the README');
    return m[1].replace('https://your-tenant.eu.qlikcloud.com', tenantUrl);
  };

  test('a mashup page, Worker mode and its own module Worker under the README\'s CSP, with a web integration', async () => {
    // The tenant allows the mashup's origin and the mashup's CSP names the tenant: the mashup's
    // port is chosen first.
    const sitePort = await freePort();
    const t = await startMockTenant({
      port: 0, apiKeys: [API_KEY], webIntegrations: { [WEB_INTEGRATION]: [`http://127.0.0.1:${sitePort}`] },
    });
    servers.push(t);
    const site = await serve(projects.plain, { 'Content-Security-Policy': readmeCsp(t.url) }, sitePort);
    // Sign in to the tenant in this browser, as a user of the mashup has.
    const login = await browser.context.newPage();
    await login.goto(`${t.url}/login`);
    await login.close();
    const result = await resultOf(browser, `${site.url}/index.html?host=${encodeURIComponent(t.url)}&webIntegrationId=${WEB_INTEGRATION}`);
    assertFirstRows(result, predictions, 5);
    const shap = await expectedFile(t.url, API_KEY, 'churn-small', 'shap');
    assert.equal(result.worker.error, undefined, result.worker.error);
    assert.equal(result.worker.rows, shap.rows.length);
    assertClose(result.worker.means, meanAbs(shap, [shap.columns[0]]));
    // Worker mode: the package's Worker sent the page's session cookie and the web integration ID.
    assertFirstRows(result.workerMode, predictions, 5);
    const api = t.requests.filter((q) => q.method === 'GET' && q.origin === site.url);
    assert.ok(api.length >= 3 && api.every((q) => q.principal === 'session'), JSON.stringify(api.map((q) => q.principal)));
  });

  test('without \'wasm-unsafe-eval\' in that CSP the wasm module is refused', async () => {
    const csp = readmeCsp(tenant.url).replace(" 'wasm-unsafe-eval'", '');
    const site = await serve(projects.plain, { 'Content-Security-Policy': csp });
    await assert.rejects(resultOf(browser, `${site.url}/index.html${query(tenant.url)}`), /WebAssembly/);
  });
});

describe('Qlik Sense extension', () => {
  test('RequireJS loads the example extension; it imports the package and shows the first rows', async () => {
    // Packaged as the README says: the extension's folder plus the package's pkg/ as lib/.
    const ext = join(work.dir, 'extensions', 'automl-predictions-table');
    mkdirSync(ext, { recursive: true });
    cpSync(join(root, 'examples', 'qlik-sense-extension', 'automl-predictions-table'), ext, { recursive: true });
    cpSync(join(projects.node, 'node_modules', 'qlik-automl-predictions', 'pkg'), join(ext, 'lib'), { recursive: true });
    const qext = JSON.parse(readFileSync(join(ext, 'automl-predictions-table.qext'), 'utf8'));
    assert.equal(qext.type, 'visualization');

    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${tenant.url}/login`);   // the Sense client runs signed in, on the tenant
      await page.goto(`${tenant.url}/sense/index.html`);
      const shown = await page.evaluate(() => window.paint({ predictionId: 'churn-small', dataset: 'predictions', rows: 7 }));
      assert.deepEqual(shown.keys, ['definition', 'initialProperties', 'paint', 'support']);
      const [header, ...rows] = shown.cells;
      const asShown = (c) => (c !== '' && Number.isFinite(Number(c)) ? Number(c) : c);
      assertFirstRows({ columns: header, rows: rows.map((r) => r.map(asShown)) }, predictions, 7);
      const missing = await page.evaluate(() => window.paint({ predictionId: 'missing', dataset: 'shap', rows: 5 }));
      assert.deepEqual(missing.cells, []);
      assert.match(missing.text, /404 AUTOML-404/);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
});
