// A mock Qlik Cloud tenant for the browser tests and the demo page: the six AutoML
// predictions endpoints streaming deterministic CSV datasets, cookie sessions with CSRF
// tokens, API keys, web integration IDs and CORS, rate-limit tiers, faults on demand,
// a request log, and static files. Node built-ins only.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import {
  FILE_TYPES, SAMPLE_DATASETS, DatasetError, resolveDataset, planFile, describeFile, wideFile,
} from './datasets.mjs';

export {
  FILE_TYPES, SAMPLE_DATASETS, DatasetError, resolveDataset, planFile, checkFile,
  generateChunks, createFileStream, describeFile, measureFile, sha256, fileSha256, wideFile,
} from './datasets.mjs';

const API_PREFIX = '/api/v1/automl-predictions/';
const SUNSET = new Date(Date.UTC(2026, 1, 1)).toUTCString();
const ALLOW_HEADERS = 'qlik-web-integration-id, qlik-csrf-token, authorization, content-type, accept';
const EXPOSE_HEADERS = 'qlik-csrf-token, retry-after, content-length, content-disposition, deprecation, sunset, x-mock-request-id';
const DRIP_SIZES = [1, 3, 7, 2, 5, 4, 6];
const DEFAULT_RATE_LIMITS = Object.freeze({ tier1: 1000, tier2: 100, windowMs: 60_000 });

const REASON_PHRASES = http.STATUS_CODES;

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

// ---------------------------------------------------------------------------------------
// Small helpers.

function flag(v) {
  return v !== undefined && v !== null && v !== '' && v !== '0' && v !== 'false';
}

function int(v) {
  if (v === undefined || v === null || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : null;
}

// The query parameters, plus any `mock*` parameters written inside the refId value (for
// clients that can only set refId: `refId=mock429%3D2%26mockKey%3Da`); real query
// parameters win. refId itself is left as sent.
function mockParams(url) {
  const q = new URLSearchParams(url.searchParams);
  const refId = url.searchParams.get('refId');
  if (refId && refId.includes('=')) {
    for (const [k, v] of new URLSearchParams(refId)) {
      if (k.startsWith('mock') && !url.searchParams.has(k)) q.set(k, v);
    }
  }
  return q;
}

function parseCookies(header) {
  const out = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    if (k && !(k in out)) out[k] = part.slice(eq + 1).trim();
  }
  return out;
}

function token(bytes = 18) {
  return randomBytes(bytes).toString('base64url');
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) { resolve(); return; }
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function waitDrain(res, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) { resolve(); return; }
    function done() {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    }
    res.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

