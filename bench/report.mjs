// The benchmark report as a text table (console) and as one self-contained HTML page with
// inline SVG charts (no scripts, no external resources).

import { sizeLines as packageSizeLines } from '../scripts/bundle-js.mjs';

const KB = 1024;
const MIB = 1048576;

const num = (x, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const rate = (x) => {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(0)} k`;
};
const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`;

function datasetTitle(d, report) {
  return `${d.id}: ${d.label}, ${(d.bytes / MIB).toFixed(1)} MiB, ${d.rows.toLocaleString('en-US')} rows; ` +
    `median of ${report.options.runs} run(s)`;
}

/** The columns of the per-dataset table: [header, cell(summary row)]. */
function columns(report) {
  const baseLabel = report.contenders.find((c) => c.id === report.base)?.label.split(' ')[0] ?? 'base';
  return [
    ['MiB/s', (s) => num(s.mibPerSec)],
    ['rows/s', (s) => rate(s.rowsPerSec)],
    [`x ${baseLabel}`, (s) => num(s.vsBase, 2)],
    ['(cpu)', (s) => num(s.vsBaseCpu, 2)],
    ['1st row ms (fetch)', (s) => num(s.firstRowMs)],
    ['(1st byte)', (s) => num(s.firstRowAfterFirstByteMs)],
    ['max unit ms (cpu)', (s) => num(s.unitMaxCpuMs)],
    ['longest task', (s) => num(s.longestTaskMs)],
    ['RSS +MiB', (s) => num(s.rssGrowthBytes / MIB, 0)],
    ['wasm MiB', (s) => (s.wasmBytes ? num(s.wasmBytes / MIB, 1) : '–')],
  ];
}

function sizeLines(report) {
  // The package's lines as the build prints them (scripts/bundle-js.mjs), then the libraries'.
  const lines = [...packageSizeLines(report.packageSize).map((l) => `this package: ${l}`)];
  for (const l of report.librarySizes) {
    lines.push(`${l.name} ${l.version} (${l.file}): ${kb(l.raw)} (${kb(l.gzip)} gzip)`);
  }
  return lines;
}

/** The memory pass as table rows: [header, ...rows] of strings, or null without one. */
function memoryTable(report) {
  const m = report.memory;
  if (!m) return null;
  const header = ['dataset', 'contender', ...m.sizesMiB.map((x) => `RSS +MiB @ ${x} MiB`),
    `beyond ${m.sizesMiB[0]} MiB`, `wasm MiB @ ${m.sizesMiB.at(-1)} MiB`, `≤ ${m.limitMiB} MiB`];
  const rows = m.rows.map((r) => [r.dataset, r.label, ...r.bySize.map((b) => num(b.rssGrowthBytes / MIB, 0)),
    num(r.beyondSmallestBytes / MIB, 0), r.bySize.at(-1)?.wasmBytes ? num(r.bySize.at(-1).wasmBytes / MIB, 1) : '–',
    r.withinLimit === null ? '–' : r.withinLimit ? 'yes' : 'NO']);
  return [header, ...rows];
}

/** The console table. */
export function renderText(report) {
  const cols = columns(report);
  const labelWidth = Math.max(...report.contenders.map((c) => c.label.length)) + 2;
  const widths = cols.map(([h]) => Math.max(h.length, 8));
  const out = [];
  for (const d of report.datasets) {
    out.push(datasetTitle(d, report));
    out.push('  ' + ''.padEnd(labelWidth) + cols.map(([h], i) => h.padStart(widths[i])).join('  '));
    for (const s of report.summary.filter((x) => x.dataset === d.id)) {
      if (!s.available) {
        out.push(`  ${s.label.padEnd(labelWidth)}${s.reason}`);
      } else if (!s.runs) {
        out.push(`  ${s.label.padEnd(labelWidth)}FAILED: ${s.errors.join('; ')}`);
      } else {
        out.push('  ' + s.label.padEnd(labelWidth) + cols.map(([, cell], i) => cell(s).padStart(widths[i])).join('  ') +
          (s.failedRuns ? `  (${s.failedRuns} run(s) failed)` : ''));
      }
    }
    out.push('');
  }
  const mem = memoryTable(report);
  if (mem) {
    out.push(`memory: the renderer's RSS growth streaming each file (peak minus before, garbage included), ` +
      `median of ${report.options.memory.runs} run(s)`);
    const widths = mem[0].map((_, i) => Math.max(...mem.map((r) => r[i].length)));
    for (const r of mem) out.push('  ' + r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
    out.push('');
  }
  out.push(...sizeLines(report));
  const m = report.machine;
  out.push(`machine: ${m.cpus} x ${m.cpuModel}, Chromium ${m.chromium}, Node ${m.node}, ` +
    `load average ${m.loadAverageBefore.map((x) => x.toFixed(2)).join(' ')} before, ` +
    `${m.loadAverageAfter.map((x) => x.toFixed(2)).join(' ')} after`);
  for (const p of report.profiles) {
    out.push('', `CPU profile ${p.dataset} / ${p.contender} (${num(p.ms)} ms run, ${num(p.totalMs)} ms sampled):`);
    const cats = Object.entries(p.categories).sort((a, b) => b[1] - a[1]);
    out.push('  ' + cats.map(([k, ms]) => `${k} ${(100 * ms / p.totalMs).toFixed(0)}%`).join(', '));
    for (const f of p.top.slice(0, 12)) out.push(`  ${num(f.ms).padStart(8)} ms  ${f.name}`);
  }
  return out.join('\n');
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const PALETTE = ['#9aa5b1', '#c3cbd3', '#1f6feb', '#54aeff', '#d29922', '#cf222e', '#8250df', '#2da44e'];

/**
 * A horizontal bar chart, one group per dataset, one bar per contender: `value(summary row)`
 * (null: no bar). Returns an inline SVG element.
 */
function barChart(report, title, unit, value) {
  const contenders = report.contenders.filter((c) => c.available);
  const color = new Map(report.contenders.map((c, i) => [c.id, PALETTE[i % PALETTE.length]]));
  const rows = [];
  for (const d of report.datasets) {
    rows.push({ group: d.id });
    for (const c of contenders) {
      const s = report.summary.find((x) => x.dataset === d.id && x.contender === c.id);
      rows.push({ c, v: s ? value(s) : null });
    }
  }
  const max = Math.max(1e-9, ...rows.map((r) => (Number.isFinite(r.v) ? r.v : 0)));
  const labelW = 280;
  const barW = 440;
  const rowH = 20;
  const top = 28;
  const height = top + rows.length * rowH + 8;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 90}" height="${height}" ` +
    `role="img" aria-label="${esc(title)}" font-family="system-ui, sans-serif" font-size="12">`,
  `<text x="0" y="16" font-weight="bold" font-size="14">${esc(title)}</text>`];
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    if (r.group) {
      parts.push(`<text x="0" y="${y + 14}" font-weight="bold">${esc(r.group)}</text>`);
      return;
    }
    parts.push(`<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(r.c.label)}</text>`);
    if (Number.isFinite(r.v)) {
      const w = Math.max(1, (r.v / max) * barW);
      parts.push(`<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${color.get(r.c.id)}"/>`);
      parts.push(`<text x="${labelW + w + 4}" y="${y + 14}">${esc(num(r.v))} ${esc(unit)}</text>`);
    } else {
      parts.push(`<text x="${labelW + 4}" y="${y + 14}" fill="#888">n/a</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** The self-contained HTML report. */
export function renderHtml(report) {
  const cols = columns(report);
  const m = report.machine;
  const tables = report.datasets.map((d) => {
    const body = report.summary.filter((x) => x.dataset === d.id).map((s) => {
      if (!s.available) return `<tr><th>${esc(s.label)}</th><td colspan="${cols.length}" class="na">${esc(s.reason)}</td></tr>`;
      if (!s.runs) return `<tr><th>${esc(s.label)}</th><td colspan="${cols.length}" class="bad">FAILED: ${esc(s.errors.join('; '))}</td></tr>`;
      return `<tr><th>${esc(s.label)}</th>${cols.map(([, cell]) => `<td>${esc(cell(s))}</td>`).join('')}</tr>`;
    }).join('\n');
    return `<h2>${esc(datasetTitle(d, report))}</h2>
<table><thead><tr><th></th>${cols.map(([h]) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${body}</tbody></table>`;
  }).join('\n');
  const problems = [...report.problems.map((p) => `CHECKSUM MISMATCH: ${p}`), ...report.failures.map((f) => `FAILED: ${f}`)];
  const profiles = report.profiles.map((p) => `<h3>${esc(p.dataset)} / ${esc(p.contender)}: ${esc(num(p.ms))} ms run</h3>
<p>${Object.entries(p.categories).sort((a, b) => b[1] - a[1]).map(([k, ms]) => `${esc(k)} ${(100 * ms / p.totalMs).toFixed(0)}%`).join(', ')}</p>
<table><tbody>${p.top.map((f) => `<tr><td>${esc(num(f.ms))} ms</td><th>${esc(f.name)}</th></tr>`).join('')}</tbody></table>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Browser benchmark ${esc(report.date)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; max-width: 1000px; color: #1f2328; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { padding: 3px 10px; border-bottom: 1px solid #d0d7de; }
td { text-align: right; font-variant-numeric: tabular-nums; }
th { text-align: left; font-weight: normal; }
thead th { font-weight: bold; text-align: right; }
.na { color: #888; text-align: left; }
.bad, .problems { color: #cf222e; font-weight: bold; }
dt { font-weight: bold; } dd { margin: 0 0 .4em 1.5em; }
</style></head><body>
<h1>qlik-automl-predictions: browser benchmark</h1>
<p>${esc(report.date)}; ${m.cpus} × ${esc(m.cpuModel)}; Chromium ${esc(m.chromium)} (headless); Node ${esc(m.node)};
load average ${esc(m.loadAverageBefore.map((x) => x.toFixed(2)).join(' '))} before,
${esc(m.loadAverageAfter.map((x) => x.toFixed(2)).join(' '))} after; took ${esc(num(report.durationSeconds / 60))} min.
Every run in a fresh page, contenders in rotated order each run; figures are medians.</p>
${problems.length ? `<ul class="problems">${problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : '<p>Checksums agree across all parsers and runs.</p>'}
${barChart(report, 'Throughput (median, MiB/s, higher is better)', 'MiB/s', (s) => s.mibPerSec)}
${barChart(report, 'Time to first row from fetch start (median, ms, lower is better)', 'ms', (s) => s.firstRowMs)}
${tables}
${memoryTable(report) ? `<h2>Memory: renderer RSS growth by file size</h2>
<p>Peak renderer RSS minus its RSS before the run (after a forced GC), garbage not yet collected included; one fresh page per run, median of ${esc(report.options.memory.runs)} run(s). The target: the largest file needs at most ${esc(report.memory.limitMiB)} MiB more than the smallest.</p>
<table><thead><tr>${memoryTable(report)[0].map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${memoryTable(report).slice(1).map((r) => `<tr>${r.map((c, i) => (i < 2 ? `<th>${esc(c)}</th>` : `<td${c === 'NO' ? ' class="bad"' : ''}>${esc(c)}</td>`)).join('')}</tr>`).join('\n')}</tbody></table>` : ''}
<h2>Sizes</h2>
<ul>${sizeLines(report).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
<table><tbody>${report.packageSize.files.map((f) => `<tr><th>pkg/${esc(f.name)}</th><td>${esc(kb(f.raw))}</td><td>${esc(kb(f.gzip))} gzip</td><td>${esc({ page: 'loaded by a page', worker: 'Worker mode', standalone: 'not loaded by index.js' }[f.role] ?? '')}</td></tr>`).join('')}</tbody></table>
<h2>Definitions</h2>
<dl>${Object.entries(report.definitions).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
${profiles ? `<h2>CPU profiles (self time)</h2>${profiles}` : ''}
</body></html>
`;
}
