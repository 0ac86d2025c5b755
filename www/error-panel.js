// The error panel: an error in plain words (errors.js), its details, and a sign-in link when
// one helps. Every value is set as text.
import { describeError } from './errors.js';
import { loadedLibrary } from './library.js';
import { ui } from './ui.js';

/** Shows error `e` of an action with settings `f`; returns its description. */
export function showError(e, f) {
  const d = describeError(e, f, { lib: loadedLibrary(), pageOrigin: location.origin });
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

export function hideError() {
  ui.error.hidden = true;
}
