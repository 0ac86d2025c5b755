// Static files: the demo page and the built package beside the mock tenant's API (`static`
// option of startMockTenant, `npm start`), or alone on another origin (startStaticServer: the
// "mashup" origin of the cross-origin tests). GET and HEAD only, no directory listing, no
// path outside a mount.
import http from 'node:http';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { sendText } from './responses.mjs';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.ts': 'application/typescript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** The Content-Type the static handlers send for a file name. */
export function mimeType(fileName) {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.d.ts') || lower.endsWith('.d.mts')) return MIME['.ts'];
  return MIME[path.extname(lower)] ?? 'application/octet-stream';
}

/** `{ '/prefix/': dir }` as a list, the longest prefix first (the one that wins). */
export function normalizeMounts(mounts = {}) {
  return Object.entries(mounts)
    .map(([prefix, dir]) => {
      let p = prefix.startsWith('/') ? prefix : `/${prefix}`;
      if (!p.endsWith('/')) p += '/';
      return { prefix: p, dir: path.resolve(dir) };
    })
    .sort((a, b) => b.prefix.length - a.prefix.length);
}

/** Serves GET/HEAD from the mounts; resolves to false when no mount has the path. */
export async function serveStatic(mounts, req, res, url, extraHeaders) {
  const pathname = url.pathname;
  for (const { prefix, dir } of mounts) {
    if (prefix !== '/' && pathname === prefix.slice(0, -1)) {
      res.writeHead(301, { Location: prefix + url.search, 'Content-Length': 0 });
      res.end();
      return true;
    }
    if (!pathname.startsWith(prefix)) continue;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
      return true;
    }
    let rel;
    try {
      rel = decodeURIComponent(pathname.slice(prefix.length));
    } catch {
      sendText(res, 400, 'Bad Request\n');
      return true;
    }
    if (rel.includes('\0') || rel.split(/[/\\]/).some((seg) => seg === '..')) {
      sendText(res, 403, 'Forbidden\n');
      return true;
    }
    let file = path.join(dir, rel);
    if (file !== dir && !file.startsWith(dir + path.sep)) {
      sendText(res, 403, 'Forbidden\n');
      return true;
    }
    let st = await fsp.stat(file).catch(() => null);
    if (st?.isDirectory()) {
      if (!pathname.endsWith('/')) {
        res.writeHead(301, { Location: `${pathname}/${url.search}`, 'Content-Length': 0 });
        res.end();
        return true;
      }
      file = path.join(file, 'index.html');
      st = await fsp.stat(file).catch(() => null);
    }
    if (!st?.isFile()) continue;
    res.writeHead(200, {
      'Content-Type': mimeType(file),
      'Content-Length': st.size,
      'Cache-Control': 'no-store',
      ...extraHeaders,
    });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    await new Promise((resolve) => {
      const rs = createReadStream(file);
      rs.on('error', () => { res.destroy(); resolve(); });
      res.on('close', () => { rs.destroy(); resolve(); });
      rs.pipe(res);
    });
    return true;
  }
  return false;
}

/**
 * A plain static file server (the "mashup" origin of cross-origin tests).
 * Options: `port` (0 = random), `host` ('127.0.0.1'), `static` ({ '/prefix/': dir }),
 * `headers` (extra response headers). Returns { url, origin, port, server, requests, close() }.
 */
export async function startStaticServer(options = {}) {
  const mounts = normalizeMounts(options.static);
  const host = options.host ?? '127.0.0.1';
  const requests = [];
  const server = http.createServer(async (req, res) => {
    let url;
    try {
      url = new URL(req.url, 'http://static.invalid');
    } catch {
      sendText(res, 400, 'Bad Request\n');
      return;
    }
    req.on('error', () => {});
    res.on('error', () => {});
    const rec = { method: req.method, path: url.pathname, time: Date.now(), status: null };
    requests.push(rec);
    if (requests.length > 1000) requests.shift();
    res.on('finish', () => { rec.status = res.statusCode; });
    try {
      if (!(await serveStatic(mounts, req, res, url, options.headers ?? {}))) sendText(res, 404, 'Not Found\n');
    } catch (e) {
      if (!res.headersSent) sendText(res, 500, `Internal error: ${e.message}\n`);
      else res.destroy();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address();
  const origin = `http://${host}:${port}`;
  return {
    url: origin,
    origin,
    port,
    server,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
