// Saving: create (POST) or replace (PUT with If-Match = the version read), an optional reason
// for the audit trail, and what the service may answer: a conflict (412) shown as what changed,
// the engine's refusal (422) shown at the fields, the hourly quota (429); and deleting.

import { call } from '../../api.js';
import { clearDraft } from '../../draft.js';
import { confirmDialog } from '../../dialog.js';
import { announce, h, replace } from '../../dom.js';
import { explainError } from '../../errors.js';
import { changes, getAt, rebase } from './diff.js';
import { showPath } from './paths.js';
import { cleaned, endSession, isDirty } from './state.js';

export function saveBar(ctx) {
  const reason = h('input', { id: 'ed-reason', maxlength: 1000, autocomplete: 'off', placeholder: 'e.g. roll out to 30 % after the load test' });
  const save = h('button', { type: 'button', class: 'primary', id: 'ed-save', 'aria-describedby': 'ed-save-why', onclick: () => saveFlag(ctx, reason.value.trim()) }, 'Save');
  const why = h('p', { class: 'hint', id: 'ed-save-why', role: 'status' });
  const message = h('div', { class: 'editor-message' });
  const discard = h('button', { type: 'button', class: 'secondary', onclick: () => discardDraft(ctx) }, ctx.session.key === null ? 'Cancel' : 'Discard changes');
  // The draft stays while the page lives, so the preview can show whom it moves and the editor
  // comes back as it was left.
  const preview = h('button', {
    type: 'button', class: 'secondary',
    onclick: () => { location.hash = `#/preview?draft=${encodeURIComponent(ctx.session.draftKey ?? ctx.session.key ?? '')}`; },
  }, 'Preview the draft');
  const remove = ctx.session.key !== null && h('button', { type: 'button', class: 'danger', onclick: () => deleteFlag(ctx) }, 'Delete flag');
  const element = h('div', { class: 'editor-bar-save card' },
    message,
    h('div', { class: 'editor-save-row' },
      h('div', { class: 'field grow' }, h('label', { for: reason.id }, 'Reason (optional, for the audit trail)'), reason),
      h('div', { class: 'editor-save-buttons' }, discard, preview, save)),
    why,
    remove && h('div', { class: 'editor-danger' }, h('span', { class: 'hint' }, 'Deleting removes the flag and its per-user overrides from every SDK.'), remove));
  return {
    element,
    reason,
    update({ dirty, errors }) {
      save.disabled = errors > 0 || !dirty || ctx.busy === true;
      preview.disabled = !dirty || !ctx.session.draftKey;
      why.textContent = errors > 0
        ? `Saving is disabled: ${errors} problem${errors > 1 ? 's' : ''} to fix (listed at the top and next to the fields).`
        : !dirty ? 'No changes to save.' : ctx.session.key === null ? 'Ready to create.' : 'Unsaved changes.';
    },
    message(text, kind = 'info', ...extra) {
      replace(message, text ? h('div', { class: `notice ${kind === 'error' ? 'error' : ''}`, role: kind === 'error' ? 'alert' : 'status' }, text, ...extra) : null);
    },
  };
}

async function saveFlag(ctx, reason) {
  const { app, session } = ctx;
  const flag = cleaned(session.flag);
  const query = { environment: app.environment };
  ctx.busy = true;
  ctx.bar.message('Saving…');
  const changed = app.changing();
  try {
    if (session.key === null) {
      const { revision } = await call('POST', '/flags', { query, body: flag, reason });
      await finished(ctx, flag.key, `${flag.key} created in ${app.environment}.`, () => changed(revision));
      app.navigate(`#/flags/${encodeURIComponent(flag.key)}`);
    } else {
      const { revision } = await call('PUT', `/flags/${encodeURIComponent(session.key)}`, { query, body: flag, reason, ifMatch: session.etag });
      // The page is drawn again for it (once), by the live document or by `changed`.
      await finished(ctx, session.key, `${session.key} saved.`, () => changed(revision));
    }
  } catch (error) {
    ctx.busy = false;
    await refused(ctx, error);
  }
}

/** After a save: the draft is gone, and `changed()` has the page read the new state. */
async function finished(ctx, key, text, changed) {
  clearDraft(ctx.session.draftKey ?? key);
  endSession(ctx.session.key);
  ctx.root.removeAttribute('data-keep-on-live');
  announce(text);
  await changed();
}

async function refused(ctx, error) {
  const { app, session } = ctx;
  if (error.code === 'version-mismatch' && session.key !== null) {
    try {
      const { body, etag } = await call('GET', `/flags/${encodeURIComponent(session.key)}`, { query: { environment: app.environment } });
      ctx.bar.message('');
      showConflict(ctx, body, etag, true);
    } catch (again) {
      ctx.bar.message(explainError(again), 'error');
    }
    return;
  }
  if (error.code === 'invalid-flag') {
    ctx.server = (error.details.diagnostics ?? []).map((d) => ({ ...d, severity: d.severity ?? 'error' }));
    ctx.bar.message(`The service refused the change: ${error.message}. The problems are shown next to the fields.`, 'error');
    ctx.changed({ edited: false });
    return;
  }
  if (error.code === 'invalid-key' || (error.code === 'conflict' && session.key === null)) {
    ctx.server = [{ severity: 'error', code: error.code, path: '$.key', message: error.message }];
    ctx.bar.message(error.message, 'error');
    ctx.changed({ edited: false });
    return;
  }
  const retry = error.retryAfter ? ` (retry in about ${Math.ceil(error.retryAfter / 60)} min)` : '';
  ctx.bar.message(`Not saved: ${explainError(error)}${error.code === 'quota-exceeded' ? retry : ''}`, 'error');
}

