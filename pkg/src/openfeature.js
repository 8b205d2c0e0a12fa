// OpenFeature providers over the Vexil client: a web provider (static context, for
// @openfeature/web-sdk) and a server provider (dynamic context, for @openfeature/server-sdk).
// Neither imports an SDK: the SDKs only call the provider interface and the `events` emitter's
// addHandler/removeHandler, and read errors by their `code`, so one module serves both.
//
// Nor does this module import an entry of the package statically: a page built on `vexil/slim`
// hands its own client over, and importing the default entry here would load a second copy of
// the WebAssembly (from a URL esbuild never emits). A provider given options makes its client in
// `initialize()` through `import('vexil')`, which resolves to the runtime's entry: Vite and
// webpack put that entry (and its .wasm) in a chunk loaded only then; esbuild without code
// splitting inlines it, unevaluated until then.

const EVENTS = {
  ready: 'PROVIDER_READY',
  error: 'PROVIDER_ERROR',
  stale: 'PROVIDER_STALE',
  changed: 'PROVIDER_CONFIGURATION_CHANGED',
};

/** The event emitter the SDKs attach to (`provider.events`). */
class ProviderEvents {
  #handlers = new Map();

  addHandler(event, handler) {
    if (!this.#handlers.has(event)) this.#handlers.set(event, new Set());
    this.#handlers.get(event).add(handler);
  }

  removeHandler(event, handler) {
    this.#handlers.get(event)?.delete(handler);
  }

  removeAllHandlers(event) {
    if (event === undefined) this.#handlers.clear();
    else this.#handlers.delete(event);
  }

  getHandlers(event) {
    return [...(this.#handlers.get(event) ?? [])];
  }

  // Part of OpenFeature's ProviderEventEmitter interface; nothing here logs.
  setLogger() {
    return this;
  }

  emit(event, details = {}) {
    for (const handler of this.getHandlers(event)) {
      try {
        handler(details);
      } catch {
        // The SDK's handlers guard themselves; nothing here may break the provider.
      }
    }
  }
}

class ProviderError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'ProviderError';
    this.code = code;
  }
}

// A client result as OpenFeature's ResolutionDetails. The matched rule, and the engine's own
// reason under CACHED or STALE, travel in flagMetadata.
function resolution(details) {
  const flagMetadata = {};
  if (details.ruleId !== undefined) flagMetadata.ruleId = details.ruleId;
  if (details.engineReason !== undefined) flagMetadata.engineReason = details.engineReason;
  const result = { value: details.value, reason: details.reason, flagMetadata };
  if (details.variant !== null && details.variant !== undefined) result.variant = details.variant;
  if (details.errorCode) {
    result.errorCode = details.errorCode;
    result.errorMessage = details.errorMessage ?? details.errorCode;
  }
  return result;
}

// A Vexil client from any entry (`vexil`, `vexil/slim`, the Node, Deno and Workers builds),
// known by its shape: `instanceof` would need this module to import an entry. The `engine`
// getter sets it apart from vexil/remote's RemoteClient, whose answers take no context.
function isClient(value) {
  return typeof value?.getBooleanDetails === 'function' && typeof value.on === 'function' && 'engine' in value;
}

// The answer before a provider made from options has its client.
function notReady(defaultValue) {
  return {
    value: defaultValue,
    reason: 'ERROR',
    errorCode: 'PROVIDER_NOT_READY',
    errorMessage: 'the provider is not initialized yet',
    flagMetadata: {},
  };
}

class Provider {
  metadata = { name: 'vexil' };
  events = new ProviderEvents();
  hooks = [];
  #client;
  // The client's options when the provider makes (and owns) its client; undefined when given one.
  #options;
  #readyTimeout;
  // The client's event subscriptions while attached; null when not listening.
  #listening = null;
  // Counts onClose calls, so that an initialize that was waiting learns it was closed meanwhile.
  #closes = 0;

  /**
   * `source` is a Client made by any entry, or the options for one (see `createClient`), made in
   * `initialize`. `readyTimeout` bounds how long `initialize` waits for the first snapshot
   * (default 10 s).
   */
  constructor(source = {}, { readyTimeout = 10_000 } = {}) {
    if (isClient(source)) this.#client = source;
    else if (typeof source?.getBooleanDetails === 'function') {
      throw new TypeError('a Vexil provider takes a client of vexil or vexil/slim, or its options; a RemoteClient goes to VexilRemoteWebProvider (vexil/remote)');
    } else this.#options = source;
    this.#readyTimeout = readyTimeout;
  }

