import type { Client, ClientOptions } from './client.js';

interface ProviderOptions {
  /** How long `initialize` waits for the first snapshot, in milliseconds. Default 10 000. */
  readonly readyTimeout?: number;
}

/** What both providers share: a Vexil client behind the OpenFeature provider interface. */
declare class VexilProvider {
  constructor(source?: Client | ClientOptions, options?: ProviderOptions);
  readonly metadata: { readonly name: string };
  readonly client: Client;
  // The rest is the OpenFeature provider interface of the matching SDK.
  [member: string]: unknown;
}

/**
 * For `@openfeature/web-sdk` (static context): answers synchronously from the Vexil client, and
 * reports READY, STALE, ERROR and CONFIGURATION_CHANGED (with the changed flag keys).
 */
export class VexilWebProvider extends VexilProvider {
  readonly runsOn: 'client';
}

/** For `@openfeature/server-sdk` (dynamic context): each evaluation brings its context. */
export class VexilServerProvider extends VexilProvider {
  readonly runsOn: 'server';
}
