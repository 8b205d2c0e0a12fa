// The context editor: a targeting key and typed attribute rows, and a JSON tab kept in sync
// both ways. Every edit reports the context at once (the results update as you type).

import { field, h, replace, uid } from '../../dom.js';

const TYPES = [['string', 'text'], ['number', 'number'], ['boolean', 'true/false'], ['list', 'list of text'], ['json', 'JSON']];

/** A row `{ name, type, text }` from an attribute's value. */
function rowOf(name, value) {
  if (typeof value === 'string') return { name, type: 'string', text: value };
  if (typeof value === 'number') return { name, type: 'number', text: String(value) };
  if (typeof value === 'boolean') return { name, type: 'boolean', text: String(value) };
  if (Array.isArray(value) && value.every((item) => typeof item === 'string') && value.every((item) => !item.includes(','))) {
    return { name, type: 'list', text: value.join(', ') };
  }
  return { name, type: 'json', text: JSON.stringify(value) };
}

/** A row's value, or throws with what is wrong. */
function valueOf(row) {
  switch (row.type) {
    case 'number': {
      const number = Number(row.text);
      if (row.text.trim() === '' || !Number.isFinite(number)) throw new Error(`${row.name} is not a number`);
      return number;
    }
    case 'boolean': return row.text === 'true';
    case 'list': return row.text.split(',').map((item) => item.trim()).filter(Boolean);
    case 'json':
      try {
        return JSON.parse(row.text);
      } catch {
        throw new Error(`${row.name} is not JSON`);
      }
    default: return row.text;
  }
}

/**
 * The editor, starting from `initial` (a context object); `onChange(context)` after every
 * valid edit. Returns `{ element, context() }`.
 */
