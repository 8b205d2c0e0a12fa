// The results for one context: every flag's value, variant, reason and rule, for the base
// document and (when there is one) the draft, with each flag's explanation on demand and the
// local overrides of this browser marked as such.

import { h, replace, showValue } from '../../dom.js';
import { colourClass } from './bars.js';
import { explanation } from './explain.js';

/** Every flag of `loaded` for `context` at `now`, timed: `{ results: Map key → result, ms }`. */
export function evaluateContext(loaded, context, now) {
  const started = performance.now();
  const prepared = loaded.engine.prepare(context);
  const all = loaded.engine.evaluateAll(prepared, { now: now ?? Date.now() });
  prepared.free();
  const ms = performance.now() - started;
  return { results: new Map(all.map((result) => [result.key, result])), ms };
}

function variantsOf(loaded, key) {
  return Object.keys(loaded?.flags.get(key)?.variants ?? {});
}

/** One result as two lines: variant and value; reason, error code and rule. */
function resultCell(result, variants, column, local) {
  if (!result) return h('td', { class: 'pv-result', dataset: { col: column } }, h('span', { class: 'muted' }, 'not in this document'));
  const shown = local ?? result;
  return h('td', { class: `pv-result${local ? ' pv-local' : ''}`, dataset: { col: column } },
    h('div', { class: 'pv-line' },
      h('span', { class: `pv-variant ${colourClass(variants, shown.variant)}` }, shown.variant ?? '—'),
      h('code', { class: 'pv-value' }, showValue(shown.value))),
    h('div', { class: 'pv-line pv-why' },
      h('span', { class: 'pv-reason' }, shown.reason),
      shown.errorCode && h('span', { class: 'pv-error-code' }, shown.errorCode),
      shown.ruleId && h('span', { class: 'pv-rule', title: 'the rule that decided' }, `rule ${shown.ruleId}`)),
    local && h('div', { class: 'pv-line' },
      h('span', { class: 'badge warn pv-local-badge' }, 'local override — only in this browser'),
      h('span', { class: 'muted pv-engine' }, `engine: ${result.variant ?? '—'}, ${result.reason}`)));
}

const same = (a, b) => a?.variant === b?.variant && showValue(a?.value) === showValue(b?.value) && a?.reason === b?.reason;

/**
 * Fills `container` with the table for `view`: `{ base, draft (loaded, or null), local
 * (LocalOverrides), context, now, expanded (Set of keys), onToggle(key) }`. Returns the
 * evaluation time in ms and the number of flags.
 */
export function renderResults(container, view) {
  const { base, draft, local, context, now, expanded } = view;
  const live = evaluateContext(base, context, now);
  const drafted = draft?.engine ? evaluateContext(draft, context, now) : null;
  const keys = [...live.results.keys()];
  for (const key of drafted?.results.keys() ?? []) if (!live.results.has(key)) keys.push(key);
  const overridden = local?.all() ?? {};

  const rows = keys.flatMap((key) => {
    const before = live.results.get(key);
    const after = drafted?.results.get(key);
    const changed = drafted && !same(before, after);
    const explainId = `pv-explain-${key}`;
    const open = expanded.has(key);
    const row = h('tr', { class: changed ? 'pv-changed' : null, dataset: { flag: key } },
      h('th', { scope: 'row' }, h('a', { class: 'flag-key', href: `#/flags/${encodeURIComponent(key)}` }, key),
        changed && h('span', { class: 'badge warn' }, 'changes')),
      resultCell(before, variantsOf(base, key), 'live', key in overridden ? local.result(key) : undefined),
      drafted && resultCell(after, variantsOf(draft, key), 'draft'),
      h('td', { class: 'pv-actions' }, h('button', { type: 'button', class: 'secondary', 'aria-expanded': String(open),
        'aria-controls': open ? explainId : null, 'aria-label': `Explain ${key}`, onclick: () => view.onToggle(key) },
        h('span', { 'aria-hidden': 'true', class: 'pv-chevron' }, open ? '▾' : '▸'), 'Explain')));
    if (!open) return [row];
    const parts = [[view.baseLabel, base], ...(drafted ? [[view.draftLabel, draft]] : [])]
      .filter(([, loaded]) => loaded.flags.has(key) || loaded.engine.flag(key));
    return [row, h('tr', { class: 'pv-explain-row', id: explainId },
      h('td', { colspan: drafted ? 4 : 3 },
        h('div', { class: 'pv-explains' }, parts.map(([label, loaded]) => h('section', { class: 'pv-explain', dataset: { col: loaded === base ? 'live' : 'draft' } },
          h('h3', {}, `Why, in ${label}`),
          explanation(loaded.engine, loaded.flags.get(key), key, context, now ?? Date.now()))))))];
  });

  replace(container,
    h('div', { class: 'table-wrap' },
      h('table', { class: 'pv-results' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Flag'),
          h('th', { scope: 'col' }, view.baseLabel),
          drafted && h('th', { scope: 'col' }, view.draftLabel),
          h('th', { scope: 'col' }, h('span', { class: 'pv-sr' }, 'Explanation')))),
        h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'This document has no flags.'))))));
  return { ms: live.ms + (drafted?.ms ?? 0), flags: keys.length, documents: drafted ? 2 : 1 };
}
