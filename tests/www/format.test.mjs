// The demo's number, size and time formatting (www/format.js), without a browser. The page
// formats in the browser's locale; the expectations use the runtime's separators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBytes, formatCount, formatDecimal, formatDuration, formatPercent, formatSignificant, formatSpeed, numberFormatter,
} from '../../www/format.js';

const parts = new Intl.NumberFormat().formatToParts(1234567.5);
const DEC = parts.find((p) => p.type === 'decimal').value;
const GROUP = parts.find((p) => p.type === 'group')?.value ?? '';
// An en-US number written in the runtime's separators: 1,234.5 -> 1 234,5 in fr.
const loc = (s) => s.replace(/[.,]/g, (c) => (c === '.' ? '\u0000' : GROUP)).replace(/\u0000/g, DEC);

test('counts, percentages and significant digits', () => {
  assert.equal(formatCount(1234567).replaceAll(GROUP, ''), '1234567');
  if (GROUP) assert.ok(formatCount(1234567).includes(GROUP), 'digits are grouped');
  assert.equal(formatCount(12.7).replaceAll(GROUP, ''), '13');
  assert.ok(formatPercent(0.42).includes(loc('42.0')) && formatPercent(0.42).includes('%'));
  assert.equal(formatSignificant(0.96812), loc('0.968'));
  assert.equal(formatSignificant(0.012345), loc('0.0123'));
  assert.equal(formatSignificant(0), '0');
  assert.equal(formatSignificant(NaN), '');
});

test('sizes in powers of 1000, speed, durations', () => {
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1500), loc('1.5 KB'));
  assert.equal(formatBytes(127_700), loc('127.7 KB'));
  assert.equal(formatBytes(6_000_000), loc('6.0 MB'));
  assert.equal(formatBytes(1_073_741_824), loc('1.1 GB'));
  assert.equal(formatBytes(NaN), '');
  assert.equal(formatSpeed(1_500_000, 1000), loc('1.5 MB/s'));
  assert.equal(formatSpeed(1, 0), '');
  assert.equal(formatDuration(4200), loc('4.2 s'));
  assert.equal(formatDuration(65_000), '1:05');
  assert.equal(formatDuration(3_723_000), '1:02:03');
});

test('a column\'s formatter lines up decimals; integers stay integers; NaN is blank', () => {
  const dec = numberFormatter('Churned_yes', [0.5, 0.125, NaN]);
  assert.equal(dec(0.5), loc('0.500'));
  assert.equal(dec(NaN), '');
  assert.equal(dec(Infinity), '∞');
  assert.equal(numberFormatter('SHAP', [0.123456789])(0.1), loc('0.1000'), 'at most 4 decimals');
  assert.equal(numberFormatter('tiny', [0.001234567, 0.002])(0.001), loc('0.001000'), '6 decimals for small values');
  assert.equal(numberFormatter('index', [1, 20000])(12345), '12345', 'identifiers are not grouped');
  assert.equal(numberFormatter('Tenure', [1, 20000])(12345), formatCount(12345));
  assert.equal(numberFormatter('x', [NaN])(1.5), formatDecimal(1.5));
  assert.equal(formatDecimal(12345.678), loc('12,345.68'));
  assert.equal(formatDecimal(0.00001234), loc('0.0000123'));
  assert.equal(formatDecimal(-Infinity), '−∞');
});
