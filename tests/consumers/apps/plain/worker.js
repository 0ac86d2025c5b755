// A module Worker that reads a whole dataset off the page's thread and posts back a summary:
// the rows and the mean |value| of every number column.
import init, { PredictionsClient } from './node_modules/qlik-automl-predictions/pkg/index.js';

self.onmessage = async ({ data: { config, predictionId, dataset } }) => {
  try {
    await init();
    const client = new PredictionsClient(config);
    const sums = {};
    let rows = 0;
    for await (const batch of client.stream(predictionId, dataset)) {
      rows += batch.numRows;
      for (const name of batch.columnNames) {
        if (batch.columnType(name) !== 'number') continue;
        const values = batch.column(name);
        for (let i = 0; i < values.length; i++) sums[name] = (sums[name] ?? 0) + Math.abs(values[i]);
      }
    }
    const means = Object.fromEntries(Object.entries(sums).map(([name, s]) => [name, s / rows]));
    self.postMessage({ rows, means });
  } catch (e) {
    self.postMessage({ error: String(e) });
  }
};
