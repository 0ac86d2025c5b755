// The demo's whole-file summaries (www/summary.js) fed batch by batch, and the chart's tick
// values (www/chart.js), without a browser. Batches are stood in for by objects with the
// RecordBatch methods the summaries use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceTicks } from '../../www/chart.js';
import { formatCount } from '../../www/format.js';
import { createSummary, hasSummary, isIdLike } from '../../www/summary.js';

// A batch of named columns: arrays of numbers become Float64Arrays ('number'), others strings.
function batch(columns) {
  const names = Object.keys(columns);
  const cols = names.map((n) => (typeof columns[n][0] === 'number' ? Float64Array.from(columns[n]) : columns[n]));
  return {
    numRows: cols[0].length,
    columnNames: names,
    columnType: (i) => (cols[i] instanceof Float64Array ? 'number' : 'string'),
    column: (i) => cols[i],
  };
}

function summarize(dataset, ...batches) {
  const first = batches[0];
  const kinds = first.columnNames.map((_, i) => first.columnType(i));
  const s = createSummary(dataset, first.columnNames, kinds, first);
  for (const b of batches) s.add(b);
  return s;
}

const bars = (spec) => spec.chart.bars.map((b) => [b.label, b.value]);

test('which files get a chart, and which columns are identifiers', () => {
  assert.deepEqual(['predictions', 'shap', 'coordinate-shap', 'not-predicted-reasons', 'source'].map(hasSummary),
    [true, true, true, true, false]);
  assert.equal(createSummary('source', ['a'], ['string'], null), null);
  for (const n of ['AccountID', 'customer_id', 'index', 'row', 'Id']) assert.equal(isIdLike(n), true, n);
  for (const n of ['Tenure_SHAP', 'Identity', 'Churned_yes']) assert.equal(isIdLike(n), false, n);
});

test('wide SHAP: mean |SHAP| per feature over every batch, largest first, empty cells skipped', () => {
  const s = summarize('shap',
    batch({ AccountID: ['a', 'b'], Tenure_SHAP: [0.5, -0.25], PlanType_SHAP: [-1, NaN] }),
    batch({ AccountID: ['c'], Tenure_SHAP: [-0.75], PlanType_SHAP: [2] }));
  assert.equal(s.rows, 3);
  const spec = s.spec();
  assert.deepEqual(bars(spec), [['PlanType', 1.5], ['Tenure', 0.5]]);
  assert.match(spec.subtitle, new RegExp(`over ${formatCount(3)} rows · 2 features`));
});

test('coordinate SHAP: per feature over all classes, and per class', () => {
  const s = summarize('coordinate-shap', batch({
    AccountID: ['a', 'a', 'b', 'b'],
    automl_feature: ['Tenure', 'Tenure', 'Country', 'Tenure'],
    SHAP_value: [1, -3, 0.5, 2],
    automl_class: ['high', 'low', 'high', 'high'],
  }));
  assert.deepEqual(s.views().map((v) => v.id), ['all', 'class:high', 'class:low']);
  assert.deepEqual(bars(s.spec('all')), [['Tenure', 2], ['Country', 0.5]]);
  assert.deepEqual(bars(s.spec('class:high')), [['Tenure', 1.5], ['Country', 0.5]]);
  assert.deepEqual(bars(s.spec('class:low')), [['Tenure', 3]]);
  const unusable = summarize('coordinate-shap', batch({ AccountID: ['a'] }));
  assert.equal(unusable.spec().chart, null);
});

test('predictions: rows per predicted class and a 20-bin histogram of each probability', () => {
  const s = summarize('predictions',
    batch({ AccountID: ['a', 'b', 'c'], Churned_predicted: ['yes', 'no', 'yes'], Churned_no: [0.1, 0.9, 0.0], Churned_yes: [0.9, 0.1, 1] }));
  assert.deepEqual(s.views().map((v) => v.id), ['label', 'prob:2', 'prob:3']);
  assert.equal(s.spec().title, 'Predicted Churned');
  assert.deepEqual(bars(s.spec('label')), [['yes', 2], ['no', 1]]);
  const hist = s.spec('prob:3').chart.bins;
  assert.equal(hist.length, 20);
  assert.equal(hist[19].count, 1, '1.0 falls in the last bin');
  assert.equal(hist[18].count, 1, '0.9 falls in the bin from 0.9');
  assert.equal(hist.reduce((a, b) => a + b.count, 0), 3);
});

test('not-predicted reasons: rows per reason', () => {
  const s = summarize('not-predicted-reasons', batch({ AccountID: ['a', 'b', 'c'], reason: ['x', 'y', 'x'] }));
  assert.deepEqual(bars(s.spec()), [['x', 2], ['y', 1]]);
  assert.equal(summarize('not-predicted-reasons', batch({ AccountID: [], reason: [] })).spec().empty, 'No rows: every row was predicted.');
});

test('chart ticks are round values from 0 past the maximum', () => {
  assert.deepEqual(niceTicks(0.887), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(500), [0, 100, 200, 300, 400, 500]);
  assert.deepEqual(niceTicks(0), [0, 1]);
  assert.deepEqual(niceTicks(NaN), [0, 1]);
});
