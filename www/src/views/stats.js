// A flag's evaluation statistics: evaluations per variant per hour (stacked bars), the success
// rate over time, the totals, and the numbers in a table.

import { call } from '../api.js';
import { h, replace } from '../dom.js';
import { explainError } from '../errors.js';
import { rateLine, stackedBars } from '../chart.js';

const HOUR = 3_600_000;
const PERIODS = [[24, 'Last 24 hours'], [168, 'Last 7 days']];
/** The period chosen, kept while the page lives. */
let chosen = 24;

export function statsView(app, key) {
  const body = h('div', { class: 'stats-body' }, h('p', { class: 'muted' }, 'Loading the statistics…'));
  const buttons = PERIODS.map(([hours, label]) => h('button', {
    class: 'secondary', type: 'button', 'aria-pressed': String(hours === chosen),
    onclick: (event) => {
      chosen = hours;
      for (const button of buttons) button.setAttribute('aria-pressed', String(button === event.currentTarget));
      load(app, key, body);
    },
  }, label));
  load(app, key, body);
  return h('section', { class: 'stats-view' },
    h('div', { class: 'toolbar' },
      h('h2', {}, 'Statistics'),
      h('div', { class: 'stats-period', role: 'group', 'aria-label': 'Period' }, buttons)),
    body);
}

async function load(app, key, body) {
  let stats;
  try {
    ({ body: stats } = await call('GET', `/flags/${encodeURIComponent(key)}/stats`, { query: { environment: app.environment, hours: chosen } }));
  } catch (error) {
    replace(body, h('p', { class: 'notice error', role: 'alert' }, explainError(error)));
    return;
  }
  const period = PERIODS.find(([hours]) => hours === chosen)[1].toLowerCase();
  if (!stats.evaluations) {
    replace(body, h('div', { class: 'stats-empty card' },
      h('p', {}, h('strong', {}, `No evaluations of ${key} in the ${period}.`)),
      h('p', { class: 'muted' }, 'SDKs report how often they evaluate each flag (POST /sdk/v1/events), and the service counts its own evaluate endpoints; counts appear here within a minute of being reported.')));
    return;
  }
  const entry = app.flags.find((candidate) => candidate.key === key);
  const names = variantNames(entry?.flag, stats.hours);
  const hours = timeline(stats.hours, chosen);
  replace(body,
    totals(stats),
    h('h3', {}, 'Evaluations per variant'),
    legend(names, stats.hours),
    evaluationsChart(names, hours, period, stats),
    h('h3', {}, 'Success rate'),
    rateChart(hours, period),
    table(names, stats.hours));
}

/** The flag's variants in its own order, then any other counted name, then errors. */
function variantNames(flag, hours) {
  const seen = new Set(Object.keys(flag?.variants ?? {}));
  for (const hour of hours) for (const name of Object.keys(hour.variants)) seen.add(name);
  const counted = new Set(hours.flatMap((hour) => Object.keys(hour.variants)));
  return [...seen].filter((name) => counted.has(name));
}

/** Every hour of the period (the API lists only hours with counts), oldest first. */
function timeline(counted, span) {
  const byHour = new Map(counted.map((hour) => [Date.parse(hour.hour), hour]));
  const last = Math.max(Math.floor(Date.now() / HOUR) * HOUR, ...byHour.keys());
  const out = [];
  for (let at = last - (span - 1) * HOUR; at <= last; at += HOUR) {
    out.push(byHour.get(at) ?? { hour: new Date(at).toISOString(), evaluations: 0, variants: {}, errors: 0, successRate: null });
  }
  return out;
}

const percent = (rate) => (rate === null || rate === undefined ? '—' : `${Math.round(rate * 1000) / 10}%`);
const hourText = (instant) => new Date(instant).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

function totals(stats) {
  const item = (label, value, className = '') => h('div', { class: `stat ${className}` }, h('dt', {}, label), h('dd', {}, value));
  return h('dl', { class: 'stats-totals' },
    item('Evaluations', stats.evaluations.toLocaleString()),
    item('Errors', stats.errors.toLocaleString(), stats.errors ? 'bad' : ''),
    item('Success rate', percent(stats.successRate)));
}

