// STUB (being built): replaced by the real view.
import { h } from '../dom.js';

export function overridesView(app, key) {
  return h('p', { class: 'muted' }, 'Not built yet: overrides of ', key);
}
