// The flags of the environment: search, filters, each flag's state and last change, and the
// kill switch.

import { h, replace, when } from '../dom.js';
import { toggleFlag } from '../toggle.js';

/** The filters, kept while the page lives (so coming back to the list keeps them). */
const filters = { text: '', tag: '', owner: '', state: '' };

export function flagListView(app) {
  const tags = [...new Set(app.flags.flatMap((entry) => entry.flag.metadata?.tags ?? []))].sort();
  const owners = [...new Set(app.flags.map((entry) => entry.flag.metadata?.owner).filter(Boolean))].sort();
  const body = h('tbody');
  const count = h('p', { class: 'muted', role: 'status' });
  const refill = () => fill(app, body, count);
  const select = (name, label, options) => h('label', { class: 'filter' }, h('span', {}, label),
    h('select', { name, onchange: (event) => { filters[name] = event.target.value; refill(); } },
      h('option', { value: '' }, 'any'),
      options.map(([value, text]) => h('option', { value, selected: filters[name] === value }, text))));
  const view = h('section', { class: 'flag-list' },
    h('div', { class: 'toolbar' },
      h('h1', {}, 'Flags'),
      h('a', { class: 'button primary', href: '#/flags/new' }, 'New flag')),
    h('div', { class: 'filters', role: 'search' },
      h('label', { class: 'filter grow' }, h('span', {}, 'Search'),
        h('input', { type: 'search', name: 'q', value: filters.text, placeholder: 'key or description',
          oninput: (event) => { filters.text = event.target.value; refill(); } })),
      select('tag', 'Tag', tags.map((tag) => [tag, tag])),
      select('owner', 'Owner', owners.map((owner) => [owner, owner])),
      select('state', 'State', [['on', 'on'], ['off', 'off (killed)'], ['invalid', 'with errors']])),
    count,
    h('div', { class: 'table-wrap' },
      h('table', { class: 'flags' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Flag'),
          h('th', { scope: 'col' }, 'State'),
          h('th', { scope: 'col' }, 'Type'),
          h('th', { scope: 'col' }, 'Serves'),
          h('th', { scope: 'col' }, 'Last change'))),
        body)));
  refill();
  return view;
}

function matches(app, entry) {
  const meta = entry.flag.metadata ?? {};
  const text = filters.text.trim().toLowerCase();
  if (text && !entry.key.toLowerCase().includes(text) && !(meta.description ?? '').toLowerCase().includes(text)) return false;
  if (filters.tag && !(meta.tags ?? []).includes(filters.tag)) return false;
  if (filters.owner && meta.owner !== filters.owner) return false;
  if (filters.state === 'on' && !entry.enabled) return false;
  if (filters.state === 'off' && entry.enabled) return false;
  if (filters.state === 'invalid' && app.live.engine.flag(entry.key)?.valid !== false) return false;
  return true;
}

function fill(app, body, count) {
  const shown = app.flags.filter((entry) => matches(app, entry));
  count.textContent = `${shown.length} of ${app.flags.length} flags · revision ${app.revision}`;
  replace(body, shown.length === 0
    ? h('tr', {}, h('td', { colspan: 5, class: 'empty' }, app.flags.length ? 'No flag matches these filters.' : 'No flags yet: create the first one.'))
    : shown.map((entry) => row(app, entry)));
}

/** What a flag serves by default, in words: one variant, or the split's shares. */
export function serves(flag) {
  const fall = flag.fallthrough ?? {};
  let rest = '—';
  if (fall.variant !== undefined) rest = fall.variant;
  else if (Array.isArray(fall.split)) {
    const total = fall.split.reduce((sum, part) => sum + (Number(part.weight) || 0), 0) || 1;
    rest = fall.split.map((part) => `${part.variant} ${Math.round((part.weight / total) * 1000) / 10} %`).join(' · ');
  }
  const rules = Array.isArray(flag.rules) ? flag.rules.length : 0;
  return rules === 0 ? rest : `${rules} rule${rules > 1 ? 's' : ''}, else ${rest}`;
}

function row(app, entry) {
  const flag = entry.flag;
  const meta = flag.metadata ?? {};
  const info = app.live.engine.flag(entry.key);
  const change = entry.lastChange;
  return h('tr', { dataset: { flag: entry.key } },
    h('td', {},
      h('a', { href: `#/flags/${encodeURIComponent(entry.key)}`, class: 'flag-key' }, entry.key),
      info && !info.valid && h('span', { class: 'badge error' }, 'errors'),
      meta.description && h('div', { class: 'muted description' }, meta.description),
      (meta.tags ?? []).length > 0 && h('div', { class: 'tags' }, meta.tags.map((tag) => h('span', { class: 'tag' }, tag)))),
    h('td', {}, h('button', {
      class: `switch ${entry.enabled ? 'on' : 'off'}`, role: 'switch', 'aria-checked': String(entry.enabled),
      'aria-label': `${entry.key} ${entry.enabled ? 'on' : 'off'}: turn ${entry.enabled ? 'off' : 'on'}`,
      onclick: () => toggleFlag(app, entry.key, !entry.enabled),
    }, h('span', { class: 'knob' }), entry.enabled ? 'On' : 'Off')),
    h('td', {}, flag.type ?? '—'),
    h('td', { class: 'serves' }, entry.enabled ? serves(flag) : (flag.offVariant ? `${flag.offVariant} to everyone` : 'the code\'s default'),
      entry.overrides > 0 && h('div', { class: 'muted' }, `${entry.overrides} override${entry.overrides > 1 ? 's' : ''}`)),
    h('td', {}, change ? [when(change.at), h('div', { class: 'muted' }, `${change.actor} · ${change.kind}`)] : '—'));
}
