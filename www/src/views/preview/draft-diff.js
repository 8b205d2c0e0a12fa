// Draft versus live over the sample: how many users would change variant if the draft were
// published, per flag (dependent flags included), from → to, and the first users by name.

import { h } from '../../dom.js';

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

/** The comparison of `run` (from evaluateSample) for the loaded `draft` (or its load error). */
export function draftDiff(run, draft) {
  if (!draft.engine) {
    return h('section', { class: 'pv-diff' }, h('h3', {}, 'Draft versus live'),
      h('p', { class: 'notice error' }, 'The draft does not load, so nothing can be compared: the results above are the live ones.'));
  }
  const changed = [...run.changes.entries()];
  const unchanged = [...run.base.keys()].filter((key) => !run.changes.has(key));
  return h('section', { class: 'pv-diff', 'aria-labelledby': 'pv-diff-title' },
    h('h3', { id: 'pv-diff-title' }, 'Draft versus live'),
    h('p', { class: 'pv-diff-summary' }, run.changedUsers === 0
      ? `No user of the ${run.users} would change variant if the draft were published.`
      : `${plural(run.changedUsers, 'user changes', 'users change')} variant (of ${run.users}) if the draft is published, in ${plural(changed.length, 'flag', 'flags')}.`),
    changed.map(([key, change]) => h('div', { class: 'pv-diff-flag', dataset: { flag: key } },
      h('h4', {}, h('span', { class: 'flag-key' }, key), `: ${plural(change.count, 'user changes', 'users change')}`),
      h('div', { class: 'pv-diff-tables' },
        h('table', { class: 'pv-transitions' },
          h('caption', {}, 'From → to'),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Variants'), h('th', { scope: 'col' }, 'Users'))),
          h('tbody', {}, [...change.transitions.entries()].map(([move, n]) => h('tr', {}, h('td', {}, move), h('td', {}, String(n)))))),
        h('table', { class: 'pv-diff-users' },
          h('caption', {}, change.count > change.examples.length ? `The first ${change.examples.length} users` : 'Users'),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'User'), h('th', { scope: 'col' }, 'Live'), h('th', { scope: 'col' }, 'Draft'))),
          h('tbody', {}, change.examples.map((example) => h('tr', {},
            h('td', { class: 'pv-user mono' }, example.user),
            h('td', {}, example.before ?? '—'),
            h('td', {}, example.after ?? '—')))))))),
    unchanged.length > 0 && h('p', { class: 'muted' }, `Unchanged for this sample: ${unchanged.join(', ')}.`));
}
