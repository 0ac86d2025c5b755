// Writes the decoder benchmark's input files, deterministically (seeded PRNG):
//   <dir>/shap.csv    an AccountID column then 40 float SHAP columns, CRLF line endings;
//   <dir>/quoted.csv  quote-heavy text (embedded commas, doubled quotes, line breaks,
//                     non-ASCII) mixed with numeric columns, LF line endings;
//   <dir>/predictions.csv  AccountID, the predicted label and two probabilities, LF (the
//                     browser benchmark's writer, bench/data.mjs).
// Each file is at least <MB> MiB. Usage: node scripts/gen-bench-data.mjs [dir] [MB]
// (defaults: bench-data/ at the repository root, 64).
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePredictions } from '../bench/data.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = resolve(process.argv[2] ?? join(root, 'bench-data'));
const megabytes = Number(process.argv[3] ?? 64);
if (!Number.isFinite(megabytes) || megabytes <= 0) {
  console.error(`[gen-bench-data] MB must be a positive number, got ${process.argv[3]}`);
  process.exit(1);
}
const targetBytes = Math.ceil(megabytes * 1024 * 1024);

// mulberry32: small, fast, seedable.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Writes rows from `nextRow` until the file reaches `targetBytes`, in ~1 MiB writes that
// respect back-pressure. Resolves with the byte count and row count.
async function writeFile(path, header, nextRow) {
  const out = createWriteStream(path);
  let bytes = 0;
  let rows = 0;
  let parts = [header];
  let pending = Buffer.byteLength(header);
  const flush = async () => {
    bytes += pending;
    if (!out.write(parts.join(''))) await new Promise((r) => out.once('drain', r));
    parts = [];
    pending = 0;
  };
  while (bytes + pending < targetBytes) {
    const row = nextRow(rows++);
    parts.push(row);
    pending += Buffer.byteLength(row);
    if (pending >= 1 << 20) await flush();
  }
  await flush();
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
  return { bytes, rows };
}

const features = [
  'Tenure', 'MonthlyCharges', 'TotalCharges', 'Contract', 'PaymentMethod', 'PaperlessBilling',
  'InternetService', 'OnlineSecurity', 'OnlineBackup', 'DeviceProtection', 'TechSupport',
  'StreamingTV', 'StreamingMovies', 'PhoneService', 'MultipleLines', 'SeniorCitizen', 'Partner',
  'Dependents', 'Gender', 'Region', 'AccountAge', 'LastLoginDays', 'SupportTickets',
  'AvgSessionMinutes', 'DiscountPct', 'PlanTier', 'SeatCount', 'Upgrades', 'Downgrades',
  'LatePayments', 'NPS', 'CSAT', 'FeatureAdoption', 'ApiCalls', 'StorageGB', 'Referrals',
  'CampaignClicks', 'TrialConverted', 'Industry', 'CompanySize',
];

// shap.csv: 10-decimal fixed values mostly, full-precision and exponent forms sometimes.
async function shap() {
  const rand = prng(42);
  const header = ['AccountID', ...features.map((f) => `${f}_SHAP`)].join(',') + '\r\n';
  return writeFile(join(dir, 'shap.csv'), header, (i) => {
    let row = `AC${String(10000000 + i)}`;
    for (let c = 0; c < features.length; c++) {
      // Roughly normal, heavier-tailed for the first features like real SHAP output.
      const g = rand() + rand() + rand() - 1.5;
      const v = g * (c < 5 ? 0.2 : 0.02);
      const r = rand();
      row += ',' + (r < 0.9 ? v.toFixed(10) : r < 0.98 ? String(v) : v.toExponential(6));
    }
    return row + '\r\n';
  });
}

const lastNames = ['Smith', 'Müller', 'García', 'Nguyen', "O'Brien", 'Kowalski', 'Dubois', 'Søren'];
const firstNames = ['Anna', 'José', 'Li', 'Zoë', 'Mohammed', 'Chloé', 'Björn', 'Ava'];
const cities = ['Paris', 'São Paulo', 'Zürich', 'Tokyo 東京', 'New York', 'Kraków', 'Lund', 'Austin'];
const words = ['renewal', 'discount', 'escalated', 'billing', 'upgrade', 'churn', 'risk', 'call',
  'email', 'contract', 'support', 'ticket', 'feedback', 'survey', 'price', 'plan'];
const pick = (rand, list) => list[Math.floor(rand() * list.length)];
const quote = (s) => `"${s.replaceAll('"', '""')}"`;

// quoted.csv: quoted text columns (commas, doubled quotes, line breaks, non-ASCII, emoji)
// between numeric columns.
async function quoted() {
  const rand = prng(7);
  const header = 'id,name,city,comment,score,segment,notes,amount\n';
  return writeFile(join(dir, 'quoted.csv'), header, (i) => {
    const name = `${pick(rand, lastNames)}, ${pick(rand, firstNames)}`;
    let comment = '';
    const n = 3 + Math.floor(rand() * 10);
    for (let w = 0; w < n; w++) comment += (w ? ' ' : '') + pick(rand, words);
    const r = rand();
    if (r < 0.2) comment += ', said "call me back"';
    else if (r < 0.3) comment += '\nfollow-up: "yes", maybe';
    else if (r < 0.35) comment += ' 👍';
    const notes = rand() < 0.5 ? '' : `${pick(rand, words)}; ${pick(rand, words)}, ${pick(rand, words)}`;
    const segment = pick(rand, ['SMB', 'Mid-Market', 'Enterprise', 'Public "Sector"']);
    return [
      i, quote(name), quote(pick(rand, cities)), quote(comment), (rand() * 100).toFixed(4),
      quote(segment), notes ? quote(notes) : '', (rand() * 1e6 - 2e5).toFixed(2),
    ].join(',') + '\n';
  });
}

mkdirSync(dir, { recursive: true });
const predictions = () => writePredictions(join(dir, 'predictions.csv'), targetBytes);
for (const [name, gen] of [['shap.csv', shap], ['quoted.csv', quoted], ['predictions.csv', predictions]]) {
  const started = Date.now();
  const { bytes, rows } = await gen();
  console.log(`[gen-bench-data] ${join(dir, name)}: ${(bytes / 1048576).toFixed(1)} MiB, ` +
    `${rows} rows, ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
