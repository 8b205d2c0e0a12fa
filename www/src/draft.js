// Unsaved drafts, shared between the editor (which writes them) and the preview (which
// evaluates them against the live document). Kept for the life of the page only.

const drafts = new Map();
/** Per flag, the service's per-user overrides ({ targetingKey, variant }), as last read. */
const perUser = new Map();

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
 * Records the per-user overrides the service holds for `key` (GET /flags/{key}/overrides), so
 * that a draft is previewed as the service would publish it: a flag's definition as written
 * does not list them, the published one does.
 */
export function rememberPerUserOverrides(key, rows) {
  perUser.set(key, rows.map(({ targetingKey, variant }) => ({ targetingKey, variant })));
}

/**
 * `flag` with the per-user overrides known for it merged into its `overrides`, as the service
 * publishes it: each such key taken out of the definition's own lists and added to its
 * variant's list (a new list at the end if the definition has none). Merging twice changes
 * nothing, so a flag copied from the published document may be given too.
 */
export function asPublished(flag) {
  const rows = perUser.get(flag.key) ?? [];
  if (rows.length === 0 || !Array.isArray(flag.overrides ?? [])) return flag;
  const forced = new Set(rows.map((row) => row.targetingKey));
  const lists = (flag.overrides ?? []).map((entry) => ({
    variant: entry?.variant,
    keys: Array.isArray(entry?.keys) ? entry.keys.filter((key) => !forced.has(key)) : entry?.keys,
  }));
  for (const row of rows) {
    const list = lists.find((entry) => entry.variant === row.variant && Array.isArray(entry.keys));
    if (list) list.keys.push(row.targetingKey);
    else lists.push({ variant: row.variant, keys: [row.targetingKey] });
  }
  return { ...flag, overrides: lists.filter((entry) => !Array.isArray(entry.keys) || entry.keys.length > 0) };
}

/**
 * The live document with `flag` (and its per-user overrides, see {@link asPublished}) in place of
 * the flag of the same key (or added at the end): the snapshot the draft would publish. `documentObject` is not changed.
 */
export function withDraft(documentObject, flag) {
  flag = asPublished(flag);
  const flags = [...(documentObject.flags ?? [])];
  const index = flags.findIndex((candidate) => candidate.key === flag.key);
  if (index >= 0) flags[index] = flag;
  else flags.push(flag);
  return { ...documentObject, flags };
}
