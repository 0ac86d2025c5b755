// A mashup entry as an application writes it, bundled by Vite: the package is imported by its
// name and Vite emits the .wasm it references as an asset.
import init, { PredictionsClient, QlikApiError, WasmModuleError } from 'qlik-automl-predictions';

const params = new URLSearchParams(location.search);
const out = document.getElementById('out');

async function main() {
  await init();
  const client = new PredictionsClient({ host: params.get('host'), authType: 'apikey', apiKey: params.get('key') });
  const table = await client.table('churn-small', 'predictions', { limit: 2 });
  let notFound = null;
  try { await client.table('missing', 'shap'); } catch (e) { notFound = e instanceof QlikApiError ? e.code : String(e); }
  // With `trap`, a hostile file (a header too wide for the browser's wasm memory) makes the
  // module fail; the next call runs on a fresh instance.
  let trap = null;
  if (params.has('trap')) {
    try {
      await client.table('churn-small', 'shap', { refId: params.get('trap'), maxColumns: 8_000_000 });
    } catch (e) {
      trap = e instanceof WasmModuleError ? e.name : String(e);
    }
    trap = { failed: trap, next: (await client.table('churn-small', 'predictions', { limit: 1 })).numRows };
  }
  return { columns: table.columns, rows: table.rows, notFound, trap };
}

main().then(
  (r) => { window.result = r; out.textContent = JSON.stringify(r); },
  (e) => { window.result = { error: String(e) }; out.textContent = String(e); },
);
