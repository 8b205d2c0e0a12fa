// vexil/html: no imports at run time; the client and engine are typed structurally, so it
// compiles without the engine's types being loaded by the page.
import type { EvaluationContext, EvaluationResult } from './engine.js';
import type { RemoteEvaluation } from './remote.js';

/**
 * A snapshot or any JSON value (text or object) as text that is safe inside
 * `<script type="application/json">`: `<` and everything outside ASCII are escaped, so nothing
 * in it can close the element. `JSON.parse` reads it back unchanged.
 */
export function serializeSnapshot(snapshot: string | object): string;

/** What `evaluateFlags` evaluates with: a local client (its loaded engine) or an engine. */
export type Evaluator =
  | { readonly engine: { evaluateAll(context?: EvaluationContext): Array<EvaluationResult & { key: string }>; readonly revision: number } | null }
  | { evaluateAll(context?: EvaluationContext): Array<EvaluationResult & { key: string }>; readonly revision: number };

/**
 * One context's answers, `{revision, flags}`: the `bootstrap` of a `vexil/remote` client. Only
 * the flags in `keys` when given. Null while the client has no snapshot. Every flag of the
 * snapshot is answered: for a page, use a client key's snapshot (no server-only flags) or `keys`.
 */
export function evaluateFlags(client: Evaluator, context?: EvaluationContext, options?: { keys?: string[] }): RemoteEvaluation | null;

/**
 * `<script type="application/json" id="vexil-bootstrap">…</script>` holding one user's answers
 * or a client key's snapshot. Throws a TypeError for a snapshot with server-only flags or
 * segments. Empty for null or undefined.
 */
export function bootstrapScript(bootstrap: RemoteEvaluation | string | object | null | undefined, options?: { id?: string }): string;

/** The page's bootstrap, parsed; undefined when absent or unreadable. Never throws. */
export function readBootstrap<T = RemoteEvaluation>(options?: {
  id?: string;
  document?: { getElementById(id: string): { textContent: string | null } | null };
}): T | undefined;

export interface InjectOptions {
  /** Injects before the first occurrence of this tag's text, in any case (default `</head>`; must start with `<`); at the end without one. */
  before?: string;
}

/** A stream of an HTML page's bytes with `markup` injected; see `injectHtml`. */
export function injectionStream(markup: string, options?: InjectOptions): TransformStream<Uint8Array, Uint8Array>;

/**
 * `response` with `markup` injected as it streams, same status and headers less
 * `content-length`. A response that is not `text/html`, or has no body, is returned as it is.
 */
export function injectHtml(response: Response, markup: string, options?: InjectOptions): Response;

/** `response` with `bootstrapScript(bootstrap, { id })` injected (before `</head>` by default). */
export function injectBootstrap(
  response: Response,
  bootstrap: RemoteEvaluation | string | object | null | undefined,
  options?: InjectOptions & { id?: string },
): Response;

/** A `storage` for a server-side client that keeps the text of its last loaded snapshot. */
export function snapshotStorage(): {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  /** The snapshot text the client last loaded, or null. */
  readonly snapshot: string | null;
};
