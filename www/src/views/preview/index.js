// STUB (being built): replaced by the real preview.
import { h } from '../../dom.js';

export function previewView(app) {
  return h('p', { class: 'muted' }, 'Not built yet: preview of ', app.environment);
}