export function contextEditor(initial, onChange) {
  let targetingKey = typeof initial.targetingKey === 'string' ? initial.targetingKey : '';
  let rows = Object.entries(initial).filter(([name, value]) => !(name === 'targetingKey' && typeof value === 'string'))
    .map(([name, value]) => rowOf(name, value));
  let current = initial;
  const message = h('p', { class: 'error-text', role: 'status' });
  const json = h('textarea', { class: 'pv-json', spellcheck: 'false', rows: 8 });
  const keyInput = h('input', { type: 'text', value: targetingKey, autocomplete: 'off', spellcheck: 'false', placeholder: 'user-42',
    oninput: () => { targetingKey = keyInput.value; fromRows(); } });
  const list = h('div', { class: 'pv-rows' });

  function build() {
    const context = {};
    if (targetingKey !== '') context.targetingKey = targetingKey;
    for (const row of rows) if (row.name.trim()) context[row.name.trim()] = valueOf(row);
    return context;
  }
  function emit(context) {
    current = context;
    message.textContent = '';
    onChange(context);
  }
  function fromRows() {
    try {
      const context = build();
      json.value = JSON.stringify(context, null, 2);
      json.removeAttribute('aria-invalid');
      emit(context);
    } catch (error) {
      message.textContent = error.message;
    }
  }
  function fromJson() {
    let context;
    try {
      context = JSON.parse(json.value);
      if (context === null || typeof context !== 'object' || Array.isArray(context)) throw new Error('the context is a JSON object');
    } catch (error) {
      json.setAttribute('aria-invalid', 'true');
      message.textContent = `JSON: ${error.message}`;
      return;
    }
    json.removeAttribute('aria-invalid');
    targetingKey = typeof context.targetingKey === 'string' ? context.targetingKey : '';
    keyInput.value = targetingKey;
    rows = Object.entries(context).filter(([name, value]) => !(name === 'targetingKey' && typeof value === 'string'))
      .map(([name, value]) => rowOf(name, value));
    drawRows();
    emit(context);
  }
  json.addEventListener('input', fromJson);

  function rowElement(row, index) {
    const name = h('input', { type: 'text', value: row.name, 'aria-label': `Attribute ${index + 1} name`, placeholder: 'plan', spellcheck: 'false',
      oninput: () => { row.name = name.value; fromRows(); } });
    const value = row.type === 'boolean'
      ? h('select', { 'aria-label': `Attribute ${index + 1} value`, onchange: () => { row.text = value.value; fromRows(); } },
        h('option', { value: 'true', selected: row.text === 'true' }, 'true'),
        h('option', { value: 'false', selected: row.text !== 'true' }, 'false'))
      : h('input', { type: 'text', value: row.text, 'aria-label': `Attribute ${index + 1} value`, spellcheck: 'false',
        placeholder: row.type === 'list' ? 'a, b, c' : '', inputmode: row.type === 'number' ? 'decimal' : null,
        oninput: () => { row.text = value.value; fromRows(); } });
    const type = h('select', { 'aria-label': `Attribute ${index + 1} type`,
      onchange: () => { row.type = type.value; if (row.type === 'boolean' && row.text !== 'true') row.text = 'false'; drawRows(); fromRows(); } },
    TYPES.map(([name, label]) => h('option', { value: name, selected: row.type === name }, label)));
    return h('div', { class: 'pv-row' }, name, type, value,
      h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove attribute ${index + 1}`,
        onclick: () => { rows.splice(index, 1); drawRows(); fromRows(); } }, '×'));
  }
  function drawRows() {
    replace(list, rows.map(rowElement));
  }
  drawRows();
  json.value = JSON.stringify(initial, null, 2);

  const fields = h('div', {},
    field('Targeting key', keyInput),
    h('p', { class: 'pv-label' }, 'Attributes'),
    list,
    h('button', { type: 'button', class: 'secondary', onclick: () => { rows.push({ name: '', type: 'string', text: '' }); drawRows(); list.lastElementChild?.querySelector('input')?.focus(); } }, '+ Attribute'));
  const element = h('div', { class: 'pv-context' },
    tabs([['Fields', fields], ['JSON', field('Context JSON', json)]]),
    message);
  return { element, context: () => current };
}

/** Two or more panels behind tabs (the ARIA tabs pattern, arrow keys included). */
function tabs(panels) {
  const id = uid('tabs');
  const buttons = panels.map(([label], index) => h('button', {
    type: 'button', role: 'tab', id: `${id}-${index}`, 'aria-controls': `${id}-panel-${index}`,
    'aria-selected': String(index === 0), tabindex: index === 0 ? '0' : '-1', onclick: () => select(index),
  }, label));
  const bodies = panels.map(([, body], index) => h('div', { role: 'tabpanel', id: `${id}-panel-${index}`,
    'aria-labelledby': `${id}-${index}`, hidden: index !== 0 }, body));
  function select(index) {
    buttons.forEach((button, at) => {
      button.setAttribute('aria-selected', String(at === index));
      button.tabIndex = at === index ? 0 : -1;
      bodies[at].hidden = at !== index;
    });
    buttons[index].focus();
  }
  const list = h('div', { role: 'tablist', class: 'pv-tabs', 'aria-label': 'Context as',
    onkeydown: (event) => {
      const at = buttons.indexOf(document.activeElement);
      if (at < 0 || (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft')) return;
      select((at + (event.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length);
    } }, buttons);
  return h('div', {}, list, bodies);
}

/**
 * The instant of evaluation: empty means "the current time" at each evaluation; "Now" fixes it.
 * `onChange(ms | null)`.
 */
export function nowControl(initial, onChange) {
  const input = h('input', { type: 'datetime-local', step: '1' });
  const shown = h('span', { class: 'muted pv-instant', 'aria-live': 'polite' });
  const show = (ms) => { shown.textContent = ms === null ? 'the current time, at each evaluation' : `= ${new Date(ms).toISOString()}`; };
  const set = (ms) => {
    input.value = ms === null ? '' : localText(ms);
    show(ms);
    onChange(ms);
  };
  if (initial !== null) input.value = localText(initial);
  show(initial);
  input.addEventListener('input', () => {
    const ms = input.value ? new Date(input.value).getTime() : null;
    show(Number.isFinite(ms) ? ms : null);
    onChange(Number.isFinite(ms) ? ms : null);
  });
  return h('div', { class: 'pv-now' },
    field('Evaluate at (now)', input, { hint: 'In this browser\'s time zone; empty: the current time. Schedules compare this instant.' }),
    h('div', { class: 'pv-now-actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => set(Math.floor(Date.now() / 1000) * 1000) }, 'Now'),
      h('button', { type: 'button', class: 'link', onclick: () => set(null) }, 'Follow the clock'),
      shown));
}

/** `ms` as a datetime-local value in this browser's time zone. */
function localText(ms) {
  const date = new Date(ms);
  const pad = (number) => String(number).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
