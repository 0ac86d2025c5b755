// Faults on demand: every `mock*` flag the mock tenant reads, with its meaning, and the one
// parser of them. A client sets the flags as query parameters of an API request, or writes
// them inside its refId value (`refId=mock503%3D2%26mockKey%3Da`), which is all a client
// library lets its caller set; the routes without a refId (jobs, csrf-token) get flags armed
// beforehand with `POST /__mock/arm?route=<route>&count=<n>&<flags>`.
//
// Adding a fault: one entry in FAULTS (the help of cli.mjs and the check of /__mock/arm
// follow), then read `faults.<name>` where the request is answered.

/** How a flag's value is read: `int` a whole number ≥ 0 or null, `flag` a boolean, `text` as sent. */
const READERS = {
  int(v) {
    if (v === undefined || v === null || v === '') return null;
    const n = Number(v);
    return Number.isFinite(n) && n >= 0 ? Math.floor(n) : null;
  },
  flag(v) {
    return v !== undefined && v !== null && v !== '' && v !== '0' && v !== 'false';
  },
  text(v) {
    return v ?? null;
  },
};

/** A whole number ≥ 0 from a query value, or null (also for the control routes' parameters). */
export const int = READERS.int;
/** A query value as a boolean: absent, '', '0' and 'false' are false. */
export const flag = READERS.flag;

/**
 * Every fault flag, in the order a request meets them. `name` is the property of the parsed
 * faults, `read` how its value is read, `default` its value when absent (null or false
 * otherwise), `arg` and `meaning` the help text.
 */
export const FAULTS = Object.freeze([
  { flag: 'mockKey', name: 'key', read: 'text', default: '', arg: '<text>',
    meaning: 'separates the counters of mockDrop, mock502, mock504, mock429 and mock503, so that tests do not share them' },
  { flag: 'mockDelay', name: 'delay', read: 'int', arg: '<ms>',
    meaning: 'wait this long before answering' },
  { flag: 'mockDrop', name: 'drop', read: 'int', arg: '<n>',
    meaning: 'close the connection of the first n requests (per route, prediction and mockKey) without an HTTP answer, after a few bytes that are not HTTP so that a browser does not resend the request itself; before authentication' },
  { flag: 'mockRedirect', name: 'redirect', read: 'int', arg: '<3xx>',
    meaning: 'with mockRedirectTo: redirect to the same path and query (without these two flags) on that origin, before authentication' },
  { flag: 'mockRedirectTo', name: 'redirectTo', read: 'text', arg: '<origin>',
    meaning: 'the origin mockRedirect sends the request to' },
  { flag: 'mock502', name: 'badGateway', read: 'int', arg: '<n>',
    meaning: 'a gateway\'s HTML 502 page for the first n requests (per route, prediction and mockKey), before authentication' },
  { flag: 'mock504', name: 'gatewayTimeout', read: 'int', arg: '<n>',
    meaning: 'the same with 504' },
  { flag: 'mock429', name: 'tooManyRequests', read: 'int', arg: '<n>',
    meaning: 'answer the first n requests (per prediction, file and mockKey) with 429 and Qlik\'s rate-limit body, retry-after 1 unless mockRetryAfter' },
  { flag: 'mock503', name: 'unavailable', read: 'int', arg: '<n>',
    meaning: 'answer the first n requests (per prediction, file and mockKey) with 503, retry-after only with mockRetryAfter' },
  { flag: 'mockRetryAfter', name: 'retryAfter', read: 'text', arg: '<s>',
    meaning: 'the retry-after header of mock429, mock503, mockStatus=429 and mockStatus=503' },
  { flag: 'mockStatus', name: 'status', read: 'int', arg: '<4xx|5xx>',
    meaning: 'answer with that status and a Qlik JSON error' },
  { flag: 'mockHtml', name: 'html', read: 'flag', arg: '1',
    meaning: 'the mockStatus answer as a proxy\'s HTML page; alone, a 502 page' },
  { flag: 'mockPad', name: 'pad', read: 'int', arg: '<bytes>',
    meaning: 'pad the JSON of a mockStatus error or of the jobs answer to that size' },
  { flag: 'mockGzip', name: 'gzip', read: 'flag', arg: '1',
    meaning: 'gzip the body (Content-Encoding gzip, no Content-Length)' },
  { flag: 'mockChunked', name: 'chunked', read: 'flag', arg: '1',
    meaning: 'send the body without Content-Length' },
  { flag: 'mockReset', name: 'reset', read: 'int', arg: '<bytes>',
    meaning: 'reset the connection (TCP RST) after that many body bytes' },
  { flag: 'mockEarlyEnd', name: 'earlyEnd', read: 'int', arg: '<bytes>',
    meaning: 'close the connection after that many bytes of a longer body' },
  { flag: 'mockDrip', name: 'drip', read: 'int', arg: '<ms>',
    meaning: 'send the body a few bytes at a time, this far apart' },
  { flag: 'mockStall', name: 'stall', read: 'int', arg: '<ms>',
    meaning: 'stop sending for this long after mockStallAfter bytes' },
  { flag: 'mockStallAfter', name: 'stallAfter', read: 'int', default: 1024, arg: '<bytes>',
    meaning: 'where mockStall stops the body (default 1024)' },
  { flag: 'mockBom', name: 'bom', read: 'flag', arg: '1',
    meaning: 'a UTF-8 BOM before the header' },
  { flag: 'mockBadUtf8', name: 'badUtf8', read: 'flag', arg: '1',
    meaning: 'invalid UTF-8 in data row 1' },
  { flag: 'mockMalformed', name: 'malformed', read: 'text', arg: '<kinds>',
    meaning: 'fields (an extra field on data row 2), quote (a last record with an unterminated quoted field), short (a last record with too few fields and no line break); several as fields,quote' },
  { flag: 'mockWide', name: 'wide', read: 'int', arg: '<columns>',
    meaning: 'instead of the file: a header of that many empty names, then mockWideRows rows of that many cells "1"' },
  { flag: 'mockWideRows', name: 'wideRows', read: 'int', default: 1, arg: '<n>',
    meaning: 'the rows of mockWide (default 1)' },
].map((f) => Object.freeze(f)));

