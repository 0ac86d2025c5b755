// Whole-file summaries computed batch by batch while a dataset streams, for the chart:
//   shap                   mean |SHAP value| per feature column;
//   coordinate-shap        mean |SHAP value| per `automl_feature` (all classes, or one class);
//   predictions            rows per predicted label, and a histogram per probability column;
//   not-predicted-reasons  rows per reason.
// Number columns are read from the batches' Float64Arrays; nothing but the running totals is kept.
import { formatCount, formatDecimal, formatPercent, formatSignificant } from './format.js';

const TOP_FEATURES = 20;
const TOP_CATEGORIES = 20;
const MAX_DISTINCT = 10000;
const PROB_BINS = 20;
const RESERVOIR = 100000;
const OTHER = '(other values)';

/** Whether a column name looks like a row identifier rather than a measure. */
export function isIdLike(name) {
  return /(^|[_\s.-])(id|index|idx|key|row)$/i.test(name) || /[a-z0-9](ID|Id)$/.test(name) || /^(id|index|row)$/i.test(name);
}

function findColumn(names, ...tests) {
  for (const test of tests) {
    const i = names.findIndex((n, idx) => test(n, idx));
    if (i >= 0) return i;
  }
  return -1;
}

/** A column of a batch as numbers (a string column is parsed; unparsable cells are NaN). */
function numbersOf(batch, i) {
  if (batch.columnType(i) === 'number') return batch.column(i);
  const cells = batch.column(i);
  const out = new Float64Array(cells.length);
  for (let r = 0; r < cells.length; r++) out[r] = cells[r].trim() === '' ? NaN : Number(cells[r]);
  return out;
}

/** A column of a batch as strings (numbers written back in JavaScript's shortest form). */
function stringsOf(batch, i) {
  if (batch.columnType(i) === 'string') return batch.column(i);
  return Array.from(batch.column(i), (v) => (Number.isNaN(v) ? '' : String(v)));
}

class CategoryCounter {
  constructor() {
    this.counts = new Map();
    this.total = 0;
  }

  addAll(cells) {
    const counts = this.counts;
    for (let r = 0; r < cells.length; r++) {
      let key = cells[r];
      if (!counts.has(key) && counts.size >= MAX_DISTINCT) key = OTHER;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    this.total += cells.length;
  }

  top(n) {
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, n);
  }
}

class MeanAbs {
  constructor() {
    this.sum = 0;
    this.count = 0;
  }
}

function meanAbsBars(entries, total) {
  const bars = entries
    .filter(([, m]) => m.count > 0)
    .map(([label, m]) => ({ label, value: m.sum / m.count, title: `${label}: mean |SHAP| ${formatSignificant(m.sum / m.count)} over ${formatCount(m.count)} values` }))
    .sort((a, b) => b.value - a.value);
  return {
    bars: bars.slice(0, TOP_FEATURES),
    subtitle: `Mean absolute SHAP value per feature over ${formatCount(total)} rows · ${bars.length > TOP_FEATURES ? `top ${TOP_FEATURES} of ${bars.length}` : `${bars.length}`} features`,
  };
}

function shapLabel(name) {
  return name.replace(/[_\s-]?shap(_value)?$/i, '').replace(/^shap[_\s-]/i, '') || name;
}

/** Mean |SHAP| per feature column of the wide SHAP file. */
class WideShapSummary {
  constructor(names, kinds) {
    this.names = names;
    this.features = names
      .map((n, i) => i)
      .filter((i) => kinds[i] === 'number' && !isIdLike(names[i]));
    this.stats = this.features.map(() => new MeanAbs());
    this.rows = 0;
  }

  add(batch) {
    this.rows += batch.numRows;
    this.features.forEach((col, k) => {
      const values = numbersOf(batch, col);
      const s = this.stats[k];
      let sum = 0;
      let count = 0;
      for (let r = 0; r < values.length; r++) {
        const v = values[r];
        if (v === v) {
          sum += v < 0 ? -v : v;
          count += 1;
        }
      }
      s.sum += sum;
      s.count += count;
    });
  }

  views() {
    return [{ id: 'features', name: 'Mean |SHAP| per feature' }];
  }

