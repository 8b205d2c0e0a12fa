declare global {
  interface SymbolConstructor {
    /**
     * The symbol behind `using` (explicit resource management), declared here as TypeScript's
     * own `esnext` library does, so that these declarations compile with older libraries too.
     */
    readonly dispose: unique symbol;
  }
}

/** The reasons an evaluation gives, in OpenFeature's vocabulary plus `OVERRIDE` and `PREREQUISITE_FAILED`. */
export type Reason =
  | 'STATIC'
  | 'DEFAULT'
  | 'TARGETING_MATCH'
  | 'SPLIT'
  | 'DISABLED'
  | 'OVERRIDE'
  | 'PREREQUISITE_FAILED'
  | 'ERROR';

/**
 * Why an evaluation served the default: OpenFeature's codes, plus `INVALID_INSTANT` (the `now`
 * option is not a Date, Unix milliseconds or RFC 3339 text). A context that cannot be read (a
 * getter, `toJSON` or Proxy that throws, a cycle, a BigInt) is `INVALID_CONTEXT`; a key that is
 * not a string is `FLAG_NOT_FOUND`; options that cannot be read or an unknown `type` are
 * `GENERAL`, as is a failure of the engine itself.
 */
export type ErrorCode =
  | 'FLAG_NOT_FOUND'
  | 'PARSE_ERROR'
  | 'TYPE_MISMATCH'
  | 'TARGETING_KEY_MISSING'
  | 'INVALID_CONTEXT'
  | 'INVALID_INSTANT'
  | 'GENERAL';

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A single context value: `null` means the attribute is absent; a `Date` is read as its RFC 3339 text. */
export type ContextScalar = null | boolean | number | string | Date;

/**
 * A context attribute's value: a scalar or a list of them. Contexts are flat: a nested object
 * answers `INVALID_CONTEXT` (name the attribute `address.country` instead). Every such value is
 * also an OpenFeature `EvaluationContextValue`.
 */
export type ContextValue = ContextScalar | ContextScalar[];

/**
 * The attributes of the user or request being evaluated. `targetingKey` identifies it. Shaped as
 * OpenFeature's `EvaluationContext` is (a type rather than an interface: an optional
 * `targetingKey` beside an index signature is only allowed in this form under `strict`), so a
 * Vexil context is an OpenFeature context as it is.
 */
export type EvaluationContext = { targetingKey?: string } & Record<string, ContextValue>;

/** The outcome of one evaluation. */
export interface EvaluationResult<T = JsonValue> {
  /** The served variant's value, or the default when no variant was served. */
  value: T;
  /** The served variant's key, or null. */
  variant: string | null;
  reason: Reason;
  /** Present when the default was served because something was wrong. */
  errorCode?: ErrorCode;
  /** What was wrong, for people. */
  errorMessage?: string;
  /** The id of the rule that matched, if one did. */
  ruleId?: string;
}

/** When to evaluate: a Date, Unix milliseconds, or RFC 3339 text (to the nanosecond). */
export type Instant = Date | number | string;

export interface EvaluateOptions {
  /** Default: the current time. Anything else than an {@link Instant} gives `INVALID_INSTANT`. */
  now?: Instant;
}

export interface PlainEvaluateOptions<T = JsonValue> extends EvaluateOptions {
  /** Returned as `value` when no variant is served. Default: null. */
  defaultValue?: T;
  /** Ask for a flag of this type; another type gives `TYPE_MISMATCH`. */
  type?: 'boolean' | 'string' | 'number' | 'object';
}

/** Snapshot limits (see the snapshot format's documentation); each optional. */
export interface Limits {
  maxDocumentBytes?: number;
  maxJsonDepth?: number;
  maxFlags?: number;
  maxSegments?: number;
  maxVariants?: number;
  maxRules?: number;
  maxConditions?: number;
  maxListValues?: number;
  maxKeyBytes?: number;
  maxStringBytes?: number;
  maxRegexBytes?: number;
  /** Compiled size of one `matches` pattern, in bytes (over it: an `invalid-regex` diagnostic). */
  maxRegexProgramBytes?: number;
  /** Compiled size of all of a snapshot's patterns together (over it: `invalid-regex`). */
  maxRegexTotalBytes?: number;
  /** Work one evaluation may do, in cost units; over it the evaluation answers `GENERAL`. */
  maxEvaluationCost?: number;
  maxPrerequisiteDepth?: number;
  maxContextAttributes?: number;
  maxContextStringBytes?: number;
  maxContextListItems?: number;
}

export interface EngineOptions {
  limits?: Limits;
}

