// Compiled by the consumer tests inside a fresh project that installed the packed package:
// the entry's and the wasm subpath's declarations resolve through package.json's exports.
import init, { PredictionsClient, QlikApiError, type RecordBatch } from 'qlik-automl-predictions';
import wasmUrl from 'qlik-automl-predictions/wasm';

const url: string = wasmUrl;
await init({ module_or_path: new URL(url, import.meta.url) });
const client = new PredictionsClient({ host: 'tenant.example.com', authType: 'apikey', apiKey: 'key' });
const batches: ReadableStream<RecordBatch> = client.stream('id', 'shap');
const failed: boolean = new QlikApiError('x') instanceof Error;
export { batches, failed };
