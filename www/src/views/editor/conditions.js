// One condition: attribute (with suggestions), operator (every operator of the format), the
// operands the operator takes, and "not". One operand is stored as `value`, several as
// `values`; `in`/`notIn` always as `values` (one per line).

import { h } from '../../dom.js';
import { checkAt, fieldAt, pathId, select, smallButton } from './controls.js';

/** Every operator, grouped, with what its operands are. */
export const OPERATORS = [
  ['Presence', [['exists', 'exists', 'none']]],
  ['Equality', [['equals', 'equals', 'scalar'], ['notEquals', 'does not equal', 'scalar'], ['in', 'is one of', 'scalar'], ['notIn', 'is none of', 'scalar']]],
  ['Text', [['contains', 'contains', 'text'], ['startsWith', 'starts with', 'text'], ['endsWith', 'ends with', 'text'], ['matches', 'matches regex', 'text']]],
  ['Numbers', [['lt', '<', 'number'], ['lte', '≤', 'number'], ['gt', '>', 'number'], ['gte', '≥', 'number']]],
  ['Versions', [['semverEq', 'version =', 'text'], ['semverLt', 'version <', 'text'], ['semverLte', 'version ≤', 'text'], ['semverGt', 'version >', 'text'], ['semverGte', 'version ≥', 'text']]],
  ['Dates', [['before', 'before', 'text'], ['after', 'after', 'text']]],
  ['Segments', [['inSegment', 'in segment', 'segment'], ['notInSegment', 'not in segment', 'segment']]],
];
const KIND = new Map(OPERATORS.flatMap(([, ops]) => ops.map(([op, , kind]) => [op, kind])));
const LISTS = new Set(['in', 'notIn']);
const PLACEHOLDER = { matches: '^.*@example\\.com$', before: '2026-12-01T00:00:00Z', after: '2026-12-01T00:00:00Z' };

export function newCondition() {
  return { attribute: '', op: 'equals', value: '' };
}

/** The condition's operands as a list (whether written as `value` or `values`). */
function operands(condition) {
  if (Array.isArray(condition.values)) return condition.values;
  return 'value' in condition ? [condition.value] : [];
}

/** Writes `list` back as the operator wants it, keeping the member order attribute, op, value(s), negate. */
function setOperands(condition, list) {
  const { negate } = condition;
  delete condition.value;
  delete condition.values;
  delete condition.negate;
  const kind = KIND.get(condition.op);
  if (kind !== 'none') {
    if (list.length === 1 && !LISTS.has(condition.op)) condition.value = list[0];
    else condition.values = list;
  }
  if (negate !== undefined) condition.negate = negate;
}

export function conditionRow(ctx, rule, condition, path, ruleLabel) {
  const label = `${ruleLabel}, condition ${path[path.length - 1] + 1}`;
  const kind = KIND.get(condition.op) ?? 'text';
  const op = h('select', { id: pathId([...path, 'op']), onchange: (event) => changeOp(ctx, condition, event.target.value, path) },
    !KIND.has(condition.op) && h('option', { value: condition.op, selected: true }, `${condition.op} (unknown)`),
    OPERATORS.map(([group, ops]) => h('optgroup', { label: group },
      ops.map(([name, text]) => h('option', { value: name, selected: name === condition.op }, text === name ? name : `${text} (${name})`)))));
  const attribute = kind !== 'segment' && h('input', {
    value: condition.attribute ?? '', list: 'ed-attributes', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'e.g. plan', oninput: (event) => {
      condition.attribute = event.target.value;
      ctx.changed();
    },
  });
  return h('li', { class: 'editor-condition', 'aria-label': label },
    attribute && fieldAt(ctx, [...path, 'attribute'], 'Attribute', attribute, { className: 'grow' }),
    fieldAt(ctx, [...path, 'op'], 'Operator', op),
    operandEditor(ctx, condition, path, kind),
    h('div', { class: 'editor-condition-end' },
      checkAt(ctx, [...path, 'negate'], 'Not', condition.negate === true, (on) => {
        if (on) condition.negate = true;
        else delete condition.negate;
        ctx.changed();
      }),
      smallButton('Remove', `Remove ${label}`, () => {
        rule.conditions.splice(path[path.length - 1], 1);
        ctx.rebuild(pathId(path.slice(0, 2), '-add-condition'));
      })),
    ctx.registry.register(path, op, h('div', { class: 'diagnostics wide' })));
}

function changeOp(ctx, condition, op, path) {
  const before = KIND.get(condition.op);
  const list = operands(condition);
  condition.op = op;
  const kind = KIND.get(op);
  if (kind === 'segment') delete condition.attribute;
  else if (condition.attribute === undefined) {
    // Keep the member order people expect: attribute first.
    const { op: name, ...rest } = condition;
    for (const member of Object.keys(condition)) delete condition[member];
    Object.assign(condition, { attribute: '', op: name, ...rest });
  }
  let next = list;
  if (kind === 'none') next = [];
  else if (kind !== before) next = kind === 'number' ? [0] : [''];
  else if (next.length === 0) next = [''];
  setOperands(condition, next);
  ctx.rebuild(pathId([...path, 'op']));
}

