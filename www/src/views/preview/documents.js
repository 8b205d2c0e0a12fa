// The documents a preview evaluates, loaded into the real engine: the base (the live snapshot,
// or one from a URL or a file) and, on top of it, a draft of one flag.

import { Engine } from '../../engine.js';
import * as session from '../../session.js';
import { withDraft } from '../../draft.js';

/**
 * An engine for `snapshot` (text or object): `{ engine, document, flags }` (`flags`: key → flag
 * definition, for the explanation's split bars) or `{ error }`.
 */
export function load(snapshot) {
  try {
    const document = typeof snapshot === 'string' ? JSON.parse(snapshot) : snapshot;
    const engine = new Engine(snapshot);
    const flags = new Map((document.flags ?? []).map((flag) => [flag?.key, flag]));
    return { engine, document, flags };
  } catch (error) {
    return { error: describeLoadError(error) };
  }
}

function describeLoadError(error) {
  if (error instanceof SyntaxError) return `not JSON: ${error.message}`;
  const where = error.path ? ` at ${error.path}` : '';
  return `${error.code ?? 'error'}${where}: ${error.message}`;
}

function diagnosticId(diagnostic) {
  return `${diagnostic.code} ${diagnostic.path} ${diagnostic.message}`;
}

/**
 * The base document with `flag` in place: `{ engine, document, errors }` where `errors` are
 * the error diagnostics the draft brings (those the base did not have already), or `{ error }`
 * when the drafted document does not load at all.
 */
export function loadDraft(base, flag) {
  if (flag === null || typeof flag !== 'object' || Array.isArray(flag) || typeof flag.key !== 'string') {
    return { error: 'a draft is one flag: a JSON object with a "key"' };
  }
  const loaded = load(withDraft(base.document, flag));
  if (loaded.error) return loaded;
  const known = new Set(base.engine.diagnostics().map(diagnosticId));
  const errors = loaded.engine.diagnostics()
    .filter((diagnostic) => diagnostic.severity === 'error' && !known.has(diagnosticId(diagnostic)));
  if (loaded.engine.flag(flag.key)?.valid === false && errors.length === 0) {
    errors.push({ severity: 'error', code: 'invalid', path: flag.key, message: 'the drafted flag cannot be evaluated' });
  }
  return { ...loaded, errors };
}

/**
 * A snapshot's text from `url`. The console's Content-Security-Policy (connect-src 'self') only
 * lets the page reach its own origin; the admin token goes along there (the service's
 * `/sdk/v1/snapshot?environment=…` needs it) and nowhere else.
 */
export async function fetchSnapshot(url) {
  const target = new URL(url, location.href);
  if (target.origin !== location.origin) {
    throw new Error(`only this console's own origin (${location.origin}) can be reached: the page's security policy blocks ${target.origin}`);
  }
  const response = await fetch(target, { headers: { authorization: `Bearer ${session.token()}` }, cache: 'no-store' });
  if (!response.ok) throw new Error(`${target.pathname} answered ${response.status}`);
  return response.text();
}

/** The text of a file the user picked (read in the page; nothing is uploaded). */
export function readFile(file) {
  return file.text();
}
