// The form's values as the page uses them, without the DOM: their normal form, what is kept in
// localStorage and what is restored from it, the client configuration they make, and the
// names derived from them.
import { isDataset } from './datasets.js';

/** The localStorage key of the saved form. */
export const STORAGE_KEY = 'qlik-automl-predictions-demo/form';
export const MAX_PREVIEW_ROWS = 100000;
const DEFAULT_PREVIEW_ROWS = 100;

/**
 * The settings from the raw values of the form's fields (strings, and booleans for the
 * checkboxes): text trimmed, authentication 'cookie' or 'apikey', the preview row count a
 * whole number from 1 to MAX_PREVIEW_ROWS (100 when not a number).
 */
export function normalizeSettings(raw) {
  const limit = Math.round(Number(raw.limit));
  return {
    host: String(raw.host ?? '').trim(),
    authType: raw.authType === 'apikey' ? 'apikey' : 'cookie',
    webIntegrationId: String(raw.webIntegrationId ?? '').trim(),
    apiKey: String(raw.apiKey ?? '').trim(),
    predictionId: String(raw.predictionId ?? '').trim(),
    refId: String(raw.refId ?? '').trim(),
    dataset: raw.dataset,
    limit: Number.isFinite(limit) ? Math.min(Math.max(limit, 1), MAX_PREVIEW_ROWS) : DEFAULT_PREVIEW_ROWS,
    wholeFile: raw.wholeFile === true,
    saveMethod: raw.saveMethod,
  };
}

/**
 * What is saved of the form: every setting as entered (the row count as typed), and the API
 * key only when the user ticked "Remember the API key".
 */
export function storedSettings(settings, { limitText, rememberKey }) {
  const stored = {
    host: settings.host,
    authType: settings.authType,
    webIntegrationId: settings.webIntegrationId,
    predictionId: settings.predictionId,
    refId: settings.refId,
    dataset: settings.dataset,
    limit: limitText,
    wholeFile: settings.wholeFile,
    saveMethod: settings.saveMethod,
    rememberKey: rememberKey === true,
  };
  if (rememberKey === true && settings.apiKey) stored.apiKey = settings.apiKey;
  return stored;
}

/**
 * The field values to restore from what was saved (any JSON value, as found in storage): the
 * fields to set, each only when the saved value is of the right kind; null when nothing
 * usable was saved. Text fields are restored as '' when missing, as the page did when saving.
 */
export function restoredSettings(stored) {
  if (!stored || typeof stored !== 'object') return null;
  const str = (v) => (typeof v === 'string' ? v : '');
  const rememberKey = stored.rememberKey === true;
  const out = {
    host: str(stored.host),
    authType: stored.authType === 'apikey' ? 'apikey' : 'cookie',
    webIntegrationId: str(stored.webIntegrationId),
    rememberKey,
    predictionId: str(stored.predictionId),
    refId: str(stored.refId),
  };
  if (rememberKey) out.apiKey = str(stored.apiKey);
  if (isDataset(stored.dataset)) out.dataset = stored.dataset;
  if (str(stored.limit)) out.limit = str(stored.limit);
  if (typeof stored.wholeFile === 'boolean') out.wholeFile = stored.wholeFile;
  if (stored.saveMethod === 'file' || stored.saveMethod === 'blob') out.saveMethod = stored.saveMethod;
  return out;
}

/** The PredictionsClient configuration of the settings (no automatic redirect to the login). */
export function clientConfig(settings) {
  const config = { authType: settings.authType, autoRedirect: false };
  if (settings.host) config.host = settings.host;
  if (settings.authType === 'cookie' && settings.webIntegrationId) config.webIntegrationId = settings.webIntegrationId;
  if (settings.authType === 'apikey') config.apiKey = settings.apiKey;
  return config;
}

/** Whether a tenant host (with or without scheme) is the page's own origin. */
export function sameOrigin(host, pageOrigin) {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `https://${host}`);
    return url.origin === pageOrigin;
  } catch {
    return false;
  }
}

/** The header's line: which tenant, signed in how. */
export function targetLine(settings, pageOrigin) {
  const host = settings.host || pageOrigin;
  const auth = settings.authType === 'apikey'
    ? 'API key'
    : (settings.webIntegrationId ? 'cookie session + web integration ID' : 'cookie session');
  return `Tenant: ${host} · ${auth}`;
}

/** The name a download is saved under: `<predictionId>-<dataset>.csv`, unsafe characters as _. */
export function fileNameFor(settings) {
  const id = settings.predictionId.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_');
  return `${id}-${settings.dataset}.csv`;
}
