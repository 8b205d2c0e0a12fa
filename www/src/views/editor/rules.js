// Targeting rules, tried in order: each an id, its conditions (all must hold) and what it
// serves. Rules can be added, removed and moved.

import { h } from '../../dom.js';
import { conditionRow, newCondition } from './conditions.js';
import { fieldAt, pathId, section, smallButton, variantKeys } from './controls.js';
import { serveEditor } from './serve.js';

export function rulesSection(ctx) {
  const flag = ctx.session.flag;
  flag.rules ??= [];
  const suggestions = attributeSuggestions(ctx.app.live.document);
  const list = h('datalist', { id: 'ed-attributes' }, suggestions.map((name) => h('option', { value: name })));
  return section('Targeting rules', 'Tried from the top; the first rule whose conditions all hold decides. Everyone else gets the default rule.',
    list,
    flag.rules.length === 0 && h('p', { class: 'muted' }, 'No rules: everyone gets the default rule.'),
    h('ol', { class: 'editor-rules' }, flag.rules.map((rule, index) => ruleCard(ctx, flag, rule, index))),
    h('div', { class: 'actions start' },
      h('button', { type: 'button', class: 'secondary', id: 'ed-add-rule', onclick: () => {
        flag.rules.push(newRule(flag));
        ctx.rebuild(pathId(['rules', flag.rules.length - 1, 'id']));
      } }, 'Add rule')));
}

function newRule(flag) {
  const ids = new Set(flag.rules.map((rule) => rule.id));
  let n = flag.rules.length + 1;
  while (ids.has(`rule-${n}`)) n += 1;
  const keys = variantKeys(flag);
  return { id: `rule-${n}`, conditions: [newCondition()], serve: { variant: keys.includes('on') ? 'on' : keys[0] } };
}

function ruleCard(ctx, flag, rule, index) {
  const path = ['rules', index];
  const count = flag.rules.length;
  const move = (to, focus) => {
    flag.rules.splice(index, 1);
    flag.rules.splice(to, 0, rule);
    ctx.rebuild(pathId(['rules', to], focus));
  };
  rule.conditions ??= [];
  const id = h('input', { value: rule.id ?? '', autocomplete: 'off', spellcheck: 'false', oninput: (event) => {
    rule.id = event.target.value;
    ctx.changed();
  } });
  const label = `Rule ${index + 1}`;
  return h('li', { class: 'editor-rule', id: pathId(path, '-card') },
    h('div', { class: 'editor-rule-head' },
      h('h3', {}, label),
      fieldAt(ctx, [...path, 'id'], 'Rule id', id, { className: 'grow' }),
      h('div', { class: 'editor-rule-tools', role: 'group', 'aria-label': `${label} order` },
        smallButton('↑', `Move ${label} up`, () => move(index - 1, '-up'), { disabled: index === 0, id: pathId(path, '-up') }),
        smallButton('↓', `Move ${label} down`, () => move(index + 1, '-down'), { disabled: index === count - 1, id: pathId(path, '-down') }),
        smallButton('Remove', `Remove ${label}`, () => {
          flag.rules.splice(index, 1);
          ctx.rebuild('ed-add-rule');
        }))),
    ctx.registry.register(path, id, h('div', { class: 'diagnostics' })),
    h('h4', {}, 'If all of these hold'),
    rule.conditions.length === 0 && h('p', { class: 'muted' }, 'No conditions: this rule matches everyone who reaches it.'),
    h('ol', { class: 'editor-conditions' }, rule.conditions.map((condition, at) => conditionRow(ctx, rule, condition, [...path, 'conditions', at], label))),
    h('div', { class: 'actions start' },
      h('button', { type: 'button', class: 'secondary', id: pathId(path, '-add-condition'), onclick: () => {
        rule.conditions.push(newCondition());
        ctx.rebuild(pathId([...path, 'conditions', rule.conditions.length - 1, 'attribute']));
      } }, 'Add condition')),
    h('h4', {}, 'Then serve'),
    serveEditor(ctx, [...path, 'serve'], label));
}

/** Attributes the live snapshot's conditions already use, and targetingKey. */
export function attributeSuggestions(documentObject) {
  const names = new Set(['targetingKey']);
  const visit = (conditions) => {
    for (const condition of Array.isArray(conditions) ? conditions : []) {
      if (typeof condition?.attribute === 'string' && condition.attribute) names.add(condition.attribute);
    }
  };
  for (const flag of documentObject?.flags ?? []) for (const rule of flag.rules ?? []) visit(rule.conditions);
  for (const segment of documentObject?.segments ?? []) visit(segment.conditions);
  return [...names].sort();
}
