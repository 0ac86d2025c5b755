// The sample prediction IDs the form suggests: the mock tenant's list (its /__mock/datasets
// answer) or, where the page's origin has none, the built-in mock tenant's. No DOM.

/** The mock tenant's samples, used when the page's origin does not list them at /__mock/datasets. */
export const BUILTIN_SAMPLES = Object.freeze([
  { id: 'churn-small', description: 'Binary churn model, 500 accounts.' },
  { id: 'churn-medium', description: 'Binary churn model, 50,000 accounts.' },
  { id: 'churn-large', description: 'Binary churn model, 100 MB per file.' },
  { id: 'churn-1gb', description: 'Binary churn model, 1 GiB per file.' },
  { id: 'multiclass', description: '3-class model; wide SHAP is not available.' },
  { id: 'hostile', description: 'Cells holding HTML, formulas and control characters.' },
  { id: 'empty', description: 'Header lines only, no data rows.' },
  { id: 'pending', description: 'Prediction still running: every file answers 409.' },
  { id: 'missing', description: 'Unknown prediction: every endpoint answers 404.' },
].map((s) => Object.freeze(s)));

/**
 * The samples of a /__mock/datasets answer (a list, or an object with a `samples` list; each
 * an ID or { id, description }), or null when the answer has no such list. Entries without a
 * non-empty string ID are left out.
 */
export function samplesFrom(body) {
  const list = Array.isArray(body) ? body : (Array.isArray(body?.samples) ? body.samples : null);
  if (!list) return null;
  return list
    .map((s) => (typeof s === 'string' ? { id: s } : s))
    .filter((s) => s && typeof s.id === 'string' && s.id);
}

/** The hint under the prediction ID field. */
export function samplesHint(count, fromServer) {
  return fromServer
    ? `Pick one of the ${count} samples of this mock tenant.`
    : 'Pick one of the built-in mock tenant\'s samples.';
}
