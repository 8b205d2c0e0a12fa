// Live validation by the real engine: the live document with the draft in place of the flag,
// loaded as every SDK would load it.

import { Engine, VexilError } from '../../engine.js';
import { withDraft } from '../../draft.js';
import { relativeToFlag } from './paths.js';

/**
 * Validates `flag` (replacing the flag `originalKey`, or added when new) in `live.document`.
 * Resolves to `{ loadError, diagnostics, others }`: a load error ({message, path}) when the
 * whole document would not load; this flag's diagnostics (paths relative to the flag); and the
 * errors the draft would cause in OTHER flags (e.g. a removed variant a prerequisite named),
 * leaving out those the live document has already.
 */
export function validate(live, flag, originalKey) {
  const base = live.document ?? { schemaVersion: 1, revision: 0, generatedAt: new Date().toISOString(), flags: [] };
  // A renamed new flag must not leave its earlier key behind; an existing one keeps its place.
  const documentObject = originalKey && originalKey !== flag.key
    ? { ...base, flags: (base.flags ?? []).filter((candidate) => candidate.key !== originalKey) }
    : base;
  const candidate = withDraft(documentObject, flag);
  const index = candidate.flags.findIndex((candidate_) => candidate_ === flag);
  let engine;
  try {
    engine = new Engine(candidate);
  } catch (error) {
    if (!(error instanceof VexilError)) throw error;
    const path = relativeToFlag(error.path, index);
    return {
      loadError: { code: error.code, message: error.message, path: path ?? error.path ?? null, inFlag: path !== null },
      diagnostics: [],
      others: [],
    };
  }
  try {
    const known = new Set((live.engine?.diagnostics() ?? []).map((d) => `${d.flag}|${d.segment}|${d.code}|${d.message}`));
    const diagnostics = [];
    const others = [];
    for (const diagnostic of engine.diagnostics()) {
      const path = relativeToFlag(diagnostic.path, index);
      if (path !== null) diagnostics.push({ ...diagnostic, path });
      else if (diagnostic.severity === 'error' && !known.has(`${diagnostic.flag}|${diagnostic.segment}|${diagnostic.code}|${diagnostic.message}`)) {
        others.push(diagnostic);
      }
    }
    return { loadError: null, diagnostics, others };
  } finally {
    engine.free();
  }
}
