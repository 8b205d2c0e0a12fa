// Vercel's Edge runtime and Next.js's `runtime = 'edge'` (the `edge-light` condition): as for
// Workers, the WebAssembly module is imported compiled (their bundlers' `?module` import) and
// instantiated synchronously.
import wasmModule from '../../dist/vexil_bg.wasm?module';
import { initSync } from '../../dist/vexil.js';
import { markInitialized } from '../engine.js';

// Next.js runs edge code in a context of its own, whose `WebAssembly.Module` is not the one that
// compiled the import: the glue's `instanceof` would then take the module for bytes.
if (!(wasmModule instanceof WebAssembly.Module)) Object.setPrototypeOf(wasmModule, WebAssembly.Module.prototype);
initSync({ module: wasmModule });
markInitialized();

export { Engine, PreparedContext, VexilError, ready } from '../engine.js';
export { Client, createClient } from '../client.js';
