// Prerequisites: other flags that must serve given variants for this one to be on.

import { h } from '../../dom.js';
import { fieldAt, pathId, section, select, smallButton } from './controls.js';

/** The variant keys of flag `key` in the live document. */
function variantsOf(ctx, key) {
  const flag = ctx.app.live.document?.flags?.find((candidate) => candidate.key === key);
  return flag?.variants && typeof flag.variants === 'object' ? Object.keys(flag.variants) : [];
}

export function prerequisitesSection(ctx) {
  const flag = ctx.session.flag;
  const list = Array.isArray(flag.prerequisites) ? flag.prerequisites : [];
  const others = ctx.app.flags.map((entry) => entry.key).filter((key) => key !== flag.key);
  return section('Prerequisites', 'Flags that must serve one of the chosen variants (for the same user) for this flag to be on; otherwise it serves its off variant.',
    list.length === 0 && h('p', { class: 'muted' }, 'None.'),
    h('ol', { class: 'editor-prerequisites' }, list.map((entry, index) => row(ctx, flag, entry, index, others))),
    h('div', { class: 'actions start' },
      h('button', { type: 'button', class: 'secondary', id: 'ed-add-prerequisite', disabled: others.length === 0, onclick: () => {
        flag.prerequisites = [...list, { flag: others[0], variants: variantsOf(ctx, others[0]).slice(0, 1) }];
        ctx.rebuild(pathId(['prerequisites', list.length, 'flag']));
      } }, 'Add prerequisite')));
}

function row(ctx, flag, entry, index, others) {
  const path = ['prerequisites', index];
  const which = select(others.map((key) => [key, key]), entry.flag, (value) => {
    entry.flag = value;
    entry.variants = variantsOf(ctx, value).slice(0, 1);
    ctx.rebuild(pathId([...path, 'flag']));
  }, { id: pathId([...path, 'flag']), 'data-missing': 'flag' });
  const chosen = new Set(Array.isArray(entry.variants) ? entry.variants : []);
  const variants = [...new Set([...variantsOf(ctx, entry.flag), ...chosen])];
  const group = h('fieldset', { class: 'editor-segments grow', id: pathId([...path, 'variants']), tabindex: '-1' },
    h('legend', {}, 'Required variants'),
    variants.map((key, at) => {
      const box = h('input', { type: 'checkbox', id: pathId([...path, 'variants', at]), checked: chosen.has(key), onchange: (event) => {
        if (event.target.checked) chosen.add(key);
        else chosen.delete(key);
        entry.variants = variants.filter((name) => chosen.has(name));
        ctx.changed();
      } });
      return h('label', { class: 'editor-chip', for: box.id }, box, ' ', key);
    }));
  return h('li', { class: 'editor-prerequisite' },
    fieldAt(ctx, [...path, 'flag'], `Prerequisite ${index + 1}: flag`, which),
    group,
    ctx.registry.register([...path, 'variants'], group),
    smallButton('Remove', `Remove prerequisite ${index + 1}`, () => {
      flag.prerequisites.splice(index, 1);
      ctx.rebuild('ed-add-prerequisite');
    }),
    ctx.registry.register(path, which));
}
