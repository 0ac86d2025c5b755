// The preview table: a <table> inside a scrolling box that puts only the rows near the visible
// area into the DOM (all of them up to FULL_RENDER_MAX rows), so a preview of 100,000 rows
// stays responsive. Every cell is set with textContent: data never becomes HTML.
import { numberFormatter } from './format.js';

/** Height of one body row in pixels; must match `.grid tbody td` in style.css. */
export const ROW_HEIGHT = 30;
/** Up to this many rows, every row is in the DOM (searchable with the browser's find). */
const FULL_RENDER_MAX = 500;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 20;
/** Rows looked at to choose the number format and the width of each column. */
const SAMPLE_ROWS = 200;

export class PreviewTable {
  /**
   * @param {HTMLTableElement} table
   * @param {HTMLElement} scroller the element that scrolls (overflow: auto)
   */
  constructor(table, scroller) {
    this.table = table;
    this.scroller = scroller;
    this.columns = [];
    this.kinds = [];
    this.rows = [];
    this.formatters = [];
    this.tbody = null;
    this.topSpacer = null;
    this.bottomSpacer = null;
    this.start = 0;
    this.end = 0;
    this.frame = 0;
    this.scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => this.schedule()).observe(this.scroller);
    }
  }

  /** Removes every column and row. */
  reset() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.columns = [];
    this.kinds = [];
    this.rows = [];
    this.formatters = [];
    this.start = 0;
    this.end = 0;
    this.table.replaceChildren();
    this.table.removeAttribute('aria-rowcount');
    this.tbody = null;
    this.scroller.scrollTop = 0;
    this.scroller.scrollLeft = 0;
  }

  get rowCount() {
    return this.rows.length;
  }

  get hasColumns() {
    return this.tbody !== null;
  }

  /**
   * Sets the header. `kinds[i]` is 'number' (right-aligned, formatted) or 'string'.
   * `sample` (rows of cells) chooses the number formats and the column widths.
   */
  setColumns(names, kinds, sample = []) {
    this.columns = names.slice();
    this.kinds = kinds.slice();
    const rows = sample.slice(0, SAMPLE_ROWS);
    this.formatters = names.map((name, c) => {
      if (kinds[c] !== 'number') return null;
      const values = [];
      for (const row of rows) if (typeof row[c] === 'number') values.push(row[c]);
      return numberFormatter(name, values);
    });

    const colgroup = document.createElement('colgroup');
    const numCol = document.createElement('col');
    numCol.style.width = '8ch';
    colgroup.append(numCol);
    names.forEach((name, c) => {
      let width = Math.min(String(name).length, 40) + 3;
      for (const row of rows) {
        const text = this.cellText(row[c], c);
        width = Math.max(width, Math.min(text.length, 36) + 3);
      }
      const col = document.createElement('col');
      col.style.width = `${Math.max(width, 7)}ch`;
      colgroup.append(col);
    });

    const thead = document.createElement('thead');
    const tr = document.createElement('tr');
    tr.setAttribute('aria-rowindex', '1');
    const corner = document.createElement('th');
    corner.scope = 'col';
    corner.className = 'rownum';
    corner.textContent = '#';
    corner.title = 'Row number in the file';
    tr.append(corner);
    names.forEach((name, c) => {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = name;
      th.title = `${name} (${kinds[c] === 'number' ? 'number' : 'text'})`;
      if (kinds[c] === 'number') th.className = 'num';
      tr.append(th);
    });
    thead.append(tr);

    this.tbody = document.createElement('tbody');
    this.table.replaceChildren(colgroup, thead, this.tbody);
    this.table.setAttribute('aria-colcount', String(names.length + 1));
    this.table.setAttribute('aria-rowcount', '1');
    this.start = 0;
    this.end = 0;
    this.topSpacer = spacerRow(names.length + 1);
    this.bottomSpacer = spacerRow(names.length + 1);
  }

  /** Adds rows (arrays of cells) at the end and renders them when they are visible. */
  appendRows(rows) {
    for (const row of rows) this.rows.push(row);
    this.table.setAttribute('aria-rowcount', String(this.rows.length + 1));
    this.schedule();
  }

  /** Renders at the next animation frame (coalesces scroll events and appends). */
  schedule() {
    if (this.frame || !this.tbody) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Renders now. */
  flush() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.render();
  }

  /** The text of cell `value` of column `c`, as shown. */
  cellText(value, c) {
    if (typeof value === 'number') {
      const fmt = this.formatters[c];
      return fmt ? fmt(value) : (Number.isNaN(value) ? '' : String(value));
    }
    return value === undefined || value === null ? '' : String(value);
  }

  visibleRange() {
    const n = this.rows.length;
    if (n <= FULL_RENDER_MAX) return [0, n];
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight || 600;
    const first = Math.floor(top / ROW_HEIGHT);
    const start = Math.max(0, first - OVERSCAN);
    const end = Math.min(n, first + Math.ceil(height / ROW_HEIGHT) + OVERSCAN);
    return [start, end];
  }

  render() {
    if (!this.tbody) return;
    const n = this.rows.length;
    const [start, end] = this.visibleRange();
    if (start === this.start && end === this.end && this.tbody.childElementCount > 0) {
      this.setSpacers(start, end, n);
      return;
    }
    if (start === this.start && end >= this.end && this.end > this.start) {
      // Rows were appended below the rendered ones: add just those.
      const frag = document.createDocumentFragment();
      for (let r = this.end; r < end; r++) frag.append(this.rowElement(r));
      this.tbody.insertBefore(frag, this.bottomSpacer);
    } else {
      const frag = document.createDocumentFragment();
      frag.append(this.topSpacer);
      for (let r = start; r < end; r++) frag.append(this.rowElement(r));
      frag.append(this.bottomSpacer);
      this.tbody.replaceChildren(frag);
    }
    this.start = start;
    this.end = end;
    this.setSpacers(start, end, n);
  }

  setSpacers(start, end, n) {
    setSpacerHeight(this.topSpacer, start * ROW_HEIGHT);
    setSpacerHeight(this.bottomSpacer, (n - end) * ROW_HEIGHT);
  }

  rowElement(r) {
    const row = this.rows[r];
    const tr = document.createElement('tr');
    tr.setAttribute('aria-rowindex', String(r + 2));
    const th = document.createElement('th');
    th.scope = 'row';
    th.className = 'rownum';
    th.textContent = String(r + 1);
    tr.append(th);
    for (let c = 0; c < this.columns.length; c++) {
      const value = row[c];
      const td = document.createElement('td');
      if (typeof value === 'number') {
        td.className = 'num';
        td.textContent = this.cellText(value, c);
        if (!Number.isNaN(value)) td.title = String(value);
      } else {
        const text = this.cellText(value, c);
        if (this.kinds[c] === 'number') td.className = 'num';
        td.textContent = text;
        if (text.length > 24) td.title = text;
      }
      tr.append(td);
    }
    return tr;
  }
}

function spacerRow(span) {
  const tr = document.createElement('tr');
  tr.className = 'spacer';
  tr.setAttribute('aria-hidden', 'true');
  const td = document.createElement('td');
  td.colSpan = span;
  tr.append(td);
  return tr;
}

function setSpacerHeight(tr, px) {
  tr.hidden = px === 0;
  tr.firstChild.style.height = `${px}px`;
}
