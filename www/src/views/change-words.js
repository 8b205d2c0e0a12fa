// Audit entries in words: what kind of change, which part of the flag, and values shown short.

const KINDS = {
  'flag.create': 'Created',
  'flag.update': 'Definition changed',
  'flag.delete': 'Deleted',
  'override.set': 'Override set',
  'override.remove': 'Override removed',
  'override.expire': 'Override expired',
  push: 'Changed by a push',
  'environment.reorder': 'Order changed by a push',
};

/** The entry's kind for people: "Turned off", "Override set", … */
export function kindInWords(entry) {
  if (entry.kind === 'flag.toggle') return entry.after?.enabled === false ? 'Turned off' : 'Turned on';
  return KINDS[entry.kind] ?? entry.kind;
}

/** Names of the snapshot format's members (docs/snapshot-format.md), for people. */
const MEMBERS = {
  enabled: 'On/off state',
  variants: 'Variants',
  offVariant: 'Off variant',
  fallthrough: 'Default',
  variant: 'variant',
  split: 'split',
  weight: 'weight',
  rules: 'Rule',
  overrides: 'Per-user overrides',
  keys: 'keys',
  metadata: 'Metadata',
  description: 'Description',
  owner: 'Owner',
  tags: 'Tags',
  prerequisites: 'Prerequisite',
  schedule: 'Schedule',
  type: 'Type',
  key: 'Key',
  salt: 'Salt',
  conditions: 'condition',
  serverOnly: 'Server only',
};

/** `$.rules[0].conditions[1].values` → "Rule 1 › condition 2 › values". */
export function pathInWords(path) {
  if (path === '$') return 'The whole flag';
  const parts = [];
  // Members are `.name` or `["any name"]`; array items are `[n]`.
  for (const [, name, quoted, index] of path.slice(1).matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\[("(?:[^"\\]|\\.)*")\]|\[(\d+)\]/g)) {
    if (index !== undefined) {
      const last = parts.length - 1;
      // A numbered list item reads as "Rule 2" when its list has a singular name.
      if (last >= 0 && /^(Rule|Prerequisite|condition)$/.test(parts[last])) parts[last] = `${parts[last]} ${Number(index) + 1}`;
      else parts.push(`item ${Number(index) + 1}`);
    } else if (quoted !== undefined) {
      parts.push(`“${JSON.parse(quoted)}”`);
    } else {
      // Under variants (and other maps) a member is a name of the user's, shown as written.
      const parent = parts[parts.length - 1];
      parts.push(parent === 'Variants' ? `“${name}”` : MEMBERS[name] ?? name);
    }
  }
  const text = parts.join(' › ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A JSON value as short text (long ones cut, the whole in the full view). */
export function shortValue(value, limit = 80) {
  if (value === undefined || value === null) return '—';
  const text = JSON.stringify(value);
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}
