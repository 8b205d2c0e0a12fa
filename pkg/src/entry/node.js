// Node: the WebAssembly file is read from the package and compiled synchronously at import, so
// the engine is ready as soon as this module is.
import { readFileSync } from 'node:fs';
import { initSync } from '../../dist/vexil.js';
import { markInitialized } from '../engine.js';

initSync({ module: readFileSync(new URL('../../dist/vexil_bg.wasm', import.meta.url)) });
markInitialized();

export { Engine, PreparedContext, VexilError } from '../engine.js';
export { Client, createClient } from '../client.js';
