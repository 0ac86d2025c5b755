// Who may call the mock tenant, and from where: cookie sessions with their CSRF tokens, login
// and logout pages, API keys, web integration IDs with their allowed origins, and CORS.
import { randomBytes } from 'node:crypto';
import { escapeHtml, htmlPage, qlikError, sendJson } from './responses.mjs';

const ALLOW_HEADERS = 'qlik-web-integration-id, qlik-csrf-token, authorization, content-type, accept';
const EXPOSE_HEADERS = 'qlik-csrf-token, retry-after, content-length, content-disposition, deprecation, sunset, x-mock-request-id';

/** A random URL-safe token. */
export function token(bytes = 18) {
  return randomBytes(bytes).toString('base64url');
}

/** The cookies of a Cookie header as an object (the first of a repeated name wins). */
export function parseCookies(header) {
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

function normalizeOrigin(o) {
  try {
    return o === 'null' ? o : new URL(o).origin;
  } catch {
    return o;
  }
}

/**
 * The access rules of one tenant. `site` is { host, port, cookieName }, read at each use (the
 * port and the default cookie name are known once the server listens); `options` are
 * startMockTenant's.
 */
export function createAccess(site, options) {
  const apiKeys = new Set(options.apiKeys ?? []);
  const webIntegrations = new Map(Object.entries(options.webIntegrations ?? {})
    .map(([id, origins]) => [id, new Set(origins.map(normalizeOrigin))]));
  const allowAnonymous = Boolean(options.allowAnonymous);
  const strictCors = Boolean(options.strictCors);
  const corsMaxAge = options.corsMaxAge ?? 60;
  const sameSite = options.cookieSameSite ?? 'Lax';
  const secure = options.cookieSecure ? '; Secure' : '';
  const sessions = new Map();

  // --- sessions

  function createSession() {
    const s = { id: token(24), csrfToken: token(), createdAt: Date.now() };
    sessions.set(s.id, s);
    return s;
  }

  function sessionCookie(s) {
    return `${site.cookieName}=${s.id}; Path=/; HttpOnly; SameSite=${sameSite}${secure}`;
  }

  function clearCookie() {
    return `${site.cookieName}=; Path=/; HttpOnly; SameSite=${sameSite}; Max-Age=0${secure}`;
  }

  /** A session as the control routes and the tenant's handle describe it. */
  function describeSession(s) {
    const { cookieName } = site;
    return { sessionId: s.id, cookieName, cookie: `${cookieName}=${s.id}`, setCookie: sessionCookie(s), csrfToken: s.csrfToken };
  }

  function sessionOf(req) {
    const sid = parseCookies(req.headers.cookie)[site.cookieName];
    return sid ? sessions.get(sid) ?? null : null;
  }

  /** The sessions a control request names: `?sessionId=`, else the caller's, else all. */
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
    return `http://${req.headers.host ?? `${site.host}:${site.port}`}`;
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

  /** Answers a preflight; `permissive` (the control routes) allows every origin. */
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

  /**
   * The CORS headers of an API answer: `cors(allowed)` sets them on a cross-origin answer,
   * where `allowed` tells whether the origin passed the checks; in strict mode only then.
   */
  function corsFor(req, res, rec) {
    const origin = req.headers.origin;
    return (allowed) => {
      if (!rec.crossOrigin) return;
      if (!strictCors || (allowed && (req.headers.authorization === undefined || originListed(origin)))) setCors(res, origin);
    };
  }

  // --- authentication

  /** Returns { principal, key, session } or sends the error answer and returns null. */
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

  /** For a POST with a cookie session: whether the CSRF token matches; else sends the 403. */
  function checkCsrf(req, res, who) {
    if (req.method !== 'POST' || !who.session) return true;
    const sent = req.headers['qlik-csrf-token'];
    if (sent === who.session.csrfToken) return true;
    sendJson(res, 403, qlikError(403, 'CSRF-TOKEN-2', 'Invalid CSRF token',
      sent ? 'The qlik-csrf-token header does not match the session.' : 'The qlik-csrf-token header is missing.'));
    return false;
  }

  // --- login and logout

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

  /** The access settings, as /__mock/info shows them. */
  function describe() {
    return {
      allowAnonymous,
      strictCors,
      apiKeys: apiKeys.size,
      webIntegrations: Object.fromEntries([...webIntegrations].map(([k, v]) => [k, [...v]])),
    };
  }

  return {
    sessions,
    createSession,
    describeSession,
    sessionOf,
    targetSessions,
    rotateCsrf,
    expireSession,
    ownOrigin,
    setCors,
    preflight,
    corsFor,
    authenticate,
    checkCsrf,
    handleLogin,
    handleLogout,
    describe,
  };
}
