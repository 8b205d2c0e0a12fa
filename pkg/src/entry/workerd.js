// Cloudflare Workers (workerd, wrangler, miniflare): a worker may not compile WebAssembly from
// bytes, so the module is imported as a compiled `WebAssembly.Module` (bundlers for Workers
// understand this import) and instantiated synchronously.
//
// Workers allow no timer and no fetch outside a request, and a client is best kept at module
// scope (one per isolate). So a client made here starts nothing when it is made: its first
// refresh starts with the first request that asks for it, through `refreshIfDue(ctx)` (in the
// background), `ready()` or `refresh()`; and it sets no timer to send its counts, since none
// would outlive the request (send them with `ctx.waitUntil(flags.flush())`). Made at module
// scope, a client used to try a timer at once, which the runtime refused with a rejected
// promise that nobody handled.
import { initSync } from '../../dist/vexil.js';
import { Client as CoreClient } from '../client.js';
import { markInitialized } from '../engine.js';
import wasmModule from '../../dist/vexil_bg.wasm';

initSync({ module: wasmModule });
markInitialized();

// True while a client is being made: what its constructor would start is left for later.
let making = false;

const laterTimeout = (callback, ms) => (making ? undefined : setTimeout(callback, ms));

/** The client, starting nothing until a request asks for it. */
export class Client extends CoreClient {
  // Read only once the constructor has returned (fields are set after `super()`).
  #started = false;

  constructor(options) {
    making = true;
    try {
      super({ setTimeout: laterTimeout, ...options });
    } finally {
      making = false;
    }
  }

  refresh() {
    if (making) return Promise.resolve();
    this.#started = true;
    return super.refresh();
  }

  refreshIfDue(ctx) {
    this.#started = true;
    super.refreshIfDue(ctx);
  }

  ready(options) {
    if (!this.#started) this.refresh();
    return super.ready(options);
  }
}

/** Makes a client; see {@link Client}. */
export function createClient(options) {
  return new Client(options);
}

export { Engine, PreparedContext, VexilError, ready } from '../engine.js';
