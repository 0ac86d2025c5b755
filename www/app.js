// The demo page: a form for the tenant and the prediction, and three actions over the
// qlik-automl-predictions package served at /pkg/ (each in its module):
//   Preview   (preview.js)  the first rows in a table, a chart over the whole file;
//   Download  (download.js) the exact bytes, streamed to a file or saved through a Blob;
//   Jobs      (jobs.js)     client.jobs(), shown as JSON text.
// This module wires the page's events to them. The form is form.js (its values settings.js),
// the activity panel operation.js, errors in plain words errors.js and error-panel.js.
// Data only ever reaches the DOM through textContent, attributes and SVG text nodes.
import { download } from './download.js';
import { showError } from './error-panel.js';
import {
  describeTarget, fillDatasets, loadForm, loadSamples, readForm, saveForm, syncAuthFields, syncSaveMethod,
} from './form.js';
import { jobs } from './jobs.js';
import { loadLibrary } from './library.js';
import { cancelOperation, currentOperation, setBusy } from './operation.js';
import { drawChart, preview } from './preview.js';
import { ui } from './ui.js';

function guard(fn) {
  return (event) => {
    event?.preventDefault?.();
    fn().catch((e) => {
      // Every action catches its own errors; this is the last net for a bug in the page.
      showError(e, readForm());
      currentOperation()?.finish('failed', 'Failed.');
      setBusy(false);
    });
  };
}

function main() {
  ui.pageOrigin.textContent = location.origin;
  fillDatasets();
  loadForm();
  syncAuthFields();
  syncSaveMethod();
  describeTarget();
  ui.form.addEventListener('submit', guard(preview));
  ui.downloadBtn.addEventListener('click', guard(download));
  ui.jobsBtn.addEventListener('click', guard(jobs));
  ui.cancelBtn.addEventListener('click', () => {
    currentOperation()?.message('Cancelling…');
    cancelOperation();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') cancelOperation();
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
  ui.chartView.addEventListener('change', () => drawChart(currentOperation()?.kind === 'preview' ? 'reading…' : ''));
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