  spec() {
    const entries = this.features.map((col, k) => [shapLabel(this.names[col]), this.stats[k]]);
    const { bars, subtitle } = meanAbsBars(entries, this.rows);
    return {
      title: 'Feature importance (mean |SHAP|)',
      subtitle,
      empty: bars.length === 0 ? 'No numeric SHAP columns found.' : null,
      chart: { type: 'bars', bars, format: formatSignificant, tickFormat: formatDecimal, label: `Bar chart: ${subtitle}` },
    };
  }
}

/** Mean |SHAP| per `automl_feature` of the coordinate SHAP file, overall and per class. */
class CoordinateShapSummary {
  constructor(names, kinds) {
    this.names = names;
    this.feature = findColumn(names, (n) => n.toLowerCase() === 'automl_feature', (n) => /feature/i.test(n),
      (n, i) => kinds[i] === 'string' && !isIdLike(n) && !/class/i.test(n));
    this.value = findColumn(names, (n, i) => kinds[i] === 'number' && /shap/i.test(n),
      (n, i) => kinds[i] === 'number' && /value/i.test(n), (n, i) => kinds[i] === 'number' && !isIdLike(n));
    this.klass = findColumn(names, (n) => n.toLowerCase() === 'automl_class');
    this.overall = new Map();
    this.byClass = new Map();
    this.rows = 0;
  }

  get usable() {
    return this.feature >= 0 && this.value >= 0;
  }

  add(batch) {
    this.rows += batch.numRows;
    if (!this.usable) return;
    const features = stringsOf(batch, this.feature);
    const values = numbersOf(batch, this.value);
    const classes = this.klass >= 0 ? stringsOf(batch, this.klass) : null;
    for (let r = 0; r < values.length; r++) {
      const v = values[r];
      if (v !== v) continue;
      const a = v < 0 ? -v : v;
      const f = features[r];
      let m = this.overall.get(f);
      if (!m) {
        if (this.overall.size >= MAX_DISTINCT) continue;
        m = new MeanAbs();
        this.overall.set(f, m);
      }
      m.sum += a;
      m.count += 1;
      if (classes) {
        const c = classes[r];
        let perClass = this.byClass.get(c);
        if (!perClass) {
          if (this.byClass.size >= 50) continue;
          perClass = new Map();
          this.byClass.set(c, perClass);
        }
        let mc = perClass.get(f);
        if (!mc) {
          mc = new MeanAbs();
          perClass.set(f, mc);
        }
        mc.sum += a;
        mc.count += 1;
      }
    }
  }

  views() {
    const views = [{ id: 'all', name: this.byClass.size ? 'All classes' : 'Mean |SHAP| per feature' }];
    for (const c of [...this.byClass.keys()].sort()) views.push({ id: `class:${c}`, name: `Class: ${c}` });
    return views;
  }

  spec(viewId = 'all') {
    if (!this.usable) {
      return { title: 'Feature importance (mean |SHAP|)', subtitle: '', empty: 'The file has no automl_feature and SHAP value columns.', chart: null };
    }
    const cls = viewId.startsWith('class:') ? viewId.slice(6) : null;
    const map = cls !== null ? (this.byClass.get(cls) ?? new Map()) : this.overall;
    const { bars, subtitle } = meanAbsBars([...map.entries()], this.rows);
    const sub = `${subtitle.replace(' rows', ' coordinate rows')}${cls !== null ? ` · class ${cls}` : ''}`;
    return {
      title: 'Feature importance (mean |SHAP|)',
      subtitle: sub,
      empty: bars.length === 0 ? 'No SHAP values yet.' : null,
      chart: { type: 'bars', bars, format: formatSignificant, tickFormat: formatDecimal, label: `Bar chart: ${sub}` },
    };
  }
}

/** A fixed-bin histogram of values between 0 and 1. */
class UnitHistogram {
  constructor() {
    this.bins = new Float64Array(PROB_BINS);
    this.count = 0;
  }

  addAll(values) {
    const bins = this.bins;
    let count = 0;
    for (let r = 0; r < values.length; r++) {
      const v = values[r];
      if (v !== v) continue;
      let b = Math.floor(v * PROB_BINS);
      if (b < 0) b = 0;
      if (b >= PROB_BINS) b = PROB_BINS - 1;
      bins[b] += 1;
      count += 1;
    }
    this.count += count;
  }

