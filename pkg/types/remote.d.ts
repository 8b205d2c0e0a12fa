// vexil/remote: no WebAssembly, no OpenFeature import (the provider is typed structurally, so a
// project without the OpenFeature SDKs compiles too).
import type { EvaluationContext, EvaluationResult, JsonValue } from './engine.js';

/** What the endpoint answers to `POST {context, flags?}`: the service's bulk evaluation shape. */
export interface RemoteEvaluation {
  environment?: string;
  revision?: number | null;
  flags: Record<string, { value: JsonValue; variant?: string | null; reason: string; ruleId?: string; errorCode?: string; errorMessage?: string }>;
}

export interface RemoteClientOptions {
  /** The evaluation endpoint: your backend or edge worker, or the service's `/api/v1/evaluate` (from a server). */
  url: string | URL;
  /** The context sent. */
  context?: EvaluationContext;
  /** Extra request headers: `authorization: 'Bearer <client key>'` when `url` is the service's `/api/v1/evaluate` (a server key only from a server). */
  headers?: Record<string, string>;
  /** Milliseconds between refreshes, and how long failures may go on before answers read STALE. Default 5 minutes. */
  ttl?: number;
  /** Milliseconds before a request is abandoned. Default 10 seconds. */
  timeout?: number;
  /** Only these flags (default: all the endpoint gives). */
  flags?: string[];
  /** An answer to serve at once (server rendering); it reads CACHED until the endpoint confirms it. */
  bootstrap?: RemoteEvaluation;
  /** Injectable for tests and unusual runtimes. */
  fetch?: typeof fetch;
}

/** A result: the endpoint's, CACHED (bootstrap, or the previous context's until the new one's arrive) or STALE. */
export interface RemoteResult<T> extends Omit<EvaluationResult<T>, 'reason' | 'errorCode'> {
  reason: EvaluationResult['reason'] | 'CACHED' | 'STALE';
  errorCode?: EvaluationResult['errorCode'] | 'PROVIDER_NOT_READY';
  /** With CACHED or STALE: the reason the endpoint gave. */
  engineReason?: EvaluationResult['reason'];
}

export interface RemoteClientEvents {
  ready: { source: 'bootstrap' | 'network'; revision: number | null };
  /** `keys`: the flags whose value or variant changed (a new revision or a new context). */
  change: { keys: string[]; revision: number | null; source: 'network' };
  stale: { age: number | null; failingSince: number; revision: number | null };
  fresh: { revision: number | null };
  error: { error: Error; code: string; source: 'network' };
}

export interface RemoteClientStatus {
  ready: boolean;
  revision: number | null;
  stale: boolean;
  lastSuccess: number | null;
  failingSince: number | null;
  failures: number;
  closed: boolean;
}

/** Keeps one context's flags, evaluated by an endpoint. Never throws on evaluation. */
export class RemoteClient {
  constructor(options: RemoteClientOptions);
  readonly status: RemoteClientStatus;
  ready(options?: { timeout?: number }): Promise<boolean>;
  refresh(): Promise<void>;
  /** Asks for `context`'s flags at once; resolves when they have arrived or the attempt failed. */
  setContext(context: EvaluationContext): Promise<void>;
  on<E extends keyof RemoteClientEvents>(event: E, handler: (payload: RemoteClientEvents[E]) => void): () => void;
  off<E extends keyof RemoteClientEvents>(event: E, handler: (payload: RemoteClientEvents[E]) => void): void;
  getBooleanValue(key: string, defaultValue: boolean): boolean;
  getStringValue(key: string, defaultValue: string): string;
  getNumberValue(key: string, defaultValue: number): number;
  getObjectValue<T extends JsonValue>(key: string, defaultValue: T): T;
  getBooleanDetails(key: string, defaultValue: boolean): RemoteResult<boolean>;
  getStringDetails(key: string, defaultValue: string): RemoteResult<string>;
  getNumberDetails(key: string, defaultValue: number): RemoteResult<number>;
  getObjectDetails<T extends JsonValue>(key: string, defaultValue: T): RemoteResult<T>;
  /** Every flag's value, by key, in an object without a prototype. */
  allFlags(): Record<string, JsonValue>;
  /** Stops the timer and any request; the last flags keep answering. */
  close(): void;
}

export function createRemoteClient(options: RemoteClientOptions): RemoteClient;

/** OpenFeature's ResolutionDetails, as the provider gives them. */
export interface RemoteResolution<T> {
  value: T;
  variant?: string;
  reason: string;
  // OpenFeature's ErrorCode is an enum, which no string type is assignable to without importing
  // it; this file imports nothing from OpenFeature, so the code is typed loosely here.
  errorCode?: any;
  errorMessage?: string;
  flagMetadata: Record<string, string>;
}

/** The emitter the OpenFeature SDK attaches to (OpenFeature's ProviderEventEmitter, structurally). */
export interface RemoteProviderEvents {
  addHandler(event: any, handler: (...args: any[]) => unknown): void;
  removeHandler(event: any, handler: (...args: any[]) => unknown): void;
  removeAllHandlers(event?: any): void;
  getHandlers(event: any): ((...args: any[]) => unknown)[];
  setLogger(logger: unknown): RemoteProviderEvents;
  emit(event: any, details?: object): void;
}

/** For `@openfeature/web-sdk`: answers from a RemoteClient (yours to close) or the options for one (closed with the provider). */
export class VexilRemoteWebProvider {
  constructor(source: RemoteClient | RemoteClientOptions);
  readonly metadata: { readonly name: string };
  readonly runsOn: 'client';
  readonly hooks: [];
  readonly client: RemoteClient;
  /** Where the SDK listens for READY, STALE and CONFIGURATION_CHANGED. */
  readonly events: RemoteProviderEvents;
  initialize(context?: object): Promise<void>;
  /** Waits for the new context's flags (the SDK reports RECONCILING meanwhile). */
  onContextChange(oldContext: object, newContext: object): Promise<void>;
  onClose(): Promise<void>;
  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): RemoteResolution<boolean>;
  resolveStringEvaluation(flagKey: string, defaultValue: string): RemoteResolution<string>;
  resolveNumberEvaluation(flagKey: string, defaultValue: number): RemoteResolution<number>;
  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): RemoteResolution<T>;
}
