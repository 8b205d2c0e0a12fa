// Horizontal stacked bars: a split's ranges (with the bucket marked) and variant shares. Colours
// come from classes (one per variant position in the flag), widths from CSSOM: no inline styles.

import { h } from '../../dom.js';

const COLOURS = 8;

/** The colour class of `variant` among the flag's variants (null: no variant served). */
export function colourClass(variants, variant) {
  if (variant === null || variant === undefined) return 'pv-none';
  const index = variants.indexOf(variant);
  return `pv-${(index < 0 ? variants.length : index) % COLOURS}`;
}

/**
 * A bar of `parts` [{ label, share (0..1), className }], described for screen readers by
 * `label`; `marker` (0..1) draws a line at that position.
 */
export function stackedBar(parts, { label, marker } = {}) {
  const bar = h('div', { class: 'pv-bar', role: 'img', 'aria-label': label });
  for (const part of parts) {
    if (part.share <= 0) continue;
    const piece = h('span', { class: `pv-part ${part.className}`, title: `${part.label}: ${percent(part.share)}` },
      part.share >= 0.08 ? part.label : '');
    piece.style.width = `${part.share * 100}%`;
    bar.append(piece);
  }
  if (marker !== undefined) {
    const line = h('span', { class: 'pv-marker', 'aria-hidden': 'true' });
    line.style.left = `${marker * 100}%`;
    bar.append(line);
  }
  return bar;
}

/** A share as text: "33.3 %". */
export function percent(share) {
  return `${Math.round(share * 1000) / 10} %`;
}

/** The ranges of a split `[{ variant, weight }]`: [{ variant, start, end }] over 0..100000. */
export function splitRanges(split) {
  let end = 0;
  return split.map((part) => {
    const start = end;
    end += Number(part.weight) || 0;
    return { variant: part.variant, start, end };
  });
}

/** A split's ranges as a bar, with `bucket` marked. */
export function splitBar(split, variants, bucket) {
  const ranges = splitRanges(split);
  return stackedBar(
    ranges.map((range) => ({ label: range.variant, share: (range.end - range.start) / 100000, className: colourClass(variants, range.variant) })),
    {
      label: `split ranges ${ranges.map((range) => `${range.variant} ${range.start}–${range.end - 1}`).join(', ')}; bucket ${bucket}`,
      marker: typeof bucket === 'number' ? bucket / 100000 : undefined,
    });
}