// Writes a chunk; returns { ok, flushed }: `ok` as res.write returns it, `flushed` a promise
// settled once this chunk and every earlier one have left Node's buffers (or the response
// closed).
function writeTracked(res, chunk, signal) {
  let ok;
  const flushed = new Promise((resolve) => {
    function done() {
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
    ok = res.write(chunk, done);
  });
  return { ok, flushed };
}

function sendJson(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

// Like sendJson, padded to `pad` bytes (when larger than the JSON) with a last top-level
// member "padding" of x's.
function sendJsonPadded(res, status, body, headers, pad) {
  let text = JSON.stringify(body);
  const room = pad - Buffer.byteLength(text) - ',"padding":""'.length;
  if (room > 0) text = `${text.slice(0, -1)},"padding":"${'x'.repeat(room)}"}`;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function sendText(res, status, text, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// A Qlik-style JSON error: {"errors":[{code,title,detail?,status,meta?}]}.
function qlikError(status, code, title, detail, meta) {
  const e = { code, title };
  if (detail) e.detail = detail;
  e.status = String(status);
  if (meta && Object.keys(meta).length) e.meta = meta;
  return { errors: [e] };
}

function rateLimitBody(seconds) {
  return {
    errors: [{
      code: 'HTTP-429',
      title: 'API rate limit reached.',
      detail: `You need to wait ${seconds} seconds before retrying.`,
    }],
  };
}

function proxyErrorPage(status) {
  const line = `${status} ${REASON_PHRASES[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${line}</title></head>\r\n<body>\r\n<center><h1>${line}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

// ---------------------------------------------------------------------------------------
// Static files.

function normalizeMounts(mounts = {}) {
  return Object.entries(mounts)
    .map(([prefix, dir]) => {
      let p = prefix.startsWith('/') ? prefix : `/${prefix}`;
      if (!p.endsWith('/')) p += '/';
      return { prefix: p, dir: path.resolve(dir) };
    })
    .sort((a, b) => b.prefix.length - a.prefix.length);
}

// Serves GET/HEAD from the mounts; resolves to false when no mount has the path.
async function serveStatic(mounts, req, res, url, extraHeaders) {
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

// ---------------------------------------------------------------------------------------
// The tenant.

/**
 * Starts the mock tenant. Options:
 * - `port` (0 = random), `host` ('127.0.0.1');
 * - `allowAnonymous` (false): API calls need no session or API key;
 * - `apiKeys` ([]): valid `Authorization: Bearer` tokens;
 * - `webIntegrations` ({}): `{ '<id>': ['http://127.0.0.1:9000', ...allowed origins] }`;
 * - `strictCors` (false): CORS headers only for allowed origins, like a real tenant, so a
 *   refused cross-origin call is an opaque network error in the browser; by default every
 *   cross-origin answer (errors included) carries them so the client can read it;
 * - `rateLimits` ({ tier1: 1000, tier2: 100, windowMs: 60000 }, or false);
 * - `static` ({ '/prefix/': dir }), `staticHeaders` ({}): files served beside the API;
 * - `corsMaxAge` (60): preflight cache seconds;
 * - `cookieName` (`eas.sid.<port>`), `cookieSameSite` ('Lax'), `cookieSecure` (false);
 * - `contentLengthLimit` (64 MiB): row-count datasets estimated up to this size are measured
 *   once (cached) to send Content-Length; larger ones are sent chunked;
 * - `maxLoggedRequests` (2000); `onRequest(record)`: called when each logged request ends.
 */
export async function startMockTenant(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const apiKeys = new Set(options.apiKeys ?? []);
  const normalizeOrigin = (o) => {
    try {
      return o === 'null' ? o : new URL(o).origin;
    } catch {
      return o;
    }
  };
  const webIntegrations = new Map(Object.entries(options.webIntegrations ?? {})
    .map(([id, origins]) => [id, new Set(origins.map(normalizeOrigin))]));
  const allowAnonymous = Boolean(options.allowAnonymous);
  const strictCors = Boolean(options.strictCors);
  const rateLimits = options.rateLimits === false ? null : { ...DEFAULT_RATE_LIMITS, ...(options.rateLimits ?? {}) };
  const mounts = normalizeMounts(options.static);
  const staticHeaders = options.staticHeaders ?? {};
  const corsMaxAge = options.corsMaxAge ?? 60;
  const sameSite = options.cookieSameSite ?? 'Lax';
  const contentLengthLimit = options.contentLengthLimit ?? 64 * 2 ** 20;
  const maxLogged = options.maxLoggedRequests ?? 2000;
  let cookieName = options.cookieName;

  const sessions = new Map();
  const requests = [];
  const faultCounters = new Map();
  // Fault flags armed for the next requests of a route: route -> [{ count, params }].
  const armed = new Map();
  const rateWindows = new Map();
  const lengthCache = new Map();
  const idleWaiters = new Set();
  let nextId = 1;
  const t0 = performance.now();

  const stats = {
    requests: 0,
    apiRequests: 0,
    openStreams: 0,
    peakOpenStreams: 0,
    streamsStarted: 0,
    streamsCompleted: 0,
    streamsAborted: 0,
    streamsFaulted: 0,
    bytesWritten: 0,
    rateLimited: 0,
    statusCounts: {},
  };

  function resetStats() {
    for (const k of Object.keys(stats)) {
      if (k === 'openStreams') continue;
      stats[k] = k === 'statusCounts' ? {} : 0;
    }
    stats.peakOpenStreams = stats.openStreams;
  }

  function notifyIdle() {
    if (stats.openStreams !== 0) return;
    for (const w of idleWaiters) w();
    idleWaiters.clear();
  }

  // --- sessions

  function createSession() {
    const s = { id: token(24), csrfToken: token(), createdAt: Date.now() };
    sessions.set(s.id, s);
    return s;
  }

  function sessionCookie(s) {
    return `${cookieName}=${s.id}; Path=/; HttpOnly; SameSite=${sameSite}${options.cookieSecure ? '; Secure' : ''}`;
  }

  function clearCookie() {
    return `${cookieName}=; Path=/; HttpOnly; SameSite=${sameSite}; Max-Age=0${options.cookieSecure ? '; Secure' : ''}`;
  }

  function sessionOf(req) {
    const sid = parseCookies(req.headers.cookie)[cookieName];
    return sid ? sessions.get(sid) ?? null : null;
  }

  function targetSessions(req, url) {
    const id = url.searchParams.get('sessionId');
    if (id) return sessions.has(id) ? [sessions.get(id)] : [];
    const s = sessionOf(req);
    if (s) return [s];
    return [...sessions.values()];
  }

  function rotateCsrf(sessionId) {
    const list = sessionId ? [sessions.get(sessionId)].filter(Boolean) : [...sessions.values()];
    for (const s of list) s.csrfToken = token();
    return list.length;
  }

  function expireSession(sessionId) {
    if (sessionId) return sessions.delete(sessionId) ? 1 : 0;
    const n = sessions.size;
    sessions.clear();
    return n;
  }

  // --- origins and CORS

  function ownOrigin(req) {
    return `http://${req.headers.host ?? `${host}:${port}`}`;
  }

  function originListed(origin) {
    for (const origins of webIntegrations.values()) if (origins.has(origin)) return true;
    return false;
  }

  function setCors(res, origin) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  }

  function preflight(req, res, permissive) {
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    if (origin === undefined) {
      res.writeHead(204, { Allow: 'GET, POST, OPTIONS' });
      res.end();
      return;
    }
    if (!permissive && strictCors && !originListed(origin)) {
      sendJson(res, 403, qlikError(403, 'CORS-1', 'Origin not allowed', `Origin ${origin} is not allowed by any web integration.`));
      return;
    }
    res.writeHead(204, {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': ALLOW_HEADERS,
      'Access-Control-Max-Age': String(corsMaxAge),
    });
    res.end();
  }

  // --- request log

  function logRequest(req, url) {
    const h = req.headers;
    const rec = {
      id: nextId++,
      time: Date.now(),
      sinceStart: Math.round((performance.now() - t0) * 1000) / 1000,
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      origin: h.origin ?? null,
      crossOrigin: h.origin !== undefined && h.origin !== ownOrigin(req),
      headers: {
        'qlik-web-integration-id': h['qlik-web-integration-id'] ?? null,
        'qlik-csrf-token': h['qlik-csrf-token'] ?? null,
        authorization: h.authorization !== undefined,
        cookie: h.cookie !== undefined,
        sessionCookie: parseCookies(h.cookie)[cookieName] !== undefined,
        'content-type': h['content-type'] ?? null,
        accept: h.accept ?? null,
      },
      route: null,
      predictionId: null,
      principal: null,
      status: null,
      contentLength: null,
      gzip: false,
      bytesWritten: 0,
      streaming: false,
      finished: false,
      aborted: false,
      fault: null,
      endTime: null,
      durationMs: null,
    };
    requests.push(rec);
    if (requests.length > maxLogged) requests.splice(0, requests.length - maxLogged);
    stats.requests += 1;
    return rec;
  }

  function trackEnd(res, rec) {
    res.on('finish', () => {
      if (!rec.streaming) rec.bytesWritten = Number(res.getHeader('content-length')) || 0;
    });
    res.on('close', () => {
      rec.status ??= res.statusCode;
      rec.finished = res.writableFinished;
      if (!res.writableFinished && !rec.fault) rec.aborted = true;
      rec.endTime = Date.now();
      rec.durationMs = rec.endTime - rec.time;
      stats.statusCounts[rec.status] = (stats.statusCounts[rec.status] ?? 0) + 1;
      if (options.onRequest) {
        try { options.onRequest(rec); } catch { /* a logging callback must not break the server */ }
      }
    });
  }

  // --- rate limits and fault counters

  function rateCheck(principalKey, tier) {
    if (!rateLimits) return null;
    const limit = tier === 1 ? rateLimits.tier1 : rateLimits.tier2;
    const key = `${principalKey}\u0000${tier}`;
    const now = Date.now();
    let w = rateWindows.get(key);
    if (!w || now - w.start >= rateLimits.windowMs) {
      w = { start: now, count: 0 };
      rateWindows.set(key, w);
    }
    if (w.count >= limit) return Math.max(1, Math.ceil((w.start + rateLimits.windowMs - now) / 1000));
    w.count += 1;
    return null;
  }

  function takeFault(kind, key, n) {
    if (!n) return false;
    const k = `${kind}\u0000${key}`;
    const used = faultCounters.get(k) ?? 0;
    if (used >= n) return false;
    faultCounters.set(k, used + 1);
    return true;
  }

  // --- Content-Length of row-count datasets, measured once per variant

  function measuredLength(plan, variantKey) {
    let p = lengthCache.get(variantKey);
    if (!p) {
      p = (async () => {
        let bytes = 0;
        let n = 0;
        for (const chunk of plan.chunks()) {
          bytes += chunk.length;
          if (++n % 32 === 0) await new Promise((r) => setImmediate(r));
        }
        return bytes;
      })();
      lengthCache.set(variantKey, p);
      if (lengthCache.size > 500) lengthCache.delete(lengthCache.keys().next().value);
    }
    return p;
  }

  // --- authentication

  // Returns { principal, key, session } or sends the error answer and returns null.
  function authenticate(req, res, rec, cors) {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(.+)$/i.exec(auth);
      if (!m || !apiKeys.has(m[1].trim())) {
        cors(true);
        sendJson(res, 401, qlikError(401, 'AUTH-1', 'Not authorized', 'Invalid API key or access token.'));
        return null;
      }
      cors(true);
      rec.principal = 'bearer';
      return { principal: 'bearer', key: `k:${m[1].trim()}`, session: null };
    }
    const origin = req.headers.origin;
    if (rec.crossOrigin) {
      const id = req.headers['qlik-web-integration-id'];
      let err = null;
      if (!id) err = ['WEB-INTEGRATION-1', 'Missing web integration ID', 'Cross-origin requests need the qlik-web-integration-id header.'];
      else if (!webIntegrations.has(id)) err = ['WEB-INTEGRATION-2', 'Unknown web integration ID', `No web integration with ID '${id}'.`];
      else if (!webIntegrations.get(id).has(origin)) err = ['WEB-INTEGRATION-3', 'Origin not allowed', `Origin ${origin} is not allowed for web integration '${id}'.`];
      if (err) {
        cors(false);
        sendJson(res, 403, qlikError(403, err[0], err[1], err[2]));
        return null;
      }
    }
    cors(true);
    const session = sessionOf(req);
    if (session) {
      rec.principal = 'session';
      return { principal: 'session', key: `s:${session.id}`, session };
    }
    if (allowAnonymous) {
      rec.principal = 'anonymous';
      return { principal: 'anonymous', key: 'anonymous', session: null };
    }
    sendJson(res, 401, qlikError(401, 'AUTH-1', 'Not authorized', 'No valid session cookie or bearer token.'));
    return null;
  }

  // --- API

  async function handleApi(req, res, url, rec) {
    const q = mockParams(url);
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    const abort = new AbortController();
    res.once('close', () => abort.abort());

    // `allowed`: whether the origin passed the checks; strict mode sends CORS headers only then.
    const cors = (allowed) => {
      if (!rec.crossOrigin) return;
      if (!strictCors || (allowed && (req.headers.authorization === undefined || originListed(origin)))) setCors(res, origin);
    };

    const p = url.pathname;
    let route;
    let predictionId = null;
    let file = null;
    if (p === '/api/v1/csrf-token') route = 'csrf-token';
    else if (p === '/api/v1/users/me') route = 'users-me';
    else if (p.startsWith(API_PREFIX)) {
      const rest = p.slice(API_PREFIX.length).split('/');
      if (rest.length === 2 && rest[0] && (FILE_TYPES.includes(rest[1]) || rest[1] === 'jobs')) {
        try {
          predictionId = decodeURIComponent(rest[0]);
        } catch {
          cors(true);
          sendJson(res, 400, qlikError(400, 'HTTP-400', 'Bad Request', 'Malformed prediction ID.'));
          return;
        }
        file = rest[1];
        route = file;
      }
    }
    rec.route = route ?? null;
    const arm = route ? armed.get(route)?.[0] : undefined;
    if (arm) {
      for (const [k, v] of arm.params) if (!q.has(k)) q.set(k, v);
      rec.armed = Object.fromEntries(arm.params);
      if (--arm.count <= 0) armed.get(route).shift();
    }
    rec.predictionId = predictionId;
    if (!route) {
      cors(true);
      sendJson(res, 404, qlikError(404, 'HTTP-404', 'Not Found', `No route for ${req.method} ${p}.`));
      return;
    }
    stats.apiRequests += 1;
    const automl = predictionId !== null;
    if (automl) {
      res.setHeader('Deprecation', 'true');
      res.setHeader('Sunset', SUNSET);
    }
    const method = route === 'jobs' ? 'POST' : 'GET';
    if (req.method !== method) {
      cors(true);
      sendJson(res, 405, qlikError(405, 'HTTP-405', 'Method Not Allowed', `${req.method} is not allowed here.`), { Allow: method });
      return;
    }
    if (req.method === 'POST') req.resume();

    const delay = int(q.get('mockDelay'));
    if (delay) {
      await sleep(delay, abort.signal);
      if (abort.signal.aborted) return;
    }

    // Faults of what stands in front of the tenant (the network, a gateway), before any check.
    const frontKey = `${route}\u0000${predictionId}\u0000${q.get('mockKey') ?? ''}`;
    if (takeFault('drop', frontKey, int(q.get('mockDrop')))) {
      // A few bytes that are not HTTP, then the end of the connection: a browser fails the
      // request (a closed connection without any byte, on a reused socket, it would resend).
      rec.fault = 'drop';
      req.socket.end('\0\0\0\0\0\0\0\0not http\r\n\r\n');
      return;
    }
    const redirect = int(q.get('mockRedirect'));
    if (redirect >= 300 && redirect <= 399 && q.get('mockRedirectTo')) {
      // The same path and query (without the redirect flags) on another origin.
      const target = new URL(url.pathname, q.get('mockRedirectTo'));
      for (const [k, v] of url.searchParams) {
        if (k.startsWith('mockRedirect')) continue;
        if (k === 'refId' && v.includes('=')) {
          const inner = new URLSearchParams(v);
          for (const key of [...inner.keys()]) if (key.startsWith('mockRedirect')) inner.delete(key);
          target.searchParams.set(k, inner.toString());
        } else {
          target.searchParams.set(k, v);
        }
      }
      rec.fault = 'redirect';
      cors(true);
      res.writeHead(redirect, { Location: target.href, 'Content-Length': 0, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    for (const status of [502, 504]) {
      if (takeFault(String(status), frontKey, int(q.get(`mock${status}`)))) {
        cors(true);
        const html = proxyErrorPage(status);
        res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(html) });
        res.end(html);
        return;
      }
    }

    const who = authenticate(req, res, rec, cors);
    if (!who) return;

    if (route === 'csrf-token') {
      if (!who.session) {
        sendJson(res, 404, qlikError(404, 'HTTP-404', 'Not Found', 'No CSRF token for this authentication.'));
        return;
      }
      res.writeHead(204, { 'qlik-csrf-token': who.session.csrfToken, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (route === 'users-me') {
      sendJson(res, 200, {
        id: who.principal === 'session' ? 'mock-user' : who.principal === 'bearer' ? 'mock-api-key-user' : 'anonymous',
        tenantId: 'mock-tenant',
        name: who.principal === 'anonymous' ? 'Anonymous' : 'Mock User',
        email: 'mock.user@example.invalid',
        status: 'active',
      });
      return;
    }

    if (req.method === 'POST' && who.session) {
      const sent = req.headers['qlik-csrf-token'];
      if (sent !== who.session.csrfToken) {
        sendJson(res, 403, qlikError(403, 'CSRF-TOKEN-2', 'Invalid CSRF token',
          sent ? 'The qlik-csrf-token header does not match the session.' : 'The qlik-csrf-token header is missing.'));
        return;
      }
    }

    const tier = route === 'jobs' ? 2 : 1;
    const wait = rateCheck(who.key, tier);
    if (wait !== null) {
      stats.rateLimited += 1;
      sendJson(res, 429, rateLimitBody(wait), { 'Retry-After': String(wait) });
      return;
    }

    const faultKey = `${predictionId}\u0000${file}\u0000${q.get('mockKey') ?? ''}`;
    const retryAfter = q.get('mockRetryAfter');
    if (takeFault('429', faultKey, int(q.get('mock429')))) {
      const secs = retryAfter ?? '1';
      sendJson(res, 429, rateLimitBody(secs), { 'Retry-After': secs });
      return;
    }
    if (takeFault('503', faultKey, int(q.get('mock503')))) {
      sendJson(res, 503, qlikError(503, 'HTTP-503', 'Service Unavailable', 'The service is temporarily unavailable.'),
        retryAfter !== null ? { 'Retry-After': retryAfter } : {});
      return;
    }
    const forced = int(q.get('mockStatus')) ?? (flag(q.get('mockHtml')) ? 502 : null);
    if (forced !== null && forced >= 400 && forced <= 599) {
      const extra = forced === 429 || (forced === 503 && retryAfter !== null) ? { 'Retry-After': retryAfter ?? '1' } : {};
      if (flag(q.get('mockHtml'))) {
        const html = proxyErrorPage(forced);
        res.writeHead(forced, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(html), ...extra });
        res.end(html);
      } else if (forced === 429) {
        sendJson(res, 429, rateLimitBody(retryAfter ?? '1'), extra);
      } else {
        sendJsonPadded(res, forced, qlikError(forced, `HTTP-${forced}`, REASON_PHRASES[forced] ?? 'Error',
          `Mock error requested with mockStatus=${forced}.`), extra, int(q.get('mockPad')) ?? 0);
      }
      return;
    }

    if (route === 'jobs') {
      sendJobs(res, predictionId, int(q.get('mockPad')) ?? 0);
      return;
    }
    await streamFile(req, res, q, rec, predictionId, file, abort.signal);
  }

  function sendJobs(res, predictionId, pad) {
    const ds = resolveDataset(predictionId);
    if (!ds) {
      sendJson(res, 404, qlikError(404, 'AUTOML-404', 'Prediction not found', `No prediction with ID '${predictionId}' was found.`,
        { resource: 'prediction', resourceId: predictionId }));
      return;
    }
    if (ds.jobs === 'none') {
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
      return;
    }
    let h = 0x811c9dc5;
    for (const b of Buffer.from(predictionId)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    const hex = (h.toString(16).padStart(8, '0').repeat(4));
    const jobId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    const created = Date.UTC(2025, 5, 1) + (h % (30 * 86400)) * 1000;
    const iso = (t) => new Date(t).toISOString();
    const job = {
      id: jobId,
      correlationId: predictionId,
      correlationType: 'prediction',
      type: 'prediction',
      name: `Prediction ${predictionId}`,
      status: ds.jobs,
      createdAt: iso(created),
      updatedAt: iso(created + 95_000),
      startedAt: iso(created + 2_000),
    };
    if (ds.jobs === 'completed') job.endedAt = iso(created + 95_000);
    if (ds.jobs === 'failed') {
      job.endedAt = iso(created + 41_000);
      job.error = { code: 'AUTOML-PREDICTION-FAILED', title: 'Prediction failed', detail: 'The apply dataset could not be read.' };
    }
    sendJsonPadded(res, 200, { data: [job] }, {}, pad);
  }

  async function streamFile(req, res, q, rec, predictionId, file, signal) {
    const genOpts = {
      refId: q.get('refId') ?? undefined,
      bom: flag(q.get('mockBom')),
      badUtf8: flag(q.get('mockBadUtf8')),
      malformed: q.get('mockMalformed') ?? undefined,
    };
    let plan;
    try {
      plan = planFile(predictionId, file, genOpts);
      const wide = int(q.get('mockWide'));
      if (wide) plan = wideFile(wide, int(q.get('mockWideRows')) ?? 1);
    } catch (e) {
      if (!(e instanceof DatasetError)) throw e;
      sendJson(res, e.status, qlikError(e.status, e.code, e.title, e.detail, e.meta));
      return;
    }
    const gzip = flag(q.get('mockGzip'));
    let length = null;
    if (!gzip && !flag(q.get('mockChunked'))) {
      if (plan.knownLength !== null) {
        length = plan.knownLength;
      } else if (plan.estimateLength() <= contentLengthLimit) {
        const key = JSON.stringify([predictionId, file, genOpts.refId ?? '', genOpts.bom, genOpts.badUtf8, genOpts.malformed ?? '']);
        length = await measuredLength(planFile(predictionId, file, genOpts), key);
        if (signal.aborted) return;
      }
    }
    const headers = {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${file}.csv"`,
      'Cache-Control': 'no-store',
    };
    if (length !== null) headers['Content-Length'] = length;
    if (gzip) headers['Content-Encoding'] = 'gzip';
    rec.contentLength = length;
    rec.gzip = gzip;
    rec.status = 200;
    res.writeHead(200, headers);
    res.flushHeaders();

    rec.streaming = true;
    stats.openStreams += 1;
    stats.streamsStarted += 1;
    stats.peakOpenStreams = Math.max(stats.peakOpenStreams, stats.openStreams);
    res.once('close', () => {
      stats.openStreams -= 1;
      if (rec.fault) stats.streamsFaulted += 1;
      else if (res.writableFinished) stats.streamsCompleted += 1;
      else stats.streamsAborted += 1;
      notifyIdle();
    });

    let source;
    let cleanup = () => {};
    if (gzip) {
      const raw = Readable.from(plan.chunks(), { objectMode: false });
      const gz = zlib.createGzip({ level: 1 });
      raw.on('error', (e) => gz.destroy(e));
      raw.pipe(gz);
      source = gz;
      cleanup = () => { raw.destroy(); gz.destroy(); };
    } else {
      source = plan.chunks();
    }

    const resetAt = int(q.get('mockReset'));
    const endAt = int(q.get('mockEarlyEnd'));
    const cut = resetAt !== null && (endAt === null || resetAt <= endAt)
      ? { at: resetAt, kind: 'reset' }
      : endAt !== null ? { at: endAt, kind: 'earlyEnd' } : null;
    const drip = int(q.get('mockDrip'));
    const stallMs = int(q.get('mockStall'));
    let stallAt = stallMs ? int(q.get('mockStallAfter')) ?? 1024 : null;
    let sent = 0;
    let dripIndex = 0;
    let lastFlush = Promise.resolve();

    const emit = async (piece) => {
      // Only the write that reaches a cut is tracked: its flush implies the earlier ones.
      let ok;
      if (cut && sent + piece.length >= cut.at) {
        const w = writeTracked(res, piece, signal);
        ok = w.ok;
        lastFlush = w.flushed;
      } else {
        ok = res.write(piece);
      }
      sent += piece.length;
      rec.bytesWritten = sent;
      stats.bytesWritten += piece.length;
      if (!ok) await waitDrain(res, signal);
    };

    try {
      if (cut && cut.at === 0) {
        await finishCut(res, rec, cut, lastFlush);
        return;
      }
      outer: for await (let chunk of source) {
        while (chunk.length) {
          if (signal.aborted) return;
          let n = chunk.length;
          if (drip) n = Math.min(n, DRIP_SIZES[dripIndex++ % DRIP_SIZES.length]);
          if (stallAt !== null) n = Math.min(n, Math.max(1, stallAt - sent));
          if (cut) n = Math.min(n, cut.at - sent);
          if (drip && sent > 0) await sleep(drip, signal);
          if (signal.aborted) return;
          await emit(chunk.subarray(0, n));
          chunk = chunk.subarray(n);
          if (cut && sent >= cut.at) {
            await finishCut(res, rec, cut, lastFlush);
            break outer;
          }
          if (stallAt !== null && sent >= stallAt) {
            stallAt = null;
            await sleep(stallMs, signal);
          }
        }
      }
      if (stallAt !== null) await sleep(stallMs, signal);
      if (!signal.aborted && !rec.fault) res.end();
    } finally {
      cleanup();
      if (!gzip && typeof source.return === 'function') source.return();
    }
  }

  // Stops the body after the bytes already written: 'reset' destroys the socket with a TCP
  // RST; 'earlyEnd' closes it with a FIN without completing the HTTP message.
  async function finishCut(res, rec, cut, flushed) {
    rec.fault = cut.kind;
    await flushed;
    const socket = res.socket;
    if (!socket) return;
    if (cut.kind === 'reset') socket.resetAndDestroy();
    else socket.end();
  }

  // --- login, logout, mock helpers

  // Where `returnto` may send the browser: the tenant's own origin, or an origin allowed for
  // the given web integration ID. Returns the URL or null.
  function checkReturnTo(req, returnto, wiId) {
    if (!returnto) return null;
    let target;
    try {
      target = new URL(returnto, ownOrigin(req));
    } catch {
      return null;
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return null;
    if (target.origin === ownOrigin(req)) return target.href;
    if (wiId && webIntegrations.get(wiId)?.has(target.origin)) return target.href;
    return null;
  }

  function htmlPage(res, status, title, body, headers = {}) {
    const html = `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>\n`;
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html), 'Cache-Control': 'no-store', ...headers });
    res.end(html);
  }

  function handleLogin(req, res, url) {
    const wiId = url.searchParams.get('qlik-web-integration-id');
    const returnto = url.searchParams.get('returnto');
    if (wiId && !webIntegrations.has(wiId)) {
      htmlPage(res, 403, 'Unknown web integration', `<p>No web integration with ID <code>${escapeHtml(wiId)}</code>.</p>`);
      return;
    }
    const target = checkReturnTo(req, returnto, wiId);
    if (returnto && !target) {
      htmlPage(res, 400, 'Redirect not allowed', `<p>returnto <code>${escapeHtml(returnto)}</code> is not this tenant's origin nor an origin allowed for the web integration.</p>`);
      return;
    }
    const session = sessionOf(req) ?? createSession();
    const headers = { 'Set-Cookie': sessionCookie(session) };
    if (target) {
      res.writeHead(302, { ...headers, Location: target, 'Content-Length': 0, 'Cache-Control': 'no-store' });
      res.end();
    } else {
      htmlPage(res, 200, 'Signed in', '<p>You are signed in to the mock Qlik tenant.</p>', headers);
    }
  }

  function handleLogout(req, res, url) {
    const s = sessionOf(req);
    if (s) sessions.delete(s.id);
    const target = checkReturnTo(req, url.searchParams.get('returnto'), url.searchParams.get('qlik-web-integration-id'));
    const headers = { 'Set-Cookie': clearCookie() };
    if (target) {
      res.writeHead(302, { ...headers, Location: target, 'Content-Length': 0, 'Cache-Control': 'no-store' });
      res.end();
    } else {
      htmlPage(res, 200, 'Signed out', '<p>You are signed out of the mock Qlik tenant.</p>', headers);
    }
  }

  function info(req) {
    return {
      origin: ownOrigin(req),
      allowAnonymous,
      strictCors,
      apiKeys: apiKeys.size,
      webIntegrations: Object.fromEntries([...webIntegrations].map(([k, v]) => [k, [...v]])),
      rateLimits,
      cookieName,
      fileTypes: FILE_TYPES,
      samples: SAMPLE_DATASETS,
      generic: [
        'rows-<N>[-crlf][-multiclass][-hostile]: N accounts',
        'bytes-<N>[-crlf][-multiclass][-hostile]: every file exactly N bytes (N may end in k, m or g: powers of 1000)',
      ],
    };
  }

  async function handleMock(req, res, url) {
    const origin = req.headers.origin;
    if (origin !== undefined) setCors(res, origin);
    res.setHeader('Vary', 'Origin');
    const p = url.pathname;
    const route = `${req.method} ${p}`;
    if (route === 'GET /__mock/requests') {
      const since = int(url.searchParams.get('since')) ?? 0;
      const limit = int(url.searchParams.get('limit'));
      let list = requests.filter((r) => r.id > since);
      if (limit !== null) list = list.slice(-limit);
      sendJson(res, 200, { requests: list, stats });
    } else if (route === 'GET /__mock/stats') {
      sendJson(res, 200, stats);
    } else if (route === 'POST /__mock/arm') {
      // Arms fault flags for routes a client cannot add flags to (jobs, csrf-token):
      // POST /__mock/arm?route=jobs&count=1&mockDelay=5000 gives the next `count` requests of
      // the route these `mock*` parameters.
      const target = url.searchParams.get('route');
      const count = int(url.searchParams.get('count')) ?? 1;
      const params = [...url.searchParams].filter(([k]) => k.startsWith('mock'));
      if (!target || params.length === 0) {
        sendJson(res, 400, qlikError(400, 'HTTP-400', 'Bad Request', 'Give route=<route> and mock* parameters.'));
        return;
      }
      if (!armed.has(target)) armed.set(target, []);
      armed.get(target).push({ count, params });
      sendJson(res, 200, { armed: target, count, params: Object.fromEntries(params) });
    } else if (route === 'POST /__mock/reset') {
      reset({ sessions: flag(url.searchParams.get('sessions')) });
      sendJson(res, 200, { ok: true });
    } else if (route === 'POST /__mock/session') {
      const s = createSession();
      sendJson(res, 200, {
        sessionId: s.id, cookieName, cookie: `${cookieName}=${s.id}`, setCookie: sessionCookie(s), csrfToken: s.csrfToken,
      }, { 'Set-Cookie': sessionCookie(s) });
    } else if (route === 'POST /__mock/session/rotate-csrf') {
      const list = targetSessions(req, url);
      for (const s of list) s.csrfToken = token();
      sendJson(res, 200, { rotated: list.length, csrfTokens: Object.fromEntries(list.map((s) => [s.id, s.csrfToken])) });
    } else if (route === 'POST /__mock/session/expire') {
      const list = targetSessions(req, url);
      for (const s of list) sessions.delete(s.id);
      sendJson(res, 200, { expired: list.length });
    } else if (route === 'GET /__mock/info' || route === 'GET /__mock/datasets') {
      sendJson(res, 200, info(req));
    } else if (req.method === 'GET' && p.startsWith('/__mock/expected/')) {
      const parts = p.slice('/__mock/expected/'.length).split('/');
      const q = mockParams(url);
      try {
        if (parts.length !== 2) throw new DatasetError(404, 'HTTP-404', 'Not Found', 'Use /__mock/expected/<predictionId>/<file>.');
        const id = decodeURIComponent(parts[0]);
        const genOpts = {
          refId: q.get('refId') ?? undefined,
          bom: flag(q.get('mockBom')),
          badUtf8: flag(q.get('mockBadUtf8')),
          malformed: q.get('mockMalformed') ?? undefined,
        };
        const plan = planFile(id, parts[1], genOpts);
        const d = await describeFile(id, parts[1], genOpts);
        const chunked = flag(q.get('mockGzip')) || flag(q.get('mockChunked'))
          || (plan.knownLength === null && plan.estimateLength() > contentLengthLimit);
        sendJson(res, 200, { ...d, contentLength: chunked ? null : d.bytes, header: plan.header, eol: plan.eol });
      } catch (e) {
        if (!(e instanceof DatasetError)) throw e;
        sendJson(res, e.status, qlikError(e.status, e.code, e.title, e.detail, e.meta));
      }
    } else {
      sendJson(res, 404, qlikError(404, 'HTTP-404', 'Not Found', `No mock route ${route}.`));
    }
  }

  function indexPage(req, res) {
    const rows = SAMPLE_DATASETS.map((d) => `<li><code>${escapeHtml(d.id)}</code>: ${escapeHtml(d.description)}</li>`).join('');
    htmlPage(res, 200, 'Mock Qlik Cloud tenant',
      `<p>Endpoints: <code>GET ${API_PREFIX}{predictionId}/{${FILE_TYPES.join('|')}}</code>, <code>POST ${API_PREFIX}{predictionId}/jobs</code>, <code>GET /api/v1/csrf-token</code>, <code>/login</code>, <code>/logout</code>, <code>/__mock/info</code>.</p><ul>${rows}</ul>`);
  }

  // --- dispatch

  async function handle(req, res) {
    let url;
    try {
      url = new URL(req.url, 'http://tenant.invalid');
    } catch {
      sendText(res, 400, 'Bad Request\n');
      return;
    }
    const p = url.pathname;
    req.on('error', () => {});
    res.on('error', () => {});
    if (p.startsWith('/__mock/')) {
      if (req.method === 'OPTIONS') preflight(req, res, true);
      else await handleMock(req, res, url);
      return;
    }
    const rec = logRequest(req, url);
    res.setHeader('x-mock-request-id', String(rec.id));
    trackEnd(res, rec);
    if (p.startsWith('/api/')) {
      if (req.method === 'OPTIONS') {
        rec.route = 'preflight';
        preflight(req, res, false);
      } else {
        await handleApi(req, res, url, rec);
      }
      return;
    }
    if (p === '/login' && req.method === 'GET') {
      rec.route = 'login';
      handleLogin(req, res, url);
      return;
    }
    if (p === '/logout' && (req.method === 'GET' || req.method === 'POST')) {
      rec.route = 'logout';
      handleLogout(req, res, url);
      return;
    }
    rec.route = 'static';
    if (await serveStatic(mounts, req, res, url, staticHeaders)) return;
    if (p === '/' && req.method === 'GET') {
      indexPage(req, res);
      return;
    }
    sendText(res, 404, 'Not Found\n');
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, qlikError(500, 'HTTP-500', 'Internal Server Error', e.message));
      else res.destroy();
    });
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const port = server.address().port;
  cookieName ??= `eas.sid.${port}`;
  const origin = `http://${host}:${port}`;

  function reset(opts = {}) {
    requests.length = 0;
    faultCounters.clear();
    armed.clear();
    rateWindows.clear();
    resetStats();
    if (opts.sessions) sessions.clear();
  }

  return {
    url: origin,
    origin,
    port,
    host,
    server,
    stats,
    requests,
    get cookieName() { return cookieName; },
    sessions,
    /** Clears the request log, counters, fault counters and rate windows (and sessions if asked). */
    reset,
    /** Creates a session: { sessionId, cookie ('name=value' for a Cookie header), csrfToken }. */
    createSession() {
      const s = createSession();
      return { sessionId: s.id, cookieName, cookie: `${cookieName}=${s.id}`, setCookie: sessionCookie(s), csrfToken: s.csrfToken };
    },
    /** The current CSRF token of a session. */
    csrfToken(sessionId) { return sessions.get(sessionId)?.csrfToken ?? null; },
    /** Gives one session (or every session) a new CSRF token; returns how many. */
    rotateCsrf,
    /** Ends one session (or every session); returns how many. */
    expireSession,
    /** Resolves once no CSV stream is open (or after `timeoutMs`, resolving false). */
    idle(timeoutMs = 5000) {
      if (stats.openStreams === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const t = setTimeout(() => { idleWaiters.delete(done); resolve(false); }, timeoutMs);
        function done() { clearTimeout(t); resolve(true); }
        idleWaiters.add(done);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
