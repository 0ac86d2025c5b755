// The demo page: a form for the tenant and the prediction, and three actions over the
// qlik-automl-predictions package served at /pkg/:
//   Preview   streams the file with client.stream(): the first rows go to the table, every
//             batch feeds the whole-file chart; stops after the rows when there is no chart;
//   Download  saves the exact bytes of client.downloadStream(): written chunk by chunk into a
//             file chosen with showSaveFilePicker, or collected into a Blob saved through
//             <a download> (where the picker is missing, with `?save=blob`, or when chosen in
//             the "Save downloads" select);
//   Jobs      client.jobs(), shown as JSON text.
// Data only ever reaches the DOM through textContent, attributes and SVG text nodes.
import { PreviewTable } from './table.js';
import { ChartView } from './chart.js';
import { createSummary, hasSummary } from './summary.js';
import { formatBytes, formatCount, formatDuration, formatPercent, formatSpeed } from './format.js';

const STORAGE_KEY = 'qlik-automl-predictions-demo/form';
const MAX_PREVIEW_ROWS = 100000;
const BATCH_ROWS = 2000;
const CHART_REDRAW_MS = 400;
const STATS_INTERVAL_MS = 200;
/** Silence, in ms, after which the page says it is waiting for the tenant. */
const QUIET_MS = 2500;

/** Longest stretch of work, in ms, before a loop lets the browser paint and handle input. */
const SLICE_MS = 30;

/** The mock tenant's samples, used when the page's origin does not list them at /__mock/datasets. */
const BUILTIN_SAMPLES = [
  { id: 'churn-small', description: 'Binary churn model, 500 accounts.' },
  { id: 'churn-medium', description: 'Binary churn model, 50,000 accounts.' },
  { id: 'churn-large', description: 'Binary churn model, 100 MB per file.' },
  { id: 'churn-1gb', description: 'Binary churn model, 1 GiB per file.' },
  { id: 'multiclass', description: '3-class model; wide SHAP is not available.' },
  { id: 'hostile', description: 'Cells holding HTML, formulas and control characters.' },
  { id: 'empty', description: 'Header lines only, no data rows.' },
  { id: 'pending', description: 'Prediction still running: every file answers 409.' },
  { id: 'missing', description: 'Unknown prediction: every endpoint answers 404.' },
];

const DATASET_NAMES = {
  predictions: 'predictions',
  shap: 'SHAP values',
  'coordinate-shap': 'coordinate SHAP values',
  'not-predicted-reasons': 'not-predicted reasons',
  source: 'source data',
};

const $ = (id) => document.getElementById(id);
const ui = {
  form: $('form'),
  host: $('host'),
  pageOrigin: $('page-origin'),
  webIntegrationId: $('webIntegrationId'),
  apiKey: $('apiKey'),
  rememberKey: $('rememberKey'),
  predictionId: $('predictionId'),
  samples: $('samples'),
  sampleHint: $('sample-hint'),
  refId: $('refId'),
  dataset: $('dataset'),
  limit: $('limit'),
  wholeFile: $('wholeFile'),
  saveMethodField: $('save-method-field'),
  saveMethod: $('saveMethod'),
  previewBtn: $('preview-btn'),
  downloadBtn: $('download-btn'),
  jobsBtn: $('jobs-btn'),
  targetLine: $('target-line'),
  empty: $('empty-state'),
  activity: $('activity'),
  activityTitle: $('activity-title'),
  activityState: $('activity-state'),
  activityMessage: $('activity-message'),
  activityNote: $('activity-note'),
  statRowsLabel: $('stat-rows-label'),
  cancelBtn: $('cancel-btn'),
  progressTrack: $('progress-track'),
  progressFill: $('progress-fill'),
  statProgress: $('stat-progress'),
  statRows: $('stat-rows'),
  statBytes: $('stat-bytes'),
  statSpeed: $('stat-speed'),
  statElapsed: $('stat-elapsed'),
  error: $('error'),
  errorTitle: $('error-title'),
  errorSummary: $('error-summary'),
  errorFields: $('error-fields'),
  errorAction: $('error-action'),
  chartPanel: $('chart-panel'),
  chartTitle: $('chart-title'),
  chartSubtitle: $('chart-subtitle'),
  chartViewField: $('chart-view-field'),
  chartView: $('chart-view'),
  chart: $('chart'),
  tablePanel: $('table-panel'),
  tableTitle: $('table-title'),
  tableSubtitle: $('table-subtitle'),
  jobsPanel: $('jobs-panel'),
  jobsSubtitle: $('jobs-subtitle'),
  jobsOutput: $('jobs-output'),
};

