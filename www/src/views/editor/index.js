// The flag editor: a form over one flag object (no JSON needed), validated live by the real
// engine against the live document, saved with the version it was read at. The raw JSON view
// edits the same object.

import { call } from '../../api.js';
import { clearDraft, rememberPerUserOverrides, setDraft } from '../../draft.js';
import { h, replace } from '../../dom.js';
import { explainError } from '../../errors.js';
import { renderSummary, FieldRegistry } from './paths.js';
import { formView } from './form.js';
import { rawView } from './raw.js';
import { saveBar, showConflict } from './save.js';
import { cleaned, isDirty, KEY_PATTERN, newFlag, openSession, startSession } from './state.js';
import { validate } from './validate.js';

export function editorView(app, key) {
  const root = h('div', { class: 'editor' }, h('p', { class: 'loading' }, 'Loading the flag…'));
  const existing = openSession(key);
  if (existing) queueMicrotask(() => mount(app, root, existing));
  else if (key === null) queueMicrotask(() => mount(app, root, startSession(null, newFlag(), undefined)));
  else {
    const query = { environment: app.environment };
    const path = `/flags/${encodeURIComponent(key)}`;
    Promise.all([call('GET', path, { query }), call('GET', `${path}/overrides`, { query })])
      .then(([{ body, etag }, overrides]) => {
        rememberPerUserOverrides(key, overrides.body.overrides);
        mount(app, root, startSession(key, body, etag));
      })
      .catch((error) => replace(root, h('p', { class: 'notice error', role: 'alert' }, explainError(error))));
  }
  return root;
}

/** Builds the editor into `root` for `session` and keeps it in step with the live document. */
function mount(app, root, session) {
  const ctx = {
    app,
    session,
    root,
    registry: new FieldRegistry(),
    /** Problems found in the page before the engine sees them (path string → message). */
    local: new Map(),
    /** The service's last answer's diagnostics (422), until the next edit. */
    server: [],
    mode: 'form',
    errors: 0,
    changed: () => changed(ctx),
    rebuild: (focusId) => rebuild(ctx, focusId),
  };
  ctx.summary = h('section', { class: 'editor-summary card', 'aria-label': 'Problems', hidden: true });
  ctx.notices = h('div', { class: 'editor-notices' });
  ctx.body = h('div', { class: 'editor-body' });
  ctx.bar = saveBar(ctx);
  const modeButton = (mode, label) => h('button', {
    type: 'button', class: 'secondary', 'aria-pressed': String(ctx.mode === mode), dataset: { mode },
    onclick: () => { ctx.mode = mode; rebuild(ctx); },
  }, label);
  ctx.modes = h('div', { class: 'editor-modes', role: 'group', 'aria-label': 'Edit as' },
    modeButton('form', 'Form'), modeButton('json', 'JSON'));
  replace(root, ctx.notices, ctx.summary, ctx.modes, ctx.body, ctx.bar.element);
  rebuild(ctx);
  if (session.conflict) showConflict(ctx, session.conflict.theirs, session.conflict.etag, session.conflict.saving);
  const onLive = () => {
    if (!root.isConnected) {
      document.removeEventListener('vexil:live', onLive);
      return;
    }
    changedMeanwhile(ctx);
    changed(ctx, { edited: false });
  };
  document.addEventListener('vexil:live', onLive);
}

/** Draws the form or the JSON view again (after a structural change), keeping the focus. */
function rebuild(ctx, focusId) {
  const active = focusId ?? document.activeElement?.id;
  ctx.registry.clear();
  for (const button of ctx.modes.querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(button.dataset.mode === ctx.mode));
  }
  replace(ctx.body, ctx.mode === 'form' ? formView(ctx) : rawView(ctx));
  changed(ctx, { edited: false });
  if (active) document.getElementById(active)?.focus();
}

