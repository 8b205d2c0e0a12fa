// The same draft as JSON, for people who prefer it: edits apply live (the form shows them when
// switched back); a parse error says where.

import { h } from '../../dom.js';
import { clone } from './state.js';

/** Line and column of a JSON.parse error, when the message gives a position. */
function where(text, error) {
  const found = /position (\d+)/.exec(error.message);
  if (!found && !/end of JSON/i.test(error.message)) return '';
  const position = found ? Number(found[1]) : text.length;
  const before = text.slice(0, position).split('\n');
  return ` (line ${before.length}, column ${before[before.length - 1].length + 1})`;
}

export function rawView(ctx) {
  const status = h('p', { class: 'diagnostic', id: 'ed-json-error', role: 'alert' });
  const area = h('textarea', {
    id: 'ed-json', class: 'editor-raw', rows: 24, spellcheck: 'false', 'aria-describedby': 'ed-json-hint ed-json-error',
    value: JSON.stringify(ctx.session.flag, null, 2),
    oninput: (event) => {
      const text = event.target.value;
      let parsed;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        status.textContent = `Not JSON yet: ${error.message}${where(text, error)}. The last valid version is what is checked and kept.`;
        area.setAttribute('aria-invalid', 'true');
        return;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        status.textContent = 'A flag is a JSON object ({ … }).';
        area.setAttribute('aria-invalid', 'true');
        return;
      }
      status.textContent = '';
      area.removeAttribute('aria-invalid');
      ctx.session.flag = clone(parsed);
      ctx.changed();
    },
  });
  const slot = ctx.registry.register([], area);
  return h('div', { class: 'editor-json card' },
    h('div', { class: 'field' },
      h('label', { for: 'ed-json' }, 'The flag as JSON'),
      h('p', { class: 'hint', id: 'ed-json-hint' },
        'The snapshot format\'s flag object; checked live like the form. Its ',
        h('a', { href: 'snapshot.schema.json', target: '_blank', rel: 'noopener' }, 'JSON Schema'),
        ' describes every member (a flag is $defs.flag).'),
      area, status, slot));
}
