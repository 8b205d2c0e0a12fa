// STUB (being built): replaced by the real view.
import { h } from '../dom.js';

export function statsView(app, key) {
  return h('p', { class: 'muted' }, 'Not built yet: stats of ', key);
}
