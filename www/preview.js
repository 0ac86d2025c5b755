// Preview: the first rows of a file in the table and, for the files that have one, a chart
// of a summary computed over the whole file while it streams (client.stream()); without a
// chart, reading stops after the preview rows.
import { ChartView } from './chart.js';
import { datasetNoun, datasetTitle } from './datasets.js';
import { formatBytes, formatCount, formatDuration } from './format.js';
import { readForm, saveForm } from './form.js';
import { clientFor, loadLibrary } from './library.js';
import { fail, startOperation } from './operation.js';
import { rowsOf, tableNote, timeSlicer } from './progress.js';
import { createSummary, hasSummary } from './summary.js';
import { PreviewTable } from './table.js';
import { ui } from './ui.js';

const BATCH_ROWS = 2000;
const CHART_REDRAW_MS = 400;

const table = new PreviewTable(ui.previewTable, ui.tableScroll);
const chartView = new ChartView(ui.chart);
let currentSummary = null;

/** Draws the chart of the current summary; `partial` is added to its subtitle. */
export function drawChart(partial) {
  const s = currentSummary;
  if (!s) return;
  const views = s.views();
  const selected = ui.chartView.value;
  if (ui.chartView.options.length !== views.length) {
    ui.chartView.replaceChildren(...views.map((v) => {
      const option = document.createElement('option');
      option.value = v.id;
      option.textContent = v.name;
      return option;
    }));
    if (views.some((v) => v.id === selected)) ui.chartView.value = selected;
  }
  ui.chartViewField.hidden = views.length < 2;
  const spec = s.spec(ui.chartView.value || views[0]?.id);
  if (s.rows === 0) spec.empty = partial ? 'No rows yet.' : 'The file has no data rows to chart.';
  ui.chartPanel.hidden = false;
  ui.chartTitle.textContent = spec.title;
  ui.chartSubtitle.textContent = `${spec.subtitle}${partial ? ` · ${partial}` : ''}`;
  if (spec.empty || !spec.chart) {
    chartView.clear();
    const p = document.createElement('p');
    p.className = 'chart-empty';
    p.textContent = spec.empty ?? 'Nothing to chart.';
    ui.chart.replaceChildren(p);
  } else {
    chartView.show(spec.chart);
  }
}

export async function preview() {
  if (!ui.form.reportValidity()) return;
  const f = readForm();
  saveForm();
  const op = startOperation('preview', `Preview · ${f.predictionId} · ${datasetNoun(f.dataset)}`);
  table.reset();
  chartView.clear();
  currentSummary = null;
  ui.chartView.replaceChildren();
  ui.chartPanel.hidden = true;
  ui.tablePanel.hidden = true;
  ui.tableTitle.textContent = `${datasetTitle(f.dataset)} of ${f.predictionId}`;
  ui.tableSubtitle.textContent = '';

  const withChart = f.wholeFile && hasSummary(f.dataset);
  let stream = null;
  let more = false;
  let stoppedEarly = false;
  let lastDraw = 0;
  const note = () => tableNote({ shown: table.rowCount, total: stream?.rows ?? table.rowCount, more, stoppedEarly });
  try {
    await loadLibrary();
    const client = clientFor(f);
    op.watchThrottling(client.host);
    stream = client.stream(f.predictionId, f.dataset, {
      refId: f.refId || undefined,
      signal: op.signal,
      batchRows: withChart ? BATCH_ROWS : Math.min(f.limit + 1, BATCH_ROWS),
      onProgress: op.onProgress,
    });
    const slice = timeSlicer();
    for await (const batch of stream) {
      if (!table.hasColumns) {
        const names = batch.columnNames;
        const kinds = names.map((_, i) => batch.columnType(i));
        table.setColumns(names, kinds, rowsOf(batch, 200));
        ui.tablePanel.hidden = false;
        currentSummary = withChart ? createSummary(f.dataset, names, kinds, batch) : null;
      }
      const need = f.limit - table.rowCount;
      if (need > 0) table.appendRows(rowsOf(batch, need));
      if (batch.numRows > Math.max(need, 0)) more = true;
      op.progress.rows = stream.rows;
      if (currentSummary) {
        currentSummary.add(batch);
        const now = performance.now();
        if (now - lastDraw > CHART_REDRAW_MS) {
          lastDraw = now;
          drawChart('reading…');
        }
      }
      ui.tableSubtitle.textContent = note();
      // Its rows are copied into the table and its values counted: its buffer can be reused.
      batch.release();
      if (!currentSummary && table.rowCount >= f.limit && more) {
        stoppedEarly = true;
        break;
      }
      await slice();
    }
    if (!table.hasColumns) {
      const names = stream.columnNames ?? [];
      table.setColumns(names, names.map(() => 'string'));
      ui.tablePanel.hidden = false;
    }
    table.flush();
    ui.tableSubtitle.textContent = table.rowCount === 0 ? 'The file has no data rows.' : note();
    if (withChart && !currentSummary && stream.columnNames) {
      currentSummary = createSummary(f.dataset, stream.columnNames, stream.columnNames.map(() => 'string'), null);
    }
    if (currentSummary) drawChart('');
    const read = `${formatCount(stream.rows)} rows, ${formatBytes(stream.bytes)} read in ${formatDuration(performance.now() - op.started)}`;
    op.note(stream.deprecation);
    op.finish(stoppedEarly ? 'stopped' : 'done', stoppedEarly
      ? `Showing the first ${formatCount(table.rowCount)} rows; stopped reading after them (${read}).`
      : `Read the whole file: ${read}.`);
  } catch (e) {
    if (table.hasColumns) {
      table.flush();
      ui.tableSubtitle.textContent = `${note().replace(/ · the file has more.*$/, '')} · incomplete`;
    }
    if (currentSummary) drawChart(`partial: ${formatCount(stream?.rows ?? 0)} rows read`);
    const partial = stream && stream.rows ? `${formatCount(stream.rows)} rows read before it stopped.` : '';
    fail(op, e, f, partial);
  }
}