  toBins() {
    return Array.from(this.bins, (count, i) => ({ from: i / PROB_BINS, to: (i + 1) / PROB_BINS, count }));
  }
}

/** A uniform sample of a number column plus its exact range, for a histogram of any range. */
class NumberSample {
  constructor() {
    this.sample = new Float64Array(RESERVOIR);
    this.size = 0;
    this.seen = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  addAll(values) {
    for (let r = 0; r < values.length; r++) {
      const v = values[r];
      if (v !== v) continue;
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      this.seen += 1;
      if (this.size < RESERVOIR) {
        this.sample[this.size++] = v;
      } else {
        const j = Math.floor(Math.random() * this.seen);
        if (j < RESERVOIR) this.sample[j] = v;
      }
    }
  }

  toBins(n = 20) {
    if (this.size === 0) return [];
    const lo = this.min;
    const hi = this.max > lo ? this.max : lo + 1;
    const width = (hi - lo) / n;
    const counts = new Float64Array(n);
    for (let i = 0; i < this.size; i++) {
      let b = Math.floor((this.sample[i] - lo) / width);
      if (b >= n) b = n - 1;
      counts[b] += 1;
    }
    return Array.from(counts, (count, i) => ({ from: lo + i * width, to: lo + (i + 1) * width, count }));
  }
}

/** Rows per predicted label, and a histogram of each probability column. */
class PredictionsSummary {
  constructor(names, kinds, firstBatch) {
    this.names = names;
    this.rows = 0;
    this.label = findColumn(names, (n) => /_predicted$/i.test(n), (n) => /predict/i.test(n));
    this.labelNumeric = this.label >= 0 && kinds[this.label] === 'number';
    this.labelCounts = new CategoryCounter();
    this.labelSample = this.labelNumeric ? new NumberSample() : null;
    this.probabilities = [];
    names.forEach((n, i) => {
      if (i === this.label || kinds[i] !== 'number' || isIdLike(n)) return;
      const values = firstBatch ? firstBatch.column(i) : [];
      let inRange = true;
      for (let r = 0; r < values.length && inRange; r++) {
        const v = values[r];
        if (v === v && (v < 0 || v > 1)) inRange = false;
      }
      if (inRange) this.probabilities.push({ col: i, hist: new UnitHistogram() });
    });
  }

  add(batch) {
    this.rows += batch.numRows;
    if (this.label >= 0) {
      if (this.labelNumeric && batch.columnType(this.label) === 'number') {
        const values = batch.column(this.label);
        this.labelSample.addAll(values);
        if (this.labelCounts.counts.size <= TOP_CATEGORIES) this.labelCounts.addAll(stringsOf(batch, this.label));
      } else {
        this.labelCounts.addAll(stringsOf(batch, this.label));
      }
    }
    for (const p of this.probabilities) p.hist.addAll(numbersOf(batch, p.col));
  }

  views() {
    const views = [];
    if (this.label >= 0) views.push({ id: 'label', name: `Predicted ${this.target()}` });
    for (const p of this.probabilities) views.push({ id: `prob:${p.col}`, name: `Histogram of ${this.names[p.col]}` });
    return views;
  }

  target() {
    return this.label >= 0 ? this.names[this.label].replace(/_predicted$/i, '') : 'value';
  }

