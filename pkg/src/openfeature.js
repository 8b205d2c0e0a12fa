// OpenFeature providers over the Vexil client: a web provider (static context, for
// @openfeature/web-sdk) and a server provider (dynamic context, for @openfeature/server-sdk).
// Neither imports an SDK: the SDKs only call the provider interface and the `events` emitter's
// addHandler/removeHandler, and read errors by their `code`, so one module serves both.

import { Client, createClient } from 'vexil';

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

class Provider {
  metadata = { name: 'vexil' };
  events = new ProviderEvents();
  hooks = [];
  #client;
  #owned;
  #readyTimeout;
  #unsubscribe = [];

  /**
   * `source` is a Client, or the options for one (see `createClient`). `readyTimeout` bounds how
   * long `initialize` waits for the first snapshot (default 10 s).
   */
  constructor(source = {}, { readyTimeout = 10_000 } = {}) {
    this.#owned = !(source instanceof Client);
    this.#client = this.#owned ? createClient(source) : source;
    this.#readyTimeout = readyTimeout;
    const client = this.#client;
    this.#unsubscribe.push(
      client.on('change', ({ keys }) => this.events.emit(EVENTS.changed, { flagsChanged: keys })),
      client.on('stale', () => this.events.emit(EVENTS.stale, { message: 'serving a snapshot older than its TTL' })),
      client.on('fresh', () => this.events.emit(EVENTS.ready, { message: 'the snapshot is fresh again' })),
      client.on('error', ({ error }) => {
        // Before the first snapshot an error is the provider's state; afterwards the client keeps
        // serving the last good snapshot, which STALE reports when it is too old.
        if (!client.status.ready) this.events.emit(EVENTS.error, { message: String(error?.message ?? error) });
      }),
    );
  }

  /** The Vexil client behind the provider. */
  get client() {
    return this.#client;
  }

  async initialize() {
    if (!(await this.#client.ready({ timeout: this.#readyTimeout }))) {
      // The client keeps trying; its first snapshot will report READY through `ready` below.
      this.#unsubscribe.push(this.#client.on('ready', () => this.events.emit(EVENTS.ready)));
      throw new ProviderError('no snapshot could be loaded yet', 'PROVIDER_NOT_READY');
    }
  }

  async onClose() {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    if (this.#owned) this.#client.close();
  }

  _details(method, flagKey, defaultValue, context) {
    return resolution(this.#client[method](flagKey, defaultValue, context));
  }
}

/** For `@openfeature/web-sdk`: the context is set once (OpenFeature.setContext) and answers are synchronous. */
export class VexilWebProvider extends Provider {
  runsOn = 'client';

  async initialize(context) {
    if (context) this.client.setContext(context);
    await super.initialize();
  }

  onContextChange(_oldContext, newContext) {
    this.client.setContext(newContext ?? {});
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