const params = new URLSearchParams(location.search);
const table = new PreviewTable($('preview-table'), $('table-scroll'));
const chartView = new ChartView(ui.chart);

let lib = null;
let libError = null;
let cachedClient = null;
let current = null;
let currentSummary = null;
let lastBlobUrl = null;

/**
 * A function to await in a loop: after SLICE_MS of work it waits for a macrotask, so the page
 * repaints and the Cancel button responds even when data arrives faster than it is consumed
 * (the library's reads resolve as microtasks while data is buffered).
 */
function timeSlicer() {
  let start = performance.now();
  return async () => {
    if (performance.now() - start < SLICE_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    start = performance.now();
  };
}

// ---------------------------------------------------------------------------------------
// Form: reading, persistence, dependent fields.

function authType() {
  return ui.form.elements.authType.value === 'apikey' ? 'apikey' : 'cookie';
}

function readForm() {
  const limit = Math.round(Number(ui.limit.value));
  return {
    host: ui.host.value.trim(),
    authType: authType(),
    webIntegrationId: ui.webIntegrationId.value.trim(),
    apiKey: ui.apiKey.value.trim(),
    predictionId: ui.predictionId.value.trim(),
    refId: ui.refId.value.trim(),
    dataset: ui.dataset.value,
    limit: Number.isFinite(limit) ? Math.min(Math.max(limit, 1), MAX_PREVIEW_ROWS) : 100,
    wholeFile: ui.wholeFile.checked,
    saveMethod: ui.saveMethod.value,
  };
}

function saveForm() {
  const f = readForm();
  const stored = {
    host: f.host,
    authType: f.authType,
    webIntegrationId: f.webIntegrationId,
    predictionId: f.predictionId,
    refId: f.refId,
    dataset: f.dataset,
    limit: ui.limit.value,
    wholeFile: f.wholeFile,
    saveMethod: f.saveMethod,
    rememberKey: ui.rememberKey.checked,
  };
  if (ui.rememberKey.checked && f.apiKey) stored.apiKey = f.apiKey;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
  } catch {
    // Storage can be unavailable (private mode, disabled); the form still works.
  }
}

function loadForm() {
  let stored = null;
  try {
    stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
  } catch {
    stored = null;
  }
  if (!stored || typeof stored !== 'object') return;
  const str = (v) => (typeof v === 'string' ? v : '');
  ui.host.value = str(stored.host);
  const auth = stored.authType === 'apikey' ? 'apikey' : 'cookie';
  ui.form.elements.authType.value = auth;
  ui.webIntegrationId.value = str(stored.webIntegrationId);
  ui.rememberKey.checked = stored.rememberKey === true;
  if (ui.rememberKey.checked) ui.apiKey.value = str(stored.apiKey);
  ui.predictionId.value = str(stored.predictionId);
  ui.refId.value = str(stored.refId);
  if (Object.hasOwn(DATASET_NAMES, stored.dataset)) ui.dataset.value = stored.dataset;
  if (str(stored.limit)) ui.limit.value = str(stored.limit);
  if (typeof stored.wholeFile === 'boolean') ui.wholeFile.checked = stored.wholeFile;
  if (stored.saveMethod === 'file' || stored.saveMethod === 'blob') ui.saveMethod.value = stored.saveMethod;
}

