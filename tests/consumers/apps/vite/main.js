import { tenant, show } from './page.js';
import init, { PredictionsClient } from 'qlik-automl-predictions';
import wasmUrl from 'qlik-automl-predictions/wasm?url';

await init({ module_or_path: wasmUrl });

const client = new PredictionsClient(tenant);
const table = await client.table('churn-small', 'predictions', { limit: 5 });

// Worker mode: fetch and parse in a Worker that Vite bundles from the package.
const inWorker = new PredictionsClient({ ...tenant, worker: true });
show(table, { worker: await inWorker.table('churn-small', 'predictions', { limit: 5 }) });
