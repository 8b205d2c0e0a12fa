// Variants (key → value, in order) and the off variant. Values get an input of the flag's
// type; an object flag's values are small JSON texts. Renaming a variant renames every
// reference to it (off variant, serves, splits), so a rename never breaks a rule.

import { announce, h } from '../../dom.js';
import { fieldAt, section, select, smallButton, variantKeys } from './controls.js';

export function variantsSection(ctx) {
  const flag = ctx.session.flag;
  const keys = variantKeys(flag);
  const offOptions = [['', '(none: the application\'s default value)'], ...keys.map((key) => [key, key])];
  const off = select(offOptions, flag.offVariant ?? '', (value) => {
    if (value === '') delete flag.offVariant;
    else flag.offVariant = value;
    ctx.changed();
  }, { 'data-missing': 'variant' });
  const add = h('button', { type: 'button', class: 'secondary', id: 'ed-add-variant', onclick: () => addVariant(ctx, flag) }, 'Add variant');
  return section('Variants', 'The values this flag can serve, in order.',
    h('ol', { class: 'editor-variants' }, keys.map((key, index) => variantRow(ctx, flag, key, index, keys.length))),
    h('div', { class: 'actions start' }, add),
    ctx.registry.register(['variants'], add),
    fieldAt(ctx, ['offVariant'], 'Off variant', off, {
      hint: 'Served when the flag is turned off, outside its schedule, or when a prerequisite is not met.',
    }));
}

function variantRow(ctx, flag, key, index, count) {
  const keyInput = h('input', {
    id: `ed-variant-${index}-key`, value: key, autocomplete: 'off', spellcheck: 'false',
    onchange: (event) => rename(ctx, flag, key, event.target.value.trim(), event.target),
  });
  const valueControl = valueInput(ctx, flag, key, index);
  return h('li', { class: 'editor-variant' },
    fieldAt(ctx, ['variants', key, '(key)'], `Variant ${index + 1} key`, keyInput),
    fieldAt(ctx, ['variants', key], `Value of ${key}`, valueControl, { className: 'grow' }),
    smallButton('Remove', `Remove variant ${key}`, () => {
      delete flag.variants[key];
      ctx.rebuild('ed-add-variant');
    }, { disabled: count <= 1 }));
}

/** The input for one value, typed by the flag's type. */
function valueInput(ctx, flag, key, index) {
  const id = `ed-variant-${index}-value`;
  const value = flag.variants[key];
  const set = (next) => {
    flag.variants[key] = next;
    ctx.changed();
  };
  switch (flag.type) {
    case 'boolean':
      return select([['true', 'true'], ['false', 'false']], String(value), (text) => set(text === 'true'), { id });
    case 'number':
      return h('input', { id, type: 'number', step: 'any', value: String(value ?? ''), oninput: (event) => {
        const number = event.target.valueAsNumber;
        // Not a number yet: kept as typed, so the engine's message says what is wrong.
        set(Number.isFinite(number) ? number : event.target.value);
      } });
    case 'string':
      return h('input', { id, value: typeof value === 'string' ? value : JSON.stringify(value), oninput: (event) => set(event.target.value) });
    default: {
      const local = `$.variants${/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`;
      return h('textarea', { id, class: 'editor-json-small', rows: 3, spellcheck: 'false',
        value: JSON.stringify(value, null, 1) ?? '',
        oninput: (event) => {
          try {
            flag.variants[key] = JSON.parse(event.target.value);
            ctx.local.delete(local);
          } catch (error) {
            ctx.local.set(local, `not JSON: ${error.message}`);
          }
          ctx.changed();
        } });
    }
  }
}

function addVariant(ctx, flag) {
  flag.variants ??= {};
  let n = Object.keys(flag.variants).length + 1;
  while (`variant-${n}` in flag.variants) n += 1;
  const defaults = { boolean: false, string: '', number: 0, object: {} };
  flag.variants[`variant-${n}`] = defaults[flag.type] ?? null;
  ctx.rebuild(`ed-variant-${Object.keys(flag.variants).length - 1}-key`);
}

/** Renames variant `from` to `to` in place (order kept), and every reference to it. */
function rename(ctx, flag, from, to, input) {
  if (to === from) return;
  if (!to || to in flag.variants) {
    announce(to ? `There is a variant ${to} already; the name stays ${from}.` : 'A variant needs a key.', 'error');
    input.value = from;
    return;
  }
  flag.variants = Object.fromEntries(Object.entries(flag.variants).map(([key, value]) => [key === from ? to : key, value]));
  if (flag.offVariant === from) flag.offVariant = to;
  const serves = [flag.fallthrough, ...(flag.rules ?? []).map((rule) => rule?.serve)];
  for (const serve of serves) {
    if (serve?.variant === from) serve.variant = to;
    for (const slice of Array.isArray(serve?.split) ? serve.split : []) if (slice?.variant === from) slice.variant = to;
  }
  for (const override of Array.isArray(flag.overrides) ? flag.overrides : []) if (override?.variant === from) override.variant = to;
  ctx.rebuild(input.id);
}

/** Changes the flag's type, converting values that would not fit it. */
export function retype(flag, type) {
  const was = flag.type;
  flag.type = type;
  if (was === type || type === 'object') return;
  const entries = Object.entries(flag.variants ?? {});
  if (type === 'boolean' && !entries.every(([, value]) => typeof value === 'boolean')) {
    flag.variants = { on: true, off: false };
    flag.offVariant = 'off';
    flag.fallthrough = { variant: 'off' };
    for (const rule of flag.rules ?? []) rule.serve = { variant: 'on' };
    return;
  }
  flag.variants = Object.fromEntries(entries.map(([key, value]) => {
    if (type === 'string') return [key, typeof value === 'string' ? value : JSON.stringify(value)];
    if (type === 'number') return [key, typeof value === 'number' ? value : (Number(value) || 0)];
    return [key, value];
  }));
}
