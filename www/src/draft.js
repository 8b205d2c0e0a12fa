// Unsaved drafts, shared between the editor (which writes them) and the preview (which
// evaluates them against the live document). Kept for the life of the page only.

const drafts = new Map();

/** The draft of flag `key` (a flag object), or undefined. `key` of a new flag is its own key. */
export function getDraft(key) {
  return drafts.get(key);
}

/** Every draft, as [key, flag object] pairs. */
export function allDrafts() {
  return [...drafts.entries()];
}

/** Records the draft of `key` and tells the page (`vexil:draft`, detail: { key }). */
export function setDraft(key, flag) {
  drafts.set(key, flag);
  document.dispatchEvent(new CustomEvent('vexil:draft', { detail: { key } }));
}

/** Forgets the draft of `key` (saved or discarded). */
export function clearDraft(key) {
  if (drafts.delete(key)) document.dispatchEvent(new CustomEvent('vexil:draft', { detail: { key } }));
}

/**
 * The live document with `flag` in place of the flag of the same key (or added at the end): the
 * snapshot the draft would publish. `documentObject` is not changed.
 */
export function withDraft(documentObject, flag) {
  const flags = [...(documentObject.flags ?? [])];
  const index = flags.findIndex((candidate) => candidate.key === flag.key);
  if (index >= 0) flags[index] = flag;
  else flags.push(flag);
  return { ...documentObject, flags };
}
