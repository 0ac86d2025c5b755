// Errors in plain words: what the page says about an error of the package (QlikApiError,
// NetworkError, CsvError), of the browser or of the page itself. No DOM.
import { datasetNoun } from './datasets.js';
import { formatBytes } from './format.js';
import { sameOrigin } from './settings.js';

/**
 * Whether `e` is the package's error class `name`: an instance of the loaded package's class,
 * or an error of that name (the package may not be loaded, or be another instance).
 */
function errorClass(e, name, lib) {
  const Class = lib?.[name];
  return (Class && e instanceof Class) || e?.name === name;
}

/** Whether `value` is an absolute http(s) URL (the only links the page offers). */
export function isHttpUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Whether `e` ends an operation as cancelled rather than failed. */
export function isCancel(e, signal) {
  return signal.aborted || e?.name === 'AbortError';
}

function describeApiError(e, f, host, pageOrigin) {
  const s = e.status;
  let title;
  let summary;
  let action = null;
  if (s === 404) {
    title = 'Not found';
    summary = `No ${f?.dataset ? datasetNoun(f.dataset) : ''} file was found for prediction “${f?.predictionId ?? ''}”: the prediction does not exist, is not visible to you, or did not produce this file.`;
  } else if (s === 401) {
    title = 'Not signed in';
    if (f?.authType === 'apikey') {
      summary = 'The tenant rejected the API key. Check that it is valid and not expired.';
    } else {
      summary = `The tenant did not find a signed-in session. Sign in to ${host} in this browser, then try again.`;
      if (e.loginUrl && isHttpUrl(e.loginUrl)) action = { text: `Sign in to ${new URL(e.loginUrl).host}`, href: e.loginUrl };
    }
  } else if (s === 403) {
    title = 'Access denied';
    summary = f?.authType === 'cookie' && !sameOrigin(host, pageOrigin)
      ? 'The tenant refused the request. For a page on another origin, check the web integration ID and that the tenant\'s web integration allows this page\'s origin; also check your permissions on the prediction.'
      : 'The tenant refused the request: you lack permission for this prediction.';
  } else if (s === 409) {
    title = 'Not ready yet';
    summary = 'The prediction is still running; its files are not available yet. Try again later.';
  } else if (s === 429) {
    title = 'Too many requests';
    summary = `The tenant kept answering 429 Too Many Requests after the automatic retries.${e.retryAfter ? ` It asked to wait ${e.retryAfter} s.` : ''} Try again in a moment.`;
  } else if (s >= 500) {
    title = 'Tenant error';
    summary = 'The tenant failed to answer the request. Try again later.';
  } else {
    title = 'Request failed';
    summary = 'The tenant answered the request with an error.';
  }
  const fields = [
    ['Status', String(s)],
    ['Code', e.code],
    ['Title', e.title],
    ['Detail', e.detail],
    ['Retry after', e.retryAfter ? `${e.retryAfter} s` : ''],
    ['URL', e.url],
  ];
  return { title: `${title} (${s})`, summary, fields, action };
}

/**
 * The page's account of error `e` during an action with settings `f` (or null): { title,
 * summary, fields: [[label, value]...] (empty values are not shown), action: { text, href }
 * or null }. `context`: `lib`, the loaded package (or null), and `pageOrigin`.
 */
export function describeError(e, f, { lib = null, pageOrigin } = {}) {
  const host = f?.host || pageOrigin;
  if (errorClass(e, 'QlikApiError', lib)) return describeApiError(e, f, host, pageOrigin);
  if (errorClass(e, 'NetworkError', lib)) {
    const crossOrigin = !sameOrigin(host, pageOrigin);
    return {
      title: 'Connection failed',
      summary: `The connection to the tenant failed or was cut before the file was complete${e.bytesReceived ? ` (after ${formatBytes(e.bytesReceived)})` : ''}.${crossOrigin ? ' For a tenant on another origin, the browser also blocks answers the tenant does not allow for this page\'s origin (CORS): check the tenant\'s web integration.' : ''}`,
      fields: [['Error', 'NetworkError'], ['Message', e.message], ['Received', formatBytes(e.bytesReceived ?? 0)], ['URL', e.url]],
      action: null,
    };
  }
  if (errorClass(e, 'CsvError', lib)) {
    return {
      title: 'The file is not valid CSV',
      summary: 'Reading stopped at a malformed record; the rows before it are shown.',
      fields: [['Error', 'CsvError'], ['Reason', e.reason], ['Line', String(e.line)], ['Byte offset', String(e.byteOffset)], ['Message', e.message]],
      action: null,
    };
  }
  if (e?.name === 'LibraryError') {
    return { title: 'The library is not available', summary: e.message, fields: [], action: null };
  }
  if (e instanceof TypeError) {
    return { title: 'Check the settings', summary: e.message, fields: [['Error', 'TypeError']], action: null };
  }
  if (e?.name === 'NotAllowedError' || e?.name === 'SecurityError') {
    return { title: 'The browser refused to save the file', summary: String(e.message ?? e), fields: [['Error', e.name]], action: null };
  }
  return {
    title: 'Unexpected error',
    summary: String(e?.message ?? e),
    fields: [['Error', String(e?.name ?? typeof e)]],
    action: null,
  };
}

/** The last line of a failed or cancelled operation: "Cancelled." or "<title>.", then `partial`. */
export function endMessage(cancelled, title, partial = '') {
  return `${cancelled ? 'Cancelled' : title}.${partial ? ` ${partial}` : ''}`;
}
