// vexil/remote: one user's flags, evaluated by an endpoint rather than in the page. No
// WebAssembly and no imports, so a page that wants the smallest download pays a few kilobytes.
// The endpoint answers POST {context} with the shape of the service's bulk evaluation,
// {revision, flags: {key: {value, variant, reason, ruleId?, errorCode?}}}: the service itself
// (from a page with a client key, which sees only the client snapshot's flags) or a backend or
// edge worker of the page's own. Answers have the local client's shape, getters, events and
// reasons; nothing here throws at a caller who asks for a flag.

const TTL = 5 * 60 * 1000;
const TIMEOUT = 10 * 1000;
const RETRY = 1000;

// Each getter's expected type, checked as the engine checks a flag's declared type.
const TYPES = { Boolean: 'boolean', String: 'string', Number: 'number', Object: 'object' };

class RemoteError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/** A client that keeps one context's evaluated flags, fetched from `url`. */
export class RemoteClient {
  #options;
  #fetch;
  #context;
  #flags = null;
  #revision = null;
  // False while the loaded flags are not the endpoint's answer for the current context (from
  // `bootstrap`, or before the answer to setContext arrives): they then read CACHED.
  #confirmed = false;
  #stale = false;
  #failingSince;
  #failures = 0;
  #lastSuccess = null;
  #inflight = null;
  #abort = null;
  #timer;
  #closed = false;
  #listeners = new Map();
  #waiters = [];

  constructor(options = {}) {
    this.#options = { ...options, ttl: options.ttl ?? TTL, timeout: options.timeout ?? TIMEOUT };
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#context = options.context ?? {};
    if (options.bootstrap) this.#load(options.bootstrap, false);
    this.refresh();
  }

  // ---- fetching ------------------------------------------------------------------------------

