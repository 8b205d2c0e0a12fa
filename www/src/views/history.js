// A flag's audit trail, newest first: what changed in words, who, when and why, a readable
// before → after of each changed value, and the whole flag before and after on demand.

import { call } from '../api.js';
import { h, replace, when } from '../dom.js';
import { explainError } from '../errors.js';
import { kindInWords, pathInWords, shortValue } from './change-words.js';

const PAGE = 20;

export function historyView(app, key) {
  const list = h('ol', { class: 'history-list', 'aria-label': `Changes of ${key}, newest first` });
  const more = h('div', { class: 'history-more' });
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading the history…');
  const loadPage = async (before) => {
    replace(more);
    let page;
    try {
      ({ body: page } = await call('GET', `/flags/${encodeURIComponent(key)}/history`, {
        query: { environment: app.environment, limit: PAGE, before },
      }));
    } catch (error) {
      replace(status, h('span', { role: 'alert' }, explainError(error)));
      return;
    }
    for (const entry of page.entries) list.append(entryItem(entry));
    const shown = list.children.length;
    status.textContent = `${shown} change${shown === 1 ? '' : 's'} shown${page.nextBefore ? '' : ' (all of them)'}.`;
    if (page.nextBefore) {
      replace(more, h('button', { class: 'secondary', onclick: () => loadPage(page.nextBefore) }, 'Load older changes'));
    }
  };
  loadPage();
  return h('section', { class: 'history-view' }, h('h2', {}, 'History'), status, list, more);
}

function entryItem(entry) {
  return h('li', { class: `history-entry kind-${entry.kind.replace(/\W/g, '-')}${entry.after?.enabled === false ? ' now-off' : ''}`, dataset: { revision: entry.revision, kind: entry.kind } },
    h('div', { class: 'history-head' },
      h('strong', { class: 'history-kind' }, kindInWords(entry)),
      h('span', {}, ' by ', h('span', { class: 'history-actor' }, entry.actor)),
      h('span', { class: 'muted' }, ' · ', when(entry.at), ' · revision ', String(entry.revision))),
    entry.reason
      ? h('p', { class: 'history-reason' }, h('span', { class: 'muted' }, 'Why: '), entry.reason)
      : h('p', { class: 'history-reason muted' }, 'No reason given.'),
    changes(entry),
    h('details', { class: 'history-full' },
      h('summary', {}, 'Whole flag before and after'),
      h('div', { class: 'history-json' },
        h('div', {}, h('h4', {}, 'Before'), h('pre', {}, entry.before === null ? '(none: the flag did not exist)' : JSON.stringify(entry.before, null, 2))),
        h('div', {}, h('h4', {}, 'After'), h('pre', {}, entry.after === null ? '(none: the flag was deleted)' : JSON.stringify(entry.after, null, 2))))));
}

function changes(entry) {
  if (!entry.diff?.length) return h('p', { class: 'muted' }, 'No value changed.');
  return h('ul', { class: 'history-diff', 'aria-label': 'What changed' },
    entry.diff.map((change) => h('li', { dataset: { path: change.path, op: change.op } },
      h('span', { class: 'diff-path', title: change.path }, pathInWords(change.path)),
      h('span', { class: 'muted' }, ': '),
      change.op === 'added'
        ? [h('span', { class: 'diff-op' }, 'added '), h('code', { class: 'diff-after' }, shortValue(change.after))]
        : change.op === 'removed'
          ? [h('span', { class: 'diff-op' }, 'removed '), h('code', { class: 'diff-before' }, shortValue(change.before))]
          : [h('code', { class: 'diff-before' }, shortValue(change.before)),
            h('span', { class: 'diff-arrow', 'aria-hidden': 'true' }, ' → '), h('span', { class: 'sr-only' }, ' becomes '),
            h('code', { class: 'diff-after' }, shortValue(change.after))])));
}
