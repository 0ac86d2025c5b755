// The contenders of the browser benchmark. The page runs them; the Node harness imports this
// same list for their names, kinds and availability. Adding a contender is one entry here.
//
// Every parser touches every value: it adds each cell to a per-column checksum (see Checksum),
// always in row order, so the sums of equal inputs are equal bit for bit whatever the parser's
// layout (columns or rows). Baselines touch bytes or characters only.
//
// `run(ctx)` fetches `ctx.url` (or has the package fetch it), reports the first row it holds
// with `ctx.firstRow()`, calls `ctx.unitDone()` after each unit of output it has touched (a batch,
// a chunk; the harness measures each unit's main-thread time) and resolves with { rows, checksum }. `ctx.libs` holds the libraries
// the page loaded: `pkg` (the package's module), `uDSV`, `Papa`, `d3` (their browser builds).

/** Per-column checksum of a parse: numbers summed, string lengths summed, empties counted. */
export class Checksum {
  constructor() {
    this.rows = 0;
    this.width = 0;
    this.num = [];    // number cells per column
    this.sum = [];    // their sum, in row order
    this.str = [];    // non-empty string cells per column
    this.len = [];    // their total length (UTF-16 code units)
    this.empty = [];  // empty cells (NaN, null, '') per column
    this.other = [];  // cells of any other type (booleans, dates): a type the others did not infer
  }

  resize(width) {
    for (let c = this.width; c < width; c++) {
      this.num.push(0); this.sum.push(0); this.str.push(0); this.len.push(0); this.empty.push(0); this.other.push(0);
    }
    this.width = Math.max(this.width, width);
  }

  /** Adds one row given as an array (or array-like) of cells. */
  row(cells, width = cells.length) {
    if (width > this.width) this.resize(width);
    this.rows++;
    for (let c = 0; c < width; c++) this.cell(c, cells[c]);
  }

  cell(c, v) {
    if (typeof v === 'number') {
      if (v === v) { this.num[c]++; this.sum[c] += v; } else this.empty[c]++;
    } else if (typeof v === 'string') {
      if (v.length) { this.str[c]++; this.len[c] += v.length; } else this.empty[c]++;
    } else if (v === null || v === undefined) {
      this.empty[c]++;
    } else {
      this.other[c]++;
    }
  }

  /** Adds a number column of `rows` cells (a Float64Array) to column c. */
  numbers(c, values) {
    let sum = this.sum[c];
    let num = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === v) { sum += v; num++; }
    }
    this.sum[c] = sum;
    this.num[c] += num;
    this.empty[c] += values.length - num;
  }

  /** Adds a string column to column c. */
  strings(c, values) {
    let len = 0;
    let str = 0;
    for (let i = 0; i < values.length; i++) {
      const n = values[i].length;
      if (n) { len += n; str++; }
    }
    this.len[c] += len;
    this.str[c] += str;
    this.empty[c] += values.length - str;
  }

  toJSON() {
    const columns = [];
    for (let c = 0; c < this.width; c++) {
      columns.push({ num: this.num[c], sum: this.sum[c], str: this.str[c], len: this.len[c], empty: this.empty[c],
        other: this.other[c] });
    }
    return { rows: this.rows, columns };
  }
}

/** Reads a body stream to its end, calling `onChunk` for each chunk. */
async function drain(stream, onChunk) {
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onChunk(value);
  }
}

async function fetchOk(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res;
}

// This package: `stream()` yields columnar batches (Float64Array number columns); with
// `release`, each batch is released once its values are summed (its buffer reused).
async function runPackage(ctx, extraConfig, release = false) {
  const { PredictionsClient } = ctx.libs.pkg;
  const client = new PredictionsClient({ authType: 'none', ...extraConfig });
  const sum = new Checksum();
  for await (const batch of client.stream(ctx.predictionId, ctx.dataset)) {
    ctx.firstRow();
    const width = batch.numColumns;
    if (width > sum.width) sum.resize(width);
    for (let c = 0; c < width; c++) {
      if (batch.columnType(c) === 'number') sum.numbers(c, batch.column(c));
      else sum.strings(c, batch.column(c));
    }
    sum.rows += batch.numRows;
    if (release) batch.release();
    ctx.unitDone();
  }
  return { rows: sum.rows, checksum: sum };
}

// uDSV's incremental API on TextDecoderStream chunks: schema inferred from the first chunk,
// typed rows handed to a callback (no accumulation).
async function runUdsv(ctx) {
  const { inferSchema, initParser } = ctx.libs.uDSV;
  const res = await fetchOk(ctx.url);
  const sum = new Checksum();
  let parser = null;
  const onRow = (row) => { ctx.firstRow(); sum.row(row); };
  await drain(res.body.pipeThrough(new TextDecoderStream()), (text) => {
    parser ??= initParser(inferSchema(text));
    parser.chunk(text, parser.typedArrs, onRow);
    ctx.unitDone();
  });
  parser?.end();
  return { rows: sum.rows, checksum: sum };
}

