// Plain SVG charts: horizontal bars (one per feature or class) and a vertical histogram.
// Labels are set with textContent; the charts are drawn at the host's pixel width and drawn
// again when that width changes.

const SVG = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** About `count` round tick values from 0 to at least `max`. */
export function niceTicks(max, count = 5) {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  const ticks = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

function truncate(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Draws charts into one host element. */
export class ChartView {
  constructor(host) {
    this.host = host;
    this.spec = null;
    this.width = 0;
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => {
        const w = Math.floor(this.host.clientWidth);
        if (this.spec && w > 0 && w !== this.width) this.draw();
      }).observe(host);
    }
  }

  clear() {
    this.spec = null;
    this.host.replaceChildren();
  }

  /**
   * Shows `spec`: `{ type: 'bars', bars: [{ label, value, title?, valueText? }], format,
   * tickFormat?, label }` or
   * `{ type: 'histogram', bins: [{ from, to, count }], format, formatEdge, label }`.
   * `label` is the accessible name of the chart.
   */
  show(spec) {
    this.spec = spec;
    this.draw();
  }

  draw() {
    const spec = this.spec;
    if (!spec) return;
    this.width = Math.floor(this.host.clientWidth) || 720;
    const svg = spec.type === 'histogram' ? histogram(spec, this.width) : bars(spec, this.width);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', spec.label);
    svg.prepend(el('title', {}, spec.label));
    this.host.replaceChildren(svg);
  }
}

function bars(spec, width) {
  const items = spec.bars;
  const barH = 22;
  const gap = 6;
  const top = 8;
  const bottom = 28;
  const longest = items.reduce((m, b) => Math.max(m, Math.min(b.label.length, 30)), 4);
  const labelW = Math.min(Math.max(longest * 7 + 16, 80), Math.floor(width * 0.4));
  const valueW = items.some((b) => b.valueText) ? 120 : 72;
  const plotW = Math.max(width - labelW - valueW - 8, 40);
  const height = top + items.length * (barH + gap) - gap + bottom;
  const max = items.reduce((m, b) => Math.max(m, b.value), 0);
  const ticks = niceTicks(max, Math.max(2, Math.min(6, Math.floor(plotW / 110))));
  const scaleMax = ticks[ticks.length - 1] || 1;
  const x = (v) => labelW + (v / scaleMax) * plotW;

  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'chart-svg bars' });
  const grid = el('g', { class: 'grid-lines' });
  for (const t of ticks) {
    grid.append(el('line', { x1: x(t), x2: x(t), y1: top - 4, y2: height - bottom + 4 }));
    grid.append(el('text', { x: x(t), y: height - 8, 'text-anchor': 'middle', class: 'tick' }, (spec.tickFormat ?? spec.format)(t)));
  }
  svg.append(grid);

  items.forEach((b, i) => {
    const y = top + i * (barH + gap);
    const g = el('g', { class: 'bar', 'data-label': b.label, 'data-value': b.value });
    g.append(el('title', {}, b.title ?? `${b.label}: ${spec.format(b.value)}`));
    g.append(el('text', { x: labelW - 10, y: y + barH / 2, 'text-anchor': 'end', 'dominant-baseline': 'central', class: 'bar-label' },
      truncate(b.label, 30)));
    const w = Math.max(x(b.value) - labelW, b.value > 0 ? 1 : 0);
    g.append(el('rect', { x: labelW, y, width: w, height: barH, rx: 3 }));
    g.append(el('text', { x: labelW + w + 6, y: y + barH / 2, 'dominant-baseline': 'central', class: 'bar-value' },
      b.valueText ?? spec.format(b.value)));
    svg.append(g);
  });
  svg.append(el('line', { x1: labelW, x2: labelW, y1: top - 4, y2: height - bottom + 4, class: 'axis' }));
  return svg;
}

function histogram(spec, width) {
  const bins = spec.bins;
  const height = 260;
  const left = 64;
  const right = 16;
  const top = 12;
  const bottom = 40;
  const plotW = Math.max(width - left - right, 40);
  const plotH = height - top - bottom;
  const max = bins.reduce((m, b) => Math.max(m, b.count), 0);
  const ticks = niceTicks(max, 4);
  const scaleMax = ticks[ticks.length - 1] || 1;
  const y = (v) => top + plotH - (v / scaleMax) * plotH;
  const bw = plotW / Math.max(bins.length, 1);

  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'chart-svg histogram' });
  const grid = el('g', { class: 'grid-lines' });
  for (const t of ticks) {
    grid.append(el('line', { x1: left, x2: left + plotW, y1: y(t), y2: y(t) }));
    grid.append(el('text', { x: left - 8, y: y(t), 'text-anchor': 'end', 'dominant-baseline': 'central', class: 'tick' },
      spec.format(t)));
  }
  svg.append(grid);

  const labelEvery = Math.max(1, Math.ceil(bins.length / Math.max(1, Math.floor(plotW / 56))));
  bins.forEach((b, i) => {
    const x0 = left + i * bw;
    const g = el('g', { class: 'bar', 'data-from': b.from, 'data-to': b.to, 'data-value': b.count });
    g.append(el('title', {}, `${spec.formatEdge(b.from)} – ${spec.formatEdge(b.to)}: ${spec.format(b.count)}`));
    const h = y(0) - y(b.count);
    g.append(el('rect', { x: x0 + 1, y: y(b.count), width: Math.max(bw - 2, 1), height: Math.max(h, b.count > 0 ? 1 : 0), rx: 2 }));
    svg.append(g);
    if (i % labelEvery === 0) {
      svg.append(el('text', { x: x0, y: height - bottom + 16, 'text-anchor': 'middle', class: 'tick' }, spec.formatEdge(b.from)));
    }
  });
  if (bins.length) {
    svg.append(el('text', { x: left + plotW, y: height - bottom + 16, 'text-anchor': 'middle', class: 'tick' },
      spec.formatEdge(bins[bins.length - 1].to)));
  }
  svg.append(el('line', { x1: left, x2: left + plotW, y1: y(0), y2: y(0), class: 'axis' }));
  if (spec.axisLabel) {
    svg.append(el('text', { x: left + plotW / 2, y: height - 4, 'text-anchor': 'middle', class: 'axis-label' }, spec.axisLabel));
  }
  return svg;
}
