// Small pieces every section uses: labelled fields registered under their JSON path, stable
// ids (so a redraw can put the focus back), and sections with a heading.

import { field, h } from '../../dom.js';

/** An id for the control editing `path` (segments), stable across redraws. */
export function pathId(path, suffix = '') {
  return `ed-${path.map((segment) => String(segment).replace(/[^A-Za-z0-9_-]/g, '_')).join('-')}${suffix}`;
}

/** A labelled field for `control`, registered at `path`; its diagnostics appear under it. */
export function fieldAt(ctx, path, label, control, { hint, className } = {}) {
  if (!control.id) control.id = pathId(path);
  const wrapper = field(label, control, { hint });
  if (className) wrapper.classList.add(className);
  wrapper.append(ctx.registry.register(path, control));
  return wrapper;
}

/** A checkbox with its label after it, registered at `path`. */
export function checkAt(ctx, path, label, checked, onchange, { hint } = {}) {
  const box = h('input', { type: 'checkbox', id: pathId(path), checked, onchange: (event) => onchange(event.target.checked) });
  const hintEl = hint && h('span', { class: 'hint', id: `${box.id}-hint` }, hint);
  if (hintEl) box.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'editor-check' },
    h('label', { for: box.id }, box, ' ', label), hintEl, ctx.registry.register(path, box));
}

/** A section of the form: a heading, an optional explanation, its content. */
export function section(title, intro, ...content) {
  const id = `ed-section-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return h('section', { class: 'editor-section card', 'aria-labelledby': id },
    h('h2', { id }, title),
    intro && h('p', { class: 'hint' }, intro),
    ...content);
}

/** A select of `options` ([value, text]); `current` not among them is kept, marked missing. */
export function select(options, current, onchange, props = {}) {
  const known = options.some(([value]) => value === current);
  return h('select', { ...props, onchange: (event) => onchange(event.target.value) },
    !known && current !== undefined && current !== null && h('option', { value: current, selected: true }, `${current} (no such ${props['data-missing'] ?? 'option'})`),
    options.map(([value, text]) => h('option', { value, selected: value === current }, text)));
}

/** A small icon-like button with a full label for assistive technology. */
export function smallButton(text, label, onclick, props = {}) {
  return h('button', { type: 'button', class: 'secondary small', 'aria-label': label, title: label, onclick, ...props }, text);
}

/** Variant keys of the flag, in order. */
export function variantKeys(flag) {
  return flag.variants && typeof flag.variants === 'object' ? Object.keys(flag.variants) : [];
}
