// The form: the flag's sections in the order people think about a flag.

import { h } from '../../dom.js';
import { checkAt, fieldAt, section, select } from './controls.js';
import { detailsSection } from './details.js';
import { prerequisitesSection } from './prerequisites.js';
import { rulesSection } from './rules.js';
import { scheduleSection } from './schedule.js';
import { serveEditor } from './serve.js';
import { FLAG_TYPES } from './state.js';
import { retype, variantsSection } from './variants.js';

export function formView(ctx) {
  const flag = ctx.session.flag;
  return h('div', { class: 'editor-form' },
    identitySection(ctx, flag),
    variantsSection(ctx),
    rulesSection(ctx),
    section('Default rule / rollout', 'What everyone who matches no rule gets: one variant, or a percentage rollout.',
      serveEditor(ctx, ['fallthrough'], 'Default rule')),
    scheduleSection(ctx),
    prerequisitesSection(ctx),
    detailsSection(ctx));
}

function identitySection(ctx, flag) {
  const isNew = ctx.session.key === null;
  const key = isNew && h('input', {
    value: flag.key ?? '', autocomplete: 'off', spellcheck: 'false', required: true, maxlength: 128,
    oninput: (event) => { flag.key = event.target.value.trim(); ctx.changed(); },
  });
  const type = select(FLAG_TYPES.map((name) => [name, name]), flag.type, (value) => {
    retype(flag, value);
    ctx.rebuild();
  });
  return section('Flag', null,
    h('div', { class: 'editor-row' },
      key && fieldAt(ctx, ['key'], 'Key', key, { hint: 'What the application asks for. 1–128 letters, digits, -, _ or ., starting with a letter or digit; it cannot change later.', className: 'grow' }),
      fieldAt(ctx, ['type'], 'Type', type, { hint: 'Every variant\'s value has this type.' })),
    checkAt(ctx, ['enabled'], 'Enabled', flag.enabled !== false, (on) => {
      flag.enabled = on;
      ctx.changed();
    }, { hint: 'The kill switch: when off, everyone gets the off variant and nothing else is looked at.' }));
}
