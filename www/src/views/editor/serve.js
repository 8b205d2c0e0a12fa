// What a rule or the default rule serves: one variant, or a weighted split drawn as a bar.
// People type percentages; the format stores whole weights out of 100000 (1000 = 1 %).

import { h } from '../../dom.js';
import { fieldAt, pathId, select, smallButton, variantKeys } from './controls.js';

export const TOTAL = 100000;

/** The editor of the serve at `path` (['fallthrough'] or ['rules', i, 'serve']). */
export function serveEditor(ctx, path, label) {
  const flag = ctx.session.flag;
  const owner = path.length === 1 ? flag : flag.rules[path[1]];
  const name = path[path.length - 1];
  owner[name] ??= { variant: variantKeys(flag)[0] };
  const serve = owner[name];
  const isSplit = Array.isArray(serve.split);
  const kind = select([['variant', 'one variant'], ['split', 'a percentage split']], isSplit ? 'split' : 'variant', (value) => {
    owner[name] = value === 'split' ? toSplit(flag, serve) : { variant: serve.split?.[0]?.variant ?? variantKeys(flag)[0] };
    ctx.rebuild(pathId(path, '-kind'));
  }, { id: pathId(path, '-kind') });
  return h('div', { class: 'editor-serve' },
    fieldAt(ctx, path, `${label} serves`, kind),
    isSplit ? splitEditor(ctx, path, serve) : variantPicker(ctx, path, serve));
}

function variantPicker(ctx, path, serve) {
  const keys = variantKeys(ctx.session.flag);
  const control = select(keys.map((key) => [key, key]), serve.variant, (value) => {
    serve.variant = value;
    ctx.changed();
  }, { id: pathId([...path, 'variant']), 'data-missing': 'variant' });
  return fieldAt(ctx, [...path, 'variant'], 'Variant', control);
}

/** A split from a fixed serve: the variant it served takes 100 %, the others 0 %. */
function toSplit(flag, serve) {
  const keys = variantKeys(flag);
  const first = keys.includes(serve.variant) ? serve.variant : keys[0];
  const split = keys.map((key) => ({ variant: key, weight: key === first ? TOTAL : 0 }));
  return serve.bucketBy ? { split, bucketBy: serve.bucketBy } : { split };
}

const percent = (weight) => (typeof weight === 'number' ? Math.round(weight) / 1000 : NaN);

function splitEditor(ctx, path, serve) {
  const flag = ctx.session.flag;
  const bar = h('div', { class: 'editor-bar', 'aria-hidden': 'true' });
  const total = h('p', { class: 'editor-total', role: 'status', id: pathId(path, '-total') });
  const percentInputs = [];
  const redraw = () => drawBar(bar, total, serve.split);
  const rows = serve.split.map((slice, index) => {
    const slicePath = [...path, 'split', index];
    const variant = select(variantKeys(flag).map((key) => [key, key]), slice.variant, (value) => {
      slice.variant = value;
      redraw();
      ctx.changed();
    }, { id: pathId([...slicePath, 'variant']), 'data-missing': 'variant' });
    const share = h('input', {
      id: pathId([...slicePath, 'weight']), type: 'number', min: 0, max: 100, step: 0.001, inputmode: 'decimal',
      value: Number.isFinite(percent(slice.weight)) ? String(percent(slice.weight)) : String(slice.weight ?? ''),
      oninput: (event) => {
        const number = event.target.valueAsNumber;
        // A share that is not a number yet is kept as typed, and the engine says what is wrong.
        slice.weight = Number.isFinite(number) ? Math.round(number * 1000) : event.target.value;
        if (rollout) rollout.value = String(percent(serve.split[0].weight) || 0);
        redraw();
        ctx.changed();
      },
    });
    percentInputs.push(share);
    return h('li', { class: 'editor-slice' },
      h('span', { class: `editor-swatch c${index % 6}`, 'aria-hidden': 'true' }),
      fieldAt(ctx, [...slicePath, 'variant'], `Slice ${index + 1} variant`, variant),
      fieldAt(ctx, [...slicePath, 'weight'], `Slice ${index + 1} share (%)`, share),
      smallButton('Remove', `Remove slice ${index + 1}`, () => {
        serve.split.splice(index, 1);
        ctx.rebuild(pathId(path, '-add'));
      }, { disabled: serve.split.length <= 1 }));
  });
  // With two slices, one slider sets both: the usual "roll out to N %".
  const rollout = serve.split.length === 2 && h('input', {
    id: pathId(path, '-rollout'), type: 'range', min: 0, max: 100, step: 1,
    value: String(percent(serve.split[0].weight) || 0),
    oninput: (event) => {
      const first = Math.round(Number(event.target.value) * 1000);
      serve.split[0].weight = first;
      serve.split[1].weight = TOTAL - first;
      percentInputs[0].value = String(percent(first));
      percentInputs[1].value = String(percent(TOTAL - first));
      redraw();
      ctx.changed();
    },
  });
  redraw();
  return h('div', { class: 'editor-split' },
    bar, total,
    ctx.registry.register([...path, 'split'], percentInputs[0] ?? bar, h('div', { class: 'diagnostics' })),
    rollout && h('div', { class: 'field editor-rollout' },
      h('label', { for: rollout.id }, `Roll out: share of ${serve.split[0].variant} (the rest gets ${serve.split[1].variant})`),
      rollout),
    h('ol', { class: 'editor-slices' }, rows),
    h('div', { class: 'actions start' },
      h('button', { type: 'button', class: 'secondary', id: pathId(path, '-add'), onclick: () => {
        const used = new Set(serve.split.map((slice) => slice.variant));
        const next = variantKeys(flag).find((key) => !used.has(key)) ?? variantKeys(flag)[0];
        serve.split.push({ variant: next, weight: 0 });
        ctx.rebuild(pathId([...path, 'split', serve.split.length - 1, 'weight']));
      } }, 'Add slice'),
      h('button', { type: 'button', class: 'secondary', onclick: () => {
        evenly(serve.split);
        ctx.rebuild(pathId(path, '-even'));
      }, id: pathId(path, '-even') }, 'Split evenly')));
}

/** Equal shares that add up to exactly 100000 (the first slices take the remainder). */
function evenly(split) {
  const base = Math.floor(TOTAL / split.length);
  split.forEach((slice, index) => { slice.weight = base + (index < TOTAL - base * split.length ? 1 : 0); });
}

function drawBar(bar, total, split) {
  const weights = split.map((slice) => (typeof slice.weight === 'number' && slice.weight > 0 ? slice.weight : 0));
  const sum = split.reduce((acc, slice) => acc + (typeof slice.weight === 'number' ? slice.weight : NaN), 0);
  const scale = Math.max(TOTAL, weights.reduce((a, b) => a + b, 0));
  bar.replaceChildren(...split.map((slice, index) => {
    const part = h('span', { class: `editor-bar-part c${index % 6}` },
      weights[index] / scale >= 0.08 ? `${slice.variant} ${percent(weights[index])} %` : '');
    // Sized through the CSSOM, which the page's style policy allows (no style attribute).
    part.style.width = `${(weights[index] / scale) * 100}%`;
    return part;
  }));
  const ok = sum === TOTAL;
  total.className = `editor-total ${ok ? 'ok' : 'bad'}`;
  total.textContent = Number.isNaN(sum)
    ? 'Total: a share is not a number yet.'
    : ok ? 'Total: 100 %.' : `Total: ${percent(sum)} %. The shares must add up to exactly 100 %.`;
}