  spec(viewId) {
    const id = viewId ?? this.views()[0]?.id;
    if (id === 'label') {
      const name = this.names[this.label];
      const few = this.labelCounts.counts.size <= TOP_CATEGORIES;
      if (this.labelNumeric && !few) {
        const bins = this.labelSample.toBins(20);
        const sampled = this.labelSample.seen > this.labelSample.size;
        const subtitle = `Distribution of ${name} over ${formatCount(this.rows)} rows${sampled ? ` (uniform sample of ${formatCount(this.labelSample.size)})` : ''}`;
        return {
          title: `Predicted ${this.target()}`,
          subtitle,
          empty: bins.length ? null : 'No predicted values.',
          chart: { type: 'histogram', bins, format: formatCount, formatEdge: formatDecimal, axisLabel: name, label: `Histogram: ${subtitle}` },
        };
      }
      const top = this.labelCounts.top(TOP_CATEGORIES);
      const total = this.labelCounts.total;
      const bars = top.map(([label, count]) => ({
        label: label === '' ? '(empty)' : label,
        value: count,
        valueText: `${formatCount(count)} (${formatPercent(total ? count / total : 0)})`,
        title: `${label === '' ? '(empty)' : label}: ${formatCount(count)} rows (${formatPercent(total ? count / total : 0)})`,
      }));
      const distinct = this.labelCounts.counts.size;
      const subtitle = `Rows per predicted class over ${formatCount(this.rows)} rows · ${distinct > TOP_CATEGORIES ? `top ${TOP_CATEGORIES} of ${formatCount(distinct)}` : formatCount(distinct)} classes`;
      return {
        title: `Predicted ${this.target()}`,
        subtitle,
        empty: bars.length ? null : 'No rows.',
        chart: { type: 'bars', bars, format: formatCount, label: `Bar chart: ${subtitle}` },
      };
    }
    if (id && id.startsWith('prob:')) {
      const col = Number(id.slice(5));
      const p = this.probabilities.find((q) => q.col === col);
      const name = this.names[col];
      const subtitle = `Rows per probability bin of ${name} over ${formatCount(this.rows)} rows`;
      return {
        title: `Histogram of ${name}`,
        subtitle,
        empty: p && p.hist.count ? null : 'No values.',
        chart: { type: 'histogram', bins: p ? p.hist.toBins() : [], format: formatCount, formatEdge: (v) => formatDecimal(v), axisLabel: name, label: `Histogram: ${subtitle}` },
      };
    }
    return { title: 'Predictions', subtitle: '', empty: 'No predicted label or probability column found.', chart: null };
  }
}

/** Rows per reason of the not-predicted-reasons file. */
class ReasonsSummary {
  constructor(names, kinds) {
    this.names = names;
    this.reason = findColumn(names, (n) => /reason/i.test(n), (n, i) => kinds[i] === 'string' && !isIdLike(n));
    this.counts = new CategoryCounter();
    this.rows = 0;
  }

  add(batch) {
    this.rows += batch.numRows;
    if (this.reason >= 0) this.counts.addAll(stringsOf(batch, this.reason));
  }

  views() {
    return [{ id: 'reasons', name: 'Rows per reason' }];
  }

  spec() {
    const top = this.counts.top(TOP_CATEGORIES);
    const total = this.counts.total;
    const bars = top.map(([label, count]) => ({
      label: label === '' ? '(empty)' : label,
      value: count,
      valueText: `${formatCount(count)} (${formatPercent(total ? count / total : 0)})`,
      title: `${label === '' ? '(empty)' : label}: ${formatCount(count)} rows`,
    }));
    const distinct = this.counts.counts.size;
    const subtitle = `Rows per reason over ${formatCount(this.rows)} rows · ${distinct > TOP_CATEGORIES ? `top ${TOP_CATEGORIES} of ${formatCount(distinct)}` : formatCount(distinct)} reasons`;
    return {
      title: 'Why rows were not predicted',
      subtitle,
      empty: this.reason < 0 ? 'No reason column found.' : (bars.length ? null : 'No rows: every row was predicted.'),
      chart: { type: 'bars', bars, format: formatCount, label: `Bar chart: ${subtitle}` },
    };
  }
}

/** Whether the dataset gets a whole-file chart. */
export function hasSummary(dataset) {
  return dataset === 'shap' || dataset === 'coordinate-shap' || dataset === 'predictions' || dataset === 'not-predicted-reasons';
}

/**
 * The summary for `dataset`, set up from the column names and the kinds ('number'|'string')
 * of the first batch; null for datasets without a chart.
 */
export function createSummary(dataset, names, kinds, firstBatch) {
  switch (dataset) {
    case 'shap': return new WideShapSummary(names, kinds);
    case 'coordinate-shap': return new CoordinateShapSummary(names, kinds);
    case 'predictions': return new PredictionsSummary(names, kinds, firstBatch);
    case 'not-predicted-reasons': return new ReasonsSummary(names, kinds);
    default: return null;
  }
}
