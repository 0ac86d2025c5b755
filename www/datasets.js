// The result files of a prediction, as the page offers them. No DOM.

import { DATASETS } from '../pkg/datasets.js';

/** The five files of a prediction, in the API's order: the package's list (no wasm needed). */
export { DATASETS };

// How the page names a file in a sentence ("No SHAP values file was found…").
const NOUNS = {
  predictions: 'predictions',
  shap: 'SHAP values',
  'coordinate-shap': 'coordinate SHAP values',
  'not-predicted-reasons': 'not-predicted reasons',
  source: 'source data',
};

/** Whether `value` names one of the files. */
export function isDataset(value) {
  return DATASETS.includes(value);
}

/** A file's name in a sentence: "SHAP values" (a file the page has no words for: its ID). */
export function datasetNoun(dataset) {
  return Object.hasOwn(NOUNS, dataset) ? NOUNS[dataset] : String(dataset);
}

/** A file's name as a title or a choice: "SHAP values", "Coordinate SHAP values". */
export function datasetTitle(dataset) {
  const noun = datasetNoun(dataset);
  return `${noun.charAt(0).toUpperCase()}${noun.slice(1)}`;
}
