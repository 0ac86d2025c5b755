/**
 * `qlik-automl-predictions/wasm`: the package's WebAssembly module. Imported through a bundler's
 * asset handling (Vite `?url`, webpack `asset/resource`, esbuild `--loader:.wasm=file`), the
 * default export is the URL the bundler gives the emitted file; pass it to
 * `init({ module_or_path: wasmUrl })`.
 */
declare const wasmUrl: string;
export default wasmUrl;
