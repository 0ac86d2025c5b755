// The bytes of a file: a plan (header, rows, line endings, the exact size in bytes mode, the
// data faults: BOM, bad UTF-8, malformed records) generated in chunks of about 64 KiB without
// holding the file, the hostile wide file, and the size and SHA-256 of a file.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { checkFile } from './catalog.mjs';
import { BUILDERS, fnv1a, rowFunction } from './content.mjs';

const CHUNK_CHARS = 64 * 1024;

// An invalid byte followed by a truncated 3-byte sequence (the first two bytes of 日):
// a non-fatal UTF-8 decoder yields two U+FFFD; a fatal one throws.
const BAD_UTF8 = Buffer.from([0xff, 0xe6, 0x97]);
const EXTRA_FIELD = ',unexpected extra field';

function parseMalformed(value) {
  if (value === undefined || value === null || value === false || value === '' || value === '0') return new Set();
  if (value === true || value === '1' || value === 'true') return new Set(['fields']);
  const list = Array.isArray(value) ? value : String(value).split(/[|,]/);
  return new Set(list.map((s) => String(s).trim()).filter(Boolean));
}

function injectBadUtf8(row) {
  const comma = row.indexOf(',');
  let at = comma < 0 ? row.length : comma + 1;
  if (row[at] === '"') at += 1;
  return Buffer.concat([Buffer.from(row.slice(0, at)), BAD_UTF8, Buffer.from(row.slice(at))]);
}

function byteLen(s, ascii) {
  if (typeof s !== 'string') return s.length;
  return ascii ? s.length : Buffer.byteLength(s);
}

/**
 * The byte-exact plan of one file. `opts`: `refId` (varies the values), `bom` (prefix a
 * UTF-8 BOM), `badUtf8` (invalid bytes in data row 1), `malformed` ('fields': an extra field
 * on data row 2; 'quote': a last row with an unterminated quoted field; 'short': a last row with
 * too few fields and no line break; '1' or true = 'fields'; several as 'fields,quote').
 */
export function planFile(predictionId, file, opts = {}) {
  const ds = checkFile(predictionId, file);
  const refId = opts.refId === undefined || opts.refId === null ? '' : String(opts.refId);
  const seed = fnv1a(`${ds.id}\u0000${file}\u0000${refId}`);
  const accounts = ds.bytes !== undefined ? Infinity : ds.rows;
  const b = BUILDERS[file](ds, seed, accounts);
  const malformed = parseMalformed(opts.malformed);
  const eol = ds.eol;
  const count = b.count;
  const badAt = opts.badUtf8 ? Math.min(1, count - 1) : -1;
  const extraAt = malformed.has('fields') ? Math.min(2, count - 1) : -1;
  const base = rowFunction(b);
  const row = badAt < 0 && extraAt < 0 ? base : (j, pad) => {
    let r = base(j, pad);
    if (j === extraAt) r += EXTRA_FIELD;
    if (j === badAt) r = injectBadUtf8(r);
    return r;
  };
  const head = `${opts.bom ? '\uFEFF' : ''}${b.header}${eol}`;
  const lastId = `aa${10000 + (Number.isFinite(accounts) ? accounts : 99999)}`;
  let tail = '';
  if (malformed.has('quote')) tail += `${lastId},"Unterminated quoted field, never closed${eol}`;
  else if (malformed.has('short')) tail += `${lastId},too few fields`;
  const fixed = Buffer.byteLength(head) + Buffer.byteLength(tail);
  let total = null;
  if (ds.bytes !== undefined) {
    total = Math.max(ds.bytes, fixed + byteLen(row(0, 0), b.ascii) + eol.length);
  }
  return {
    dataset: ds, file, refId, eol, header: b.header, ascii: b.ascii, head, tail, row,
    rowCount: Number.isFinite(count) ? count : null,
    /** Exact size when known without generating (bytes mode), else null. */
    knownLength: total,
    /** Approximate size from the first rows (rows mode), for choosing whether to measure. */
    estimateLength() {
      if (total !== null) return total;
      const n = Math.min(count, 64);
      let sum = 0;
      for (let j = 0; j < n; j++) sum += byteLen(row(j, 0), b.ascii) + eol.length;
      return fixed + (n ? Math.round((sum / n) * count) : 0);
    },
    chunks() { return generatePlan(this, total, fixed); },
  };
}

