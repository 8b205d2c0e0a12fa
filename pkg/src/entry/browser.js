// Browsers (and bundlers that follow the `browser` condition): the size-tuned WebAssembly build
// is fetched from next to this module and compiled while it streams in. The module finishes
// loading only once the engine is ready, so `new Engine(...)` works right after the import.
import init from '../../dist/vexil.js';
import { markInitialized } from '../engine.js';

await init({ module_or_path: new URL('../../dist/vexil_web.wasm', import.meta.url) });
markInitialized();

export { Engine, PreparedContext, VexilError } from '../engine.js';
export { Client, createClient } from '../client.js';
