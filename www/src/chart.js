// Small SVG charts built with `h('svg:…')` (no markup strings, no inline styles: colours come
// from classes in console.css). Each is an image with a summary for screen readers; the
// numbers themselves go in a table beside it.

import { h } from './dom.js';

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 10, right: 8, bottom: 26, left: 46 };

/** Round steps for an axis up to `max`: 0, step, 2·step, … ≥ max. */
function ticks(max, count = 4) {
  if (max <= 0) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw);
  const out = [];
  for (let value = 0; value < max + step; value += step) out.push(value);
  return out;
}

function frame(label, yTicks, yMax, format, xLabels, slot) {
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const y = (value) => PAD.top + plotH - (value / yMax) * plotH;
  return [
    yTicks.map((value) => h('svg:g', { class: 'chart-grid' },
      h('svg:line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value) }),
      h('svg:text', { x: PAD.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, format(value)))),
    xLabels.map(([index, text]) => h('svg:text', {
      class: 'chart-axis', x: PAD.left + slot * (index + 0.5), y: HEIGHT - 8, 'text-anchor': 'middle',
    }, text)),
  ];
}

/**
 * Stacked bars: `buckets` [{ title, values: [n per series] }], `series` [{ name, className }],
 * `xLabels` [[bucketIndex, text]]. `label` is the summary read out instead of the picture.
 */
export function stackedBars({ buckets, series, xLabels, label }) {
  const totals = buckets.map((bucket) => bucket.values.reduce((a, b) => a + b, 0));
  const yTicks = ticks(Math.max(...totals, 1));
  const yMax = yTicks[yTicks.length - 1];
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(buckets.length, 1);
  const barW = Math.max(1, slot * 0.75);
  const bars = buckets.map((bucket, index) => {
    let top = PAD.top + plotH;
    const x = PAD.left + slot * index + (slot - barW) / 2;
    return h('svg:g', { class: 'chart-bar' },
      h('svg:title', {}, bucket.title),
      bucket.values.map((value, which) => {
        if (!value) return null;
        const height = (value / yMax) * plotH;
        top -= height;
        return h('svg:rect', { class: series[which].className, x, y: top, width: barW, height });
      }));
  });
  return h('svg:svg', { class: 'chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': label },
    frame(label, yTicks, yMax, (value) => value.toLocaleString(), xLabels, slot), bars);
}

/** A rate (0–1) per bucket as a line with dots; `null` rates (no data) break the line. */
export function rateLine({ rates, titles, xLabels, label, className = 'series-rate' }) {
  const known = rates.filter((rate) => rate !== null);
  // From the lowest rate seen (rounded down to 10 %) up to 100 %, so small dips show.
  const floor = Math.max(0, Math.floor((Math.min(...known, 1) - 0.05) * 10) / 10);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(rates.length, 1);
  const y = (rate) => PAD.top + plotH - ((rate - floor) / (1 - floor)) * plotH;
  const yTicks = [];
  for (let step = 0; step <= 4; step += 1) yTicks.push(floor + ((1 - floor) * step) / 4);
  const runs = [];
  let run = [];
  rates.forEach((rate, index) => {
    if (rate === null) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push(`${PAD.left + slot * (index + 0.5)},${y(rate)}`);
  });
  if (run.length) runs.push(run);
  // The frame maps values through 0..yMax; the rate axis starts at `floor`, so shift the ticks.
  const grid = yTicks.map((value) => h('svg:g', { class: 'chart-grid' },
    h('svg:line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value) }),
    h('svg:text', { x: PAD.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, `${Math.round(value * 1000) / 10}%`)));
  return h('svg:svg', { class: 'chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': label },
    grid,
    frame(label, [], 1, String, xLabels, slot),
    runs.map((points) => h('svg:polyline', { class: `chart-line ${className}`, points: points.join(' ') })),
    rates.map((rate, index) => rate === null ? null : h('svg:circle', {
      class: `chart-dot ${className}`, cx: PAD.left + slot * (index + 0.5), cy: y(rate), r: 3,
    }, h('svg:title', {}, titles[index]))));
}
