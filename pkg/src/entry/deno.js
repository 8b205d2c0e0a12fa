// Deno: the WebAssembly module is imported as a compiled `WebAssembly.Module` (a source phase
// import, which Deno has since 2.6) and instantiated synchronously. Deno loads imported modules
// without permissions, so no `--allow-read` is needed, as reading the file would need.
import source wasmModule from '../../dist/vexil_bg.wasm';
import { initSync } from '../../dist/vexil.js';
import { markInitialized } from '../engine.js';

initSync({ module: wasmModule });
markInitialized();

export { Engine, PreparedContext, VexilError, ready } from '../engine.js';
export { Client, createClient } from '../client.js';
