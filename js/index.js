// Package entry of qlik-automl-predictions: the public JavaScript API over the wasm module.
// The wasm side fetches, retries and decodes; the modules here shape the results for
// JavaScript and replace a wasm instance that failed by a fresh one:
//   errors.js        the error classes, and what the wasm side throws turned into them
//   record-batch.js  RecordBatch, over the raw batches the wasm side hands over
//   datasets.js      DATASETS, the names of a prediction's result files
//   instance.js      one guarded wasm instance
//   loader.js        init(), and the live instance, made again after a failure
//   streams.js       reading calls and the ReadableStreams over them
//   login.js         autoRedirect's loop guard
//   worker-mode.js   Worker mode's options, and stand-ins while remote.js is imported
//   remote.js        Worker mode, the page's side: the Worker and the calls run in it (imported
//                    on demand, by the first client made with `worker: true`)
//   wire.js          what crosses postMessage in Worker mode
//   worker.js        Worker mode's Worker (its own entry, loaded by remote.js)
//   client.js        PredictionsClient, and parseCsv (CSV from any source)
import { PredictionsClient, parseCsv } from './client.js';
import { RecordBatch } from './record-batch.js';
import { QlikApiError, CsvError, NetworkError, WasmModuleError } from './errors.js';

export { default, initSync, __internals } from './loader.js';
export { DATASETS } from './datasets.js';
export { PredictionsClient, parseCsv, RecordBatch, QlikApiError, CsvError, NetworkError, WasmModuleError };

// The bundle's minifier renames classes and functions: the public ones get their names back,
// so that consoles show a `RecordBatch` or a `CsvError` (not a one-letter class) and
// `constructor.name` reads as written.
const named = { PredictionsClient, parseCsv, RecordBatch, QlikApiError, CsvError, NetworkError, WasmModuleError };
for (const [name, value] of Object.entries(named)) Object.defineProperty(value, 'name', { value: name });
