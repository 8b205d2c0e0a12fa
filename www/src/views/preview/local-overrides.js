// Local (QA) overrides: the package's own client, bootstrapped with the previewed document, keeps
// them, and answers overridden flags exactly as an SDK in this browser would (LOCAL_OVERRIDE).
// They persist in this browser's localStorage only; the snapshot itself is never stored.

import { createClient } from '../../engine.js';

/** Storage that keeps the client's overrides in localStorage and its snapshot copy nowhere. */
function overridesOnly() {
  const keep = (key) => key.endsWith(':overrides');
  return {
    getItem: (key) => (keep(key) ? localStorage.getItem(key) : null),
    setItem: (key, value) => { if (keep(key)) localStorage.setItem(key, value); },
    removeItem: (key) => { if (keep(key)) localStorage.removeItem(key); },
  };
}

const ACCESSORS = { boolean: 'getBooleanDetails', string: 'getStringDetails', number: 'getNumberDetails', object: 'getObjectDetails' };

/** The overrides of `environment`, answered against `snapshot` (text). */
export class LocalOverrides {
  #client;
  #environment;

  constructor(environment, snapshot) {
    this.#environment = environment;
    this.#client = createClient({
      bootstrap: snapshot, storage: overridesOnly(), storageKey: `vexil-console:${environment}`, stream: false,
    });
  }

  /** The same overrides against another document (after a new revision). */
  reload(snapshot) {
    this.#client.close();
    this.#client = new LocalOverrides(this.#environment, snapshot).#client;
  }

  /** flag key → variant. */
  all() {
    return this.#client.overrides();
  }

  set(key, variant) {
    this.#client.setOverride(key, variant);
  }

  clear(key) {
    this.#client.clearOverride(key);
  }

  /** The client's answer for an overridden `key` (reason LOCAL_OVERRIDE), or undefined. */
  result(key) {
    if (!(key in this.all())) return undefined;
    const type = this.#client.engine?.flag(key)?.type;
    const accessor = ACCESSORS[type];
    if (!accessor) return undefined;
    const result = this.#client[accessor](key, null);
    return result.reason === 'LOCAL_OVERRIDE' ? result : undefined;
  }

  close() {
    this.#client.close();
  }
}
