// STUB (being built): replaced by the real editor.
import { h } from '../../dom.js';

export function editorView(app, key) {
  return h('p', { class: 'muted' }, 'Not built yet: editor of ', key ?? 'a new flag');
}
