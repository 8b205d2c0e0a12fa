import type { ReactElement, ReactNode } from 'react';

import type { Client, ClientResult } from './client.js';
import type { EvaluationContext, JsonValue } from './engine.js';
import type { RemoteEvaluation } from './remote.js';

export interface VexilProviderProps {
  /** The client the hooks answer from (any entry's: `vexil`, `vexil/slim`). */
  client: Client;
  /** Merged over the client's own context for every hook below; a new object renders them again. */
  context?: EvaluationContext;
  /**
   * The server's results for this `context` (`evaluateFlags(client, context)` of `vexil/html`), answering the hooks
   * while the client has no snapshot loaded, so that a page hydrated before the browser's
   * WebAssembly has arrived renders what the server rendered.
   */
  answers?: RemoteEvaluation | null;
  children?: ReactNode;
}

/** Gives a client (and a context) to the hooks below it. */
export function VexilProvider(props: VexilProviderProps): ReactElement;

/** The value of a flag, or `defaultValue`; renders again when the client loads a snapshot. */
export function useFlag(key: string, defaultValue: boolean): boolean;
export function useFlag(key: string, defaultValue: string): string;
export function useFlag(key: string, defaultValue: number): number;
export function useFlag<T extends JsonValue>(key: string, defaultValue: T): T;

/** `{ value, variant, reason, errorCode?, ... }` of a flag, typed by `defaultValue`. */
export function useFlagDetails(key: string, defaultValue: boolean): ClientResult<boolean>;
export function useFlagDetails(key: string, defaultValue: string): ClientResult<string>;
export function useFlagDetails(key: string, defaultValue: number): ClientResult<number>;
export function useFlagDetails<T extends JsonValue>(key: string, defaultValue: T): ClientResult<T>;

/** Every flag's value, key → value (empty until the client has a snapshot). */
export function useFlags(): Record<string, JsonValue>;

/** The client given to the nearest `<VexilProvider>`. */
export function useVexilClient(): Client;

/** The same as `serializeSnapshot` of `vexil/html`, where it now lives. */
export { serializeSnapshot } from './html.js';