  /** Asks the endpoint now (one request at a time); resolves when that attempt has finished. */
  refresh() {
    if (this.#closed) return Promise.resolve();
    if (this.#inflight) return this.#inflight;
    const attempt = this.#attempt().finally(() => {
      if (this.#inflight === attempt) this.#inflight = null;
    });
    return (this.#inflight = attempt);
  }

  /**
   * Uses `context` from now on and asks for its flags at once; resolves when they have arrived
   * (or the attempt failed). Until then the previous context's values answer, as CACHED.
   */
  setContext(context) {
    this.#context = context ?? {};
    this.#confirmed = false;
    // An answer for the previous context must not land after this one's.
    this.#abort?.abort();
    this.#inflight = null;
    return this.refresh();
  }

  async #attempt() {
    const context = this.#context;
    const controller = new AbortController();
    this.#abort = controller;
    clearTimeout(this.#timer);
    const timer = this.#wait(() => controller.abort(), this.#options.timeout);
    let next = this.#options.ttl;
    try {
      const response = await this.#fetch(String(this.#options.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...this.#options.headers },
        body: JSON.stringify(this.#options.flags ? { context, flags: this.#options.flags } : { context }),
        signal: controller.signal,
        cache: 'no-store',
      });
      if (!response.ok) throw new RemoteError(`the evaluation endpoint answered ${response.status}`, `HTTP_${response.status}`);
      const body = await response.json().catch(() => null);
      if (context !== this.#context) return;
      if (!body?.flags || typeof body.flags !== 'object') throw new RemoteError('the answer has no `flags` object', 'INVALID_RESPONSE');
      this.#load(body, true);
    } catch (error) {
      // Superseded by setContext or close(): that one reports for itself.
      if (context !== this.#context || this.#closed) return;
      const code = error.code ?? (controller.signal.aborted ? 'TIMEOUT' : 'NETWORK');
      next = this.#failed(error, code);
    } finally {
      clearTimeout(timer);
      if (this.#abort === controller) this.#abort = null;
    }
    if (!this.#closed && context === this.#context) this.#timer = this.#wait(() => this.refresh(), next);
  }

  // A timer that never keeps a Node process alive on its own.
  #wait(callback, ms) {
    const timer = setTimeout(callback, Math.min(ms, 2 ** 31 - 1));
    timer?.unref?.();
    return timer;
  }

  #load(body, confirmed) {
    const before = this.#flags;
    this.#flags = body.flags;
    this.#revision = body.revision ?? null;
    this.#confirmed = confirmed;
    if (confirmed) {
      this.#lastSuccess = Date.now();
      this.#failingSince = undefined;
      this.#failures = 0;
      if (this.#stale) {
        this.#stale = false;
        this.#emit('fresh', { revision: this.#revision });
      }
    }
    if (!before) {
      this.#emit('ready', { source: confirmed ? 'network' : 'bootstrap', revision: this.#revision });
      for (const resolve of this.#waiters.splice(0)) resolve(true);
      return;
    }
    const keys = Object.keys({ ...before, ...body.flags }).filter(
      (key) => JSON.stringify([before[key]?.value, before[key]?.variant]) !== JSON.stringify([body.flags[key]?.value, body.flags[key]?.variant]),
    );
    if (keys.length) this.#emit('change', { keys, revision: this.#revision, source: 'network' });
  }

  // Keeps the last answer; STALE once refreshing has failed for longer than the TTL, as the
  // local client does. Returns the wait before the next attempt: doubling, at most the TTL.
  #failed(error, code) {
    const now = Date.now();
    this.#failures += 1;
    this.#failingSince ??= now;
    this.#emit('error', { error, code, source: 'network' });
    if (this.#flags && !this.#stale && now - this.#failingSince > this.#options.ttl) {
      this.#stale = true;
      this.#emit('stale', { age: this.#lastSuccess && now - this.#lastSuccess, failingSince: this.#failingSince, revision: this.#revision });
    }
    return Math.min(this.#options.ttl, RETRY * 2 ** Math.min(this.#failures - 1, 20));
  }

  // ---- events and readiness ------------------------------------------------------------------

  /** Calls `handler` on `ready`, `change`, `stale`, `fresh` or `error`; returns a function that stops it. */
  on(event, handler) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(handler);
    return () => this.off(event, handler);
  }

  /** Stops calling `handler` on `event`. */
  off(event, handler) {
    this.#listeners.get(event)?.delete(handler);
  }

  #emit(event, payload) {
    for (const handler of [...(this.#listeners.get(event) ?? [])]) {
      try {
        handler(payload);
      } catch {
        // A listener's failure must not break the client or the other listeners.
      }
    }
  }

  /** Resolves `true` once flags are loaded, `false` if `timeout` ms pass first or on close(). Never rejects. */
  ready({ timeout } = {}) {
    if (this.#flags) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer;
      // The caller's wait holds a Node process while it waits, and not once it has settled.
      const settle = (value) => {
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((waiter) => waiter !== settle);
        resolve(value);
      };
      this.#waiters.push(settle);
      if (timeout < Infinity) timer = setTimeout(() => settle(false), timeout);
    });
  }

  /** Facts about the loaded flags and the last fetch. */
  get status() {
    return {
      ready: this.#flags !== null,
      revision: this.#revision,
      stale: this.#stale,
      lastSuccess: this.#lastSuccess,
      failingSince: this.#failingSince ?? null,
      failures: this.#failures,
      closed: this.#closed,
    };
  }

  // ---- evaluation ----------------------------------------------------------------------------

  #details(key, defaultValue, type) {
    const fail = (errorCode) => ({ value: defaultValue, variant: null, reason: 'ERROR', errorCode });
    if (!this.#flags) return fail('PROVIDER_NOT_READY');
    const result = Object.hasOwn(this.#flags, key) ? this.#flags[key] : undefined;
    if (!result) return fail('FLAG_NOT_FOUND');
    if (result.errorCode) return { ...fail(result.errorCode), errorMessage: result.errorMessage };
    const { value } = result;
    if (type === 'object' ? value === null || typeof value !== 'object' : typeof value !== type) return fail('TYPE_MISMATCH');
    const answer = { value, variant: result.variant ?? null, reason: result.reason };
    if (result.ruleId !== undefined) answer.ruleId = result.ruleId;
    const freshness = this.#stale ? 'STALE' : this.#confirmed ? null : 'CACHED';
    return freshness ? { ...answer, reason: freshness, engineReason: result.reason } : answer;
  }

  /** Every flag's value, by flag key, in an object without a prototype. */
  allFlags() {
    const values = Object.create(null);
    for (const [key, result] of Object.entries(this.#flags ?? {})) if (!result.errorCode) values[key] = result.value;
    return values;
  }

  /** Stops the timer and any request; the last flags keep answering. */
  close() {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort?.abort();
    for (const resolve of this.#waiters.splice(0)) resolve(false);
    this.#listeners.clear();
  }

  // getBooleanValue, getBooleanDetails, … as the local client names them (in the class body,
  // which alone may read #details).
  static {
    for (const [name, type] of Object.entries(TYPES)) {
      this.prototype[`get${name}Details`] = function (key, defaultValue) {
        return this.#details(key, defaultValue, type);
      };
      this.prototype[`get${name}Value`] = function (key, defaultValue) {
        return this.#details(key, defaultValue, type).value;
      };
    }
  }
}

/** Makes a remote client; see {@link RemoteClient}. */
export function createRemoteClient(options) {
  return new RemoteClient(options);
}

// ---- OpenFeature -------------------------------------------------------------------------------

/**
 * For `@openfeature/web-sdk`: answers from a RemoteClient (or the options for one, which it then
 * owns). A context change waits for the new context's flags, so the SDK reports RECONCILING.
 */
export class VexilRemoteWebProvider {
  metadata = { name: 'vexil-remote' };
  runsOn = 'client';
  hooks = [];
  #handlers = new Map();
  #owned;

  constructor(source = {}) {
    this.#owned = !(source instanceof RemoteClient);
    this.client = this.#owned ? createRemoteClient(source) : source;
    this.client.on('change', ({ keys }) => this.events.emit('PROVIDER_CONFIGURATION_CHANGED', { flagsChanged: keys }));
    this.client.on('stale', () => this.events.emit('PROVIDER_STALE'));
    this.client.on('fresh', () => this.events.emit('PROVIDER_READY'));
  }

  // The emitter the SDK attaches to.
  events = {
    addHandler: (event, handler) => this.#handlers.set(event, [...(this.#handlers.get(event) ?? []), handler]),
    removeHandler: (event, handler) => this.#handlers.set(event, (this.#handlers.get(event) ?? []).filter((h) => h !== handler)),
    removeAllHandlers: (event) => (event ? this.#handlers.delete(event) : this.#handlers.clear()),
    getHandlers: (event) => this.#handlers.get(event) ?? [],
    setLogger: () => this.events,
    emit: (event, details = {}) => {
      for (const handler of this.events.getHandlers(event)) {
        try {
          handler(details);
        } catch {
          // The SDK's handlers guard themselves.
        }
      }
    },
  };

  async initialize(context) {
    if (context) await this.client.setContext(context);
    if (!(await this.client.ready({ timeout: 10_000 }))) {
      this.client.on('ready', () => this.events.emit('PROVIDER_READY'));
      throw new RemoteError('no flags could be loaded yet', 'PROVIDER_NOT_READY');
    }
  }

  onContextChange(_old, context) {
    return this.client.setContext(context ?? {});
  }

  async onClose() {
    if (this.#owned) this.client.close();
  }
}

for (const name of Object.keys(TYPES)) {
  VexilRemoteWebProvider.prototype[`resolve${name}Evaluation`] = function (key, defaultValue) {
    const { ruleId, engineReason, variant, errorCode, errorMessage, ...result } = this.client[`get${name}Details`](key, defaultValue);
    result.flagMetadata = {};
    if (ruleId !== undefined) result.flagMetadata.ruleId = ruleId;
    if (engineReason) result.flagMetadata.engineReason = engineReason;
    if (variant !== null) result.variant = variant;
    if (errorCode) Object.assign(result, { errorCode, errorMessage: errorMessage ?? errorCode });
    return result;
  };
}