function* generatePlan(plan, total, fixed) {
  const { row, eol, ascii, head, tail } = plan;
  const eolLen = eol.length;
  // Upper bound of UTF-8 bytes per UTF-16 code unit.
  const maxBytesPerUnit = ascii ? 1 : 3;
  let buf = head;
  let rows = 0;
  if (total === null) {
    const count = plan.rowCount;
    for (let j = 0; j < count; j++) {
      const r = row(j, 0);
      rows += 1;
      if (typeof r === 'string') {
        buf += r;
        buf += eol;
        if (buf.length >= CHUNK_CHARS) {
          yield Buffer.from(buf);
          buf = '';
        }
      } else {
        if (buf) yield Buffer.from(buf);
        yield r;
        buf = eol;
      }
    }
  } else {
    // Bytes mode. `remaining` is the exact budget left for data rows once `buf` (not yet
    // encoded) is accounted for; row j is emitted as is while row j + 1 still fits after it,
    // else padded to fill the budget exactly. Far from the end, upper bounds replace exact
    // lengths so rows are not measured one by one.
    let remaining = total - fixed;
    buf = '';
    const flush = function flush() {
      const chunk = Buffer.from(buf);
      remaining -= chunk.length;
      buf = '';
      return chunk;
    };
    yield Buffer.from(head);
    let cur = row(0, 0);
    for (let j = 0; ; j++) {
      const next = row(j + 1, 0);
      if (typeof cur === 'string' && typeof next === 'string'
        && remaining - maxBytesPerUnit * (buf.length + cur.length + next.length + 2 * eolLen) >= 0) {
        buf += cur;
        buf += eol;
        rows += 1;
        if (buf.length >= CHUNK_CHARS) yield flush();
        cur = next;
        continue;
      }
      if (buf) yield flush();
      const curLen = byteLen(cur, ascii) + eolLen;
      const nextLen = byteLen(next, ascii) + eolLen;
      rows += 1;
      if (remaining - curLen >= nextLen) {
        if (typeof cur === 'string') {
          buf = cur + eol;
        } else {
          remaining -= cur.length;
          yield cur;
          buf = eol;
        }
        yield flush();
        cur = next;
        continue;
      }
      const last = row(j, remaining - curLen);
      yield typeof last === 'string' ? Buffer.from(last + eol) : Buffer.concat([last, Buffer.from(eol)]);
      break;
    }
  }
  buf += tail;
  if (buf) yield Buffer.from(buf);
  plan.rowsGenerated = rows;
}

const WIDE_CHUNK = 1 << 20;

// `count` copies of the one- or two-byte `unit`, in chunks of at most WIDE_CHUNK bytes.
function* repeated(unit, count) {
  const perChunk = Math.floor(WIDE_CHUNK / unit.length);
  const full = Buffer.from(unit.repeat(Math.min(count, perChunk)));
  for (let left = count; left > 0; left -= perChunk) {
    yield left >= perChunk ? full : full.subarray(0, left * unit.length);
  }
}

/**
 * A hostile wide file: a header of `columns` empty names (commas only), then `rows` rows of
 * `columns` cells `1`, LF line endings. Exactly `columns * (1 + 2 * rows)` bytes, generated
 * in chunks of at most 1 MiB. Returns { knownLength, chunks() } like a plan.
 */
export function wideFile(columns, rows) {
  const c = Math.max(1, Math.floor(columns));
  const r = Math.max(0, Math.floor(rows));
  return {
    knownLength: c * (1 + 2 * r),
    * chunks() {
      yield* repeated(',', c - 1);
      yield Buffer.from('\n');
      for (let j = 0; j < r; j++) {
        yield* repeated('1,', c - 1);
        yield Buffer.from('1\n');
      }
    },
  };
}

/**
 * The exact bytes the mock tenant serves for `file` of `predictionId` (before any transport
 * fault or gzip), as a synchronous generator of Buffers (also usable with `for await`).
 * Throws DatasetError when the file does not exist. Options as in `planFile`.
 */
export function generateChunks(predictionId, file, opts = {}) {
  return planFile(predictionId, file, opts).chunks();
}

/** The same bytes as a Node Readable stream. */
export function createFileStream(predictionId, file, opts = {}) {
  return Readable.from(generateChunks(predictionId, file, opts), { objectMode: false });
}

const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Size, SHA-256 and number of data rows (records as generated; a multi-line cell still counts
 * once) of a file, computed by generating it once without holding it.
 */
export async function describeFile(predictionId, file, opts = {}) {
  const plan = planFile(predictionId, file, opts);
  const hash = createHash('sha256');
  let bytes = 0;
  let n = 0;
  for (const chunk of plan.chunks()) {
    hash.update(chunk);
    bytes += chunk.length;
    if (++n % 32 === 0) await yieldToLoop();
  }
  return { bytes, sha256: hash.digest('hex'), rows: plan.rowsGenerated };
}

/** Exact byte length of a file, by generating it once (bytes-mode files need no pass). */
export async function measureFile(predictionId, file, opts = {}) {
  const plan = planFile(predictionId, file, opts);
  if (plan.knownLength !== null) return plan.knownLength;
  let bytes = 0;
  let n = 0;
  for (const chunk of plan.chunks()) {
    bytes += chunk.length;
    if (++n % 32 === 0) await yieldToLoop();
  }
  return bytes;
}

/**
 * SHA-256 (hex) of a string, Buffer/TypedArray/ArrayBuffer, or a sync or async iterable of
 * those (a Node Readable, a generator from `generateChunks`, a WHATWG ReadableStream).
 */
export async function sha256(source) {
  const hash = createHash('sha256');
  const add = (c) => {
    if (typeof c === 'string' || Buffer.isBuffer(c)) hash.update(c);
    else if (ArrayBuffer.isView(c)) hash.update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
    else if (c instanceof ArrayBuffer) hash.update(new Uint8Array(c));
    else throw new TypeError('sha256: unsupported chunk type');
  };
  if (typeof source === 'string' || ArrayBuffer.isView(source) || source instanceof ArrayBuffer) {
    add(source);
  } else if (source && typeof source[Symbol.asyncIterator] === 'function') {
    for await (const c of source) add(c);
  } else if (source && typeof source[Symbol.iterator] === 'function') {
    let n = 0;
    for (const c of source) {
      add(c);
      if (++n % 32 === 0) await yieldToLoop();
    }
  } else {
    throw new TypeError('sha256: unsupported source');
  }
  return hash.digest('hex');
}

/** SHA-256 (hex) of the bytes `generateChunks` yields. */
export async function fileSha256(predictionId, file, opts = {}) {
  return sha256(generateChunks(predictionId, file, opts));
}
