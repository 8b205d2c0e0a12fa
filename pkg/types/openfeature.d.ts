import type { Client, ClientOptions } from './client.js';

interface ProviderOptions {
  /** How long `initialize` waits for the first snapshot, in milliseconds. Default 10 000. */
  readyTimeout?: number;
}

/**
 * For `@openfeature/web-sdk` (static context): answers synchronously from the Vexil client, and
 * reports READY, STALE, ERROR and CONFIGURATION_CHANGED (with the changed flag keys).
 */
export class VexilWebProvider {
  constructor(source?: Client | ClientOptions, options?: ProviderOptions);
  readonly metadata: { readonly name: string };
  readonly runsOn: 'client';
  readonly client: Client;
  // The OpenFeature provider interface; see @openfeature/web-sdk's `Provider`.
  [member: string]: unknown;
}

/** For `@openfeature/server-sdk` (dynamic context): each evaluation brings its context. */
export class VexilServerProvider {
  constructor(source?: Client | ClientOptions, options?: ProviderOptions);
  readonly metadata: { readonly name: string };
  readonly runsOn: 'server';
  readonly client: Client;
  // The OpenFeature provider interface; see @openfeature/server-sdk's `Provider`.
  [member: string]: unknown;
}
