// The form: its settings read from and written to the fields, kept in localStorage, the
// fields that depend on others, and the list of sample prediction IDs.
import { DATASETS, datasetTitle } from './datasets.js';
import { BUILTIN_SAMPLES, samplesFrom, samplesHint } from './samples.js';
import {
  STORAGE_KEY, normalizeSettings, restoredSettings, sameOrigin, storedSettings, targetLine,
} from './settings.js';
import { ui } from './ui.js';

const params = new URLSearchParams(location.search);

/** The file choices, from the page's list of files. */
export function fillDatasets() {
  ui.dataset.replaceChildren(...DATASETS.map((id) => {
    const option = document.createElement('option');
    option.value = id;
    option.textContent = datasetTitle(id);
    return option;
  }));
}

/** The current settings (see settings.js). */
export function readForm() {
  return normalizeSettings({
    host: ui.host.value,
    authType: ui.form.elements.authType.value,
    webIntegrationId: ui.webIntegrationId.value,
    apiKey: ui.apiKey.value,
    predictionId: ui.predictionId.value,
    refId: ui.refId.value,
    dataset: ui.dataset.value,
    limit: ui.limit.value,
    wholeFile: ui.wholeFile.checked,
    saveMethod: ui.saveMethod.value,
  });
}

export function saveForm() {
  const stored = storedSettings(readForm(), { limitText: ui.limit.value, rememberKey: ui.rememberKey.checked });
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
  } catch {
    // Storage can be unavailable (private mode, disabled); the form still works.
  }
}

export function loadForm() {
  let stored = null;
  try {
    stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
  } catch {
    stored = null;
  }
  const s = restoredSettings(stored);
  if (!s) return;
  ui.host.value = s.host;
  ui.form.elements.authType.value = s.authType;
  ui.webIntegrationId.value = s.webIntegrationId;
  ui.rememberKey.checked = s.rememberKey;
  if (s.apiKey !== undefined) ui.apiKey.value = s.apiKey;
  ui.predictionId.value = s.predictionId;
  ui.refId.value = s.refId;
  if (s.dataset !== undefined) ui.dataset.value = s.dataset;
  if (s.limit !== undefined) ui.limit.value = s.limit;
  if (s.wholeFile !== undefined) ui.wholeFile.checked = s.wholeFile;
  if (s.saveMethod !== undefined) ui.saveMethod.value = s.saveMethod;
}

/** Shows the fields of the chosen authentication only. */
export function syncAuthFields() {
  const auth = readForm().authType;
  for (const el of ui.form.querySelectorAll('[data-auth]')) el.hidden = el.dataset.auth !== auth;
}

/** Whether downloads can stream into a file chosen with the File System Access API. */
export function canPickFile() {
  return typeof window.showSaveFilePicker === 'function' && params.get('save') !== 'blob';
}

export function syncSaveMethod() {
  ui.saveMethodField.hidden = !canPickFile();
}

export function describeTarget() {
  ui.targetLine.textContent = targetLine(readForm(), location.origin);
}

/** Fills the prediction ID suggestions: the mock tenant's samples, else the built-in list. */
export async function loadSamples() {
  let samples = null;
  let fromServer = false;
  const f = readForm();
  if (!f.host || sameOrigin(f.host, location.origin)) {
    try {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 3000);
      const res = await fetch('/__mock/datasets', { signal: controller.signal, headers: { accept: 'application/json' } });
      clearTimeout(timer);
      if (res.ok) {
        samples = samplesFrom(await res.json());
        fromServer = samples !== null;
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
  ui.sampleHint.textContent = samplesHint(samples.length, fromServer);
  if (!ui.predictionId.value) ui.predictionId.value = samples[0].id;
}
