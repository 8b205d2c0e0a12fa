// What changed between two versions of a flag, as paths and values people can read, and the
// merge that re-applies one side's changes on top of another.

import { clone } from './state.js';

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The paths (segments) where `a` and `b` differ, with both values. `arrays`: look inside
 * arrays too (for showing); without it an array is one value (for merging, since a moved rule
 * is not a change of every index).
 */
export function changes(a, b, { arrays = true } = {}, path = [], out = []) {
  // A member added or removed whole is shown member by member, as when it was changed.
  if (a === undefined && isObject(b)) a = {};
  if (b === undefined && isObject(a)) b = {};
  const recurse = isObject(a) && isObject(b) ? 'object' : arrays && Array.isArray(a) && Array.isArray(b) ? 'array' : null;
  if (recurse === 'object') {
    for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) changes(a[name], b[name], { arrays }, [...path, name], out);
  } else if (recurse === 'array') {
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) changes(a[i], b[i], { arrays }, [...path, i], out);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push({ path, before: a, after: b });
  }
  return out;
}

export function getAt(value, path) {
  return path.reduce((at, segment) => (at === undefined || at === null ? undefined : at[segment]), value);
}

function setAt(target, path, value) {
  let at = target;
  for (const segment of path.slice(0, -1)) {
    if (!isObject(at[segment])) at[segment] = {};
    at = at[segment];
  }
  const last = path[path.length - 1];
  if (value === undefined) delete at[last];
  else at[last] = clone(value);
}

/**
 * `mine` (edited from `base`) re-applied on top of `theirs`: each of my changes they did not
 * also make is applied; where both changed the same thing theirs is kept and the change is
 * returned in `both`, so the page can show my value to re-apply by hand.
 */
export function rebase(base, mine, theirs) {
  const result = clone(theirs);
  const theirChanges = changes(base, theirs, { arrays: false });
  const touched = (path) => theirChanges.some((change) => {
    const n = Math.min(change.path.length, path.length);
    return change.path.slice(0, n).every((segment, i) => segment === path[i]);
  });
  const applied = [];
  const both = [];
  for (const change of changes(base, mine, { arrays: false })) {
    if (touched(change.path)) both.push({ path: change.path, mine: change.after, theirs: getAt(theirs, change.path) });
    else {
      setAt(result, change.path, change.after);
      applied.push(change.path);
    }
  }
  return { flag: result, applied, both };
}
