// What the mock tenant saw: one record per request (the tests read them through the tenant's
// `requests` and `/__mock/requests`), counters, and a wait for every CSV stream to close.
import { parseCookies } from './access.mjs';

/**
 * The request log of one tenant. `site` gives the session cookie's name at each use;
 * `ownOrigin(req)` tells a cross-origin request; `options`: `maxLoggedRequests` (2000) and
 * `onRequest(record)`, called when each logged request ends.
 */
export function createRequestLog(site, ownOrigin, options) {
  const maxLogged = options.maxLoggedRequests ?? 2000;
  const requests = [];
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

  /** Starts the record of a request; it is completed when the response closes. */
  function logRequest(req, res, url) {
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
        sessionCookie: parseCookies(h.cookie)[site.cookieName] !== undefined,
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
    return rec;
  }

  /** Counts a CSV stream from its start to the close of its response. */
  function trackStream(res, rec) {
    rec.streaming = true;
    stats.openStreams += 1;
    stats.streamsStarted += 1;
    stats.peakOpenStreams = Math.max(stats.peakOpenStreams, stats.openStreams);
    res.once('close', () => {
      stats.openStreams -= 1;
      if (rec.fault) stats.streamsFaulted += 1;
      else if (res.writableFinished) stats.streamsCompleted += 1;
      else stats.streamsAborted += 1;
      if (stats.openStreams === 0) {
        for (const w of idleWaiters) w();
        idleWaiters.clear();
      }
    });
  }

  /** Body bytes written by a stream. */
  function wrote(rec, n) {
    rec.bytesWritten += n;
    stats.bytesWritten += n;
  }

  /** Empties the log and the counters (open streams stay counted). */
  function clear() {
    requests.length = 0;
    for (const k of Object.keys(stats)) {
      if (k === 'openStreams') continue;
      stats[k] = k === 'statusCounts' ? {} : 0;
    }
    stats.peakOpenStreams = stats.openStreams;
  }

  /** Resolves true once no CSV stream is open, or false after `timeoutMs`. */
  function idle(timeoutMs = 5000) {
    if (stats.openStreams === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => { idleWaiters.delete(done); resolve(false); }, timeoutMs);
      function done() { clearTimeout(t); resolve(true); }
      idleWaiters.add(done);
    });
  }

  return { requests, stats, logRequest, trackStream, wrote, clear, idle };
}