function syncAuthFields() {
  const auth = authType();
  for (const el of ui.form.querySelectorAll('[data-auth]')) el.hidden = el.dataset.auth !== auth;
}

function canPickFile() {
  return typeof window.showSaveFilePicker === 'function' && params.get('save') !== 'blob';
}

function syncSaveMethod() {
  ui.saveMethodField.hidden = !canPickFile();
}

function describeTarget() {
  const f = readForm();
  const host = f.host || location.origin;
  const auth = f.authType === 'apikey' ? 'API key' : (f.webIntegrationId ? 'cookie session + web integration ID' : 'cookie session');
  ui.targetLine.textContent = `Tenant: ${host} · ${auth}`;
}

// ---------------------------------------------------------------------------------------
// Sample prediction IDs: from the mock tenant's /__mock/datasets, else the built-in list.

async function loadSamples() {
  let samples = null;
  let fromServer = false;
  const f = readForm();
  if (!f.host || sameOrigin(f.host)) {
    try {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 3000);
      const res = await fetch('/__mock/datasets', { signal: controller.signal, headers: { accept: 'application/json' } });
      clearTimeout(timer);
      if (res.ok) {
        const body = await res.json();
        const list = Array.isArray(body) ? body : (Array.isArray(body?.samples) ? body.samples : null);
        if (list) {
          samples = list
            .map((s) => (typeof s === 'string' ? { id: s } : s))
            .filter((s) => s && typeof s.id === 'string' && s.id);
          fromServer = true;
        }
      }
    } catch {
      samples = null;
    }
  }
  if (!samples || samples.length === 0) samples = BUILTIN_SAMPLES;
  ui.samples.replaceChildren(...samples.map((s) => {
    const option = document.createElement('option');
    option.value = s.id;
    if (typeof s.description === 'string') option.label = s.description;
    return option;
  }));
  ui.sampleHint.textContent = fromServer
    ? `Pick one of the ${samples.length} samples of this mock tenant.`
    : 'Pick one of the built-in mock tenant\'s samples.';
  if (!ui.predictionId.value) ui.predictionId.value = samples[0].id;
}

function sameOrigin(host) {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `https://${host}`);
    return url.origin === location.origin;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// The library and the client.

async function loadLibrary() {
  if (lib) return lib;
  if (libError) throw libError;
  try {
    const mod = await import('/pkg/index.js');
    await mod.default();
    lib = mod;
    return lib;
  } catch (e) {
    libError = new Error(`The qlik-automl-predictions package could not be loaded from /pkg/ (${e?.message ?? e}). Build it with "npm run build".`);
    libError.name = 'LibraryError';
    throw libError;
  }
}

function clientFor(f) {
  const config = { authType: f.authType, autoRedirect: false };
  if (f.host) config.host = f.host;
  if (f.authType === 'cookie' && f.webIntegrationId) config.webIntegrationId = f.webIntegrationId;
  if (f.authType === 'apikey') config.apiKey = f.apiKey;
  const key = JSON.stringify(config);
  if (cachedClient && cachedClient.key === key) return cachedClient.client;
  const client = new lib.PredictionsClient(config);
  cachedClient = { key, client };
  return client;
}

// ---------------------------------------------------------------------------------------
// Operations: one at a time, each with its AbortController, progress and final state.

