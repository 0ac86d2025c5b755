// The benchmark's loopback server: the benchmark page, the built package (pkg/), the other
// parsers' browser builds from node_modules, and the pre-generated data files under the
// API's paths (`/api/v1/automl-predictions/{id}/{dataset}`), streamed from disk with a
// Content-Length and no caching, so every run downloads the whole file.
import http from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The other parsers' browser builds (minified, as a page would ship them), by served path. */
export const LIBRARIES = Object.freeze({
  '/lib/udsv.js': { name: 'uDSV', pkg: 'udsv', file: join(root, 'node_modules', 'udsv', 'dist', 'uDSV.iife.min.js') },
  '/lib/papaparse.js': { name: 'PapaParse', pkg: 'papaparse', file: join(root, 'node_modules', 'papaparse', 'papaparse.min.js') },
  '/lib/d3-dsv.js': { name: 'd3-dsv', pkg: 'd3-dsv', file: join(root, 'node_modules', 'd3-dsv', 'dist', 'd3-dsv.min.js') },
});

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ts': 'application/typescript; charset=utf-8',
};

const API = /^\/api\/v1\/automl-predictions\/[^/]+\/([a-z-]+)$/;

function sendFile(res, file, type) {
  let size;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found\n');
    return;
  }
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': size, 'Cache-Control': 'no-store' });
  createReadStream(file, { highWaterMark: 1 << 20 }).on('error', () => res.destroy()).pipe(res);
}

/**
 * Starts the server on 127.0.0.1 (random port). `datasets`: [{ id, path }] served as
 * `/api/v1/automl-predictions/<any id>/<dataset id>`; `pkgDir`: the package served at /pkg/
 * (default: the build in pkg/); `compareDir`: a second build, served at /pkg-compare/. Resolves with { url, close() }.
 */
export async function startBenchServer({ datasets, pkgDir = join(root, 'pkg'), compareDir = null }) {
  const files = new Map(datasets.map((d) => [d.id, d.path]));
  const mounts = [['/pkg/', pkgDir], ...(compareDir ? [['/pkg-compare/', compareDir]] : []), ['/', join(root, 'bench', 'page')]];
  const server = http.createServer((req, res) => {
    res.on('error', () => {});
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Bad Request\n');
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { 'Content-Type': 'text/plain' }).end('Method Not Allowed\n');
      return;
    }
    const api = API.exec(path);
    if (api) {
      const file = files.get(api[1]);
      if (file) sendFile(res, file, 'text/csv; charset=utf-8');
      else res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"AUTOML-404"}]}');
      return;
    }
    if (LIBRARIES[path]) {
      sendFile(res, LIBRARIES[path].file, TYPES['.js']);
      return;
    }
    for (const [prefix, dir] of mounts) {
      if (!path.startsWith(prefix)) continue;
      const rel = normalize(path.slice(prefix.length) || 'index.html');
      if (rel.startsWith('..') || rel.includes(`${sep}..`)) break;
      sendFile(res, join(dir, rel), TYPES[extname(rel)] ?? 'application/octet-stream');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found\n');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
