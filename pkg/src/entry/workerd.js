// Cloudflare Workers (workerd, wrangler, miniflare): a worker may not compile WebAssembly from
// bytes, so the module is imported as a compiled `WebAssembly.Module` (bundlers for Workers
// understand this import) and instantiated synchronously.
import { initSync } from '../../dist/vexil.js';
import { markInitialized } from '../engine.js';
import wasmModule from '../../dist/vexil_bg.wasm';

initSync({ module: wasmModule });
markInitialized();

export { Engine, PreparedContext, VexilError, ready } from '../engine.js';
export { Client, createClient } from '../client.js';
