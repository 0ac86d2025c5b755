// The datasets the mock tenant offers: the five file types, the sample prediction IDs and the
// generic `rows-<N>` / `bytes-<N>` IDs, and which file of which prediction exists (or answers
// 404 or 409). The bytes of the files are made by files.mjs from content.mjs.

import { DATASETS } from '../../js/datasets.js';

/** The five file endpoints, in API order: the package's list. */
export const FILE_TYPES = DATASETS;

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
