// The short names of the imports from wasm-bindgen's glue (scripts/short-imports.mjs): the wasm
// module and the glue's import object renamed alike, the snippets' imports left alone, and a
// glue that does not match the module failing the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shortenImports } from '../../scripts/short-imports.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const name = (s) => [s.length, ...Buffer.from(s)];
function leb(n) {
  const out = [];
  do {
    out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n);
  return out;
}
const section = (id, body) => [id, ...leb(body.length), ...body];

// A module importing two functions from the glue, a snippet's function and a memory (limits
// with a maximum), and exporting a function that calls the first glue import.
function module() {
  const types = section(1, [1, 0x60, 0, 0]);
  const imports = section(2, [
    4,
    ...name('./crate_bg.js'), ...name('__wbg_log_0123456789abcdef'), 0, 0,
    ...name('./snippets/crate-1/inline0.js'), ...name('sleep'), 0, 0,
    ...name('./crate_bg.js'), ...name('__wbindgen_init_externref_table'), 0, 0,
    ...name('./crate_bg.js'), ...name('__wbg_mem_fedcba9876543210'), 2, 1, 1, 2,
  ]);
  const funcs = section(3, [1, 0]);
  const exports = section(7, [1, ...name('run'), 0, 3]);
  const code = section(10, [1, 4, 0, 0x10, 0, 0x0b]);
  return Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...types, ...imports, ...funcs, ...exports, ...code]);
}

const GLUE = `function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_log_0123456789abcdef: function() {
            calls.push('log');
        },
        __wbindgen_init_externref_table: function() {
        },
        __wbg_unused_0000000000000000: function() {
        },
    };
    return {
        __proto__: null,
        "./crate_bg.js": import0,
        "./snippets/crate-1/inline0.js": import1,
    };
}
`;

test('the glue module and its imports get short names in the wasm and in the glue alike', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
  // A memory import is not a function of the glue: the glue's object would hold it.
  const glue = GLUE.replace('        __wbindgen_init_externref_table: function() {\n        },\n',
    '        __wbindgen_init_externref_table: function() {\n        },\n        __wbg_mem_fedcba9876543210: function() {\n        },\n');
  const { wasm, glue: text, renamed } = shortenImports(module(), glue);
  assert.equal(renamed, 3);
  assert.deepEqual(WebAssembly.Module.imports(new WebAssembly.Module(wasm)).map((i) => [i.module, i.name, i.kind]), [
    ['a', 'a', 'function'],
    ['./snippets/crate-1/inline0.js', 'sleep', 'function'],
    ['a', 'b', 'function'],
    ['a', 'c', 'memory'],
  ]);
  assert.doesNotMatch(text, /__wbg_log_|__wbindgen_init_externref_table|__wbg_mem_|"\.\/crate_bg\.js"/);
  assert.match(text, /__wbg_unused_0000000000000000: function/);
  // The rewritten glue's import object instantiates the rewritten module.
  const calls = [];
  const imports = new Function('calls', 'import1', `${text}\nreturn __wbg_get_imports();`)(calls, { sleep() {} });
  imports.a.c = memory;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), imports);
  instance.exports.run();
  assert.deepEqual(calls, ['log']);
});

test('a glue whose import object lacks an import of the module fails the build', () => {
  assert.throws(() => shortenImports(module(), GLUE), /0 import function\(s\) named __wbg_mem_fedcba9876543210/);
  assert.throws(() => shortenImports(module().subarray(0, 40), GLUE), /truncated/);
});

test("the package's wasm imports its glue's functions by short names only, and has no custom sections", () => {
  const module = new WebAssembly.Module(readFileSync(join(root, 'pkg', 'qlik_automl_predictions_bg.wasm')));
  for (const section of ['name', 'producers', 'target_features']) {
    assert.equal(WebAssembly.Module.customSections(module, section).length, 0, section);
  }
  const imports = WebAssembly.Module.imports(module);
  assert.ok(imports.length > 50);
  for (const i of imports) {
    assert.ok(i.module === 'a' || i.module.startsWith('./snippets/'), i.module);
    if (i.module === 'a') assert.match(i.name, /^[a-zA-Z]{1,2}$/);
  }
  assert.doesNotMatch(readFileSync(join(root, 'pkg', 'index.js'), 'utf8'), /__wbg_\w+_[0-9a-f]{16}\b/);
});