const BY_FLAG = new Map(FAULTS.map((f) => [f.flag, f]));

/** Whether a query parameter is a fault flag's (every `mock*` name is, known or not). */
export function isFaultFlag(name) {
  return name.startsWith('mock');
}

/** The `mock*` names among `names` that are not in FAULTS. */
export function unknownFlags(names) {
  return [...names].filter((k) => isFaultFlag(k) && !BY_FLAG.has(k));
}

/**
 * The query parameters of a request, plus the fault flags written inside its refId value;
 * parameters of the query itself win. refId is left as sent.
 */
export function faultParams(url) {
  const q = new URLSearchParams(url.searchParams);
  const refId = url.searchParams.get('refId');
  if (refId && refId.includes('=')) {
    for (const [k, v] of new URLSearchParams(refId)) {
      if (isFaultFlag(k) && !url.searchParams.has(k)) q.set(k, v);
    }
  }
  return q;
}

/**
 * The faults of a request from its parameters (see faultParams): one property per entry of
 * FAULTS, plus `forcedStatus`, the status mockStatus or mockHtml asks for (null: none).
 */
export function parseFaults(params) {
  const out = {};
  for (const f of FAULTS) {
    out[f.name] = READERS[f.read](params.get(f.flag)) ?? f.default ?? null;
  }
  out.forcedStatus = out.status ?? (out.html ? 502 : null);
  return Object.freeze(out);
}

/** The generator options (planFile's) that faults change: data values, BOM, bad UTF-8, malformed records. */
export function generatorOptions(params, faults = parseFaults(params)) {
  return {
    refId: params.get('refId') ?? undefined,
    bom: faults.bom,
    badUtf8: faults.badUtf8,
    malformed: faults.malformed ?? undefined,
  };
}

/**
 * The query of `searchParams` without the flags whose names start with `prefix`, also inside
 * a refId value (what mockRedirect keeps of a request).
 */
export function withoutFlags(searchParams, prefix) {
  const out = new URLSearchParams();
  for (const [k, v] of searchParams) {
    if (k.startsWith(prefix)) continue;
    if (k === 'refId' && v.includes('=')) {
      const inner = new URLSearchParams(v);
      for (const key of [...inner.keys()]) if (key.startsWith(prefix)) inner.delete(key);
      out.set(k, inner.toString());
    } else {
      out.set(k, v);
    }
  }
  return out;
}

/**
 * Reads `POST /__mock/arm`'s parameters: `route`, `count` (default 1) and the fault flags.
 * Returns { route, count, params: [[flag, value]...] } or { error }.
 */
export function parseArm(searchParams) {
  const route = searchParams.get('route');
  const count = int(searchParams.get('count')) ?? 1;
  const params = [...searchParams].filter(([k]) => isFaultFlag(k));
  if (!route || params.length === 0) return { error: 'Give route=<route> and mock* parameters.' };
  const unknown = unknownFlags(params.map(([k]) => k));
  if (unknown.length) return { error: `Unknown fault flags: ${unknown.join(', ')}.` };
  return { route, count, params };
}

/** Per-tenant fault state: the counters of the "first n requests" faults and the armed flags. */
export function createFaultState() {
  const counters = new Map();
  // Route -> [{ count, params }], the oldest first.
  const armed = new Map();
  return {
    /** Whether this request gets fault `kind`: true for the first `n` requests under `key`. */
    take(kind, key, n) {
      if (!n) return false;
      const k = `${kind}\u0000${key}`;
      const used = counters.get(k) ?? 0;
      if (used >= n) return false;
      counters.set(k, used + 1);
      return true;
    },
    /** Gives the next `count` requests of `route` these flags. */
    arm(route, count, params) {
      if (!armed.has(route)) armed.set(route, []);
      armed.get(route).push({ count, params });
    },
    /**
     * Adds the flags armed for `route` to `params` (flags the request sets win) and uses up
     * one request of that arming; returns the flags as an object, or null when none were armed.
     */
    applyArmed(route, params) {
      const arm = route ? armed.get(route)?.[0] : undefined;
      if (!arm) return null;
      for (const [k, v] of arm.params) if (!params.has(k)) params.set(k, v);
      if (--arm.count <= 0) armed.get(route).shift();
      return Object.fromEntries(arm.params);
    },
    clear() {
      counters.clear();
      armed.clear();
    },
  };
}

function wrap(text, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The fault flags as help text, one entry of FAULTS after the other. */
export function faultHelp() {
  const col = 29;
  const out = [
    'Faults on demand: query parameters of an API request, or written inside its refId value',
    '(refId=mock503%3D2%26mockKey%3Da), which is all a client can set; in the order a request',
    'meets them:',
  ];
  for (const f of FAULTS) {
    const head = `  ${f.flag}=${f.arg}`;
    const [first, ...rest] = wrap(f.meaning, 94 - col);
    out.push(head.length < col - 1 ? `${head.padEnd(col)}${first}` : `${head}\n${' '.repeat(col)}${first}`);
    for (const l of rest) out.push(`${' '.repeat(col)}${l}`);
  }
  out.push(
    '',
    'Routes without a refId (jobs, csrf-token) get fault flags armed beforehand:',
    '  POST /__mock/arm?route=<route>&count=<n>&<mock flags>   the next n requests of that route',
    '',
  );
  return out.join('\n');
}
