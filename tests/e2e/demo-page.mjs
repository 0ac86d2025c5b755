// Helpers of the demo page's end-to-end tests (demo.test.mjs): the server's file as reference
// rows, filling the form, waiting for an action to end, and reading the table and the chart
// back from the page.
import assert from 'node:assert/strict';
import { parseCsv as parseCsvRows } from './harness.mjs';

export const API = '/api/v1/automl-predictions';

// The reference CSV reader of the end-to-end tests, as { header, rows }.
function parseCsv(text) {
  const [header = [], ...rows] = parseCsvRows(text);
  return { header, rows };
}

export async function serverFile(base, id, dataset) {
  const res = await fetch(`${base}${API}/${encodeURIComponent(id)}/${dataset}`);
  assert.equal(res.status, 200, `GET ${id}/${dataset}`);
  return parseCsv(await res.text());
}

// Records the page's Content-Security-Policy violations in window.cspViolations.
export function watchCsp() {
  window.cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'} (${e.sourceFile || '?'}:${e.lineNumber})`);
  });
}

export async function fill(page, { predictionId, dataset = 'predictions', limit = 100, refId = '', wholeFile = true }) {
  await page.fill('#predictionId', predictionId);
  await page.selectOption('#dataset', dataset);
  await page.fill('#limit', String(limit));
  await page.fill('#refId', refId);
  await page.setChecked('#wholeFile', wholeFile);
}

export async function waitFinished(page, timeout = 30000) {
  await page.waitForFunction(() => {
    const a = document.querySelector('#activity');
    return !a.hidden && a.dataset.state && a.dataset.state !== 'running';
  }, null, { timeout });
  return page.$eval('#activity', (a) => ({
    state: a.dataset.state,
    badge: a.querySelector('#activity-state').textContent,
    message: a.querySelector('#activity-message').textContent,
  }));
}

export function readTable(page) {
  return page.evaluate(() => {
    const table = document.querySelector('#preview-table');
    const header = [...table.querySelectorAll('thead th')].slice(1).map((th) => ({ text: th.textContent, num: th.classList.contains('num') }));
    const rows = [...table.querySelectorAll('tbody tr:not(.spacer)')].map((tr) => ({
      index: Number(tr.getAttribute('aria-rowindex')) - 2,
      cells: [...tr.querySelectorAll('td')].map((td) => ({ text: td.textContent, title: td.title, num: td.classList.contains('num') })),
    }));
    return { header, rows, rowCount: Number(table.getAttribute('aria-rowcount')) - 1 };
  });
}

/** Checks shown cells against the reference rows: text cells verbatim, number cells by value. */
export function assertCells(shownRows, header, expected, label) {
  for (const { index, cells } of shownRows) {
    const want = expected.rows[index];
    assert.ok(want, `${label}: row ${index} exists in the file`);
    assert.equal(cells.length, want.length, `${label}: row ${index} has ${want.length} cells`);
    cells.forEach((cell, c) => {
      const raw = want[c];
      const where = `${label}: row ${index}, column ${expected.header[c]}`;
      if (header[c].num && raw.trim() !== '' && cell.title !== '') {
        assert.equal(Number(cell.title), Number(raw), where);
        assert.notEqual(cell.text, '', `${where}: formatted`);
      } else if (header[c].num && raw.trim() === '') {
        assert.equal(cell.text, '', `${where}: empty number shown blank`);
      } else {
        assert.equal(cell.text, raw, where);
      }
    });
  }
}

export function meanAbsBy(labels, values) {
  const m = new Map();
  labels.forEach((label, i) => {
    const v = Number(values[i]);
    if (!m.has(label)) m.set(label, [0, 0]);
    const e = m.get(label);
    e[0] += Math.abs(v);
    e[1] += 1;
  });
  return [...m].map(([label, [s, n]]) => ({ label, value: s / n })).sort((a, b) => b.value - a.value);
}

export function readBars(page) {
  return page.$$eval('#chart svg g.bar', (gs) => gs.map((g) => ({
    label: g.dataset.label,
    value: Number(g.dataset.value),
    width: Number(g.querySelector('rect').getAttribute('width') ?? g.querySelector('rect').getAttribute('height')),
  })));
}