class Operation {
  constructor(kind, title) {
    this.kind = kind;
    this.controller = new AbortController();
    this.started = performance.now();
    this.progress = { bytes: 0, totalBytes: null, rows: 0 };
    this.lines = 0;
    this.receiving = false;
    this.lastDataAt = this.started;
    this.stalled = false;
    this.notice = '';
    this.ended = false;
    this.observer = null;
    ui.activity.hidden = false;
    ui.activity.dataset.kind = kind;
    ui.activity.classList.remove('no-data');
    ui.activity.dataset.state = 'running';
    ui.activityTitle.textContent = title;
    ui.activityState.textContent = 'Running';
    ui.activityState.className = 'badge running';
    ui.activityMessage.textContent = kind === 'jobs' ? 'Requesting the jobs…' : 'Connecting to the tenant…';
    ui.activityNote.hidden = true;
    ui.activityNote.textContent = '';
    ui.statRowsLabel.textContent = kind === 'download' ? 'Lines' : 'Rows';
    ui.cancelBtn.hidden = false;
    ui.cancelBtn.disabled = false;
    this.timer = setInterval(() => this.render(), STATS_INTERVAL_MS);
    this.render();
  }

  get signal() {
    return this.controller.signal;
  }

  /** The onProgress callback of the library. */
  onProgress = (p) => {
    if (p.bytes !== this.progress.bytes) this.lastDataAt = performance.now();
    this.progress = { bytes: p.bytes, totalBytes: p.totalBytes ?? null, rows: p.rows ?? 0 };
    if (this.notice || this.stalled || (!this.receiving && p.bytes > 0)) {
      this.notice = '';
      this.stalled = false;
      this.receiving = true;
      this.message(this.kind === 'download' ? 'Downloading…' : 'Reading rows…');
    }
  };

  /** Shows the endpoint's deprecation notice, if any. */
  note(text) {
    ui.activityNote.hidden = !text;
    ui.activityNote.textContent = text ? `Note: ${text}` : '';
  }

  message(text) {
    if (!this.ended) ui.activityMessage.textContent = text;
  }

  /** Reports 429/503 answers to this operation's requests while the library retries them. */
  watchThrottling(origin) {
    if (typeof PerformanceObserver !== 'function') return;
    const prefix = `${origin}/`;
    try {
      this.observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          if (entry.startTime < this.started || !entry.name.startsWith(prefix)) continue;
          const status = entry.responseStatus;
          if (status === 429 || status === 503) {
            this.notice = status === 429
              ? 'The tenant answered 429 Too Many Requests: waiting to retry…'
              : 'The tenant answered 503 Service Unavailable: waiting to retry…';
            this.message(this.notice);
          }
        }
      });
      this.observer.observe({ type: 'resource' });
    } catch {
      this.observer = null;
    }
  }

  render() {
    const now = performance.now();
    const elapsed = now - this.started;
    const { bytes, totalBytes, rows } = this.progress;
    ui.statElapsed.textContent = formatDuration(elapsed);
    if (this.kind === 'jobs') return;
    ui.statRows.textContent = formatCount(this.kind === 'download' ? this.lines : rows);
    ui.statBytes.textContent = totalBytes ? `${formatBytes(bytes)} of ${formatBytes(totalBytes)}` : formatBytes(bytes);
    ui.statSpeed.textContent = bytes > 0 ? formatSpeed(bytes, elapsed) : '–';
    if (totalBytes) {
      const fraction = Math.min(bytes / totalBytes, 1);
      ui.progressTrack.classList.remove('indeterminate');
      ui.progressFill.style.width = `${(fraction * 100).toFixed(2)}%`;
      ui.progressTrack.setAttribute('aria-valuenow', (fraction * 100).toFixed(1));
      ui.progressTrack.setAttribute('aria-valuetext', `${formatPercent(fraction)} (${formatBytes(bytes)} of ${formatBytes(totalBytes)})`);
      ui.statProgress.textContent = formatPercent(fraction);
    } else {
      ui.progressTrack.classList.toggle('indeterminate', !this.ended);
      ui.progressFill.style.width = this.ended ? '100%' : '';
      ui.progressTrack.removeAttribute('aria-valuenow');
      ui.progressTrack.setAttribute('aria-valuetext', `${formatBytes(bytes)} received`);
      ui.statProgress.textContent = this.ended ? '–' : 'size unknown';
    }
    if (!this.ended && !this.notice && now - this.lastDataAt > QUIET_MS) {
      this.stalled = true;
      this.message(bytes === 0
        ? 'Waiting for the tenant to answer…'
        : `No data for ${formatDuration(now - this.lastDataAt)}: waiting for the tenant…`);
    }
  }

  /** Ends the operation: 'done', 'cancelled' or 'failed', with a message. */
  finish(state, text) {
    if (this.ended) return;
    this.render();
    this.ended = true;
    clearInterval(this.timer);
    if (this.observer) this.observer.disconnect();
    const labels = { done: 'Done', cancelled: 'Cancelled', failed: 'Failed', stopped: 'Done' };
    ui.activity.dataset.state = state;
    ui.activity.classList.toggle('no-data', this.progress.bytes === 0 && state !== 'done' && state !== 'stopped');
    ui.activityState.textContent = labels[state] ?? state;
    ui.activityState.className = `badge ${state}`;
    ui.activityMessage.textContent = text;
    ui.progressTrack.classList.remove('indeterminate');
    if (state === 'done' && this.kind === 'download') {
      ui.progressFill.style.width = '100%';
      ui.progressTrack.setAttribute('aria-valuenow', '100');
    }
    ui.cancelBtn.hidden = true;
    if (current === this) current = null;
    setBusy(false);
  }
}

