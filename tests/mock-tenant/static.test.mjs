// Tests of the static file server (beside the tenant's API and on its own origin) and of the
// command line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockTenant, startStaticServer } from './server.mjs';
import { API, rawGet } from './testing.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('mock Qlik tenant', () => {
  describe('static files', () => {
    let dir;
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'mock-tenant-static-'));
      await mkdir(path.join(dir, 'www', 'sub'), { recursive: true });
      await mkdir(path.join(dir, 'pkg'));
      await writeFile(path.join(dir, 'secret.txt'), 'secret');
      await writeFile(path.join(dir, 'www', 'index.html'), '<!doctype html><title>demo</title>');
      await writeFile(path.join(dir, 'www', 'sub', 'index.html'), 'sub');
      await writeFile(path.join(dir, 'www', 'style.css'), 'body{}');
      await writeFile(path.join(dir, 'www', 'logo.svg'), '<svg/>');
      await writeFile(path.join(dir, 'www', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      await writeFile(path.join(dir, 'www', 'data.json'), '{}');
      await writeFile(path.join(dir, 'pkg', 'index.js'), 'export {}');
      await writeFile(path.join(dir, 'pkg', 'index.mjs'), 'export {}');
      await writeFile(path.join(dir, 'pkg', 'index.d.ts'), 'export {};');
      await writeFile(path.join(dir, 'pkg', 'm_bg.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    });
    after(async () => { await rm(dir, { recursive: true, force: true }); });

    const expectTypes = {
      '/': 'text/html; charset=utf-8',
      '/style.css': 'text/css; charset=utf-8',
      '/logo.svg': 'image/svg+xml',
      '/logo.png': 'image/png',
      '/data.json': 'application/json; charset=utf-8',
      '/sub/': 'text/html; charset=utf-8',
      '/pkg/index.js': 'text/javascript; charset=utf-8',
      '/pkg/index.mjs': 'text/javascript; charset=utf-8',
      '/pkg/index.d.ts': 'application/typescript; charset=utf-8',
      '/pkg/m_bg.wasm': 'application/wasm',
    };

    async function checkServer(base) {
      for (const [p, type] of Object.entries(expectTypes)) {
        const r = await fetch(`${base}${p}`);
        assert.equal(r.status, 200, p);
        assert.equal(r.headers.get('content-type'), type, p);
        await r.arrayBuffer();
      }
      const wasm = await WebAssembly.compileStreaming(fetch(`${base}/pkg/m_bg.wasm`));
      assert.ok(wasm instanceof WebAssembly.Module);
      const redirect = await fetch(`${base}/sub`, { redirect: 'manual' });
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.get('location'), '/sub/');
      assert.equal((await fetch(`${base}/pkg`, { redirect: 'manual' })).headers.get('location'), '/pkg/');
      assert.equal((await fetch(`${base}/nope.js`)).status, 404);
      for (const evil of ['/..%2fsecret.txt', '/pkg/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt', '/sub/%2e%2e%2f%2e%2e%2fsecret.txt']) {
        const r = await rawGet(`${base}${evil}`, { headers: {} });
        assert.ok(r.status === 403 || r.status === 404, `${evil}: ${r.status}`);
        assert.notEqual(r.body.toString(), 'secret');
      }
      const raw = await new Promise((resolve) => {
        const u = new URL(base);
        const req = http.request({ host: u.hostname, port: u.port, path: '/../secret.txt', agent: false }, (res) => {
          let b = '';
          res.on('data', (c) => { b += c; });
          res.on('end', () => resolve({ status: res.statusCode, body: b }));
        });
        req.end();
      });
      assert.notEqual(raw.body, 'secret');
    }

    test('the tenant serves static mounts beside the API', async () => {
      const s = await startMockTenant({ static: { '/': path.join(dir, 'www'), '/pkg/': path.join(dir, 'pkg') } });
      try {
        await checkServer(s.url);
        assert.equal((await fetch(`${s.url}${API}/churn-small/predictions`)).status, 401, 'the API still wins');
      } finally {
        await s.close();
      }
    });

    test('startStaticServer serves the same mounts on another origin', async () => {
      const s = await startStaticServer({ static: { '/': path.join(dir, 'www'), '/pkg': path.join(dir, 'pkg') } });
      try {
        assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        await checkServer(s.url);
      } finally {
        await s.close();
      }
    });
  });

  test('cli prints the URL and serves', async () => {
    const child = spawn(process.execPath, [path.join(here, 'cli.mjs'), '--port', '0', '--anonymous', '--static', `${here}=/files/`], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const base = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c) => {
          out += c;
          const m = /Mock Qlik tenant on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`cli exited ${code}`)));
      });
      const r = await fetch(`${base}${API}/churn-small/predictions`);
      assert.equal(r.status, 200);
      await r.arrayBuffer();
      assert.equal((await fetch(`${base}/files/cli.mjs`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
