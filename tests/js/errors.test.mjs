// The error classes and the conversion of what the wasm side throws (js/errors.js), in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvError, NetworkError, QlikApiError, WasmModuleError, argumentError, errorFrom } from '../../js/errors.js';

test('descriptors become instances of their class, with their fields', () => {
  const errors = [{ code: 'AUTOML-404', title: 'Not found' }];
  const api = errorFrom({
    qlikErrorKind: 'QlikApiError', message: '404 Not found (AUTOML-404)', status: 404, code: 'AUTOML-404',
    title: 'Not found', detail: undefined, errors, retryAfter: 3, loginUrl: 'https://t/login', url: 'https://t/x',
  });
  assert.ok(api instanceof QlikApiError && api instanceof Error);
  assert.equal(api.name, 'QlikApiError');
  assert.equal(api.message, '404 Not found (AUTOML-404)');
  assert.deepEqual(
    [api.status, api.code, api.title, api.detail, api.errors, api.retryAfter, api.loginUrl, api.url],
    [404, 'AUTOML-404', 'Not found', undefined, errors, 3, 'https://t/login', 'https://t/x'],
  );
  assert.equal(api.errors, errors, 'the parsed array itself, not a copy');

  const csv = errorFrom({ qlikErrorKind: 'CsvError', message: 'CSV line 3 (byte 9): x', reason: 'FieldCount', line: 3, byteOffset: 9 });
  assert.ok(csv instanceof CsvError);
  assert.deepEqual([csv.name, csv.message, csv.reason, csv.line, csv.byteOffset], ['CsvError', 'CSV line 3 (byte 9): x', 'FieldCount', 3, 9]);

  const net = errorFrom({ qlikErrorKind: 'NetworkError', message: 'timed out', bytesReceived: 7, url: 'u' });
  assert.ok(net instanceof NetworkError);
  assert.deepEqual([net.name, net.bytesReceived, net.url], ['NetworkError', 7, 'u']);

  const type = errorFrom({ qlikErrorKind: 'TypeError', message: '`timeoutMs` must be a number from 0 to 2147483647', field: 'timeoutMs' });
  assert.ok(type instanceof TypeError);
  assert.equal(type.field, 'timeoutMs');
  assert.match(type.message, /`timeoutMs`/);
});

test("anything else is the caller's own value and passes through unchanged", () => {
  const reason = new DOMException('stop', 'AbortError');
  const own = new Error('from a callback');
  const unknownKind = { qlikErrorKind: 'SomethingElse', message: 'x' };
  const inherited = Object.create({ qlikErrorKind: 'CsvError' });
  for (const value of [reason, own, 'stop please', 42, null, undefined, { why: 'before' }, unknownKind, inherited]) {
    assert.equal(errorFrom(value), value);
  }
  // An Error that happens to carry the property is not a descriptor.
  const e = Object.assign(new Error('x'), { qlikErrorKind: 'CsvError' });
  assert.equal(errorFrom(e), e);
});

test('a QlikApiError always has an errors array; WasmModuleError keeps its cause', () => {
  assert.deepEqual(new QlikApiError('m', { errors: 'not an array' }).errors, []);
  assert.deepEqual(new QlikApiError('m').errors, []);
  const cause = new Error('unreachable');
  const w = new WasmModuleError('failed', { cause });
  assert.equal(w.name, 'WasmModuleError');
  assert.equal(w.cause, cause);
  const a = argumentError('limit', '`limit` must be a whole number');
  assert.ok(a instanceof TypeError);
  assert.equal(a.field, 'limit');
});
