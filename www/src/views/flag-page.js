// One flag: its state and kill switch, and tabs for editing, overrides, history and statistics.

import { h, safeHref } from '../dom.js';
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
    details(entry.flag.metadata ?? {}),
    quotaMeter(app, key),
    h('nav', { class: 'tabs', 'aria-label': 'Flag sections' },
      TABS.map(([name, label]) => h('a', {
        href: `#/flags/${encodeURIComponent(key)}/${name}`,
        'aria-current': name === current[0] ? 'page' : null,
      }, label))),
    h('div', { class: 'tab-body' }, current[2](app, key)));
}

/** Owner, tags and any other metadata, as text; a web address as a link only if it is http(s). */
function details(metadata) {
  const items = [];
  if (metadata.owner) items.push(['Owner', metadata.owner]);
  if (Array.isArray(metadata.tags) && metadata.tags.length) items.push(['Tags', metadata.tags.join(', ')]);
  for (const [name, value] of Object.entries(metadata)) {
    if (['description', 'owner', 'tags', 'version', 'changedAt'].includes(name)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') items.push([name, value]);
  }
  if (items.length === 0) return null;
  return h('dl', { class: 'meta' }, items.map(([name, value]) => [
    h('dt', {}, name),
    h('dd', {}, typeof value === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(value)
      ? (safeHref(value) ? h('a', { href: value, rel: 'noopener noreferrer', target: '_blank' }, value) : h('span', { class: 'unsafe-link', title: 'Not a web address: shown, not linked' }, value))
      : String(value)),
  ]));
}