function setBusy(busy) {
  for (const b of [ui.previewBtn, ui.downloadBtn, ui.jobsBtn]) b.disabled = busy;
  ui.form.setAttribute('aria-busy', String(busy));
}

function startOperation(kind, title) {
  if (current) current.controller.abort(new DOMException('Replaced by a new action', 'AbortError'));
  hideError();
  ui.empty.hidden = true;
  setBusy(true);
  current = new Operation(kind, title);
  return current;
}

function isCancel(e, op) {
  return op.signal.aborted || e?.name === 'AbortError';
}

// ---------------------------------------------------------------------------------------
// Errors in plain words.

function errorClass(e, name) {
  const Class = lib?.[name];
  return (Class && e instanceof Class) || e?.name === name;
}

/** Title, summary, detail fields and an optional action link for an error. */
function describeError(e, f) {
  const host = f?.host || location.origin;
  if (errorClass(e, 'QlikApiError')) {
    const s = e.status;
    let title;
    let summary;
    let action = null;
    if (s === 404) {
      title = 'Not found';
      summary = `No ${f?.dataset ? DATASET_NAMES[f.dataset] : ''} file was found for prediction “${f?.predictionId ?? ''}”: the prediction does not exist, is not visible to you, or did not produce this file.`;
    } else if (s === 401) {
      title = 'Not signed in';
      if (f?.authType === 'apikey') {
        summary = 'The tenant rejected the API key. Check that it is valid and not expired.';
      } else {
        summary = `The tenant did not find a signed-in session. Sign in to ${host} in this browser, then try again.`;
        if (e.loginUrl && isHttpUrl(e.loginUrl)) action = { text: `Sign in to ${new URL(e.loginUrl).host}`, href: e.loginUrl };
      }
    } else if (s === 403) {
      title = 'Access denied';
      summary = f?.authType === 'cookie' && !sameOrigin(host)
        ? 'The tenant refused the request. For a page on another origin, check the web integration ID and that the tenant\'s web integration allows this page\'s origin; also check your permissions on the prediction.'
        : 'The tenant refused the request: you lack permission for this prediction.';
    } else if (s === 409) {
      title = 'Not ready yet';
      summary = 'The prediction is still running; its files are not available yet. Try again later.';
    } else if (s === 429) {
      title = 'Too many requests';
      summary = `The tenant kept answering 429 Too Many Requests after the automatic retries.${e.retryAfter ? ` It asked to wait ${e.retryAfter} s.` : ''} Try again in a moment.`;
    } else if (s >= 500) {
      title = 'Tenant error';
      summary = 'The tenant failed to answer the request. Try again later.';
    } else {
      title = `Request failed`;
      summary = 'The tenant answered the request with an error.';
    }
    const fields = [
      ['Status', String(s)],
      ['Code', e.code],
      ['Title', e.title],
      ['Detail', e.detail],
      ['Retry after', e.retryAfter ? `${e.retryAfter} s` : ''],
      ['URL', e.url],
    ];
    return { title: `${title} (${s})`, summary, fields, action };
  }
  if (errorClass(e, 'NetworkError')) {
    const crossOrigin = !sameOrigin(host);
    return {
      title: 'Connection failed',
      summary: `The connection to the tenant failed or was cut before the file was complete${e.bytesReceived ? ` (after ${formatBytes(e.bytesReceived)})` : ''}.${crossOrigin ? ' For a tenant on another origin, the browser also blocks answers the tenant does not allow for this page\'s origin (CORS): check the tenant\'s web integration.' : ''}`,
      fields: [['Error', 'NetworkError'], ['Message', e.message], ['Received', formatBytes(e.bytesReceived ?? 0)], ['URL', e.url]],
      action: null,
    };
  }
  if (errorClass(e, 'CsvError')) {
    return {
      title: 'The file is not valid CSV',
      summary: 'Reading stopped at a malformed record; the rows before it are shown.',
      fields: [['Error', 'CsvError'], ['Reason', e.reason], ['Line', String(e.line)], ['Byte offset', String(e.byteOffset)], ['Message', e.message]],
      action: null,
    };
  }
  if (e?.name === 'LibraryError') {
    return { title: 'The library is not available', summary: e.message, fields: [], action: null };
  }
  if (e instanceof TypeError) {
    return { title: 'Check the settings', summary: e.message, fields: [['Error', 'TypeError']], action: null };
  }
  if (e?.name === 'NotAllowedError' || e?.name === 'SecurityError') {
    return { title: 'The browser refused to save the file', summary: String(e.message ?? e), fields: [['Error', e.name]], action: null };
  }
  return {
    title: 'Unexpected error',
    summary: String(e?.message ?? e),
    fields: [['Error', String(e?.name ?? typeof e)]],
    action: null,
  };
}

function isHttpUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function showError(e, f) {
  const d = describeError(e, f);
  ui.errorTitle.textContent = d.title;
  ui.errorSummary.textContent = d.summary;
  ui.errorFields.replaceChildren();
  for (const [k, v] of d.fields) {
    if (v === undefined || v === null || v === '') continue;
    const row = document.createElement('div');
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    row.append(dt, dd);
    ui.errorFields.append(row);
  }
  ui.errorAction.replaceChildren();
  ui.errorAction.hidden = !d.action;
  if (d.action) {
    const a = document.createElement('a');
    a.href = d.action.href;
    a.className = 'button primary';
    a.id = 'sign-in-link';
    a.textContent = d.action.text;
    ui.errorAction.append(a);
  }
  ui.error.hidden = false;
  ui.empty.hidden = true;
  return d;
}

function hideError() {
  ui.error.hidden = true;
}

/** Ends `op` for error `e`: "Cancelled", or the error in plain words. */
function fail(op, e, f, partial = '') {
  if (isCancel(e, op)) {
    op.finish('cancelled', `Cancelled.${partial ? ` ${partial}` : ''}`);
    return;
  }
  const d = showError(e, f);
  op.finish('failed', `${d.title}.${partial ? ` ${partial}` : ''}`);
}

// ---------------------------------------------------------------------------------------
// Preview: first rows in the table, whole-file summary in the chart.

function rowsOf(batch, count) {
  const n = Math.min(count, batch.numRows);
  const cols = batch.columns();
  const rows = new Array(n);
  for (let r = 0; r < n; r++) {
    const row = new Array(cols.length);
    for (let c = 0; c < cols.length; c++) row[c] = cols[c][r];
    rows[r] = row;
  }
  return rows;
}

