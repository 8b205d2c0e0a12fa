// The providers' types are OpenFeature's own, taken from @openfeature/core, which both SDKs are
// built on (and require as a peer): one declaration then satisfies the web SDK's and the server
// SDK's Provider interfaces without importing either SDK, so a browser project needs no
// server SDK (nor its Node types) and a server project no web SDK. Only this entry point
// imports OpenFeature; `vexil` and `vexil/slim` compile without it.
import type {
  AnyProviderEvent,
  EvaluationContext,
  JsonValue,
  ProviderEventEmitter,
  ResolutionDetails,
} from '@openfeature/core';
import type { Client, ClientOptions } from './client.js';

export interface VexilProviderOptions {
  /** How long `initialize` waits for the first snapshot, in milliseconds. Default 10 000. */
  readonly readyTimeout?: number;
}

/** What both providers share: a Vexil client behind the OpenFeature provider interface. */
declare abstract class VexilProvider {
  /**
   * `source`: a Vexil client made by any entry (`vexil`, `vexil/slim`; yours to close), or the
   * options to make one, which `initialize` does through the `vexil` entry (closed with the
   * provider). Throws a TypeError for a `RemoteClient` (see `vexil/remote`).
   */
  constructor(source?: Client | ClientOptions, options?: VexilProviderOptions);
  readonly metadata: { readonly name: string };
  /**
   * The Vexil client behind the provider; `undefined` until `initialize` for a provider made from
   * options (until then it answers every flag with its default and `PROVIDER_NOT_READY`).
   */
  readonly client: Client | undefined;
  /** Where the SDK listens for READY, ERROR, STALE and CONFIGURATION_CHANGED. */
  readonly events: ProviderEventEmitter<AnyProviderEvent>;
  /** Resolves once a snapshot is loaded; rejects (PROVIDER_NOT_READY) after `readyTimeout`. */
  initialize(context?: EvaluationContext): Promise<void>;
  onClose(): Promise<void>;
}

/**
 * For `@openfeature/web-sdk` (static context): answers synchronously from the Vexil client, and
 * reports READY, STALE, ERROR and CONFIGURATION_CHANGED (with the changed flag keys).
 */
export class VexilWebProvider extends VexilProvider {
  readonly runsOn: 'client';
  onContextChange(oldContext: EvaluationContext, newContext: EvaluationContext): void;
  // The context is the static one (OpenFeature.setContext), so these take none.
  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): ResolutionDetails<boolean>;
  resolveStringEvaluation(flagKey: string, defaultValue: string): ResolutionDetails<string>;
  resolveNumberEvaluation(flagKey: string, defaultValue: number): ResolutionDetails<number>;
  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): ResolutionDetails<T>;
}

/** For `@openfeature/server-sdk` (dynamic context): each evaluation brings its context. */
export class VexilServerProvider extends VexilProvider {
  readonly runsOn: 'server';
  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context?: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>>;
  resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context?: EvaluationContext,
  ): Promise<ResolutionDetails<string>>;
  resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context?: EvaluationContext,
  ): Promise<ResolutionDetails<number>>;
  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context?: EvaluationContext,
  ): Promise<ResolutionDetails<T>>;
}

// Only the names above are the module's: the shared base class is not exported at run time.
export {};