/** The inputs for the operands, by kind: none, segments, typed scalars, numbers or text. */
function operandEditor(ctx, condition, path, kind) {
  const list = operands(condition);
  const valuePath = [...path, Array.isArray(condition.values) ? 'values' : 'value'];
  if (kind === 'none') return null;
  if (kind === 'segment') return segmentPicker(ctx, condition, valuePath, list);
  const typed = kind === 'number' ? 'number' : kind === 'scalar' ? scalarType(list) : 'string';
  const convert = (text) => {
    if (typed === 'number') return text.trim() === '' || Number.isNaN(Number(text)) ? text : Number(text);
    if (typed === 'boolean') return text.trim() === 'true' ? true : text.trim() === 'false' ? false : text;
    return text;
  };
  const multi = LISTS.has(condition.op) || list.length > 1;
  const control = multi
    ? h('textarea', { rows: Math.max(2, list.length), spellcheck: 'false', class: 'editor-values',
      value: list.map((item) => String(item)).join('\n'),
      oninput: (event) => {
        setOperands(condition, event.target.value.split('\n').filter((line) => line !== '').map(convert));
        ctx.changed();
      } })
    : h('input', { value: list.length ? String(list[0]) : '', spellcheck: 'false', placeholder: PLACEHOLDER[condition.op] ?? '',
      inputmode: typed === 'number' ? 'decimal' : null,
      oninput: (event) => {
        setOperands(condition, [convert(event.target.value)]);
        ctx.changed();
      } });
  control.id = pathId([...path, 'value']);
  const labelled = fieldAt(ctx, valuePath, multi ? 'Values (one per line)' : 'Value', control,
    { hint: condition.op === 'before' || condition.op === 'after' ? 'An RFC 3339 instant with its offset, e.g. 2026-12-01T00:00:00Z.' : null });
  const wrapper = h('div', { class: 'editor-operands grow' }, labelled);
  // Equality compares JSON types exactly ("42" is not 42): say which type the operands are.
  if (kind === 'scalar') {
    const type = select([['string', 'text'], ['number', 'number'], ['boolean', 'true / false']], typed, (value) => {
      const texts = operands(condition).map((item) => String(item));
      const to = value === 'number' ? (text) => (Number.isNaN(Number(text)) || text === '' ? text : Number(text))
        : value === 'boolean' ? (text) => (text === 'true' ? true : text === 'false' ? false : text) : (text) => text;
      setOperands(condition, texts.length ? texts.map(to) : ['']);
      ctx.rebuild(pathId(path, '-type'));
    }, { id: pathId(path, '-type') });
    wrapper.append(h('div', { class: 'field' }, h('label', { for: type.id }, 'Compared as'), type));
  }
  // A message about the other spelling (value/values) shows at the same place.
  ctx.registry.register([...path, Array.isArray(condition.values) ? 'value' : 'values'], control, labelled.lastChild);
  return wrapper;
}

function scalarType(list) {
  const first = list.find((item) => item !== '');
  return typeof first === 'number' ? 'number' : typeof first === 'boolean' ? 'boolean' : 'string';
}

function segmentPicker(ctx, condition, valuePath, list) {
  const segments = (ctx.app.live.document?.segments ?? []).map((segment) => segment.key);
  const chosen = new Set(list);
  const known = [...new Set([...segments, ...list.filter((key) => typeof key === 'string' && key)])];
  if (known.length === 0) return h('p', { class: 'muted grow' }, 'No segments in this environment yet.');
  const id = pathId(valuePath);
  const boxes = known.map((key, index) => {
    const box = h('input', { type: 'checkbox', id: `${id}-${index}`, checked: chosen.has(key), onchange: (event) => {
      if (event.target.checked) chosen.add(key);
      else chosen.delete(key);
      setOperands(condition, known.filter((name) => chosen.has(name)));
      ctx.rebuild(box.id);
    } });
    return h('label', { class: 'editor-chip', for: box.id }, box, ' ', key, !segments.includes(key) && ' (no such segment)');
  });
  const group = h('fieldset', { class: 'editor-segments grow', id }, h('legend', {}, 'Segments'), boxes);
  // The fieldset takes the focus for its diagnostics; its first box is what a keyboard reaches.
  group.tabIndex = -1;
  const slot = ctx.registry.register([...valuePath.slice(0, -1), 'values'], group);
  ctx.registry.register([...valuePath.slice(0, -1), 'value'], group, slot);
  return h('div', { class: 'grow' }, group, slot);
}
