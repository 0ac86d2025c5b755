// Download: the exact bytes of a file (client.downloadStream()), written chunk by chunk into a
// file chosen with showSaveFilePicker, or collected into a Blob saved through <a download>
// (where the picker is missing, with `?save=blob`, or when chosen in "Save downloads").
import { formatBytes, formatDuration } from './format.js';
import { canPickFile, readForm, saveForm } from './form.js';
import { clientFor, loadLibrary } from './library.js';
import { fail, startOperation } from './operation.js';
import { countLines, timeSlicer } from './progress.js';
import { fileNameFor } from './settings.js';
import { ui } from './ui.js';

let lastBlobUrl = null;

// Saves a Blob under `name` through a link, and offers the link again beside the message.
function saveBlob(blob, name) {
  if (lastBlobUrl) URL.revokeObjectURL(lastBlobUrl);
  lastBlobUrl = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = lastBlobUrl;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
}

function offerAgain(name) {
  const again = document.createElement('a');
  again.href = lastBlobUrl;
  again.download = name;
  again.className = 'save-again';
  again.textContent = 'Save again';
  ui.activityMessage.append(' ', again);
}

export async function download() {
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
      const op = startOperation('download', `Download · ${name}`);
      if (e?.name === 'AbortError') op.finish('cancelled', 'Cancelled: no file was chosen.');
      else fail(op, e, f);
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
    saveBlob(blob, name);
    op.finish('done', `Saved ${name}: ${formatBytes(blob.size)} in ${took}.`);
    offerAgain(name);
  } catch (e) {
    // An unfinished file on disk is discarded.
    if (writer) writer.abort(e).catch(() => {});
    const partial = op.progress.bytes ? `${formatBytes(op.progress.bytes)} had been received; nothing was saved.` : '';
    fail(op, e, f, partial);
  }
}
