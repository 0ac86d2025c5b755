// Operations: one at a time, each with its AbortController, its progress shown in the
// activity panel (state, message, progress bar, statistics) and its final state.
import { showError, hideError } from './error-panel.js';
import { endMessage, isCancel } from './errors.js';
import { progressFigures, quietMessage, retryNotice } from './progress.js';
import { ui } from './ui.js';

const STATS_INTERVAL_MS = 200;
const STATE_LABELS = { done: 'Done', cancelled: 'Cancelled', failed: 'Failed', stopped: 'Done' };

let current = null;

/** The running operation, or null. */
export function currentOperation() {
  return current;
}

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
          const notice = retryNotice(entry.responseStatus);
          if (notice) {
            this.notice = notice;
            this.message(notice);
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
    const fig = progressFigures({
      kind: this.kind, progress: this.progress, lines: this.lines, elapsed: now - this.started, ended: this.ended,
    });
    ui.statElapsed.textContent = fig.elapsed;
    if (this.kind === 'jobs') return;
    ui.statRows.textContent = fig.rows;
    ui.statBytes.textContent = fig.bytes;
    ui.statSpeed.textContent = fig.speed;
    if (fig.fraction !== null) {
      ui.progressTrack.classList.remove('indeterminate');
      ui.progressFill.style.width = `${(fig.fraction * 100).toFixed(2)}%`;
      ui.progressTrack.setAttribute('aria-valuenow', (fig.fraction * 100).toFixed(1));
    } else {
      ui.progressTrack.classList.toggle('indeterminate', !this.ended);
      ui.progressFill.style.width = this.ended ? '100%' : '';
      ui.progressTrack.removeAttribute('aria-valuenow');
    }
    ui.progressTrack.setAttribute('aria-valuetext', fig.valueText);
    ui.statProgress.textContent = fig.progress;
    const quiet = !this.ended && !this.notice ? quietMessage(this.progress.bytes, now - this.lastDataAt) : null;
    if (quiet) {
      this.stalled = true;
      this.message(quiet);
    }
  }

  /** Ends the operation: 'done', 'stopped', 'cancelled' or 'failed', with a message. */
  finish(state, text) {
    if (this.ended) return;
    this.render();
    this.ended = true;
    clearInterval(this.timer);
    if (this.observer) this.observer.disconnect();
    ui.activity.dataset.state = state;
    ui.activity.classList.toggle('no-data', this.progress.bytes === 0 && state !== 'done' && state !== 'stopped');
    ui.activityState.textContent = STATE_LABELS[state] ?? state;
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

/** Disables the action buttons while an operation runs. */
export function setBusy(busy) {
  for (const b of [ui.previewBtn, ui.downloadBtn, ui.jobsBtn]) b.disabled = busy;
  ui.form.setAttribute('aria-busy', String(busy));
}

/** Starts an operation, replacing (aborting) the running one. */
export function startOperation(kind, title) {
  if (current) current.controller.abort(new DOMException('Replaced by a new action', 'AbortError'));
  hideError();
  ui.empty.hidden = true;
  setBusy(true);
  current = new Operation(kind, title);
  return current;
}

/** Aborts the running operation at the user's request. */
export function cancelOperation() {
  current?.controller.abort(new DOMException('Cancelled by the user', 'AbortError'));
}

/** Ends `op` for error `e`: "Cancelled", or the error in plain words; `partial` tells what was read. */
export function fail(op, e, f, partial = '') {
  if (isCancel(e, op.signal)) {
    op.finish('cancelled', endMessage(true, '', partial));
    return;
  }
  const d = showError(e, f);
  op.finish('failed', endMessage(false, d.title, partial));
}
