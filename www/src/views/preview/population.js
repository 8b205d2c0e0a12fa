// The population: a sample of users (generated, or JSON lines from a file or pasted), every
// flag's variant shares among them against its fallthrough split's weights, and with a draft,
// who would change variant.

import { field, h, replace } from '../../dom.js';
import { colourClass, percent, stackedBar } from './bars.js';
import { draftDiff } from './draft-diff.js';
import { generateUsers, parseDistributions, parseJsonLines } from './sample.js';
import { evaluateSample } from './tally.js';

const MAX_USERS = 50000;

/** The sample's controls; `onSample(contexts)` when a sample is ready. */
function sampleForm(onSample) {
  const count = h('input', { type: 'number', min: '1', max: String(MAX_USERS), value: '1000', inputmode: 'numeric' });
  const shares = h('textarea', { rows: 3, spellcheck: 'false', placeholder: 'plan=pro:30\njurisdiction=quebec:10' });
  const lines = h('textarea', { rows: 5, spellcheck: 'false', placeholder: '{"targetingKey": "user-1", "plan": "pro"}' });
  const file = h('input', { type: 'file', accept: '.jsonl,.ndjson,.json,.txt,application/json' });
  const problems = h('div', { class: 'pv-problems', role: 'status' });
  file.addEventListener('change', async () => {
    if (file.files[0]) lines.value = await file.files[0].text();
  });
  const report = (errors, what) => replace(problems, errors.length > 0 && h('div', { class: 'notice' },
    h('p', {}, `${errors.length} ${what} could not be used (the others are):`),
    h('ul', { class: 'pv-bad-lines' }, errors.slice(0, 20).map((error) => h('li', {}, `line ${error.line}: ${error.message}`))),
    errors.length > 20 && h('p', {}, `… and ${errors.length - 20} more.`)));
  const generate = () => {
    const { distributions, errors } = parseDistributions(shares.value);
    report(errors, errors.length === 1 ? 'share line' : 'share lines');
    const n = Math.min(MAX_USERS, Math.max(1, Math.floor(Number(count.value) || 0)));
    onSample(generateUsers(n, distributions), `${n} generated users`);
  };
  const upload = () => {
    const { contexts, errors } = parseJsonLines(lines.value);
    report(errors, errors.length === 1 ? 'line' : 'lines');
    onSample(contexts.slice(0, MAX_USERS), `${Math.min(contexts.length, MAX_USERS)} contexts from JSON lines`);
  };
  return h('div', { class: 'pv-sample' },
    h('div', { class: 'pv-sample-kind' },
      h('h3', {}, 'Generated users'),
      field('Users (user-1 … user-N)', count),
      field('Attribute shares', shares, { hint: 'One per line: attribute=value:percent, e.g. plan=pro:30 (values are text).' }),
      h('button', { type: 'button', class: 'primary', onclick: generate }, 'Evaluate generated users')),
    h('div', { class: 'pv-sample-kind' },
      h('h3', {}, 'JSON lines'),
      field('Contexts file', file, { hint: 'One JSON context per line; read in this page, not uploaded.' }),
      field('Contexts (one JSON object per line)', lines),
      h('button', { type: 'button', class: 'primary', onclick: upload }, 'Evaluate these contexts')),
    problems);
}

function shareParts(counts, total, variants) {
  const order = [...variants, ...[...counts.keys()].filter((variant) => !variants.includes(variant))];
  return order.filter((variant) => counts.has(variant))
    .map((variant) => ({ label: variant ?? 'no variant', share: counts.get(variant) / total, className: colourClass(variants, variant) }));
}

function chartRow(label, parts) {
  return h('div', { class: 'pv-chart-row' }, h('span', { class: 'pv-chart-label' }, label),
    stackedBar(parts, { label: `${label}: ${parts.map((part) => `${part.label} ${percent(part.share)}`).join(', ')}` }));
}

/** One flag's chart: expected (fallthrough weights) and observed shares. */
function flagChart(key, flag, tally, draftTally, users) {
  const variants = Object.keys(flag?.variants ?? {});
  const split = Array.isArray(flag?.fallthrough?.split) ? flag.fallthrough.split : null;
  const rows = [];
  if (split) {
    rows.push(chartRow('expected (fallthrough split)', split.map((part) => ({
      label: part.variant, share: (Number(part.weight) || 0) / 100000, className: colourClass(variants, part.variant) }))));
    if (tally.splitTotal > 0) rows.push(chartRow(`observed in the split (${tally.splitTotal})`, shareParts(tally.split, tally.splitTotal, variants)));
  }
  rows.push(chartRow(`observed, all ${users}`, shareParts(tally.counts, users, variants)));
  if (draftTally) rows.push(chartRow('with the draft, all', shareParts(draftTally.counts, users, variants)));
  const legend = [...variants, ...[...tally.counts.keys()].filter((variant) => !variants.includes(variant))].map((variant) => {
    const n = tally.counts.get(variant) ?? 0;
    const expected = split?.find((part) => part.variant === variant);
    return h('li', {}, h('span', { class: `pv-swatch ${colourClass(variants, variant)}`, 'aria-hidden': 'true' }),
      `${variant ?? 'no variant'}: ${n} (${percent(n / users)})`,
      expected && h('span', { class: 'muted' }, ` · expected ${percent(expected.weight / 100000)} of the split, observed ${percent((tally.split.get(variant) ?? 0) / (tally.splitTotal || 1))}`));
  });
  return h('section', { class: 'pv-chart', dataset: { flag: key } }, h('h4', { class: 'flag-key' }, key), rows, h('ul', { class: 'pv-legend' }, legend));
}

/**
 * The population section. `current()` gives `{ base, draft, now }` (loaded documents); call the
 * returned `refresh()` when they change.
 */
export function populationSection(current) {
  let sample = null;
  let sampleLabel = '';
  const output = h('div', { class: 'pv-population-output' });
  const draw = () => {
    if (!sample) return;
    const { base, draft, now } = current();
    if (sample.length === 0) {
      replace(output, h('p', { class: 'muted' }, 'The sample is empty.'));
      return;
    }
    const run = evaluateSample(sample, base, draft?.engine ? draft : null, now ?? Date.now());
    const flags = [...run.base.keys()];
    replace(output,
      h('p', { class: 'muted pv-timing' }, `${sampleLabel}: ${run.users} users × ${flags.length} flags evaluated in ${Math.round(run.ms)} ms.`),
      draft && draftDiff(run, draft),
      h('div', { class: 'pv-charts' }, flags.map((key) => flagChart(key, base.flags.get(key), run.base.get(key), run.changes.has(key) ? run.draft.get(key) : null, run.users))));
  };
  const element = h('section', { class: 'pv-population card', 'aria-labelledby': 'pv-population-title' },
    h('h2', { id: 'pv-population-title' }, 'Population'),
    h('p', { class: 'muted' }, 'Evaluate many users at once: each flag\'s variant shares, against the weights of its fallthrough split.'),
    sampleForm((contexts, label) => { sample = contexts; sampleLabel = label; draw(); }),
    output);
  return { element, refresh: draw };
}
