// The flag's change quota, shown before it is hit: "37 of 100 changes left this hour; resets at
// 15:00". Read from GET /flags/{key}/quota, the counter every change counts against.

import { call } from '../api.js';
import { h, replace } from '../dom.js';
import { clockTime } from '../errors.js';

/** A meter that loads itself; `refreshQuotas()` reloads every meter in the page. */
export function quotaMeter(app, key) {
  const box = h('div', { class: 'quota-meter', dataset: { flag: key }, 'aria-live': 'polite' });
  box.refresh = () => load(app, key, box);
  box.refresh();
  return box;
}

/** After a change (or a refused one), so the meters say what is left now. */
export function refreshQuotas() {
  for (const box of document.querySelectorAll('.quota-meter')) box.refresh?.();
}

async function load(app, key, box) {
  let quota;
  try {
    ({ body: quota } = await call('GET', `/flags/${encodeURIComponent(key)}/quota`, { query: { environment: app.environment } }));
  } catch {
    // The meter is advice; a service without the endpoint just shows none.
    box.replaceChildren();
    return;
  }
  const low = quota.remaining <= Math.max(1, Math.floor(quota.limit / 10));
  box.className = `quota-meter${quota.remaining === 0 ? ' spent' : low ? ' low' : ''}`;
  Object.assign(box.dataset, { remaining: quota.remaining, limit: quota.limit, resetAt: quota.resetAt });
  replace(box,
    h('meter', {
      min: 0, max: quota.limit, value: quota.remaining,
      low: Math.max(1, Math.floor(quota.limit / 10)) + 0.5, high: Math.floor(quota.limit / 2), optimum: quota.limit,
      'aria-label': 'Changes left this hour',
    }),
    h('span', { class: 'quota-text' },
      quota.remaining === 0 ? 'No changes left this hour' : `${quota.remaining} of ${quota.limit} changes left this hour`,
      '; resets at ', h('time', { datetime: quota.resetAt, title: quota.resetAt }, clockTime(quota.resetAt))));
  box.title = 'Each flag may change a limited number of times per hour, so a runaway script cannot flood every SDK with revisions.';
}
