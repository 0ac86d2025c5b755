// Test scaffolding of the browser consumer apps, not part of the recipes: the tenant settings
// from the page's query string, and the table shown in the page and kept on window.result (with
// `extra` results beside it).
const params = new URLSearchParams(location.search);

export const tenant = { host: params.get('host'), authType: 'apikey', apiKey: params.get('key') };

export function show(table, extra = {}) {
  const t = document.createElement('table');
  for (const row of [table.columns, ...table.rows]) {
    const tr = t.insertRow();
    for (const cell of row) tr.insertCell().textContent = String(cell);
  }
  document.body.append(t);
  window.result = { columns: table.columns, rows: table.rows, ...extra };
}
