// A mashup entry as an application writes it, bundled by Vite: the package is imported by its
// name and Vite emits the .wasm it references as an asset.
import init, { PredictionsClient, QlikApiError } from 'qlik-automl-predictions';

const params = new URLSearchParams(location.search);
const out = document.getElementById('out');

async function main() {
  await init();
  const client = new PredictionsClient({ host: params.get('host'), authType: 'apikey', apiKey: params.get('key') });
  const table = await client.table('churn-small', 'predictions', { limit: 2 });
  let notFound = null;
  try { await client.table('missing', 'shap'); } catch (e) { notFound = e instanceof QlikApiError ? e.code : String(e); }
  return { columns: table.columns, rows: table.rows, notFound };
}

main().then(
  (r) => { window.result = r; out.textContent = JSON.stringify(r); },
  (e) => { window.result = { error: String(e) }; out.textContent = String(e); },
);
