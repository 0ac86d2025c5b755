// The answers the mock tenant sends: JSON (Qlik's error shape among them), text, HTML pages
// and a gateway's error page; and a sleep that an abort signal cuts short.
import http from 'node:http';

export const REASON_PHRASES = http.STATUS_CODES;

export function sendJson(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/**
 * Like sendJson, padded to `pad` bytes (when larger than the JSON) with a last top-level
 * member "padding" of x's.
 */
export function sendJsonPadded(res, status, body, headers, pad) {
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

export function sendText(res, status, text, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A small HTML page: the escaped title as heading, then `body` (HTML). */
export function htmlPage(res, status, title, body, headers = {}) {
  const html = `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>\n`;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html), 'Cache-Control': 'no-store', ...headers });
  res.end(html);
}

/** A Qlik-style JSON error: {"errors":[{code,title,detail?,status,meta?}]}. */
export function qlikError(status, code, title, detail, meta) {
  const e = { code, title };
  if (detail) e.detail = detail;
  e.status = String(status);
  if (meta && Object.keys(meta).length) e.meta = meta;
  return { errors: [e] };
}

/** Sends a DatasetError (from datasets.mjs) as Qlik's JSON error. */
export function sendDatasetError(res, e) {
  sendJson(res, e.status, qlikError(e.status, e.code, e.title, e.detail, e.meta));
}

/** The body of Qlik's 429 answer. */
export function rateLimitBody(seconds) {
  return {
    errors: [{
      code: 'HTTP-429',
      title: 'API rate limit reached.',
      detail: `You need to wait ${seconds} seconds before retrying.`,
    }],
  };
}

/** A gateway's (nginx's) HTML error page, as a proxy in front of the tenant sends it. */
export function sendProxyErrorPage(res, status, headers = {}) {
  const line = `${status} ${REASON_PHRASES[status] ?? 'Error'}`;
  const html = `<html>\r\n<head><title>${line}</title></head>\r\n<body>\r\n<center><h1>${line}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(html), ...headers });
  res.end(html);
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
export function sleep(ms, signal) {
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
