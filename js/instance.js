// One wasm instance, guarded. A trap (e.g. an allocation failure, which aborts) or an
// exception thrown through wasm frames leaves an instance in an unknown state. Every call into
// an instance goes through a guard: the first such failure marks the instance dead, rejects the
// calls in progress on it with a `WasmModuleError` and lets them abort their requests; later
// calls from the dead instance's leftover callbacks and finalizers do nothing. Whatever a call
// throws or rejects with becomes the package's error (errors.js).
//
// The instance's bindings come from a factory (the wasm-bindgen glue wrapped by
// scripts/wrap-glue.mjs, so each instance has its own glue state); this module does not load
// the glue itself, so it runs in Node's test runner with a stand-in.
import { WasmModuleError, errorFrom } from './errors.js';

/** What a dead instance's exports return: nothing of theirs is used any more. */
const DEAD = Object.freeze([]);

function describe(e) {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } catch {
    return 'unknown error';
  }
}

export class Instance {
  /**
   * `createBindings(guard)` returns the instance's bindings; it calls `guard(exports)` with
   * the instance's raw exports before any call goes through them. `onDeath(instance)` is
   * called once, when the instance fails.
   */
  constructor(createBindings, onDeath = () => {}) {
    /** The WasmModuleError, once the instance has failed. */
    this.dead = null;
    /** Operations waiting on the instance: each has `fail(error)`. */
    this.pending = new Set();
    this.exports = null;
    this.onDeath = onDeath;
    this.bindings = createBindings((exports) => this.#guard(exports));
  }

  #guard(raw) {
    const guarded = {};
    for (const [name, value] of Object.entries(raw)) {
      if (typeof value !== 'function') {
        guarded[name] = value;
        continue;
      }
      guarded[name] = (...args) => {
        if (this.dead) return DEAD;
        try {
          return value(...args);
        } catch (e) {
          this.#die(e);
          throw e;
        }
      };
    }
    this.exports = guarded;
    return guarded;
  }

  #die(cause) {
    if (this.dead) return;
    this.dead = new WasmModuleError(
      `qlik-automl-predictions: the WebAssembly module failed (${describe(cause)}); `
      + 'the calls in progress were stopped, and the next call runs on a fresh instance',
      { cause },
    );
    this.onDeath(this);
    const pending = [...this.pending];
    this.pending.clear();
    for (const op of pending) op.fail(this.dead);
  }

  /**
   * Runs `f` (a synchronous call into the instance); what it throws becomes the package's
   * error, and a failure of the instance its WasmModuleError.
   */
  sync(f) {
    if (this.dead) throw this.dead;
    try {
      return f();
    } catch (e) {
      throw this.dead ?? errorFrom(e);
    }
  }

  /**
   * Awaits the promise `start()` returns, tracked: its rejection becomes the package's error;
   * if the instance fails first, rejects with its WasmModuleError and calls `onFail(error)`.
   */
  track(start, onFail) {
    return new Promise((resolve, reject) => {
      if (this.dead) {
        reject(this.dead);
        return;
      }
      const op = {
        fail: (error) => {
          if (onFail) onFail(error);
          reject(error);
        },
      };
      this.pending.add(op);
      let promise;
      try {
        promise = start();
      } catch (e) {
        this.pending.delete(op);
        reject(this.dead ?? errorFrom(e));
        return;
      }
      Promise.resolve(promise).then(
        (v) => {
          if (!this.pending.delete(op)) return;
          resolve(v);
        },
        (e) => {
          if (!this.pending.delete(op)) return;
          reject(errorFrom(e));
        },
      );
    });
  }
}
