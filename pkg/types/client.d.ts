import type { Engine, EvaluationContext, EvaluationResult, JsonValue, Limits } from './engine.js';

/** Where a persisted copy of the snapshot is kept (localStorage has this shape). */
export interface SnapshotStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface ClientOptions {
  /** The config endpoint serving the snapshot. Without it, the client serves `bootstrap` only. */
  url?: string | URL;
  /** A snapshot to answer from at once (server-side rendering, tests): text, bytes or an object. */
  bootstrap?: string | Uint8Array | object;
  /** The context used when a call gives none. */
  context?: EvaluationContext;
  /** Milliseconds between refreshes. Default 5 minutes. */
  ttl?: number;
  /** Random spread of each wait, as a fraction (0.1 = ±10 %). Default 0.1. */
  jitter?: number;
  /** Milliseconds before a request is abandoned. Default 10 seconds. */
  timeout?: number;
  /**
   * Waits after failures: doubling from `initial` up to `max` milliseconds; `max` at once when
   * the endpoint refuses the request (401, 403, 404, other 4xx but 408 and 429). `Retry-After`
   * lengthens a wait up to `max`, never past it.
   */
  backoff?: { initial?: number; max?: number };
  /** The largest response body read, in bytes. Default: `limits.maxDocumentBytes`, else 16 MiB. */
  maxBodyBytes?: number;
  /** Follow redirects to another origin than `url`'s. Default false: such a redirect is an error. */
  allowCrossOriginRedirects?: boolean;
  /** Extra request headers (an API key, for instance). */
  headers?: Record<string, string>;
  /** Where the last good snapshot is persisted. Default: localStorage in browsers, memory elsewhere; null for memory. */
  storage?: SnapshotStorage | null;
  /** The storage key. Default `vexil:` followed by the URL. */
  storageKey?: string;
  /**
   * Live updates: open the stream a snapshot response offers in `X-Vexil-Stream` (the Vexil
   * service does), with `headers`, and fetch each newer revision it announces at once; polling
   * every `ttl` goes on as the fallback. Default: true, except in Cloudflare Workers, where
   * nothing may outlive the request that started it (there, `true` opens it for the request's
   * lifetime). `false` never opens it.
   */
  stream?: boolean;
  /** Stop polling while a browser tab is hidden. Default true. */
  pauseWhenHidden?: boolean;
  /** Snapshot limits for the engine. */
  limits?: Limits;
  /** Called after every evaluation (exposure logging). */
  onEvaluation?: (event: EvaluationResult & { key: string }) => void;
  /** Where `flush()` posts evaluation counts; flushed every `flushInterval` ms and on page hide. */
  eventsUrl?: string | URL;
  flushInterval?: number;
  /** Injectable for tests and unusual runtimes. */
  fetch?: typeof fetch;
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  now?: () => number;
  random?: () => number;
}

/**
 * A result from the client: the engine's, or CACHED / STALE / LOCAL_OVERRIDE as the case may be.
 * A client made from a `bootstrap` without a `url` gives the engine's reasons, never CACHED.
 */
export interface ClientResult<T> extends Omit<EvaluationResult<T>, 'reason' | 'errorCode'> {
  reason: EvaluationResult['reason'] | 'CACHED' | 'STALE' | 'LOCAL_OVERRIDE';
  errorCode?: EvaluationResult['errorCode'] | 'PROVIDER_NOT_READY';
  /** With CACHED or STALE: the reason the engine gave. */
  engineReason?: EvaluationResult['reason'];
}

export interface ClientEvents {
  ready: { source: 'bootstrap' | 'storage' | 'network'; revision: number };
  /** `keys`: the flags added, removed or whose text changed, in snapshot order (removed last). */
  change: { keys: string[]; revision: number; source: 'bootstrap' | 'storage' | 'network' };
  /** `age`: since the last successful refresh (null if none); `failingSince`: when refreshing started failing. */
  stale: { age: number | null; failingSince: number; revision: number };
  fresh: { revision: number | null };
  /**
   * `source`: `'network'` (a refresh), `'stream'` (the live stream failed or ended, and is
   * opened again after the backoff), `'storage'`, `'bootstrap'` or `'events'`.
   */
  error: { error: Error; code: string; source: string };
}

export interface ClientStatus {
  ready: boolean;
  revision: number | null;
  source: 'bootstrap' | 'storage' | 'network' | null;
  stale: boolean;
  lastSuccess: number | null;
  /** When the first failed refresh since the last success was, or null while refreshing succeeds. */
  failingSince: number | null;
  failures: number;
  closed: boolean;
}

export interface ClientStats {
  /** `variants`: variant key → count, in an object without a prototype. */
  flags: { flag: string; variants: Record<string, number>; errors: number }[];
}

/** Keeps the newest good snapshot of one config endpoint and answers from it. Never throws on evaluation. */
export class Client {
  constructor(options?: ClientOptions);
  readonly status: ClientStatus;
  readonly engine: Engine | null;
  ready(options?: { timeout?: number }): Promise<boolean>;
  refresh(): Promise<void>;
  /**
   * For runtimes whose timers do not run between requests (Cloudflare Workers): call it on each
   * request. When the next refresh is due (the TTL, or the backoff after a failure, has passed)
   * and none is in flight, starts one and hands it to `ctx.waitUntil`.
   */
  refreshIfDue(ctx: { waitUntil(promise: Promise<unknown>): void }): void;
  on<E extends keyof ClientEvents>(event: E, handler: (payload: ClientEvents[E]) => void): () => void;
  off<E extends keyof ClientEvents>(event: E, handler: (payload: ClientEvents[E]) => void): void;
  setContext(context: EvaluationContext): void;
  getBooleanValue(key: string, defaultValue: boolean, context?: EvaluationContext): boolean;
  getStringValue(key: string, defaultValue: string, context?: EvaluationContext): string;
  getNumberValue(key: string, defaultValue: number, context?: EvaluationContext): number;
  getObjectValue<T extends JsonValue>(key: string, defaultValue: T, context?: EvaluationContext): T;
  getBooleanDetails(key: string, defaultValue: boolean, context?: EvaluationContext): ClientResult<boolean>;
  getStringDetails(key: string, defaultValue: string, context?: EvaluationContext): ClientResult<string>;
  getNumberDetails(key: string, defaultValue: number, context?: EvaluationContext): ClientResult<number>;
  getObjectDetails<T extends JsonValue>(key: string, defaultValue: T, context?: EvaluationContext): ClientResult<T>;
  /**
   * Every flag's value, by flag key, in an object without a prototype: a flag called
   * `__proto__` or `constructor` is an own property like any other, and nothing is inherited.
   */
  allFlags(context?: EvaluationContext): Record<string, JsonValue>;
  setOverride(key: string, variant: string): void;
  clearOverride(key?: string): void;
  /** The local overrides, flag key → variant, in an object without a prototype. */
  overrides(): Record<string, string>;
  stats(): ClientStats;
  flush(options?: { beacon?: boolean }): Promise<ClientStats>;
  /**
   * Stops every timer, request and listener, and frees the engine's WebAssembly memory. A closed
   * client still answers from its last snapshot, loading it again; close it again to free that.
   */
  close(): void;
  /** `close()`, for `using` (where the runtime has `Symbol.dispose`). */
  [Symbol.dispose](): void;
}

export function createClient(options?: ClientOptions): Client;