function drawChart(partial) {
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

async function preview() {
  if (!ui.form.reportValidity()) return;
  const f = readForm();
  saveForm();
  const op = startOperation('preview', `Preview · ${f.predictionId} · ${DATASET_NAMES[f.dataset]}`);
  table.reset();
  chartView.clear();
  currentSummary = null;
  ui.chartView.replaceChildren();
  ui.chartPanel.hidden = true;
  ui.tablePanel.hidden = true;
  ui.tableTitle.textContent = `${DATASET_NAMES[f.dataset][0].toUpperCase()}${DATASET_NAMES[f.dataset].slice(1)} of ${f.predictionId}`;
  ui.tableSubtitle.textContent = '';

  const withChart = f.wholeFile && hasSummary(f.dataset);
  let stream = null;
  let more = false;
  let stoppedEarly = false;
  let lastDraw = 0;
  const tableNote = () => {
    const shown = table.rowCount;
    const total = stream?.rows ?? shown;
    if (stoppedEarly) return `First ${formatCount(shown)} rows · the file has more (reading stopped after the preview rows)`;
    if (more || total > shown) return `First ${formatCount(shown)} of ${formatCount(total)} rows`;
    return `All ${formatCount(shown)} rows`;
  };
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
      ui.tableSubtitle.textContent = tableNote();
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
    ui.tableSubtitle.textContent = table.rowCount === 0 ? 'The file has no data rows.' : tableNote();
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
      ui.tableSubtitle.textContent = `${tableNote().replace(/ · the file has more.*$/, '')} · incomplete`;
    }
    if (currentSummary) drawChart(`partial: ${formatCount(stream?.rows ?? 0)} rows read`);
    const partial = stream && stream.rows ? `${formatCount(stream.rows)} rows read before it stopped.` : '';
    fail(op, e, f, partial);
  }
}

// ---------------------------------------------------------------------------------------
// Download: the exact bytes, streamed to disk or through a Blob.

function fileNameFor(f) {
  const id = f.predictionId.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_');
  return `${id}-${f.dataset}.csv`;
}

async function download() {
  if (!ui.form.reportValidity()) return;
  const f = readForm();
  saveForm();
  const name = fileNameFor(f);
  const toFile = canPickFile() && f.saveMethod === 'file';
  let handle = null;
  if (toFile) {
    // The picker needs the click's user activation: it is the first thing awaited.
    try {
      handle = await window.showSaveFilePicker({
        suggestedName: name,
        types: [{ description: 'CSV file', accept: { 'text/csv': ['.csv'] } }],
      });
    } catch (e) {
      if (e?.name === 'AbortError') {
        const op = startOperation('download', `Download · ${name}`);
        op.finish('cancelled', 'Cancelled: no file was chosen.');
        return;
      }
      const op = startOperation('download', `Download · ${name}`);
      fail(op, e, f);
      return;
    }
  }
  const op = startOperation('download', `Download · ${name}`);
  let writer = null;
  try {
    await loadLibrary();
    const client = clientFor(f);
    op.watchThrottling(client.host);
    // With a file handle, chunks go straight to disk through the writer of its writable stream;
    // otherwise they are collected into a Blob.
    const stream = client.downloadStream(f.predictionId, f.dataset, {
      refId: f.refId || undefined,
      signal: op.signal,
      onProgress: op.onProgress,
    });
    const chunks = [];
    if (handle) writer = (await handle.createWritable()).getWriter();
    const reader = stream.getReader();
    const slice = timeSlicer();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        op.lines += countLines(value);
        if (writer) await writer.write(value);
        else chunks.push(value);
        await slice();
      }
    } catch (e) {
      reader.cancel(e).catch(() => {});
      throw e;
    }
    op.note(stream.deprecation);
    const took = formatDuration(performance.now() - op.started);
    if (writer) {
      await writer.close();
      writer = null;
      op.finish('done', `Saved ${handle.name ?? name}: ${formatBytes(stream.bytes)} in ${took}.`);
      return;
    }
    const blob = new Blob(chunks, { type: 'text/csv' });
    chunks.length = 0;
    if (lastBlobUrl) URL.revokeObjectURL(lastBlobUrl);
    lastBlobUrl = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = lastBlobUrl;
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    op.finish('done', `Saved ${name}: ${formatBytes(blob.size)} in ${took}.`);
    const again = document.createElement('a');
    again.href = lastBlobUrl;
    again.download = name;
    again.className = 'save-again';
    again.textContent = 'Save again';
    ui.activityMessage.append(' ', again);
  } catch (e) {
    // An unfinished file on disk is discarded.
    if (writer) writer.abort(e).catch(() => {});
    const partial = op.progress.bytes ? `${formatBytes(op.progress.bytes)} had been received; nothing was saved.` : '';
    fail(op, e, f, partial);
  }
}