// PapaParse's streaming parser (its ReadableStreamStreamer, which takes a Node-style readable)
// fed with TextDecoderStream chunks, `dynamicTyping: true`, rows handed over per chunk.
async function runPapa(ctx) {
  const { Papa } = ctx.libs;
  const res = await fetchOk(ctx.url);
  const sum = new Checksum();
  let header = true;
  const listeners = {};
  const input = {
    readable: true,
    read() {},
    on(event, fn) { listeners[event] = fn; },
    removeListener(event) { delete listeners[event]; },
    pause() {},
    resume() {},
  };
  await new Promise((resolve, reject) => {
    Papa.parse(input, {
      dynamicTyping: true,
      chunk(results) {
        let rows = results.data;
        if (header) { rows = rows.slice(1); header = false; }
        if (rows.length) ctx.firstRow();
        for (let i = 0; i < rows.length; i++) sum.row(rows[i]);
        ctx.unitDone();
        if (results.errors.length) reject(new Error(`PapaParse: ${JSON.stringify(results.errors[0])}`));
      },
      complete: () => resolve(),
      error: reject,
    });
    drain(res.body.pipeThrough(new TextDecoderStream()), (text) => listeners.data?.(text))
      .then(() => listeners.end?.(), (e) => (listeners.error ? listeners.error(e) : reject(e)));
  });
  return { rows: sum.rows, checksum: sum };
}

// d3-dsv: the whole body as text, then `csvParse` with `autoType` (objects keyed by column).
async function runD3(ctx) {
  const { csvParse, autoType } = ctx.libs.d3;
  const res = await fetchOk(ctx.url);
  const text = await res.text();
  const rows = csvParse(text, (row, i) => {
    if (i === 0) ctx.firstRow();
    return autoType(row);
  });
  const sum = new Checksum();
  const names = rows.columns;
  const cells = new Array(names.length);
  for (const row of rows) {
    for (let c = 0; c < names.length; c++) cells[c] = row[names[c]];
    sum.row(cells);
  }
  return { rows: sum.rows, checksum: sum };
}

// Baselines: the body read with no decoding; the body through TextDecoderStream.
async function runBytes(ctx) {
  const res = await fetchOk(ctx.url);
  let bytes = 0;
  await drain(res.body, (chunk) => { ctx.firstRow(); bytes += chunk.byteLength; });
  return { rows: 0, bytes };
}

// The body read with a BYOB reader into one buffer, reused: no ArrayBuffer per chunk (this
// package reads a body it decodes that way).
async function runBytesByob(ctx) {
  const res = await fetchOk(ctx.url);
  const reader = res.body.getReader({ mode: 'byob' });
  let buffer = new ArrayBuffer(256 * 1024);
  let bytes = 0;
  for (;;) {
    const { value, done } = await reader.read(new Uint8Array(buffer));
    if (done) break;
    ctx.firstRow();
    bytes += value.byteLength;
    buffer = value.buffer;
  }
  return { rows: 0, bytes };
}

async function runText(ctx) {
  const res = await fetchOk(ctx.url);
  let chars = 0;
  await drain(res.body.pipeThrough(new TextDecoderStream()), (text) => { ctx.firstRow(); chars += text.length; });
  return { rows: 0, chars };
}

/**
 * id, label, kind ('parser': checksums compared; 'baseline': bytes or characters counted),
 * `ratioBase` marks the contender the others are compared with, `wasmMemory` says the package's
 * wasm memory is in the page (not in a Worker), `requires` names a ClientConfig option the
 * package must declare (pkg/index.d.ts) for the contender to run; `compare` runs the second
 * build given with `--compare DIR` instead of pkg/.
 */
export const CONTENDERS = [
  { id: 'bytes', label: 'body bytes, no decoding', kind: 'baseline', run: runBytes },
  { id: 'bytes-byob', label: 'body bytes, BYOB reader', kind: 'baseline', run: runBytesByob },
  { id: 'text', label: 'TextDecoderStream alone', kind: 'baseline', run: runText },
  { id: 'package', label: 'this package (main thread)', kind: 'parser', wasmMemory: true,
    run: (ctx) => runPackage(ctx, {}) },
  { id: 'package-release', label: 'this package, batches released', kind: 'parser', wasmMemory: true,
    requiresMethod: 'release', run: (ctx) => runPackage(ctx, {}, true) },
  { id: 'package-compare', label: 'this package, the --compare build', kind: 'parser', wasmMemory: true,
    compare: true, run: (ctx) => runPackage(ctx, {}) },
  { id: 'package-worker', label: 'this package (Worker)', kind: 'parser', requires: 'worker',
    run: (ctx) => runPackage(ctx, { worker: true }) },
  { id: 'package-worker-release', label: 'this package (Worker), released', kind: 'parser', requires: 'worker',
    requiresMethod: 'release', run: (ctx) => runPackage(ctx, { worker: true }, true) },
  { id: 'udsv', label: 'uDSV (streaming, typed)', kind: 'parser', ratioBase: true, run: runUdsv },
  { id: 'papaparse', label: 'PapaParse (streaming, dynamicTyping)', kind: 'parser', run: runPapa },
  { id: 'd3-dsv', label: 'd3-dsv (whole text, autoType)', kind: 'parser', run: runD3 },
];
