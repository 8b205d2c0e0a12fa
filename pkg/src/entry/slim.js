// For runtimes the other entries do not cover, or to control how the WebAssembly arrives: call
// `initialize` with the compiled module, its bytes, a `Response` or a URL before making an
// engine. `initialize` is idempotent; `Engine` throws a VexilError with code `NOT_INITIALIZED`
// until it has finished, and `ready()` resolves then (clients made before it wait with what
// they have). A failed `initialize` can be called again, so it never fails `ready()`.
import init from '../../dist/vexil.js';

import { Engine as CoreEngine, markInitialized } from '../engine.js';

/** Compiles and instantiates the engine's WebAssembly; resolves when engines can be made. */
export async function initialize(wasm) {
  if (wasm === undefined || wasm === null) {
    throw new TypeError('initialize needs the WebAssembly: a module, bytes, a Response or a URL');
  }
  await init({ module_or_path: wasm });
  markInitialized();
}

export { CoreEngine as Engine };
export { PreparedContext, VexilError, ready } from '../engine.js';
export { Client, createClient } from '../client.js';