/** Line feeds in a chunk (the CSV's lines; a quoted cell may hold some too). */
function countLines(bytes) {
  let n = 0;
  let i = bytes.indexOf(10);
  while (i !== -1) {
    n += 1;
    i = bytes.indexOf(10, i + 1);
  }
  return n;
}

// ---------------------------------------------------------------------------------------
// Jobs.

async function jobs() {
  if (!ui.form.reportValidity()) return;
  const f = readForm();
  saveForm();
  const op = startOperation('jobs', `Jobs · ${f.predictionId}`);
  try {
    await loadLibrary();
    const client = clientFor(f);
    op.watchThrottling(client.host);
    const result = await client.jobs(f.predictionId, { signal: op.signal });
    ui.jobsPanel.hidden = false;
    ui.jobsSubtitle.textContent = `POST /api/v1/automl-predictions/${f.predictionId}/jobs`;
    ui.jobsOutput.textContent = result === null ? '(the tenant answered with an empty body)' : JSON.stringify(result, null, 2);
    op.finish('done', `Received the jobs of ${f.predictionId} in ${formatDuration(performance.now() - op.started)}.`);
  } catch (e) {
    fail(op, e, f);
  }
}

// ---------------------------------------------------------------------------------------
// Wiring.

function guard(fn) {
  return (event) => {
    event?.preventDefault?.();
    fn().catch((e) => {
      // Every action catches its own errors; this is the last net for a bug in the page.
      showError(e, readForm());
      if (current) current.finish('failed', 'Failed.');
      setBusy(false);
    });
  };
}

function main() {
  ui.pageOrigin.textContent = location.origin;
  loadForm();
  syncAuthFields();
  syncSaveMethod();
  describeTarget();
  ui.form.addEventListener('submit', guard(preview));
  ui.downloadBtn.addEventListener('click', guard(download));
  ui.jobsBtn.addEventListener('click', guard(jobs));
  ui.cancelBtn.addEventListener('click', () => {
    if (current) {
      current.message('Cancelling…');
      current.controller.abort(new DOMException('Cancelled by the user', 'AbortError'));
    }
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && current) current.controller.abort(new DOMException('Cancelled by the user', 'AbortError'));
  });
  ui.form.addEventListener('input', () => {
    saveForm();
    describeTarget();
  });
  ui.form.addEventListener('change', (event) => {
    if (event.target.name === 'authType') syncAuthFields();
    if (event.target === ui.host) loadSamples().catch(() => {});
    saveForm();
    describeTarget();
  });
  ui.chartView.addEventListener('change', () => drawChart(current?.kind === 'preview' ? 'reading…' : ''));
  window.addEventListener('unhandledrejection', (event) => {
    // Rejections the page did not await (none expected) are shown instead of logged.
    event.preventDefault();
    showError(event.reason, readForm());
  });
  loadSamples().catch(() => {});
  loadLibrary().catch(() => {
    // Reported when an action runs.
  });
}

main();