/** A problem confined to one flag or segment; everything else works. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  code: string;
  path: string;
  flag?: string;
  segment?: string;
  message: string;
}

/** What a snapshot says about one flag. */
export interface FlagInfo {
  key: string;
  type: 'boolean' | 'string' | 'number' | 'object' | null;
  /** False when the flag has error diagnostics (it then evaluates to `PARSE_ERROR`). */
  valid: boolean;
  enabled: boolean;
  /** `[variant, value]` pairs in snapshot order. */
  variants: ReadonlyArray<readonly [string, JsonValue]>;
  /** Rule ids in order. */
  rules: readonly string[];
  metadata: {
    description?: string;
    owner?: string;
    tags?: readonly string[];
    version?: number;
    changedAt?: string;
  };
}

/** One step of an explanation (see the evaluation documentation for every kind). */
export interface Step {
  step: string;
  [detail: string]: unknown;
}

export interface Explanation {
  evaluation: EvaluationResult;
  steps: Step[];
}

export interface FlagStats {
  flag: string;
  evaluations: number;
  errors: number;
  withoutVariant: number;
  variants: { variant: string; count: number }[];
}

export interface Stats {
  flags: FlagStats[];
  unknownFlagEvaluations: number;
}

/** Thrown for input that cannot be used at all: a snapshot, limits, or a missing initialisation. */
export class VexilError extends Error {
  /** `NOT_JSON`, `SHAPE`, `UNSUPPORTED_SCHEMA_VERSION`, `LIMIT_…`, `INVALID_LIMITS`, `NOT_INITIALIZED`, `GENERAL`. */
  readonly code: string;
  /** The JSON path of the problem, when there is one. */
  readonly path?: string;
}

/**
 * Resolves once engines can be made. In Node, Deno and Workers that is at once; in browsers the
 * WebAssembly is fetched after the import (which it never holds up), and until it is there
 * `new Engine(...)` throws `NOT_INITIALIZED` while clients answer with the caller's default and
 * `PROVIDER_NOT_READY`. Rejects if the WebAssembly could not be loaded. With `vexil/slim`, it
 * resolves when `initialize` has succeeded.
 */
export function ready(): Promise<void>;

/** A context handed to an engine once, for many fast evaluations. */
export class PreparedContext {
  private constructor();
  /** Releases its WebAssembly memory now rather than when garbage-collected. */
  free(): void;
  /** `free()`, for `using` (where the runtime has `Symbol.dispose`). */
  [Symbol.dispose](): void;
}

/** A compiled flag snapshot. Evaluation never throws. */
export class Engine {
  /**
   * Loads a snapshot; throws a {@link VexilError} when it cannot be used at all, or with
   * `NOT_INITIALIZED` before {@link ready} has resolved.
   */
  constructor(snapshot: string | Uint8Array | ArrayBuffer | object, options?: EngineOptions);
  readonly revision: number;
  readonly schemaVersion: number;
  readonly generatedAt: string;
  readonly environment: string | null;
  readonly flagKeys: string[];
  flag(key: string): FlagInfo | undefined;
  diagnostics(): readonly Diagnostic[];
  prepare(context: EvaluationContext): PreparedContext;
  evaluate<T = JsonValue>(
    key: string,
    context?: EvaluationContext | PreparedContext,
    options?: PlainEvaluateOptions<T>,
  ): EvaluationResult<T | null>;
  booleanDetails(
    key: string,
    defaultValue: boolean,
    context?: EvaluationContext | PreparedContext,
    options?: EvaluateOptions,
  ): EvaluationResult<boolean>;
  stringDetails(
    key: string,
    defaultValue: string,
    context?: EvaluationContext | PreparedContext,
    options?: EvaluateOptions,
  ): EvaluationResult<string>;
  numberDetails(
    key: string,
    defaultValue: number,
    context?: EvaluationContext | PreparedContext,
    options?: EvaluateOptions,
  ): EvaluationResult<number>;
  objectDetails<T extends JsonValue = JsonValue>(
    key: string,
    defaultValue: T,
    context?: EvaluationContext | PreparedContext,
    options?: EvaluateOptions,
  ): EvaluationResult<T>;
  /**
   * Every flag, in snapshot order; each result carries its flag's key. The results are frozen
   * and shared: the same answer of a flag is the same object from call to call.
   */
  evaluateAll(
    context?: EvaluationContext | PreparedContext,
    options?: EvaluateOptions,
  ): Array<Readonly<EvaluationResult & { key: string }>>;
  explain(key: string, context?: EvaluationContext | PreparedContext, options?: EvaluateOptions): Explanation;
  stats(): Stats;
  resetStats(): void;
  /**
   * Releases the engine's WebAssembly memory now (not the contexts prepared for it, which have
   * their own `free`); a later call loads the snapshot again.
   */
  free(): void;
  /** `free()`, for `using` (where the runtime has `Symbol.dispose`). */
  [Symbol.dispose](): void;
}
