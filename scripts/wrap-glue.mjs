// Turns wasm-bindgen's `--target web` glue into a factory of independent bindings, so that a
// wasm instance that failed (a trap) can be replaced by a fresh one.
//
// The generated glue keeps one module-level instance (`wasm`), with module-level finalization
// registries and closure trampolines that all call into whatever `wasm` currently is. A second
// instance cannot be swapped in safely: callbacks still pending in the browser (a fetch, a
// timer) and finalizers of objects of the first instance would call the second one with
// pointers that mean nothing there. The factory gives each instance its own copy of that
// state: `createBindings(guard)` returns `{ Client, Reader, init, initSync, module }`, and
// `guard(exports)` sees the instance's exports before any call goes through them (the package
// entry wraps them to notice a trap and to silence a dead instance).
//
// The declarations of the wrapped glue keep the TypeScript that the crate declares beside its
// code (`#[wasm_bindgen(typescript_custom_section)]`: the option types, `Progress`, `Dataset`),
// which the package's index.d.ts imports; wasm-bindgen writes those sections first in its .d.ts.
//
// The transform is checked: every rewrite must apply exactly as expected, and no `export` may
// remain inside the factory, else the build fails (the wasm-bindgen version is pinned exactly,
// so its output has one known shape).

/** The types index.d.ts imports from the glue's declarations. */
export const GLUE_TYPES = ['ClientConfig', 'CallOptions', 'ParseOptions', 'Progress', 'Dataset'];

const WRAPPED_GLUE_DTS = `// The wasm-bindgen glue, wrapped into a factory by scripts/wrap-glue.mjs. Internal to the
// package: the public API is index.js.
export function createBindings(
  guard: (exports: WebAssembly.Exports) => WebAssembly.Exports,
): {
  Client: new (config: unknown) => unknown;
  Reader: unknown;
  init(moduleOrPath?: unknown): Promise<WebAssembly.Exports>;
  initSync(module: unknown): WebAssembly.Exports;
  module(): WebAssembly.Module | undefined;
};
`;

/**
 * The declarations of the wrapped glue, from wasm-bindgen's .d.ts `dts`: the factory, and the
 * crate's custom sections (everything before the first exported class and its doc comment).
 */
export function wrapGlueTypes(dts) {
  const header = '/* tslint:disable */\n/* eslint-disable */\n';
  if (!dts.startsWith(header)) throw new Error('wrap-glue: the .d.ts header changed; the wasm-bindgen output changed shape');
  const firstClass = dts.search(/^(\/\*\*\n(?: \*.*\n)* \*\/\n)?export class /m);
  if (firstClass < 0) throw new Error('wrap-glue: no exported class in the .d.ts; the wasm-bindgen output changed shape');
  const sections = dts.slice(header.length, firstClass).trim();
  for (const name of GLUE_TYPES) {
    if (!new RegExp(`^export (interface|type) ${name}\\b`, 'm').test(sections)) {
      throw new Error(`wrap-glue: the type ${name} is missing from the crate's TypeScript sections`);
    }
  }
  return `${WRAPPED_GLUE_DTS}
// The crate's TypeScript sections (typescript_custom_section), as wasm-bindgen writes them.
${sections}
`;
}

function replaceExactly(text, pattern, replacement, count, what) {
  const found = text.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`));
  const n = found ? found.length : 0;
  if (n !== count) {
    throw new Error(`wrap-glue: expected ${count} ${what}, found ${n}; the wasm-bindgen output changed shape`);
  }
  return text.replace(pattern, replacement);
}

/** The wrapped glue source for wasm-bindgen's `--target web` output `source`. */
export function wrapGlue(source) {
  const lines = source.split('\n');
  let i = 0;
  // The leading `@ts-self-types` comment (replaced by the new declaration) and the imports of
  // the snippets (stateless functions, shared by every instance) stay at module level.
  const imports = [];
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('import ')) imports.push(line);
    else if (!(line.startsWith('/* @ts-self-types=') || line.trim() === '')) break;
  }
  let body = lines.slice(i).join('\n');
  body = replaceExactly(body, /^export class (Client|Reader) /gm, 'class $1 ', 2, 'exported classes');
  body = replaceExactly(body, /^export \{ initSync, __wbg_init as default \};$/m, '', 1, 'export lists');
  body = replaceExactly(body, /^(\s*)wasm = instance\.exports;$/m, '$1wasm = guard(instance.exports);', 1,
    'instance initializations');
  if (/^\s*export\s/m.test(body)) throw new Error('wrap-glue: an export is left inside the factory');
  if (!/new URL\('qlik_automl_predictions_bg\.wasm', import\.meta\.url\)/.test(body)) {
    throw new Error('wrap-glue: the default .wasm URL is missing');
  }
  return `${imports.join('\n')}

// wasm-bindgen's glue, wrapped into a factory by scripts/wrap-glue.mjs: each call makes
// bindings with their own instance, finalizers and closures.
export function createBindings(guard) {
${body.trim()}

return { Client, Reader, init: __wbg_init, initSync, module: () => wasmModule };
}
`;
}
