// Browsers (and bundlers that follow the `browser` condition): the size-tuned WebAssembly build
// is fetched from next to this module and compiled while it streams in. That starts at import
// but never holds the import up: no top-level await, which would keep the app's own modules
// waiting and which older build targets and `iife` bundles refuse. Until it is ready, `new
// Engine(...)` throws NOT_INITIALIZED and clients answer with the caller's default
// (PROVIDER_NOT_READY), loading their bootstrap the moment it is: `await ready()` where an
// engine is needed at once.
import init from '../../dist/vexil.js';
import { markInitialized } from '../engine.js';

markInitialized(
  // Inside a promise, so that a bundle without `import.meta.url` (an `iife`) fails `ready()`,
  // not the import.
  Promise.resolve().then(() => {
    // Written out literally: this is the pattern bundlers (Vite, webpack, Parcel) recognise to
    // emit the file into the app and rewrite its URL.
    let wasm = new URL('../../dist/vexil_web.wasm', import.meta.url);
    // Vite's dev server (5 to 7) runs a dependency pre-bundled in node_modules/.vite/deps/,
    // from where the path above leads into node_modules/dist/: the file is in the package.
    if (wasm.pathname.endsWith('/node_modules/dist/vexil_web.wasm')) wasm = new URL('../vexil/dist/vexil_web.wasm', wasm);
    return init({ module_or_path: wasm });
  }),
);

export { Engine, PreparedContext, VexilError, ready } from '../engine.js';
export { Client, createClient } from '../client.js';
