// What the activity panel and the preview say while data streams, without the DOM: the
// figures of a running operation, the table's caption, the rows of a batch, lines in a chunk,
// and a yield to the browser between slices of work.
import { formatBytes, formatCount, formatDuration, formatPercent, formatSpeed } from './format.js';

/** Silence, in ms, after which the page says it is waiting for the tenant. */
export const QUIET_MS = 2500;
/** Longest stretch of work, in ms, before a loop lets the browser paint and handle input. */
export const SLICE_MS = 30;

/**
 * The figures of an operation: `kind` ('preview', 'download', 'jobs'), `progress` ({ bytes,
 * totalBytes, rows }), `lines` (a download counts lines), `elapsed` ms, `ended`. Returns the
 * texts of the statistics and of the progress bar: { elapsed } for jobs, else also { rows,
 * bytes, speed, progress, fraction (null when the size is unknown), valueText }.
 */
export function progressFigures({ kind, progress, lines = 0, elapsed, ended }) {
  const out = { elapsed: formatDuration(elapsed) };
  if (kind === 'jobs') return out;
  const { bytes, totalBytes, rows } = progress;
  out.rows = formatCount(kind === 'download' ? lines : rows);
  out.bytes = totalBytes ? `${formatBytes(bytes)} of ${formatBytes(totalBytes)}` : formatBytes(bytes);
  out.speed = bytes > 0 ? formatSpeed(bytes, elapsed) : '–';
  if (totalBytes) {
    out.fraction = Math.min(bytes / totalBytes, 1);
    out.progress = formatPercent(out.fraction);
    out.valueText = `${out.progress} (${formatBytes(bytes)} of ${formatBytes(totalBytes)})`;
  } else {
    out.fraction = null;
    out.progress = ended ? '–' : 'size unknown';
    out.valueText = `${formatBytes(bytes)} received`;
  }
  return out;
}

/** What a running operation says after QUIET_MS without data (null before that). */
export function quietMessage(bytes, quietFor) {
  if (quietFor <= QUIET_MS) return null;
  return bytes === 0
    ? 'Waiting for the tenant to answer…'
    : `No data for ${formatDuration(quietFor)}: waiting for the tenant…`;
}

/** What a running operation says while the client waits to retry a 429 or 503 answer. */
export function retryNotice(status) {
  if (status === 429) return 'The tenant answered 429 Too Many Requests: waiting to retry…';
  if (status === 503) return 'The tenant answered 503 Service Unavailable: waiting to retry…';
  return null;
}

/**
 * The preview table's caption: `shown` rows in the table, `total` rows read, `more` when the
 * file has rows beyond the shown ones, `stoppedEarly` when reading stopped after them.
 */
export function tableNote({ shown, total, more, stoppedEarly }) {
  if (stoppedEarly) return `First ${formatCount(shown)} rows · the file has more (reading stopped after the preview rows)`;
  if (more || total > shown) return `First ${formatCount(shown)} of ${formatCount(total)} rows`;
  return `All ${formatCount(shown)} rows`;
}

/** The first `count` rows of a record batch as arrays of cells (numbers or strings). */
export function rowsOf(batch, count) {
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

/** Line feeds in a chunk of bytes (the CSV's lines; a quoted cell may hold some too). */
export function countLines(bytes) {
  let n = 0;
  let i = bytes.indexOf(10);
  while (i !== -1) {
    n += 1;
    i = bytes.indexOf(10, i + 1);
  }
  return n;
}

/**
 * A function to await in a loop: after `sliceMs` of work it waits for a macrotask, so the page
 * repaints and the Cancel button responds even when data arrives faster than it is consumed
 * (the library's reads resolve as microtasks while data is buffered).
 */
export function timeSlicer(sliceMs = SLICE_MS, now = () => performance.now()) {
  let start = now();
  return async () => {
    if (now() - start < sliceMs) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    start = now();
  };
}
