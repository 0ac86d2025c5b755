// Errors in plain words (www/errors.js), without a browser: the package's errors are stood in
// for by errors of the same name, as the page also recognizes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeError, endMessage, isCancel, isHttpUrl } from '../../www/errors.js';
import { formatBytes } from '../../www/format.js';

const PAGE = 'http://127.0.0.1:8787';
const ctx = { pageOrigin: PAGE };
const settings = { host: '', authType: 'cookie', predictionId: 'churn-small', dataset: 'shap' };

function named(name, fields) {
  return Object.assign(new Error(fields.message ?? name), { name, ...fields });
}
const api = (status, fields = {}) => named('QlikApiError', { status, code: `HTTP-${status}`, title: 'T', detail: 'D', url: `${PAGE}/api`, ...fields });
const fieldMap = (d) => Object.fromEntries(d.fields);

test('API errors: a title per status, the Qlik code, title and detail', () => {
  const d = describeError(api(404, { code: 'AUTOML-404', retryAfter: null }), settings, ctx);
  assert.equal(d.title, 'Not found (404)');
  assert.equal(d.summary, 'No SHAP values file was found for prediction “churn-small”: the prediction does not exist, is not visible to you, or did not produce this file.');
  assert.deepEqual(fieldMap(d), { Status: '404', Code: 'AUTOML-404', Title: 'T', Detail: 'D', 'Retry after': '', URL: `${PAGE}/api` });
  assert.equal(d.action, null);
  const titles = [409, 429, 500, 503, 418].map((s) => describeError(api(s), settings, ctx).title);
  assert.deepEqual(titles, ['Not ready yet (409)', 'Too many requests (429)', 'Tenant error (500)', 'Tenant error (503)', 'Request failed (418)']);
  const tooMany = describeError(api(429, { retryAfter: 30 }), settings, ctx);
  assert.match(tooMany.summary, /It asked to wait 30 s\./);
  assert.equal(fieldMap(tooMany)['Retry after'], '30 s');
});

test('a 401 offers a sign-in link only for an http(s) login URL and a cookie session', () => {
  const loginUrl = `${PAGE}/login?returnto=x`;
  const d = describeError(api(401, { loginUrl }), settings, ctx);
  assert.equal(d.title, 'Not signed in (401)');
  assert.match(d.summary, new RegExp(`Sign in to ${PAGE} in this browser`));
  assert.deepEqual(d.action, { text: 'Sign in to 127.0.0.1:8787', href: loginUrl });
  for (const bad of ['javascript:alert(1)', 'data:text/html,x', '/relative', '']) {
    assert.equal(describeError(api(401, { loginUrl: bad }), settings, ctx).action, null, bad);
  }
  const key = describeError(api(401, { loginUrl }), { ...settings, authType: 'apikey' }, ctx);
  assert.match(key.summary, /rejected the API key/);
  assert.equal(key.action, null);
});

test('a 403 points at the web integration only for a cookie session on another origin', () => {
  const other = { ...settings, host: 'tenant.eu.qlikcloud.com' };
  assert.match(describeError(api(403), other, ctx).summary, /web integration ID/);
  assert.match(describeError(api(403), settings, ctx).summary, /you lack permission/);
  assert.match(describeError(api(403), { ...other, authType: 'apikey' }, ctx).summary, /you lack permission/);
});

test('network and CSV errors, with what was received and where reading stopped', () => {
  const net = describeError(named('NetworkError', { message: 'cut', bytesReceived: 1_500_000, url: 'u' }), settings, ctx);
  assert.equal(net.title, 'Connection failed');
  assert.equal(net.summary, `The connection to the tenant failed or was cut before the file was complete (after ${formatBytes(1_500_000)}).`);
  assert.deepEqual(fieldMap(net), { Error: 'NetworkError', Message: 'cut', Received: formatBytes(1_500_000), URL: 'u' });
  const cross = describeError(named('NetworkError', { bytesReceived: 0 }), { ...settings, host: 'tenant.invalid' }, ctx);
  assert.match(cross.summary, /complete\. For a tenant on another origin.*\(CORS\)/);
  const csv = describeError(named('CsvError', { reason: 'FieldCount', line: 4, byteOffset: 120, message: 'm' }), settings, ctx);
  assert.equal(csv.title, 'The file is not valid CSV');
  assert.deepEqual(fieldMap(csv), { Error: 'CsvError', Reason: 'FieldCount', Line: '4', 'Byte offset': '120', Message: 'm' });
});

test('an instance of the loaded package\'s class is recognized whatever its name', () => {
  class QlikApiError extends Error {}
  const e = Object.assign(new QlikApiError('x'), { status: 404 });
  assert.equal(describeError(e, settings, ctx).title, 'Unexpected error');
  assert.equal(describeError(e, settings, { ...ctx, lib: { QlikApiError } }).title, 'Not found (404)');
});

test('the page\'s own errors, the browser\'s, and values that are not errors', () => {
  assert.equal(describeError(named('LibraryError', { message: 'not built' }), null, ctx).summary, 'not built');
  assert.deepEqual(describeError(new TypeError('bad host'), settings, ctx), {
    title: 'Check the settings', summary: 'bad host', fields: [['Error', 'TypeError']], action: null,
  });
  assert.equal(describeError(named('NotAllowedError', {}), settings, ctx).title, 'The browser refused to save the file');
  assert.deepEqual(describeError(42, settings, ctx), { title: 'Unexpected error', summary: '42', fields: [['Error', 'number']], action: null });
  assert.equal(describeError(undefined, null, ctx).summary, 'undefined');
  assert.equal(describeError('text', null, ctx).fields[0][1], 'string');
});

test('cancel or failure, and the last line of an operation', () => {
  const live = new AbortController().signal;
  const aborted = AbortSignal.abort();
  assert.equal(isCancel(new Error('x'), aborted), true);
  assert.equal(isCancel(new DOMException('x', 'AbortError'), live), true);
  assert.equal(isCancel('AbortError', live), false);
  assert.equal(isCancel(new Error('x'), live), false);
  assert.equal(endMessage(true, 'ignored', '10 rows read before it stopped.'), 'Cancelled. 10 rows read before it stopped.');
  assert.equal(endMessage(false, 'Connection failed'), 'Connection failed.');
  assert.equal(isHttpUrl('https://a.invalid/'), true);
  assert.equal(isHttpUrl('javascript:alert(1)'), false);
});
