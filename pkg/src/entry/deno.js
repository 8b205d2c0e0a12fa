// Deno: the WebAssembly module is imported as a compiled `WebAssembly.Module` (a source phase
// import, which Deno has since 2.6) and instantiated synchronously. Deno loads imported modules
// without permissions, so no `--allow-read` is needed, as reading the file would need.
//
// As in Node, a client does not keep the process running: a script that has its flags ends
// when it is done, without close(). Its live stream goes over Node's `http` (which Deno
// provides, and whose sockets can be unreferenced: a `fetch` cannot), and its timers are
// unreferenced (Deno 2.8 and later return Node's `Timeout`, earlier versions a number that
// `Deno.unrefTimer` takes).
import source wasmModule from '../../dist/vexil_bg.wasm';
import { initSync } from '../../dist/vexil.js';
import { Client as CoreClient } from '../client.js';
import { markInitialized } from '../engine.js';
import { nodeFetch } from '../node-fetch.js';

initSync({ module: wasmModule });
markInitialized();

// A timer the client can unreference, as it does Node's; `clearTimeout` takes it as it is.
function unrefableTimeout(callback, ms) {
  const timer = setTimeout(callback, ms);
  if (typeof timer !== 'number') return timer;
  return { unref: () => Deno.unrefTimer(timer), [Symbol.toPrimitive]: () => timer };
}

/** The client, with a live stream and timers that do not keep Deno running. */
export class Client extends CoreClient {
  constructor(options) {
    super({ fetch: nodeFetch, setTimeout: unrefableTimeout, ...options });
  }
}

/** Makes a client; see {@link Client}. */
export function createClient(options) {
  return new Client(options);
}

export { Engine, PreparedContext, VexilError, ready } from '../engine.js';
