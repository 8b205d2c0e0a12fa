// Deno: reads the WebAssembly file from the package (a file: URL, or fetched when the package
// is served over HTTP) and compiles it before the module finishes loading.
import init from '../../dist/vexil.js';
import { markInitialized } from '../engine.js';

const wasmUrl = new URL('../../dist/vexil_bg.wasm', import.meta.url);
await init({
  module_or_path: wasmUrl.protocol === 'file:' ? await Deno.readFile(wasmUrl) : wasmUrl,
});
markInitialized();

export { Engine, PreparedContext, VexilError } from '../engine.js';
export { Client, createClient } from '../client.js';
