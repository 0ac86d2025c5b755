// A server-side script: the first rows of the predictions with an API key, and the mean |SHAP|
// of every feature over the whole SHAP file with an OAuth2 access token. Prints JSON.
import init, { PredictionsClient } from 'qlik-automl-predictions';

await init();   // in Node, reads the .wasm beside the module from disk

const [predictionId = 'churn-small'] = process.argv.slice(2);
const host = process.env.QLIK_HOST;

const withKey = new PredictionsClient({ host, authType: 'apikey', apiKey: process.env.QLIK_API_KEY });
const table = await withKey.table(predictionId, 'predictions', { limit: 5 });

const withToken = new PredictionsClient({
  host,
  authType: 'oauth2',
  getAccessToken: async () => process.env.QLIK_ACCESS_TOKEN,   // called before every request
});
const sums = new Map();
let rows = 0;
for await (const batch of withToken.stream(predictionId, 'shap')) {
  rows += batch.numRows;
  for (const name of batch.columnNames.slice(1)) {
    const values = batch.column(name);
    let s = sums.get(name) ?? 0;
    for (let i = 0; i < values.length; i++) s += Math.abs(values[i]);
    sums.set(name, s);
  }
}
const meanAbsShap = Object.fromEntries([...sums].map(([name, s]) => [name, s / rows]));

console.log(JSON.stringify({ columns: table.columns, rows: table.rows, shapRows: rows, meanAbsShap }));
