import { tenant, show } from './page.js';
import init, { PredictionsClient } from 'qlik-automl-predictions';
import wasmUrl from 'qlik-automl-predictions/wasm?url';

await init({ module_or_path: wasmUrl });

const client = new PredictionsClient(tenant);
show(await client.table('churn-small', 'predictions', { limit: 5 }));