function legend(names, hours) {
  const sum = (name) => hours.reduce((total, hour) => total + (hour.variants[name] ?? 0), 0);
  const errors = hours.reduce((total, hour) => total + hour.errors, 0);
  return h('ul', { class: 'chart-legend', 'aria-label': 'Legend' },
    names.map((name, index) => h('li', {}, h('span', { class: `swatch series-${index % 8}`, 'aria-hidden': 'true' }), name, h('span', { class: 'muted' }, ` ${sum(name).toLocaleString()}`))),
    errors > 0 && h('li', {}, h('span', { class: 'swatch series-error', 'aria-hidden': 'true' }), 'errors', h('span', { class: 'muted' }, ` ${errors.toLocaleString()}`)));
}

function xLabels(hours) {
  const every = hours.length > 48 ? 24 : 6;
  return hours.map((hour, index) => [index, new Date(hour.hour)])
    .filter(([, at]) => at.getHours() % every === 0)
    .map(([index, at]) => [index, every === 24
      ? at.toLocaleDateString([], { weekday: 'short', day: 'numeric' })
      : at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })]);
}

function evaluationsChart(names, hours, period, stats) {
  const series = [...names.map((name, index) => ({ name, className: `series-${index % 8}` })), { name: 'errors', className: 'series-error' }];
  const shares = names.map((name) => {
    const count = stats.hours.reduce((total, hour) => total + (hour.variants[name] ?? 0), 0);
    return `${name} ${count.toLocaleString()} (${percent(count / stats.evaluations)})`;
  });
  const label = `Evaluations per hour in the ${period}: ${stats.evaluations.toLocaleString()} in all; ${shares.join(', ')}; errors ${stats.errors.toLocaleString()}.`;
  return stackedBars({
    label,
    series,
    xLabels: xLabels(hours),
    buckets: hours.map((hour) => ({
      title: `${hourText(hour.hour)}: ${series.map((s) => `${s.name} ${(s.name === 'errors' ? hour.errors : hour.variants[s.name] ?? 0).toLocaleString()}`).join(', ')}`,
      values: [...names.map((name) => hour.variants[name] ?? 0), hour.errors],
    })),
  });
}

function rateChart(hours, period) {
  const known = hours.filter((hour) => hour.successRate !== null);
  const lowest = known.reduce((low, hour) => Math.min(low, hour.successRate), 1);
  return rateLine({
    label: `Success rate per hour in the ${period}: lowest ${percent(lowest)} over ${known.length} hour${known.length === 1 ? '' : 's'} with evaluations.`,
    rates: hours.map((hour) => hour.successRate),
    titles: hours.map((hour) => `${hourText(hour.hour)}: ${percent(hour.successRate)} of ${hour.evaluations.toLocaleString()}`),
    xLabels: xLabels(hours),
  });
}

function table(names, counted) {
  return h('details', { class: 'stats-table' },
    h('summary', {}, 'The numbers, hour by hour'),
    h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Evaluations hour by hour' },
      h('table', {},
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Hour'),
          names.map((name) => h('th', { scope: 'col', dataset: { variant: name } }, name)),
          h('th', { scope: 'col' }, 'Errors'),
          h('th', { scope: 'col' }, 'Total'),
          h('th', { scope: 'col' }, 'Success'))),
        h('tbody', {}, [...counted].reverse().map((hour) => h('tr', { dataset: { hour: hour.hour } },
          h('th', { scope: 'row' }, h('time', { datetime: hour.hour }, hourText(hour.hour))),
          names.map((name) => h('td', { class: 'num', dataset: { variant: name } }, String(hour.variants[name] ?? 0))),
          h('td', { class: 'num', dataset: { variant: 'errors' } }, String(hour.errors)),
          h('td', { class: 'num' }, String(hour.evaluations)),
          h('td', { class: 'num' }, percent(hour.successRate))))))));
}
