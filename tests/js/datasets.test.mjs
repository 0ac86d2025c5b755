// DATASETS (js/datasets.js) stands alone: a page or the mock tenant imports it without the wasm
// module. (Its agreement with the crate's list is checked by a Rust test, in src/http/endpoint.rs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DATASETS } from '../../js/datasets.js';

test('the five datasets, frozen', () => {
  assert.deepEqual(DATASETS, ['predictions', 'shap', 'coordinate-shap', 'not-predicted-reasons', 'source']);
  assert.ok(Object.isFrozen(DATASETS));
});
