// The API routes of the mock tenant: the six AutoML predictions endpoints (five files and
// jobs), the CSRF token and users/me; each request through the faults in front of the tenant,
// authentication, the CSRF check, the rate-limit tiers and the faults of the answer.
import { FILE_TYPES, resolveDataset } from './datasets.mjs';
import { faultParams, parseFaults, withoutFlags } from './faults.mjs';
import {
  REASON_PHRASES, qlikError, rateLimitBody, sendJson, sendJsonPadded, sendProxyErrorPage, sleep,
} from './responses.mjs';

export const API_PREFIX = '/api/v1/automl-predictions/';
const SUNSET = new Date(Date.UTC(2026, 1, 1)).toUTCString();
export const DEFAULT_RATE_LIMITS = Object.freeze({ tier1: 1000, tier2: 100, windowMs: 60_000 });

/**
 * The API's rate tiers (tier 1: the files, tier 2: jobs), counted per principal in fixed
 * windows; `limits` false turns them off.
 */
export function createRateLimiter(limits) {
  const windows = new Map();
  return {
    limits,
    /** null when the request may go, else the seconds to wait. */
    check(principalKey, tier) {
      if (!limits) return null;
      const limit = tier === 1 ? limits.tier1 : limits.tier2;
      const key = `${principalKey}\u0000${tier}`;
      const now = Date.now();
      let w = windows.get(key);
      if (!w || now - w.start >= limits.windowMs) {
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      if (w.count >= limit) return Math.max(1, Math.ceil((w.start + limits.windowMs - now) / 1000));
      w.count += 1;
      return null;
    },
    clear() {
      windows.clear();
    },
  };
}

/** The route of an API path: { route, predictionId, file } or { error } (a malformed ID). */
export function apiRoute(pathname) {
  if (pathname === '/api/v1/csrf-token') return { route: 'csrf-token', predictionId: null, file: null };
  if (pathname === '/api/v1/users/me') return { route: 'users-me', predictionId: null, file: null };
  if (pathname.startsWith(API_PREFIX)) {
    const rest = pathname.slice(API_PREFIX.length).split('/');
    if (rest.length === 2 && rest[0] && (FILE_TYPES.includes(rest[1]) || rest[1] === 'jobs')) {
      try {
        return { route: rest[1], predictionId: decodeURIComponent(rest[0]), file: rest[1] };
      } catch {
        return { error: 'Malformed prediction ID.' };
      }
    }
  }
  return { route: null, predictionId: null, file: null };
}

// A jobs answer: one job, its ID and times derived from the prediction ID.
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

/**
 * The API handler of one tenant, from its parts: `access` (access.mjs), `faultState`
 * (faults.mjs), `rate` (createRateLimiter), `log` (log.mjs), `streamer` (stream.mjs).
 */
export function createApi({ access, faultState, rate, log, streamer }) {
  // Faults of what stands in front of the tenant (the network, a gateway), before any check.
  // Returns true when the request was answered (or dropped).
  function frontFaults(req, res, url, rec, cors, faults, route, predictionId) {
    const frontKey = `${route}\u0000${predictionId}\u0000${faults.key}`;
    if (faultState.take('drop', frontKey, faults.drop)) {
      // A few bytes that are not HTTP, then the end of the connection: a browser fails the
      // request (a closed connection without any byte, on a reused socket, it would resend).
      rec.fault = 'drop';
      req.socket.end('\0\0\0\0\0\0\0\0not http\r\n\r\n');
      return true;
    }
    if (faults.redirect >= 300 && faults.redirect <= 399 && faults.redirectTo) {
      // The same path and query (without the redirect flags) on another origin.
      const target = new URL(url.pathname, faults.redirectTo);
      for (const [k, v] of withoutFlags(url.searchParams, 'mockRedirect')) target.searchParams.set(k, v);
      rec.fault = 'redirect';
      cors(true);
      res.writeHead(faults.redirect, { Location: target.href, 'Content-Length': 0, 'Cache-Control': 'no-store' });
      res.end();
      return true;
    }
    for (const [status, n] of [[502, faults.badGateway], [504, faults.gatewayTimeout]]) {
      if (faultState.take(String(status), frontKey, n)) {
        cors(true);
        sendProxyErrorPage(res, status);
        return true;
      }
    }
    return false;
  }

  // The error answers asked for by mock429, mock503, mockStatus and mockHtml. Returns true
  // when the request was answered.
  function answerFaults(res, faults, predictionId, file) {
    const faultKey = `${predictionId}\u0000${file}\u0000${faults.key}`;
    const { retryAfter } = faults;
    if (faultState.take('429', faultKey, faults.tooManyRequests)) {
      const secs = retryAfter ?? '1';
      sendJson(res, 429, rateLimitBody(secs), { 'Retry-After': secs });
      return true;
    }
    if (faultState.take('503', faultKey, faults.unavailable)) {
      sendJson(res, 503, qlikError(503, 'HTTP-503', 'Service Unavailable', 'The service is temporarily unavailable.'),
        retryAfter !== null ? { 'Retry-After': retryAfter } : {});
      return true;
    }
    const forced = faults.forcedStatus;
    if (forced !== null && forced >= 400 && forced <= 599) {
      const extra = forced === 429 || (forced === 503 && retryAfter !== null) ? { 'Retry-After': retryAfter ?? '1' } : {};
      if (faults.html) {
        sendProxyErrorPage(res, forced, extra);
      } else if (forced === 429) {
        sendJson(res, 429, rateLimitBody(retryAfter ?? '1'), extra);
      } else {
        sendJsonPadded(res, forced, qlikError(forced, `HTTP-${forced}`, REASON_PHRASES[forced] ?? 'Error',
          `Mock error requested with mockStatus=${forced}.`), extra, faults.pad ?? 0);
      }
      return true;
    }
    return false;
  }

  /** Answers a request under /api/ (OPTIONS excepted), logged as `rec`. */
  async function handleApi(req, res, url, rec) {
    const params = faultParams(url);
    res.setHeader('Vary', 'Origin');
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    const cors = access.corsFor(req, res, rec);

    const where = apiRoute(url.pathname);
    if (where.error) {
      cors(true);
      sendJson(res, 400, qlikError(400, 'HTTP-400', 'Bad Request', where.error));
      return;
    }
    const { route, predictionId, file } = where;
    rec.route = route;
    const armed = faultState.applyArmed(route, params);
    if (armed) rec.armed = armed;
    rec.predictionId = predictionId;
    if (!route) {
      cors(true);
      sendJson(res, 404, qlikError(404, 'HTTP-404', 'Not Found', `No route for ${req.method} ${url.pathname}.`));
      return;
    }
    log.stats.apiRequests += 1;
    if (predictionId !== null) {
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

    const faults = parseFaults(params);
    if (faults.delay) {
      await sleep(faults.delay, abort.signal);
      if (abort.signal.aborted) return;
    }
    if (frontFaults(req, res, url, rec, cors, faults, route, predictionId)) return;

    const who = access.authenticate(req, res, rec, cors);
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
    if (!access.checkCsrf(req, res, who)) return;

    const wait = rate.check(who.key, route === 'jobs' ? 2 : 1);
    if (wait !== null) {
      log.stats.rateLimited += 1;
      sendJson(res, 429, rateLimitBody(wait), { 'Retry-After': String(wait) });
      return;
    }
    if (answerFaults(res, faults, predictionId, file)) return;

    if (route === 'jobs') {
      sendJobs(res, predictionId, faults.pad ?? 0);
      return;
    }
    await streamer.streamFile(res, params, faults, rec, predictionId, file, abort.signal);
  }

  return { handleApi };
}
