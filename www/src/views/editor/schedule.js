// The schedule: when the flag is live, [start, end). People pick local times; the snapshot
// stores instants in UTC (RFC 3339), so the zone is said next to the inputs.

import { h } from '../../dom.js';
import { fieldAt, section } from './controls.js';

/** An RFC 3339 instant as a datetime-local value in this browser's zone ('' if none or invalid). */
export function toLocalInput(instant) {
  const at = instant ? new Date(instant) : null;
  if (!at || Number.isNaN(at.getTime())) return '';
  const local = new Date(at.getTime() - at.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}

/** A datetime-local value (this browser's zone) as an RFC 3339 instant in UTC. */
export function fromLocalInput(value) {
  if (!value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

function zone() {
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'local time';
  const minutes = -new Date().getTimezoneOffset();
  const sign = minutes < 0 ? '−' : '+';
  const abs = Math.abs(minutes);
  return `${name}, UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function scheduleSection(ctx) {
  const flag = ctx.session.flag;
  const stored = (side) => h('span', { class: 'mono' }, flag.schedule?.[side] ?? 'open');
  const input = (side) => {
    const shown = stored(side);
    const control = h('input', { type: 'datetime-local', value: toLocalInput(flag.schedule?.[side]), oninput: (event) => {
      const instant = fromLocalInput(event.target.value);
      flag.schedule = { ...(flag.schedule ?? {}) };
      if (instant) flag.schedule[side] = instant;
      else delete flag.schedule[side];
      shown.textContent = instant ?? 'open';
      ctx.changed();
    } });
    const wrapper = fieldAt(ctx, ['schedule', side], side === 'start' ? 'Live from (inclusive)' : 'Until (exclusive)', control,
      { hint: side === 'start' ? 'Empty: live already.' : 'Empty: no end.' });
    wrapper.append(h('p', { class: 'hint' }, 'Stored as ', shown));
    return wrapper;
  };
  const box = h('div', { class: 'editor-row' }, input('start'), input('end'));
  // An empty window (end before start) is about both: shown under them, focusing the start.
  const slot = ctx.registry.register(['schedule'], box.querySelector('input'));
  return section('Schedule', `Outside this window the flag serves its off variant. Times are in your time zone (${zone()}) and stored in UTC.`,
    box, slot);
}
