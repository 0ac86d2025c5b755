// The browser benchmark's input files, generated once per size into a directory and reused:
//   shap.csv         an AccountID column and 40 float SHAP columns, CRLF (scripts/gen-bench-data.mjs);
//   predictions.csv  AccountID, the predicted label and the two class probabilities, LF;
//   source.csv       quote-heavy text with embedded commas, doubled quotes, line breaks and
//                    multibyte UTF-8 between numeric columns, LF (scripts/gen-bench-data.mjs's quoted.csv).
// A manifest.json written last records each file's bytes and data rows; without it (or with
// another size in it) the files are generated again.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The datasets, by the API's dataset name. */
export const DATASETS = Object.freeze([
  { id: 'shap', file: 'shap.csv', label: 'SHAP-like (id + 40 floats)' },
  { id: 'predictions', file: 'predictions.csv', label: 'predictions-like (id, label, 2 probabilities)' },
  { id: 'source', file: 'source.csv', label: 'quote-heavy UTF-8 text (source-like)' },
]);

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

/**
 * Writes predictions.csv of at least `targetBytes`: `AccountID,Outcome_predicted,
 * Outcome_churned,Outcome_renewed`, probabilities with 9 decimals summing to 1. The labels are
 * words no parser reads as booleans. Resolves with { bytes, rows }.
 */
export async function writePredictions(path, targetBytes) {
  const rand = prng(1234);
  let bytes = 0;
  let rows = 0;
  function* text() {
    let buf = 'AccountID,Outcome_predicted,Outcome_churned,Outcome_renewed\n';
    while (bytes + buf.length < targetBytes) {
      const churned = Math.floor(rand() * 1e9);
      const renewed = 1e9 - churned;
      const p = (n) => (n === 1e9 ? '1.000000000' : `0.${String(n).padStart(9, '0')}`);
      buf += `AC${10000000 + rows},${churned >= 5e8 ? 'churned' : 'renewed'},${p(churned)},${p(renewed)}\n`;
      rows++;
      if (buf.length >= 1 << 20) {
        bytes += buf.length;
        yield buf;
        buf = '';
      }
    }
    bytes += buf.length;
    yield buf;
  }
  await pipeline(Readable.from(text()), createWriteStream(path));
  return { bytes, rows };
}

/**
 * Generates the three files of `mib` MiB each into `dir` unless its manifest says they are
 * there; resolves with the manifest: { mib, datasets: [{ id, file, label, path, bytes, rows }] }.
 */
export async function ensureData(dir, mib, log = console.log) {
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const complete = manifest.mib === mib && DATASETS.every((d) => {
      const m = manifest.datasets.find((x) => x.id === d.id);
      return m && existsSync(join(dir, d.file)) && statSync(join(dir, d.file)).size === m.bytes;
    });
    if (complete) {
      return { ...manifest, datasets: manifest.datasets.map((d) => ({ ...d, path: join(dir, d.file) })) };
    }
  }
  mkdirSync(dir, { recursive: true });
  log(`[bench] generating ${mib} MiB files into ${dir} (once)`);
  const started = Date.now();
  // shap.csv and quoted.csv come from the native benchmark's generator; its output names rows.
  const gen = spawnSync(process.execPath, [join(root, 'scripts', 'gen-bench-data.mjs'), dir, String(mib)],
    { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`gen-bench-data failed: ${gen.stderr || gen.stdout}`);
  const rowsOf = (name) => {
    const m = new RegExp(`${name.replace('.', '\\.')}: [\\d.]+ MiB, (\\d+) rows`).exec(gen.stdout);
    if (!m) throw new Error(`gen-bench-data printed no row count for ${name}:\n${gen.stdout}`);
    return Number(m[1]);
  };
  renameSync(join(dir, 'quoted.csv'), join(dir, 'source.csv'));
  const rows = { shap: rowsOf('shap.csv'), source: rowsOf('quoted.csv') };
  rows.predictions = (await writePredictions(join(dir, 'predictions.csv'), Math.ceil(mib * 1048576))).rows;
  const datasets = DATASETS.map((d) => ({ ...d, bytes: statSync(join(dir, d.file)).size, rows: rows[d.id] }));
  writeFileSync(manifestPath, JSON.stringify({ mib, datasets }, null, 2) + '\n');
  log(`[bench] generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { mib, datasets: datasets.map((d) => ({ ...d, path: join(dir, d.file) })) };
}
