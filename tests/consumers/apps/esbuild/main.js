import { tenant, show } from './page.js';
import init, { PredictionsClient } from 'qlik-automl-predictions';
import wasmUrl from 'qlik-automl-predictions/wasm';

// The file loader gives the emitted .wasm's path relative to the bundle.
await init({ module_or_path: new URL(wasmUrl, import.meta.url) });

const client = new PredictionsClient(tenant);
show(await client.table('churn-small', 'predictions', { limit: 5 }));