  /** The Vexil client behind the provider: undefined until `initialize` when made from options. */
  get client() {
    return this.#client;
  }

  async initialize() {
    const closes = this.#closes;
    const client = await this.#attach(closes);
    if (client === undefined) return;
    this._attached(client);
    if (!(await client.ready({ timeout: this.#readyTimeout })) && closes === this.#closes) {
      // The client keeps trying; its first snapshot will report READY through `ready` below.
      this.#listening.push(client.on('ready', () => this.events.emit(EVENTS.ready)));
      throw new ProviderError('no snapshot could be loaded yet', 'PROVIDER_NOT_READY');
    }
  }

  // The client, made now if the provider owns one and has none open, and listened to; undefined
  // if the provider was closed while the entry loaded (`closes` is the count before).
  async #attach(closes) {
    if (this.#options !== undefined && (this.#client === undefined || this.#client.status.closed)) {
      let entry;
      try {
        entry = await import('vexil');
      } catch (error) {
        throw new ProviderError(`the vexil entry could not be loaded: ${error?.message ?? error}`, 'GENERAL');
      }
      if (closes !== this.#closes) return undefined;
      this.#client = entry.createClient(this.#options);
    }
    this.#listening ??= this.#listen(this.#client);
    return this.#client;
  }

  #listen(client) {
    return [
      client.on('change', ({ keys }) => this.events.emit(EVENTS.changed, { flagsChanged: keys })),
      client.on('stale', () => this.events.emit(EVENTS.stale, { message: 'serving a snapshot older than its TTL' })),
      client.on('fresh', () => this.events.emit(EVENTS.ready, { message: 'the snapshot is fresh again' })),
      client.on('error', ({ error }) => {
        // Before the first snapshot an error is the provider's state; afterwards the client keeps
        // serving the last good snapshot, which STALE reports when it is too old.
        if (!client.status.ready) this.events.emit(EVENTS.error, { message: String(error?.message ?? error) });
      }),
    ];
  }

  // What a provider does with its client once attached, before waiting for a snapshot.
  _attached() {}

  async onClose() {
    this.#closes += 1;
    for (const unsubscribe of this.#listening?.splice(0) ?? []) unsubscribe();
    this.#listening = null;
    if (this.#options !== undefined) this.#client?.close();
  }

  _details(method, flagKey, defaultValue, context) {
    if (this.#client === undefined) return notReady(defaultValue);
    return resolution(this.#client[method](flagKey, defaultValue, context));
  }
}

/** For `@openfeature/web-sdk`: the context is set once (OpenFeature.setContext) and answers are synchronous. */
export class VexilWebProvider extends Provider {
  runsOn = 'client';
  #context;

  async initialize(context) {
    if (context) this.#context = context;
    await super.initialize();
  }

  _attached(client) {
    if (this.#context) client.setContext(this.#context);
  }

  onContextChange(_oldContext, newContext) {
    this.#context = newContext ?? {};
    this.client?.setContext(this.#context);
  }

  resolveBooleanEvaluation(flagKey, defaultValue) {
    return this._details('getBooleanDetails', flagKey, defaultValue);
  }

  resolveStringEvaluation(flagKey, defaultValue) {
    return this._details('getStringDetails', flagKey, defaultValue);
  }

  resolveNumberEvaluation(flagKey, defaultValue) {
    return this._details('getNumberDetails', flagKey, defaultValue);
  }

  resolveObjectEvaluation(flagKey, defaultValue) {
    return this._details('getObjectDetails', flagKey, defaultValue);
  }
}

/** For `@openfeature/server-sdk`: every evaluation brings its own context. */
export class VexilServerProvider extends Provider {
  runsOn = 'server';

  async resolveBooleanEvaluation(flagKey, defaultValue, context) {
    return this._details('getBooleanDetails', flagKey, defaultValue, context ?? {});
  }

  async resolveStringEvaluation(flagKey, defaultValue, context) {
    return this._details('getStringDetails', flagKey, defaultValue, context ?? {});
  }

  async resolveNumberEvaluation(flagKey, defaultValue, context) {
    return this._details('getNumberDetails', flagKey, defaultValue, context ?? {});
  }

  async resolveObjectEvaluation(flagKey, defaultValue, context) {
    return this._details('getObjectDetails', flagKey, defaultValue, context ?? {});
  }
}
