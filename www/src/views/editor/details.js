// Details for people (description, owner, tags, a link), and the advanced bucketing settings.

import { h } from '../../dom.js';
import { fieldAt, section } from './controls.js';

export function detailsSection(ctx) {
  const flag = ctx.session.flag;
  if (!flag.metadata || typeof flag.metadata !== 'object') flag.metadata = {};
  const meta = flag.metadata;
  const text = (name, props = {}) => h('input', { value: meta[name] ?? '', ...props, oninput: (event) => {
    meta[name] = event.target.value;
    if (name === 'url') link.replaceChildren(preview(event.target.value));
    ctx.changed();
  } });
  const description = h('textarea', { rows: 2, class: 'editor-text', value: meta.description ?? '', oninput: (event) => {
    meta.description = event.target.value;
    ctx.changed();
  } });
  const tags = h('input', { value: (Array.isArray(meta.tags) ? meta.tags : []).join(', '), autocomplete: 'off', oninput: (event) => {
    meta.tags = event.target.value.split(',').map((tag) => tag.trim()).filter(Boolean);
    ctx.changed();
  } });
  const link = h('p', { class: 'hint' }, preview(meta.url));
  const advanced = (name, label, hint) => fieldAt(ctx, [name], label, h('input', {
    value: flag[name] ?? '', autocomplete: 'off', spellcheck: 'false', oninput: (event) => {
      flag[name] = event.target.value;
      ctx.changed();
    },
  }), { hint });
  return section('Details', 'For people: never affects evaluation.',
    fieldAt(ctx, ['metadata', 'description'], 'Description', description),
    h('div', { class: 'editor-row' },
      fieldAt(ctx, ['metadata', 'owner'], 'Owner', text('owner', { autocomplete: 'off' }), { className: 'grow' }),
      fieldAt(ctx, ['metadata', 'tags'], 'Tags', tags, { hint: 'Separated by commas.', className: 'grow' })),
    fieldAt(ctx, ['metadata', 'url'], 'Link', text('url', { type: 'url', placeholder: 'https://…' }), { hint: 'A ticket or document about this flag.' }),
    link,
    h('details', { class: 'editor-advanced' },
      h('summary', {}, 'Advanced: bucketing'),
      advanced('salt', 'Salt', 'Mixed into the bucketing hash. Changing it reshuffles who gets which variant of every split.'),
      advanced('bucketBy', 'Bucket by', 'The context attribute splits bucket by (default targetingKey), e.g. companyId to keep a company together.')));
}

/** The link as it will show elsewhere: built by h(), which refuses javascript: and the like. */
function preview(url) {
  if (!url) return '';
  const anchor = h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url);
  return anchor.hasAttribute('href') ? ['Opens ', anchor] : 'Only http(s) links are followed; this one will be shown as text.';
}