/** After any edit: local checks, the engine's diagnostics, the draft, the save button. */
function changed(ctx, { edited = true } = {}) {
  const { app, session } = ctx;
  if (edited) ctx.server = [];
  const draft = cleaned(session.flag);
  const problems = [];
  if (session.key === null) {
    if (!KEY_PATTERN.test(draft.key ?? '')) {
      problems.push({ severity: 'error', code: 'invalid-key', path: '$.key',
        message: 'a key is 1 to 128 letters, digits, -, _ or ., starting with a letter or digit' });
    } else if (app.flags.some((entry) => entry.key === draft.key)) {
      problems.push({ severity: 'error', code: 'duplicate-flag-key', path: '$.key', message: `a flag ${draft.key} exists already` });
    }
  }
  if (session.key !== null && draft.key !== session.key) {
    problems.push({ severity: 'error', code: 'invalid-key', path: '$.key', message: `the key stays ${session.key} (to use another key, create a new flag)` });
  }
  for (const [path, message] of ctx.local) problems.push({ severity: 'error', code: 'local', path, message });
  const result = validate(app.live, draft, session.key);
  if (result.loadError) {
    const { code, message, path, inFlag } = result.loadError;
    problems.push({ severity: 'error', code, path: inFlag ? path : '$', message: `${message} (${code})` });
  }
  // The page's own message about the key says more than the engine's "key is empty".
  const keyChecked = problems.some((problem) => problem.path === '$.key');
  problems.push(...result.diagnostics.filter((d) => !(keyChecked && d.path === '$.key')).map(reword), ...ctx.server.map(reword));
  const extra = result.others.map((d) => `This change would break flag ${d.flag ?? d.segment}: ${d.message}`);
  renderSummary(ctx.summary, ctx.registry.show(problems), extra);
  ctx.errors = problems.filter((d) => d.severity === 'error').length + extra.length;
  const dirty = isDirty(session) || session.key === null;
  ctx.root.toggleAttribute('data-keep-on-live', isDirty(session));
  // The preview evaluates the draft; a new flag's draft is filed under the key it has now.
  const draftKey = session.key ?? draft.key;
  if (session.draftKey && session.draftKey !== draftKey) clearDraft(session.draftKey);
  if (isDirty(session) && draftKey) {
    setDraft(draftKey, draft);
    session.draftKey = draftKey;
  } else if (session.draftKey) {
    clearDraft(session.draftKey);
    session.draftKey = undefined;
  }
  ctx.bar.update({ dirty, errors: ctx.errors });
}

/** The engine's "key is empty" names the member when it is not a key to people (an attribute, a rule id). */
function reword(diagnostic) {
  if (diagnostic.code !== 'invalid-key' || diagnostic.message !== 'key is empty') return diagnostic;
  const member = /\.(attribute|id|bucketBy)$/.exec(diagnostic.path)?.[1];
  const names = { attribute: 'the attribute name is empty', id: 'the rule id is empty', bucketBy: 'the attribute to bucket by is empty' };
  return member ? { ...diagnostic, message: names[member] } : diagnostic;
}

/** A new revision changed this flag under the user's edits: say so, keep the edits. */
function changedMeanwhile(ctx) {
  const { app, session } = ctx;
  if (session.key === null || !isDirty(session)) return;
  const entry = app.flags.find((candidate) => candidate.key === session.key);
  const old = ctx.notices.querySelector('.editor-meanwhile');
  if (entry && String(entry.version) === String(session.etag)) {
    old?.remove();
    return;
  }
  const notice = h('div', { class: 'notice editor-meanwhile', role: 'status' },
    entry
      ? [`${entry.updatedBy ?? 'Someone'} changed this flag meanwhile (version ${entry.version}; you started from version ${session.etag}). Your edits are kept. `,
        h('button', { type: 'button', class: 'link', onclick: () => reviewTheirs(ctx) }, 'Show what changed')]
      : 'This flag was deleted meanwhile. Saving will fail; copy what you need from the JSON view.');
  if (old) old.replaceWith(notice);
  else ctx.notices.prepend(notice);
}

async function reviewTheirs(ctx) {
  try {
    const { body, etag } = await call('GET', `/flags/${encodeURIComponent(ctx.session.key)}`, { query: { environment: ctx.app.environment } });
    showConflict(ctx, body, etag, false);
  } catch (error) {
    ctx.bar.message(explainError(error), 'error');
  }
}