const show = (value) => (value === undefined ? '(none)' : JSON.stringify(value));

/**
 * The flag changed since the editor opened it: what changed (theirs against what you started
 * from, next to yours), and the two ways on.
 */
export function showConflict(ctx, theirs, etag, saving) {
  const { session } = ctx;
  session.conflict = { theirs, etag, saving };
  const mine = cleaned(session.flag);
  const theirChanges = changes(cleaned(session.base), cleaned(theirs));
  const entry = ctx.app.flags.find((candidate) => candidate.key === session.key);
  const rows = theirChanges.map((change) => h('tr', {},
    h('th', { scope: 'row', class: 'mono' }, showPath(change.path)),
    h('td', { class: 'mono' }, show(change.before)),
    h('td', { class: 'mono' }, show(change.after)),
    h('td', { class: 'mono' }, show(getAt(mine, change.path)))));
  const panel = h('section', { class: 'editor-conflict card', 'aria-labelledby': 'ed-conflict-title', tabindex: '-1' },
    h('h2', { id: 'ed-conflict-title' }, saving ? 'Not saved: this flag changed since you opened it' : 'This flag changed since you opened it'),
    h('p', {}, `${entry?.updatedBy ?? 'Someone'} saved version ${etag} (you started from version ${session.etag}). What they changed:`),
    theirChanges.length === 0
      ? h('p', { class: 'muted' }, 'Nothing in the definition (the change was elsewhere, e.g. its version only).')
      : h('div', { class: 'table-wrap' }, h('table', { class: 'editor-diff' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Changed'), h('th', { scope: 'col' }, 'When you opened it'),
          h('th', { scope: 'col' }, 'Theirs (now)'), h('th', { scope: 'col' }, 'Yours'))),
        h('tbody', {}, rows))),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => keepEditing(ctx, theirs, etag) }, 'Keep editing on top of theirs'),
      h('button', { type: 'button', class: 'primary', onclick: () => overwrite(ctx, etag) }, 'Overwrite with mine')));
  ctx.notices.querySelector('.editor-conflict')?.remove();
  ctx.notices.querySelector('.editor-meanwhile')?.remove();
  ctx.notices.append(panel);
  panel.focus();
}

/** Theirs becomes the base (and its version the one saved against); your changes go on top. */
function keepEditing(ctx, theirs, etag) {
  const { session } = ctx;
  const { flag, applied, both } = rebase(cleaned(session.base), cleaned(session.flag), cleaned(theirs));
  const yours = cleaned(session.flag);
  session.base = structuredClone(theirs);
  session.flag = flag;
  session.etag = etag;
  session.conflict = null;
  ctx.notices.querySelector('.editor-conflict')?.remove();
  ctx.notices.append(h('div', { class: 'notice editor-rebased', role: 'status' },
    h('p', {}, `Now editing on top of version ${etag}. `,
      applied.length ? `Your changes re-applied: ${applied.map(showPath).join(', ')}.` : 'None of your changes needed re-applying.'),
    both.length > 0 && h('p', {}, `You both changed ${both.map((item) => showPath(item.path)).join(', ')}: theirs is kept; your values are below to re-apply by hand.`),
    h('details', { open: both.length > 0 },
      h('summary', {}, 'Your version before the rebase'),
      h('pre', { class: 'editor-pre' }, JSON.stringify(yours, null, 2))),
    h('button', { type: 'button', class: 'link', onclick: (event) => event.target.closest('.notice').remove() }, 'Dismiss')));
  ctx.rebuild();
}

async function overwrite(ctx, etag) {
  ctx.session.etag = etag;
  ctx.session.conflict = null;
  ctx.notices.querySelector('.editor-conflict')?.remove();
  await saveFlag(ctx, ctx.bar.reason.value.trim());
}

async function discardDraft(ctx) {
  const { session } = ctx;
  if (isDirty(session) && !await confirmDialog({ title: 'Discard your changes?', text: 'The edits you made to this flag are thrown away.', confirm: 'Discard', danger: true })) return;
  if (session.draftKey) clearDraft(session.draftKey);
  endSession(session.key);
  if (session.key === null) ctx.app.navigate('#/flags');
  else ctx.app.rerender();
}

async function deleteFlag(ctx) {
  const { app, session } = ctx;
  const confirmed = await confirmDialog({
    title: `Delete ${session.key}?`,
    text: `Every SDK of ${app.environment} stops knowing ${session.key} within seconds and answers the application's default. Its history is kept.`,
    confirm: 'Delete',
    danger: true,
  });
  if (!confirmed) return;
  const changed = app.changing();
  let answer;
  try {
    answer = await call('DELETE', `/flags/${encodeURIComponent(session.key)}`, {
      query: { environment: app.environment }, ifMatch: session.etag, reason: ctx.bar.reason.value.trim(),
    });
  } catch (error) {
    if (error.code === 'conflict') {
      const dependants = error.details.dependants ?? [];
      ctx.bar.message(`${session.key} cannot be deleted: other flags list it as a prerequisite. Remove it from them first: `, 'error',
        dependants.map((key, index) => [index ? ', ' : '', h('a', { href: `#/flags/${encodeURIComponent(key)}` }, key)]));
    } else ctx.bar.message(`Not deleted: ${explainError(error)}`, 'error');
    return;
  }
  await finished(ctx, session.key, `${session.key} deleted from ${app.environment}.`, () => changed(answer.revision));
  app.navigate('#/flags');
}
