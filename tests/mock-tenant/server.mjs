// A mock Qlik Cloud tenant for the browser tests and the demo page: the six AutoML
// predictions endpoints streaming deterministic CSV datasets, cookie sessions with CSRF
// tokens, API keys, web integration IDs and CORS, rate-limit tiers, faults on demand,
// a request log, and static files. Node built-ins only.
//
// This file puts the parts together and is the public entry of the tests:
//   datasets.mjs  the datasets and their files (catalog.mjs, content.mjs, files.mjs)
//   faults.mjs    every fault flag with its meaning, and their one parser
//   access.mjs    sessions, login, API keys, web integrations, CORS
//   api.mjs       the API routes and the rate tiers
//   stream.mjs    a file's answer, with the body's transport faults
//   control.mjs   the /__mock/ routes
//   log.mjs       the request log and counters
//   static.mjs    static files (also on their own origin: startStaticServer)
//   responses.mjs JSON, text and HTML answers
import http from 'node:http';
import { createAccess } from './access.mjs';
import { DEFAULT_RATE_LIMITS, createApi, createRateLimiter } from './api.mjs';
import { createControl } from './control.mjs';
import { createFaultState } from './faults.mjs';
import { createRequestLog } from './log.mjs';
import { qlikError, sendJson, sendText } from './responses.mjs';
import { normalizeMounts, serveStatic } from './static.mjs';
import { createFileStreamer } from './stream.mjs';

export {
  FILE_TYPES, SAMPLE_DATASETS, DatasetError, resolveDataset, planFile, checkFile,
  generateChunks, createFileStream, describeFile, measureFile, sha256, fileSha256, wideFile,
} from './datasets.mjs';
export { FAULTS, faultHelp } from './faults.mjs';
export { mimeType, startStaticServer } from './static.mjs';

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
  // The port, and with it the default cookie name, are known once the server listens.
  const site = { host: options.host ?? '127.0.0.1', port: 0, cookieName: options.cookieName };
  const rateLimits = options.rateLimits === false ? null : { ...DEFAULT_RATE_LIMITS, ...(options.rateLimits ?? {}) };
  const mounts = normalizeMounts(options.static);
  const staticHeaders = options.staticHeaders ?? {};

  const access = createAccess(site, options);
  const log = createRequestLog(site, access.ownOrigin, options);
  const faultState = createFaultState();
  const rate = createRateLimiter(rateLimits);
  const streamer = createFileStreamer(log, options.contentLengthLimit ?? 64 * 2 ** 20);
  const { handleApi } = createApi({ access, faultState, rate, log, streamer });

  function reset(opts = {}) {
    log.clear();
    faultState.clear();
    rate.clear();
    if (opts.sessions) access.sessions.clear();
  }
  const { handleControl, indexPage } = createControl({ site, access, log, faultState, rate, streamer, reset });

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
      if (req.method === 'OPTIONS') access.preflight(req, res, true);
      else await handleControl(req, res, url);
      return;
    }
    const rec = log.logRequest(req, res, url);
    res.setHeader('x-mock-request-id', String(rec.id));
    if (p.startsWith('/api/')) {
      if (req.method === 'OPTIONS') {
        rec.route = 'preflight';
        access.preflight(req, res, false);
      } else {
        await handleApi(req, res, url, rec);
      }
      return;
    }
    if (p === '/login' && req.method === 'GET') {
      rec.route = 'login';
      access.handleLogin(req, res, url);
      return;
    }
    if (p === '/logout' && (req.method === 'GET' || req.method === 'POST')) {
      rec.route = 'logout';
      access.handleLogout(req, res, url);
      return;
    }
    rec.route = 'static';
    if (await serveStatic(mounts, req, res, url, staticHeaders)) return;
    if (p === '/' && req.method === 'GET') {
      indexPage(res);
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
    server.listen(options.port ?? 0, site.host, resolve);
  });
  site.port = server.address().port;
  site.cookieName ??= `eas.sid.${site.port}`;
  const origin = `http://${site.host}:${site.port}`;

  return {
    url: origin,
    origin,
    port: site.port,
    host: site.host,
    server,
    stats: log.stats,
    requests: log.requests,
    get cookieName() { return site.cookieName; },
    sessions: access.sessions,
    /** Clears the request log, counters, fault counters and rate windows (and sessions if asked). */
    reset,
    /** Creates a session: { sessionId, cookie ('name=value' for a Cookie header), csrfToken }. */
    createSession() { return access.describeSession(access.createSession()); },
    /** The current CSRF token of a session. */
    csrfToken(sessionId) { return access.sessions.get(sessionId)?.csrfToken ?? null; },
    /** Gives one session (or every session) a new CSRF token; returns how many. */
    rotateCsrf: access.rotateCsrf,
    /** Ends one session (or every session); returns how many. */
    expireSession: access.expireSession,
    /** Resolves once no CSV stream is open (or after `timeoutMs`, resolving false). */
    idle: log.idle,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
