// STUB (being built): replaced by the real view.
import { h } from '../dom.js';

export function historyView(app, key) {
  return h('p', { class: 'muted' }, 'Not built yet: history of ', key);
}
