// A flag's per-user overrides: who is forced to which variant, why and until when; adding and
// removing them. They are in the published snapshot, so every SDK applies them.

import { call } from '../api.js';
import { confirmDialog } from '../dialog.js';
import { announce, field, h, replace, when } from '../dom.js';
import { explainError } from '../errors.js';
import { refreshQuotas } from './quota-meter.js';

export function overridesView(app, key) {
  const entry = app.flags.find((candidate) => candidate.key === key);
  const variants = Object.keys(entry?.flag.variants ?? {});
  const body = h('tbody', {}, h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'Loading the overrides…')));
  const view = h('section', { class: 'overrides-view' },
    h('h2', {}, 'Per-user overrides'),
    h('p', { class: 'muted' },
      'An override forces one targeting key (a user, an account) to one variant, ahead of the flag\'s rules. ',
      'It is part of the published snapshot, so every SDK applies it: servers and browsers, online or offline, within seconds.'),
    h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Overrides' },
      h('table', { class: 'overrides' },
        h('thead', {}, h('tr', {}, ['Targeting key', 'Variant', 'Note', 'Set by', 'Set at', 'Expires', 'Actions']
          .map((label) => h('th', { scope: 'col' }, label)))),
        body)),
    overrideForm(app, key, variants, () => list, () => onLive()));
  let list = [];
  // The revision the list was loaded at (or after).
  let shown = app.live.revision;
  const reload = () => load(app, key, body).then((found) => { list = found; }, () => {});
  reload();
  // While the form holds typing, the router keeps this view on a new revision; the list
  // follows it here instead. A view drawn for that revision has loaded it already.
  const onLive = () => {
    if (!view.isConnected) {
      document.removeEventListener('vexil:live', onLive);
    } else if (app.live.revision > shown && !view.querySelector('form[aria-busy="true"]')) {
      // (A form being sent draws the page again when its answer is in.)
      shown = app.live.revision;
      reload();
    }
  };
  document.addEventListener('vexil:live', onLive);
  return view;
}

async function load(app, key, body) {
  let overrides;
  try {
    ({ body: { overrides } } = await call('GET', `/flags/${encodeURIComponent(key)}/overrides`, { query: { environment: app.environment } }));
  } catch (error) {
    replace(body, h('tr', {}, h('td', { colspan: 7, class: 'empty', role: 'alert' }, explainError(error))));
    throw error;
  }
  replace(body, overrides.length === 0
    ? h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No overrides: everyone gets what the rules give.'))
    : overrides.map((override) => row(app, key, override)));
  return overrides;
}

function row(app, key, override) {
  return h('tr', { dataset: { targetingKey: override.targetingKey } },
    h('td', { class: 'mono' }, override.targetingKey),
    h('td', {}, h('span', { class: 'tag' }, override.variant)),
    h('td', { class: 'note' }, override.note || h('span', { class: 'muted' }, '—')),
    h('td', {}, override.setBy),
    h('td', {}, when(override.setAt)),
    h('td', {}, override.expiresAt ? exactTime(override.expiresAt) : h('span', { class: 'muted' }, 'never')),
    h('td', {}, h('button', {
      class: 'secondary', 'aria-label': `Remove the override of ${override.targetingKey}`,
      onclick: () => remove(app, key, override),
    }, 'Remove')));
}

/** An instant people can read in their own time zone, with the UTC instant in the title. */
function exactTime(instant) {
  const at = new Date(instant);
  return h('time', { datetime: instant, title: instant },
    at.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }));
}

async function remove(app, key, override) {
  const confirmed = await confirmDialog({
    title: `Remove the override of ${override.targetingKey}?`,
    text: `${override.targetingKey} gets what ${key}'s rules give again, in every SDK of ${app.environment} within seconds. This counts as one change of the flag.`,
    confirm: 'Remove',
    danger: true,
  });
  if (!confirmed) return;
  const changed = app.changing();
  let answer;
  try {
    answer = await call('DELETE', `/flags/${encodeURIComponent(key)}/overrides/${encodeURIComponent(override.targetingKey)}`,
      { query: { environment: app.environment } });
  } catch (error) {
    announce(explainError(error), 'error');
    refreshQuotas();
    return;
  }
  announce(`The override of ${override.targetingKey} is removed.`);
  await changed(answer.body?.revision);
}

// `current()` is the list shown; `caughtUp()` loads it again if a revision came while the form
// was being sent (and the send failed, so the page is not drawn again).
function overrideForm(app, key, variants, current, caughtUp) {
  const targetingKey = h('input', { name: 'targetingKey', required: true, maxlength: 256, autocomplete: 'off', spellcheck: 'false', placeholder: 'user-42' });
  const variant = h('select', { name: 'variant', required: true }, variants.map((name) => h('option', { value: name }, name)));
  const note = h('input', { name: 'note', maxlength: 1000, placeholder: 'QA account' });
  const expires = h('input', { type: 'datetime-local', name: 'expiresAt' });
  const message = h('div', { class: 'form-message', role: 'alert' });
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Set override');
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const form = h('form', { class: 'override-form card', novalidate: true },
    h('h3', {}, 'Add an override'),
    h('div', { class: 'override-fields' },
      field('Targeting key', targetingKey, { hint: 'The context\'s targetingKey, exactly.' }),
      field('Variant', variant),
      field('Note', note, { hint: 'Why, for the next person (optional).' }),
      field('Expires', expires, { hint: `Optional, in your time zone (${zone}); it stops applying then.` })),
    message,
    h('div', { class: 'actions' }, submit));
  form.addEventListener('input', () => {
    const typed = [targetingKey, note, expires].some((input) => input.value !== '');
    form.toggleAttribute('data-keep-on-live', typed);
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(message);
    const wanted = targetingKey.value.trim();
    targetingKey.setAttribute('aria-invalid', String(!wanted));
    if (!wanted) {
      replace(message, h('p', { class: 'error-text' }, 'Give the targeting key the override is for.'));
      targetingKey.focus();
      return;
    }
    const expiresAt = expires.value ? new Date(expires.value).toISOString() : undefined;
    const existing = current().find((override) => override.targetingKey === wanted);
    if (existing && !await confirmDialog({
      title: `Replace the override of ${wanted}?`,
      text: `${wanted} is forced to ${existing.variant} now; it will get ${variant.value} instead.`,
      confirm: 'Replace',
    })) return;
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    const changed = app.changing();
    let answer;
    try {
      answer = await call('POST', `/flags/${encodeURIComponent(key)}/overrides`, {
        query: { environment: app.environment },
        body: { targetingKey: wanted, variant: variant.value, note: note.value.trim() || undefined, expiresAt },
      });
    } catch (error) {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
      caughtUp();
      replace(message, h('p', { class: `notice ${error.code === 'quota-exceeded' ? '' : 'error'}`, dataset: { code: error.code } }, explainError(error)));
      refreshQuotas();
      return;
    }
    announce(`${wanted} now gets ${variant.value} from ${key} in every SDK of ${app.environment}.`);
    // What was typed is sent: the page may be drawn again (with an empty form) for the change.
    form.removeAttribute('data-keep-on-live');
    await changed(answer.body?.revision);
  });
  return form;
}
