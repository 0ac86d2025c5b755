// Jobs: the prediction's jobs (client.jobs()), shown as JSON text.
import { formatDuration } from './format.js';
import { readForm, saveForm } from './form.js';
import { clientFor, loadLibrary } from './library.js';
import { fail, startOperation } from './operation.js';
import { ui } from './ui.js';

export async function jobs() {
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
