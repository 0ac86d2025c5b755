// The package's error classes, defined once, and the one conversion of what the wasm side
// throws or rejects with: a descriptor `{ qlikErrorKind, message, ...fields }` becomes an
// instance of its class (or a TypeError naming its `field`); any other value (an abort reason,
// an exception of the caller's callback) passes through unchanged. No dependency.

/** An error answer of the Qlik API (4xx/5xx), after any retries. */
export class QlikApiError extends Error {
  constructor(message, fields = {}) {
    super(message);
    this.status = fields.status;
    this.code = fields.code;
    this.title = fields.title;
    this.detail = fields.detail;
    this.errors = Array.isArray(fields.errors) ? fields.errors : [];
    this.retryAfter = fields.retryAfter;
    this.loginUrl = fields.loginUrl;
    this.url = fields.url;
  }
}
QlikApiError.prototype.name = 'QlikApiError';

/** Malformed CSV; the rows before the bad record have been delivered. */
export class CsvError extends Error {
  constructor(message, fields = {}) {
    super(message);
    this.reason = fields.reason;
    this.line = fields.line;
    this.byteOffset = fields.byteOffset;
  }
}
CsvError.prototype.name = 'CsvError';

/** The connection failed, went idle past `timeoutMs`, or the body ended early. */
export class NetworkError extends Error {
  constructor(message, fields = {}) {
    super(message);
    this.bytesReceived = fields.bytesReceived;
    this.url = fields.url;
  }
}
NetworkError.prototype.name = 'NetworkError';

/** The wasm module failed (it trapped); the call was stopped. The next call runs on a fresh instance. */
export class WasmModuleError extends Error {
  constructor(message, options) {
    super(message, options);
  }
}
WasmModuleError.prototype.name = 'WasmModuleError';

/** A `TypeError` for a bad argument, naming it in `field` (e.g. `'host'`, `'timeoutMs'`). */
export function argumentError(field, message) {
  const e = new TypeError(message);
  e.field = field;
  return e;
}

const CLASSES = { QlikApiError, CsvError, NetworkError };

/** What the wasm side threw or rejected with, as the package's error. */
export function errorFrom(thrown) {
  if (thrown === null || typeof thrown !== 'object' || thrown instanceof Error) return thrown;
  if (!Object.hasOwn(thrown, 'qlikErrorKind')) return thrown;
  const kind = thrown.qlikErrorKind;
  if (kind === 'TypeError') return argumentError(thrown.field, thrown.message);
  if (typeof kind === 'string' && Object.hasOwn(CLASSES, kind)) return new CLASSES[kind](thrown.message, thrown);
  return thrown;
}
