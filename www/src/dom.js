// Building the page. Everything from a snapshot or the API reaches the page through `h` as text
// nodes and attribute values, never as HTML: no innerHTML anywhere in the console.

/**
 * An element: `h('button', { class: 'primary', onclick: save }, 'Save')`. Props: `class`,
 * `on<event>` handlers, `dataset`, boolean and string attributes; children are nodes, text,
 * numbers, arrays of them, or null/false/undefined (skipped).
 */
export function h(tag, props, ...children) {
  const element = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name === 'value' && 'value' in element) {
      element.value = value;
    } else if (name === 'checked' && 'checked' in element) {
      element.checked = Boolean(value);
    } else if (name === 'href' && !safeHref(value)) {
      // A `javascript:` (or any non-page) address from data is shown, never followed.
      element.setAttribute('data-unsafe-href', String(value));
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/** Appends children as `h` takes them. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces `parent`'s content. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** Whether an address may be a link: this page's own routes, or http(s) ones. */
export function safeHref(href) {
  const text = String(href);
  if (text.startsWith('#')) return true;
  try {
    const url = new URL(text, location.href);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** An id unique in the page, for label/field pairs. */
let lastId = 0;
export function uid(prefix = 'f') {
  lastId += 1;
  return `${prefix}-${lastId}`;
}

/** A labelled field: the label, the control, an optional hint and a place for its messages. */
export function field(label, control, { hint, id = control.id || uid() } = {}) {
  control.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint && h('p', { class: 'hint', id: hintId }, hint));
}

/** Relative time for people ("3 min ago"), with the instant in the title. */
export function when(instant) {
  if (!instant) return h('span', { class: 'muted' }, 'never');
  const at = new Date(instant);
  const seconds = Math.round((Date.now() - at.getTime()) / 1000);
  const text = seconds < 60 ? 'just now'
    : seconds < 3600 ? `${Math.floor(seconds / 60)} min ago`
      : seconds < 86400 ? `${Math.floor(seconds / 3600)} h ago`
        : at.toISOString().slice(0, 10);
  return h('time', { datetime: at.toISOString(), title: at.toISOString() }, text);
}

/** Shows a short message in the page's live region (read out by screen readers). */
export function announce(text, kind = 'info') {
  const region = document.getElementById('toast');
  if (!region) return;
  replace(region, h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text));
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => region.replaceChildren(), kind === 'error' ? 8000 : 4000);
}

/** A JSON value as compact text, for table cells. */
export function showValue(value) {
  return value === undefined ? '' : JSON.stringify(value);
}
