// The demo page's list of files and their names (www/datasets.js), in Node without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DATASETS, datasetNoun, datasetTitle, isDataset } from '../../www/datasets.js';
import { FILE_TYPES } from '../mock-tenant/catalog.mjs';

test('the page offers the five files in the API\'s order, as the mock tenant serves them', () => {
  assert.deepEqual(DATASETS, ['predictions', 'shap', 'coordinate-shap', 'not-predicted-reasons', 'source']);
  assert.deepEqual(DATASETS, FILE_TYPES);
  assert.ok(Object.isFrozen(DATASETS));
});

test('each file has a noun for sentences and a title for choices', () => {
  assert.deepEqual(DATASETS.map(datasetNoun),
    ['predictions', 'SHAP values', 'coordinate SHAP values', 'not-predicted reasons', 'source data']);
  assert.deepEqual(DATASETS.map(datasetTitle),
    ['Predictions', 'SHAP values', 'Coordinate SHAP values', 'Not-predicted reasons', 'Source data']);
});

test('a name the page does not know is not a file, and is named by its ID', () => {
  for (const v of ['jobs', '', 'toString', '__proto__', null, undefined, 42]) assert.equal(isDataset(v), false, String(v));
  assert.equal(datasetNoun('toString'), 'toString');
  assert.equal(datasetTitle('future-file'), 'Future-file');
});
