// Diagnostics next to their fields. Every control of the form is registered under the JSON
// path of the member it edits (as segments: ['rules', 0, 'serve', 'variant']); a diagnostic's
// path (the engine's `$.flags[3].rules[0]…` made relative to the flag, or the service's, which
// already is) is shown at the registered field with the longest matching prefix.

import { h, replace, uid } from '../../dom.js';

/** `$.rules[0].conditions[1].value` or `$.variants["a b"]` → ['rules', 0, 'conditions', 1, 'value']. */
export function parsePath(path) {
  const segments = [];
  const text = String(path ?? '');
  let at = text.startsWith('$') ? 1 : 0;
  while (at < text.length) {
    if (text[at] === '.') {
      const match = /^\.([^.[]+)/.exec(text.slice(at));
      if (!match) break;
      segments.push(match[1]);
      at += match[0].length;
    } else if (text[at] === '[') {
      const rest = text.slice(at);
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
      if (index) {
        segments.push(Number(index[1]));
        at += index[0].length;
      } else if (quoted) {
        segments.push(JSON.parse(quoted[1]));
        at += quoted[0].length;
      } else break;
    } else break;
  }
  return segments;
}

/** A path for people: `rules[0].conditions[1].value`. */
export function showPath(segments) {
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text || '(the whole flag)';
}

/** A path in the form's words: `Rule 1, condition 2: value`, `Default rule, slice 3: variant`. */
export function describePath(segments) {
  const words = [];
  for (let i = 0; i < segments.length; i += 1) {
    const [segment, next] = [segments[i], segments[i + 1]];
    const numbered = typeof next === 'number';
    if (segment === 'rules' && numbered) words.push(`Rule ${next + 1}`);
    else if (segment === 'conditions' && numbered) words.push(`condition ${next + 1}`);
    else if (segment === 'split' && numbered) words.push(`slice ${next + 1}`);
    else if (segment === 'prerequisites' && numbered) words.push(`prerequisite ${next + 1}`);
    else if (segment === 'variants' && typeof next === 'string' && i === 0) words.push(`variant ${next}`);
    else {
      const names = { fallthrough: 'Default rule', serve: 'serves', offVariant: 'Off variant', schedule: 'Schedule', metadata: 'Details', key: 'Key', type: 'Type' };
      words.push(typeof segment === 'number' ? `#${segment + 1}` : names[segment] ?? segment);
      continue;
    }
    i += 1;
  }
  return words.length ? words.join(', ') : 'The flag';
}

/** An engine diagnostic's path relative to the flag at `index` of the document, or null. */
export function relativeToFlag(path, index) {
  const prefix = `$.flags[${index}]`;
  if (!path?.startsWith(prefix)) return null;
  const rest = path.slice(prefix.length);
  return rest === '' || rest.startsWith('.') || rest.startsWith('[') ? `$${rest}` : null;
}

/** The form's fields by path, and the diagnostics shown at them. */
export class FieldRegistry {
  #fields = [];

  clear() {
    this.#fields = [];
  }

  /**
   * Registers `control` as editing `path` (segments). `slot` is where its messages go (made
   * when not given, to be placed by the caller: `register` returns it).
   */
  register(path, control, slot = h('div', { class: 'diagnostics', id: uid('diag') })) {
    if (!slot.id) slot.id = uid('diag');
    this.#fields.push({ path, control, slot, hint: control.getAttribute('aria-describedby') });
    return slot;
  }

  /** The field whose path is the longest prefix of `segments`. */
  find(segments) {
    let best = null;
    for (const entry of this.#fields) {
      if (entry.path.length > segments.length) continue;
      if (!entry.path.every((segment, i) => segment === segments[i])) continue;
      if (!best || entry.path.length > best.path.length) best = entry;
    }
    return best;
  }

  /**
   * Shows `diagnostics` ({severity, code, message, path (relative)}) at their fields; returns
   * each with the field's control (or null) for the summary.
   */
  show(diagnostics) {
    for (const entry of this.#fields) {
      entry.slot.replaceChildren();
      entry.control.removeAttribute('aria-invalid');
      if (entry.hint) entry.control.setAttribute('aria-describedby', entry.hint);
      else entry.control.removeAttribute('aria-describedby');
    }
    const placed = [];
    const touched = new Set();
    for (const diagnostic of diagnostics) {
      const entry = this.find(parsePath(diagnostic.path));
      placed.push({ diagnostic, control: entry?.control ?? null });
      if (!entry) continue;
      entry.slot.append(h('p', { class: `diagnostic ${diagnostic.severity}` },
        `${diagnostic.severity === 'warning' ? 'Warning' : 'Error'}: ${diagnostic.message}`));
      if (diagnostic.severity === 'error') entry.control.setAttribute('aria-invalid', 'true');
      touched.add(entry);
    }
    for (const entry of touched) {
      entry.control.setAttribute('aria-describedby', [entry.hint, entry.slot.id].filter(Boolean).join(' '));
    }
    return placed;
  }
}

/** The summary at the top: each diagnostic, a link that focuses its field. */
export function renderSummary(container, placed, extra = []) {
  if (placed.length === 0 && extra.length === 0) {
    replace(container);
    container.hidden = true;
    return;
  }
  container.hidden = false;
  const errors = placed.filter(({ diagnostic }) => diagnostic.severity === 'error').length;
  replace(container,
    h('h2', {}, errors ? `${errors} problem${errors > 1 ? 's' : ''} to fix before saving` : 'Warnings'),
    h('ul', {},
      extra.map((text) => h('li', {}, text)),
      placed.map(({ diagnostic, control }) => h('li', { class: diagnostic.severity },
        control
          ? h('button', { type: 'button', class: 'link', onclick: () => control.focus() },
            `${describePath(parsePath(diagnostic.path))}: ${diagnostic.message}`)
          : `${describePath(parsePath(diagnostic.path))}: ${diagnostic.message}`))));
}
