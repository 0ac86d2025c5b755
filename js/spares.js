// The buffers of released batches (RecordBatch.release()), reused for later batches' data. A
// batch's numbers and offsets live in an ArrayBuffer of its own; left to the garbage collector,
// those buffers pile up as memory outside the JavaScript heap (V8 collects them when that
// memory has grown by tens of megabytes). A consumer that releases each batch once it is done
// with it streams any size in the same few buffers. One pool per JavaScript realm (the page,
// a Worker): every call's batches may use every released buffer. No dependency.

/** Buffers kept at most; a bigger one released when they are all kept replaces the smallest. */
const KEEP = 4;
/** Bytes kept at most, so that a stream of large batches leaves no more than this behind. */
const KEEP_BYTES = 32 * 1024 * 1024;

const kept = [];
let released = false;
// Buffers made and buffers reused, for the package's tests.
let made = 0;
let reused = 0;

/** Bytes allocated for `n` once batches are released: some room to spare, so that a later
 * batch, a little larger, fits in the buffer too. */
function roomFor(n) {
  return n + (n >> 3) + 4096;
}

function keptBytes() {
  return kept.reduce((sum, b) => sum + b.byteLength, 0);
}

export const spares = {
  /**
   * An ArrayBuffer of at least `n` bytes: the smallest released one that fits, or a new one;
   * null while no batch has been released (the caller copies its bytes with `slice()`).
   */
  buffer(n) {
    let best = -1;
    for (let i = 0; i < kept.length; i++) {
      const length = kept[i].byteLength;
      if (length >= n && (best < 0 || length < kept[best].byteLength)) best = i;
    }
    if (best < 0) {
      if (!released) return null;
      made += 1;
      return new ArrayBuffer(roomFor(n));
    }
    reused += 1;
    const [buffer] = kept.splice(best, 1);
    return buffer;
  },

  /** Takes back `buffer`, a released batch's (already detached from the batch's views). */
  give(buffer) {
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) return;
    released = true;
    const total = keptBytes();
    if (kept.length < KEEP) {
      if (total + buffer.byteLength <= KEEP_BYTES) kept.push(buffer);
      return;
    }
    let smallest = 0;
    for (let i = 1; i < kept.length; i++) if (kept[i].byteLength < kept[smallest].byteLength) smallest = i;
    const instead = kept[smallest].byteLength;
    if (instead < buffer.byteLength && total - instead + buffer.byteLength <= KEEP_BYTES) kept[smallest] = buffer;
  },

  /** For tests: bytes kept, buffers made and buffers reused so far. */
  get stats() {
    return { bytes: keptBytes(), made, reused };
  },
};

/**
 * Moves `buffer`'s memory into a new ArrayBuffer, detaching `buffer`: views of it read as
 * empty from then on. `ArrayBuffer.prototype.transfer` where there is one (Chrome 114,
 * Firefox 122, Safari 17.4, Node 21), else a transferring `structuredClone`.
 */
export function detach(buffer) {
  if (typeof buffer.transfer === 'function') return buffer.transfer();
  return structuredClone(buffer, { transfer: [buffer] });
}
