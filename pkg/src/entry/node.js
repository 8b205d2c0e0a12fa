// Node: the WebAssembly file is read from the package and compiled synchronously at import, so
// the engine is ready as soon as this module is (and `require('vexil')` works where Node can
// require ES modules: 20.19 and later, 22.12 and later).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync } from '../../dist/vexil.js';
import { Client as CoreClient } from '../client.js';
import { markInitialized } from '../engine.js';
import { nodeFetch } from '../node-fetch.js';

function wasmBytes() {
  try {
    // Written out literally: bundlers for servers (Next.js's) recognise it and keep the file
    // with the server's output.
    return readFileSync(new URL('../../dist/vexil_bg.wasm', import.meta.url));
  } catch (error) {
    // Such a bundler hands back a URL object of its own (a web path to its copy), which
    // readFileSync refuses; `import.meta.url` alone still names this file where it runs.
    if (error?.code !== 'ERR_INVALID_ARG_TYPE') throw error;
    return readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../dist/vexil_bg.wasm'));
  }
}

initSync({ module: wasmBytes() });
markInitialized();

/** The client, fetching by default with a `fetch` whose live stream does not keep Node running. */
export class Client extends CoreClient {
  constructor(options) {
    super({ fetch: nodeFetch, ...options });
  }
}

/** Makes a client; see {@link Client}. */
export function createClient(options) {
  return new Client(options);
}

export { Engine, PreparedContext, VexilError, ready } from '../engine.js';
