// Shorter names for the functions the wasm module imports from wasm-bindgen's glue. wasm-bindgen
// names each `__wbg_<name>_<16 hex digits>` under the module `./<crate>_bg.js`; the names stand
// in the wasm module and again in the glue's import object, and the hex digits do not compress.
// Here they become `a`, `b`, ... under the module `a`, in the wasm (its import section rewritten)
// and in the glue (the import object's keys). The imports of wasm-bindgen's snippets keep their
// names (a snippet module's namespace is passed as it is). The exports keep theirs: `init()`
// resolves to them (`memory` among them).
//
// Checked: the wasm's sections are walked to their ends, every renamed import must be a key of
// the glue's import object exactly once, and the rewritten wasm must list the new names, else
// the build fails.

const GLUE_MODULE = /^\.\/[\w-]+_bg\.js$/;
const SHORT_MODULE = 'a';

function fail(message) {
  throw new Error(`short-imports: ${message}`);
}

function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length) fail('truncated LEB128');
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, at];
    if (shift > 35) fail('LEB128 too long');
  }
}

function writeU32(value) {
  const out = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) b |= 0x80;
    out.push(b);
  } while (value);
  return out;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

function readName(bytes, at) {
  const [len, start] = readU32(bytes, at);
  if (start + len > bytes.length) fail('truncated name');
  return [fromUtf8.decode(bytes.subarray(start, start + len)), start + len];
}

function writeName(name) {
  const b = utf8.encode(name);
  return [...writeU32(b.length), ...b];
}

// An import's description (after its names): its bytes are copied as they are.
function skipImportDesc(bytes, at) {
  const kind = bytes[at++];
  const limits = (p) => {
    const flags = bytes[p++];
    let q;
    [, q] = readU32(bytes, p);
    if (flags & 1) [, q] = readU32(bytes, q);
    return q;
  };
  switch (kind) {
    case 0: return readU32(bytes, at)[1]; // function: its type index
    case 1: return limits(at + 1); // table: reference type, limits
    case 2: return limits(at); // memory: limits
    case 3: return at + 2; // global: value type, mutability
    case 4: return readU32(bytes, at + 1)[1]; // tag: attribute, type index
    default: return fail(`unknown import kind ${kind}`);
  }
}

function shortName(i) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let name = '';
  do {
    name += letters[i % letters.length];
    i = Math.floor(i / letters.length);
  } while (i);
  return name;
}

/**
 * The wasm module `wasm` (bytes) and its glue `glue` (text) with the glue module's imports
 * renamed: `{ wasm, glue, renamed }`.
 */
export function shortenImports(wasm, glue) {
  const bytes = new Uint8Array(wasm);
  if (bytes.length < 8) fail('not a wasm module');
  const parts = [bytes.subarray(0, 8)];
  const renames = new Map();
  let glueModule = null;
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = readU32(bytes, at + 1);
    const end = start + size;
    if (end > bytes.length) fail('truncated section');
    if (id !== 2) {
      parts.push(bytes.subarray(at, end));
      at = end;
      continue;
    }
    const [count, first] = readU32(bytes, start);
    const body = [...writeU32(count)];
    let p = first;
    for (let i = 0; i < count; i++) {
      let module;
      let name;
      [module, p] = readName(bytes, p);
      [name, p] = readName(bytes, p);
      const descStart = p;
      p = skipImportDesc(bytes, p);
      if (GLUE_MODULE.test(module)) {
        if (glueModule !== null && glueModule !== module) fail(`two glue modules: ${glueModule}, ${module}`);
        glueModule = module;
        if (!renames.has(name)) renames.set(name, shortName(renames.size));
        body.push(...writeName(SHORT_MODULE), ...writeName(renames.get(name)));
      } else {
        body.push(...writeName(module), ...writeName(name));
      }
      body.push(...bytes.subarray(descStart, p));
    }
    if (p !== end) fail('the import section has bytes after its imports');
    parts.push(Uint8Array.of(2, ...writeU32(body.length)), Uint8Array.from(body));
    at = end;
  }
  if (glueModule === null) fail('no import from the glue module');

  let text = glue;
  for (const [name, short] of renames) {
    const key = new RegExp(`^( +)${name}(: function\\()`, 'gm');
    const found = text.match(key)?.length ?? 0;
    if (found !== 1) fail(`the glue has ${found} import function(s) named ${name}, expected 1`);
    text = text.replace(key, `$1${short}$2`);
  }
  const moduleKey = `"${glueModule}": import0,`;
  if (text.split(moduleKey).length !== 2) fail(`the glue's import object has no single ${moduleKey}`);
  text = text.replace(moduleKey, `"${SHORT_MODULE}": import0,`);

  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of parts) {
    out.set(b, o);
    o += b.length;
  }
  const listed = WebAssembly.Module.imports(new WebAssembly.Module(out));
  const shortNames = new Set(renames.values());
  if (listed.filter((i) => i.module === SHORT_MODULE && shortNames.has(i.name)).length !== listed.filter((i) => i.module === SHORT_MODULE).length
    || listed.some((i) => i.module === glueModule)) {
    fail('the rewritten module does not list the new names');
  }
  return { wasm: out, glue: text, renamed: renames.size };
}
