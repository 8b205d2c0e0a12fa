// What is previewed: the base document (live, a URL on this origin, or a file) and a draft of one
// flag on top of it (an unsaved draft from the editor, or a flag's JSON pasted or read from a file).

import { allDrafts } from '../../draft.js';
import { field, h, replace } from '../../dom.js';
import { fetchSnapshot } from './documents.js';

/**
 * The controls. `actions`: `useBase(kind, text, label)` (text null for live), `useDraft(spec)`
 * with spec null, `{ kind: 'key', key }` or `{ kind: 'json', text, label }`; `selected()` gives
 * `{ baseKind, draftSpec }`. Returns `{ element, refreshDrafts() }`.
 */
export function sourcePanel(app, actions) {
  const { baseKind, draftSpec } = actions.selected();
  const baseMessage = h('p', { class: 'error-text', role: 'alert' });
  const url = h('input', { type: 'text', inputmode: 'url', value: `/sdk/v1/snapshot?environment=${encodeURIComponent(app.environment)}`, spellcheck: 'false' });
  const file = h('input', { type: 'file', accept: '.json,application/json' });
  const urlBox = h('div', { class: 'pv-source-extra', hidden: baseKind !== 'url' },
    field('Snapshot URL', url, { hint: 'Only this console\'s own origin can be reached: the page\'s security policy (connect-src \'self\') blocks every other. Your admin token is sent with it.' }),
    h('button', { type: 'button', class: 'secondary', onclick: async () => {
      baseMessage.textContent = '';
      try {
        actions.useBase('url', await fetchSnapshot(url.value), url.value);
      } catch (error) {
        baseMessage.textContent = error.message;
      }
    } }, 'Load the snapshot'));
  const fileBox = h('div', { class: 'pv-source-extra', hidden: baseKind !== 'file' },
    field('Snapshot file', file, { hint: 'Read in this page; nothing is uploaded.' }));
  file.addEventListener('change', async () => {
    const chosen = file.files[0];
    if (chosen) actions.useBase('file', await chosen.text(), chosen.name);
  });
  const baseSelect = h('select', { onchange: () => {
    urlBox.hidden = baseSelect.value !== 'url';
    fileBox.hidden = baseSelect.value !== 'file';
    baseMessage.textContent = '';
    if (baseSelect.value === 'live') actions.useBase('live', null, 'live');
  } },
  h('option', { value: 'live', selected: baseKind === 'live' }, 'Live: the published snapshot'),
  h('option', { value: 'url', selected: baseKind === 'url' }, 'A snapshot from a URL'),
  h('option', { value: 'file', selected: baseKind === 'file' }, 'A snapshot from a file'));

  const draftJson = h('textarea', { rows: 8, spellcheck: 'false', class: 'pv-json',
    placeholder: '{"key": "max-upload-mb", "type": "number", "variants": {…}, "fallthrough": {…}}' });
  if (draftSpec?.kind === 'json') draftJson.value = draftSpec.text;
  const draftFile = h('input', { type: 'file', accept: '.json,application/json' });
  draftFile.addEventListener('change', async () => {
    if (draftFile.files[0]) draftJson.value = await draftFile.files[0].text();
  });
  const jsonBox = h('div', { class: 'pv-source-extra', hidden: draftSpec?.kind !== 'json' },
    field('Draft flag (JSON)', draftJson, { hint: 'One flag\'s definition; it replaces the flag with the same key, or is added.' }),
    field('Or read it from a file', draftFile),
    h('button', { type: 'button', class: 'primary', onclick: () => actions.useDraft({ kind: 'json', text: draftJson.value, label: 'pasted JSON' }) }, 'Preview this draft'));
  const draftSelect = h('select', { onchange: () => {
    jsonBox.hidden = draftSelect.value !== 'json';
    if (draftSelect.value === '') actions.useDraft(null);
    else if (draftSelect.value !== 'json') actions.useDraft({ kind: 'key', key: draftSelect.value.slice(4) });
  } });
  function refreshDrafts() {
    const spec = actions.selected().draftSpec;
    const selected = spec?.kind === 'key' ? `key:${spec.key}` : spec?.kind ?? '';
    replace(draftSelect,
      h('option', { value: '' }, 'No draft'),
      allDrafts().map(([key]) => h('option', { value: `key:${key}`, selected: selected === `key:${key}` }, `Unsaved draft of ${key}`)),
      h('option', { value: 'json', selected: selected === 'json' }, 'A flag from JSON…'));
  }
  refreshDrafts();

  const element = h('div', { class: 'pv-source card' },
    h('div', { class: 'pv-source-grid' },
      h('div', {}, field('Document', baseSelect), urlBox, fileBox, baseMessage),
      h('div', {}, field('Draft', draftSelect, { hint: 'A draft is compared with the document: per flag, and over the population.' }), jsonBox)));
  return { element, refreshDrafts };
}
