import { tenant, show } from './page.js';
import init, { PredictionsClient } from 'qlik-automl-predictions';
import wasmUrl from 'qlik-automl-predictions/wasm';

// A classic script has no import.meta: resolve the .wasm against the script's own URL.
const bundleUrl = document.currentScript.src;

init({ module_or_path: new URL(wasmUrl, bundleUrl) })
  .then(() => new PredictionsClient(tenant).table('churn-small', 'predictions', { limit: 5 }))
  .then(show);
