import { tenant, show } from './page.js';
import init, { PredictionsClient } from 'qlik-automl-predictions';

await init();

const client = new PredictionsClient(tenant);
const table = await client.table('churn-small', 'predictions', { limit: 5 });

// Worker mode: fetch and parse in a Worker that webpack bundles from the package.
const inWorker = new PredictionsClient({ ...tenant, worker: true });
show(table, { worker: await inWorker.table('churn-small', 'predictions', { limit: 5 }) });
