// One flag: its state and kill switch, and tabs for editing, overrides, history and statistics.

import { h } from '../dom.js';
import { toggleFlag } from '../toggle.js';
import { editorView } from './editor/index.js';
import { historyView } from './history.js';
import { overridesView } from './overrides.js';
import { quotaMeter } from './quota-meter.js';
import { statsView } from './stats.js';

const TABS = [
  ['edit', 'Definition', editorView],
  ['overrides', 'Overrides', overridesView],
  ['history', 'History', historyView],
  ['stats', 'Statistics', statsView],
];

export function flagPageView(app, key, tab) {
  if (key === null) {
    return h('section', { class: 'flag-page' },
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/flags' }, 'Flags'), ' / new'),
      h('h1', {}, 'New flag'),
      editorView(app, null));
  }
  const entry = app.flags.find((candidate) => candidate.key === key);
  if (!entry) {
    return h('section', { class: 'card' },
      h('h1', {}, 'No such flag'),
      h('p', {}, `There is no flag `, h('code', {}, key), ` in ${app.environment}.`),
      h('a', { href: '#/flags' }, 'Back to the flags'));
  }
  const current = TABS.find(([name]) => name === tab) ?? TABS[0];
  const description = entry.flag.metadata?.description;
  return h('section', { class: 'flag-page' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/flags' }, 'Flags'), ` / ${key}`),
    h('div', { class: 'toolbar' },
      h('h1', { class: 'flag-key' }, key),
      h('button', {
        class: `switch ${entry.enabled ? 'on' : 'off'}`, role: 'switch', 'aria-checked': String(entry.enabled),
        'aria-label': `${key} ${entry.enabled ? 'on' : 'off'}: turn ${entry.enabled ? 'off' : 'on'}`,
        onclick: () => toggleFlag(app, key, !entry.enabled),
      }, h('span', { class: 'knob' }), entry.enabled ? 'On' : 'Off')),
    description && h('p', { class: 'description' }, description),
    quotaMeter(app, key),
    h('nav', { class: 'tabs', 'aria-label': 'Flag sections' },
      TABS.map(([name, label]) => h('a', {
        href: `#/flags/${encodeURIComponent(key)}/${name}`,
        'aria-current': name === current[0] ? 'page' : null,
      }, label))),
    h('div', { class: 'tab-body' }, current[2](app, key)));
}
