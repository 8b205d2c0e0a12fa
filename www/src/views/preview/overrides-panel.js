// Forcing a variant in this browser only (the package's local QA overrides): pick a flag and a
// variant; each override is listed with a way to clear it.

import { field, h, replace } from '../../dom.js';

/**
 * The panel for `local` (LocalOverrides) over the flags of `engine()`; `onChange()` after each
 * change. Returns `{ element, refresh() }`.
 */
export function overridesPanel(local, engine, onChange) {
  const flagSelect = h('select', { onchange: () => fillVariants() });
  const variantSelect = h('select', {});
  const list = h('ul', { class: 'pv-overrides' });
  function fillVariants() {
    const info = engine().flag(flagSelect.value);
    replace(variantSelect, (info?.variants ?? []).map(([variant]) => h('option', { value: variant }, variant)));
  }
  function refresh() {
    const keep = flagSelect.value;
    replace(flagSelect, engine().flagKeys.map((key) => h('option', { value: key, selected: key === keep }, key)));
    fillVariants();
    const all = Object.entries(local().all());
    replace(list, all.length === 0
      ? h('li', { class: 'muted' }, 'None: every flag is evaluated.')
      : all.map(([key, variant]) => h('li', { dataset: { flag: key } },
        h('span', {}, h('span', { class: 'flag-key' }, key), ' → ', h('strong', {}, variant)),
        h('button', { type: 'button', class: 'link', 'aria-label': `Clear the local override of ${key}`,
          onclick: () => { local().clear(key); refresh(); onChange(); } }, 'Clear'))));
    clearAll.hidden = all.length < 2;
  }
  const clearAll = h('button', { type: 'button', class: 'secondary', onclick: () => { local().clear(); refresh(); onChange(); } }, 'Clear all local overrides');
  const element = h('section', { class: 'pv-local-panel card', 'aria-labelledby': 'pv-local-title' },
    h('h2', { id: 'pv-local-title' }, 'Local overrides ', h('span', { class: 'badge warn' }, 'only in this browser')),
    h('p', { class: 'muted' }, 'Forces a variant for every context here, as the SDK\'s QA overrides do on one device. Nobody else is affected; kept in this browser\'s storage until cleared.'),
    h('div', { class: 'pv-local-form' },
      field('Flag to force', flagSelect),
      field('Variant to serve', variantSelect),
      h('button', { type: 'button', class: 'secondary', onclick: () => {
        if (!flagSelect.value || !variantSelect.value) return;
        local().set(flagSelect.value, variantSelect.value);
        refresh();
        onChange();
      } }, 'Force locally')),
    list, clearAll);
  refresh();
  return { element, refresh };
}
