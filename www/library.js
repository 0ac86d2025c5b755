// The qlik-automl-predictions package, loaded once from /pkg/, and the client of the current
// settings (one client per configuration, so its CSRF token and rate limits carry over).
import { clientConfig } from './settings.js';

let lib = null;
let libError = null;
let cached = null;

/** The loaded package, or null before it loads. */
export function loadedLibrary() {
  return lib;
}

/** Loads the package and its wasm module; rejects with a LibraryError when it cannot. */
export async function loadLibrary() {
  if (lib) return lib;
  if (libError) throw libError;
  try {
    const mod = await import('/pkg/index.js');
    await mod.default();
    lib = mod;
    return lib;
  } catch (e) {
    libError = new Error(`The qlik-automl-predictions package could not be loaded from /pkg/ (${e?.message ?? e}). Build it with "npm run build".`);
    libError.name = 'LibraryError';
    throw libError;
  }
}

/** The client for settings `f` (the package must be loaded). */
export function clientFor(f) {
  const config = clientConfig(f);
  const key = JSON.stringify(config);
  if (cached && cached.key === key) return cached.client;
  const client = new lib.PredictionsClient(config);
  cached = { key, client };
  return client;
}
