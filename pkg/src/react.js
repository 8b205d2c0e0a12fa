// React bindings: a provider that hands a Vexil client to a tree, and hooks that answer from it
// and render again when it loads a snapshot. Thin on purpose: every answer is the client's own
// (the same reasons, overrides and defaults), nothing is cached here, and this module imports
// only React (and vexil/html, which imports nothing), so it works with any entry (`vexil`, `vexil/slim`) and on the server.
//
// The store React watches is the client's loaded engine: a new object each time a snapshot is
// accepted, null before the first. useSyncExternalStore re-renders on `ready` and `change`, and
// compares that object before committing, so one render never mixes two snapshots. The server
// snapshot function is the same one, so a server render and a hydration read whatever the
// client has loaded: bootstrap both with the same snapshot and they agree. Where the browser's
// engine may still be on its way when React hydrates (an app that cannot wait for `ready()`
// first, such as Next.js's), the server's own answers stand in for it until it has loaded.

import { createContext, createElement, useContext, useMemo, useSyncExternalStore } from 'react';

const VexilContext = createContext(null);

/**
 * Gives `client` (and an optional evaluation `context`, merged over the client's own) to the
 * hooks below it. A new `context` object renders the hooks again, which is how a page changes
 * whom it evaluates for. `answers` (`{ flags: { key: result } }`, the server's results for this
 * context) answer the hooks while the client has no snapshot loaded.
 */
export function VexilProvider({ client, context, answers, children }) {
  const value = useMemo(() => ({ client, context, answers }), [client, context, answers]);
  return createElement(VexilContext.Provider, { value }, children);
}

function useVexil() {
  const value = useContext(VexilContext);
  if (!value?.client) throw new Error('vexil/react: the hooks need a <VexilProvider client={...}> above them');
  return value;
}

// Re-renders on a new snapshot; returns the engine it renders with (only its identity matters).
function useSnapshot(client) {
  const subscribe = useMemo(
    () => (notify) => {
      const stops = [client.on('ready', notify), client.on('change', notify)];
      return () => stops.forEach((stop) => stop());
    },
    [client],
  );
  const engine = () => client.engine;
  return useSyncExternalStore(subscribe, engine, engine);
}

// The client's typed getter for a default's type: a flag of another type answers the default
// with TYPE_MISMATCH, as it does everywhere else.
function details(client, key, defaultValue, context) {
  switch (typeof defaultValue) {
    case 'boolean':
      return client.getBooleanDetails(key, defaultValue, context);
    case 'string':
      return client.getStringDetails(key, defaultValue, context);
    case 'number':
      return client.getNumberDetails(key, defaultValue, context);
    default:
      return client.getObjectDetails(key, defaultValue, context);
  }
}

// The server's answer for `key`, if the provider was given one of the default's type (as the
// client would answer: another type gives the default, which the client then says why).
function answered(answers, key, defaultValue) {
  const answer = Object.hasOwn(answers?.flags ?? {}, key) ? answers.flags[key] : undefined;
  if (answer === null || typeof answer !== 'object') return undefined;
  const kind = (value) => (value === null || Array.isArray(value) ? 'object' : typeof value);
  return kind(answer.value) === kind(defaultValue) ? answer : undefined;
}

/** `{ value, variant, reason, errorCode?, ... }` of flag `key`, typed by `defaultValue`. */
export function useFlagDetails(key, defaultValue) {
  const { client, context, answers } = useVexil();
  const engine = useSnapshot(client);
  // Object defaults written inline are new each render: they are compared by value.
  const fallback = typeof defaultValue === 'object' && defaultValue !== null ? JSON.stringify(defaultValue) : defaultValue;
  return useMemo(
    () => (engine ? undefined : answered(answers, key, defaultValue)) ?? details(client, key, defaultValue, context),
    [client, engine, key, fallback, context, answers],
  );
}

/** The value of flag `key`, or `defaultValue` (whose type is the type asked for). */
export function useFlag(key, defaultValue) {
  return useFlagDetails(key, defaultValue).value;
}

/** Every flag's value, key → value (empty until the client has a snapshot). */
export function useFlags() {
  const { client, context, answers } = useVexil();
  const engine = useSnapshot(client);
  return useMemo(() => {
    if (engine || !answers?.flags) return client.allFlags(context);
    const values = Object.create(null);
    for (const [key, answer] of Object.entries(answers.flags)) values[key] = answer?.value;
    return values;
  }, [client, engine, context, answers]);
}

/** The client given to the nearest `<VexilProvider>`. */
export function useVexilClient() {
  return useVexil().client;
}

// Moved to vexil/html, which server code and pages can import without React; still here so
// that imports of it from vexil/react keep working.
export { serializeSnapshot } from './html.js';
