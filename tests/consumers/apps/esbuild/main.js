import { tenant, show } from './page.js';
import init, { PredictionsClient } from 'qlik-automl-predictions';
import wasmUrl from 'qlik-automl-predictions/wasm';

// The file loader gives the emitted .wasm's path relative to the bundle.
await init({ module_or_path: new URL(wasmUrl, import.meta.url) });

const client = new PredictionsClient(tenant);
const table = await client.table('churn-small', 'predictions', { limit: 5 });

// Worker mode: the Worker is built as an entry of its own (qlik-worker.js, beside this bundle).
const inWorker = new PredictionsClient({ ...tenant, worker: true, workerUrl: new URL('./qlik-worker.js', import.meta.url) });
show(table, { worker: await inWorker.table('churn-small', 'predictions', { limit: 5 }) });
