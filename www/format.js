// Number, size, speed and duration formatting for the demo page, with the browser's locale.

const locale = undefined;

const integerFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const plainIntegerFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 0, useGrouping: false });
const largeFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
const decimalFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 4 });
const tinyFmt = new Intl.NumberFormat(locale, { maximumSignificantDigits: 3 });
const oneDecimalFmt = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const percentFmt = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });

// Column names that hold identifiers: integers shown without digit grouping.
const ID_LIKE = /(^|[_\s-])(id|index|idx|key|row|code|year)$|^(id|index|row)$/i;

const threeDigitsFmt = new Intl.NumberFormat(locale, { minimumSignificantDigits: 3, maximumSignificantDigits: 3 });

/** Three significant digits: 0.968, 0.0123, 1.23 (0 stays 0). */
export function formatSignificant(v) {
  if (Number.isNaN(v)) return '';
  return v === 0 ? '0' : threeDigitsFmt.format(v);
}

/** A whole count with digit grouping: 1,234,567. */
export function formatCount(n) {
  return integerFmt.format(n);
}

/** A fraction (0..1) as a percentage: 42.0%. */
export function formatPercent(fraction) {
  return percentFmt.format(fraction);
}

/** A byte size in B, KB, MB or GB (powers of 1000, like download managers show). */
export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 1000) return `${integerFmt.format(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${oneDecimalFmt.format(value)} ${units[unit]}`;
}

/** Throughput in MB/s from bytes and milliseconds. */
export function formatSpeed(bytes, ms) {
  if (!(ms > 0)) return '';
  return `${oneDecimalFmt.format(bytes / 1e6 / (ms / 1000))} MB/s`;
}

/** Elapsed time: 4.2 s, 1:05, 1:02:03. */
export function formatDuration(ms) {
  const s = ms / 1000;
  if (s < 60) return `${oneDecimalFmt.format(s)} s`;
  const total = Math.floor(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * A formatter for the cells of one number column, chosen from a sample of its values:
 * integers stay integers (without digit grouping for identifier-like names); other columns get
 * the same number of decimals in every cell, as many as the sample has but at most 4 (6 when
 * the values are mostly below 0.01), so the decimal points line up. NaN (an empty cell) is ''.
 */
export function numberFormatter(columnName, sample) {
  const values = [];
  for (const v of sample) if (!Number.isNaN(v)) values.push(v);
  if (values.length === 0) return formatDecimal;
  if (values.every((v) => Number.isInteger(v) && Math.abs(v) < 1e15)) {
    const fmt = ID_LIKE.test(columnName) ? plainIntegerFmt : integerFmt;
    return (v) => (Number.isNaN(v) ? '' : fmt.format(v));
  }
  let decimals = 0;
  for (const v of values) decimals = Math.max(decimals, decimalsOf(v));
  const magnitudes = values.map(Math.abs).sort((a, b) => a - b);
  const median = magnitudes[Math.floor(magnitudes.length / 2)];
  decimals = Math.min(decimals, median > 0 && median < 0.01 ? 6 : 4);
  const fmt = new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return (v) => {
    if (Number.isNaN(v)) return '';
    if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
    return fmt.format(v);
  };
}

/** Decimals in JavaScript's shortest form of `v` (1e-7 has 7). */
function decimalsOf(v) {
  const s = String(v);
  const e = s.indexOf('e');
  if (e >= 0) {
    const exp = Number(s.slice(e + 1));
    const mantissa = s.slice(0, e);
    const dot = mantissa.indexOf('.');
    const frac = dot >= 0 ? mantissa.length - dot - 1 : 0;
    return Math.max(0, frac - exp);
  }
  const dot = s.indexOf('.');
  return dot >= 0 ? s.length - dot - 1 : 0;
}

/** A number with sensible digits: up to 4 decimals, 2 above 1000, 3 significant when tiny. */
export function formatDecimal(v) {
  if (Number.isNaN(v)) return '';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  if (a >= 1000) return largeFmt.format(v);
  if (a >= 0.001 || a === 0) return decimalFmt.format(v);
  return tinyFmt.format(v);
}
