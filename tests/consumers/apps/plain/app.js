// A mashup page without a bundler: the signed-in user's session through a web integration, in
// the page, in Worker mode and in a module Worker of its own. The page's query names the tenant
// and the integration.
import init, { PredictionsClient } from './node_modules/qlik-automl-predictions/pkg/index.js';

const params = new URLSearchParams(location.search);
const config = { host: params.get('host'), webIntegrationId: params.get('webIntegrationId') };

await init();
const client = new PredictionsClient(config);
const table = await client.table('churn-small', 'predictions', { limit: 5 });

// Worker mode: fetch and parse run in the package's own Worker (pkg/worker.js, beside pkg/index.js).
const inWorker = new PredictionsClient({ ...config, worker: true });
const workerMode = await inWorker.table('churn-small', 'predictions', { limit: 5 });

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const fromWorker = await new Promise((resolve, reject) => {
  worker.onmessage = (e) => resolve(e.data);
  worker.onerror = (e) => reject(new Error(`worker failed: ${e.message}`));
  worker.postMessage({ config, predictionId: 'churn-small', dataset: 'shap' });
});

window.result = { columns: table.columns, rows: table.rows, worker: fromWorker, workerMode };
