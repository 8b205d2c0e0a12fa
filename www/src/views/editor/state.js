// The editor's sessions: the flag being edited (a plain flag object, edited in place by the
// form and replaced by the raw JSON view), what it was when the editor opened (the base), and
// the version (ETag) read then. Kept per flag for the life of the page, so that a re-render
// (a tab switch, the kill switch, a new revision) never throws away unsaved input.

const sessions = new Map();

/** Keys as the service takes them (docs/api.md: they never need escaping in a URL). */
export const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const FLAG_TYPES = ['boolean', 'string', 'number', 'object'];

/** A fresh boolean flag: on/off, off by default, served `off` to everyone. */
export function newFlag() {
  return {
    key: '',
    type: 'boolean',
    enabled: true,
    variants: { on: true, off: false },
    offVariant: 'off',
    rules: [],
    fallthrough: { variant: 'off' },
    metadata: { description: '', owner: '', tags: [] },
  };
}

export function clone(value) {
  return value === undefined ? undefined : structuredClone(value);
}

/** The session of `key` (null: a new flag), if one is open with unsaved changes. */
export function openSession(key) {
  const found = sessions.get(key ?? '');
  return found && isDirty(found) ? found : null;
}

/** Starts a session on `flag` as read (version `etag`; none for a new flag). */
export function startSession(key, flag, etag) {
  const session = { key, flag: clone(flag), base: clone(flag), etag, conflict: null };
  sessions.set(key ?? '', session);
  return session;
}

export function endSession(key) {
  sessions.delete(key ?? '');
}

/** Whether the draft differs from what the editor opened (member order ignored). */
export function isDirty(session) {
  return canonical(cleaned(session.flag)) !== canonical(cleaned(session.base));
}

export function canonical(value) {
  return JSON.stringify(value, (_, item) => (item && typeof item === 'object' && !Array.isArray(item)
    ? Object.fromEntries(Object.keys(item).sort().map((name) => [name, item[name]]))
    : item));
}

/**
 * The flag as it will be sent: empty optional members left out (an empty description, no
 * tags, an empty schedule), so a form that was only looked at writes what it read.
 */
export function cleaned(flag) {
  const out = clone(flag);
  if (out.metadata && typeof out.metadata === 'object') {
    for (const name of ['description', 'owner', 'url']) {
      if (out.metadata[name] === '') delete out.metadata[name];
    }
    if (Array.isArray(out.metadata.tags) && out.metadata.tags.length === 0) delete out.metadata.tags;
    if (Object.keys(out.metadata).length === 0) delete out.metadata;
  }
  if (out.schedule && typeof out.schedule === 'object') {
    for (const side of ['start', 'end']) if (!out.schedule[side]) delete out.schedule[side];
    if (Object.keys(out.schedule).length === 0) delete out.schedule;
  }
  for (const name of ['salt', 'bucketBy']) if (out[name] === '') delete out[name];
  if (Array.isArray(out.prerequisites) && out.prerequisites.length === 0) delete out.prerequisites;
  return out;
}
