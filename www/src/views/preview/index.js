// The preview (#/preview, #/preview?draft=KEY): every flag for a context you type, with its
// explanation; a population of users; a draft compared with the live document; local overrides.
// Everything is evaluated by the real engine, in this page.

import { getDraft } from '../../draft.js';
import { h, replace } from '../../dom.js';
import { contextEditor, nowControl } from './context-editor.js';
import { load, loadDraft } from './documents.js';
import { whileShown } from './lifecycle.js';
import { LocalOverrides } from './local-overrides.js';
import { overridesPanel } from './overrides-panel.js';
import { populationSection } from './population.js';
import { renderResults } from './results.js';
import { sourcePanel } from './source.js';

/** What the user typed, kept while the page lives (leaving the preview and coming back keeps it). */
const remembered = { context: { targetingKey: 'user-42', plan: 'free' }, now: null };

function draftFlag(spec) {
  if (spec.kind === 'key') return { flag: getDraft(spec.key), label: `Draft of ${spec.key}` };
  try {
    return { flag: JSON.parse(spec.text), label: 'Draft from JSON' };
  } catch (error) {
    return { error: `the draft is not JSON: ${error.message}`, label: 'Draft from JSON' };
  }
}

export function previewView(app) {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const state = {
    baseKind: 'live', baseLabel: `Live (rev ${app.live.revision})`, base: load(app.live.text),
    draftSpec: query.get('draft') && getDraft(query.get('draft')) ? { kind: 'key', key: query.get('draft') } : null,
    draft: null, draftLabel: '', expanded: new Set(),
  };
  const local = new LocalOverrides(app.environment, app.live.text);

  const notices = h('div', { class: 'pv-notices' });
  const timing = h('p', { class: 'muted pv-timing' });
  const results = h('div', { class: 'pv-results-box' });

  function loadTheDraft() {
    state.draft?.engine?.free();
    state.draft = null;
    if (!state.draftSpec) return;
    const { flag, error, label } = draftFlag(state.draftSpec);
    state.draftLabel = label;
    if (flag === undefined && !error) {
      state.draftSpec = null;
      return;
    }
    state.draft = error ? { error } : loadDraft(state.base, flag);
  }

  function showNotices() {
    const draft = state.draft;
    const problems = draft?.error ? [draft.error] : (draft?.errors ?? []).map((d) => `${d.code} at ${d.path}: ${d.message}`);
    replace(notices, problems.length > 0 && h('div', { class: 'notice error pv-draft-errors', role: 'alert' },
      h('h2', {}, draft.error ? 'The draft does not load' : 'The draft has errors'),
      h('ul', { class: 'pv-diagnostics' }, problems.map((text) => h('li', {}, text))),
      h('p', {}, draft.error
        ? 'Only the live results are shown until the draft is fixed.'
        : 'The live results stay beside the draft: a flag with errors serves PARSE_ERROR (the caller\'s default) to everyone.')));
  }

  function evaluate() {
    const draft = state.draft?.engine ? state.draft : null;
    const run = renderResults(results, {
      base: state.base, draft, local,
      context: remembered.context, now: remembered.now ?? Date.now(), expanded: state.expanded,
      baseLabel: state.baseLabel, draftLabel: state.draftLabel,
      onToggle: (key) => {
        if (!state.expanded.delete(key)) state.expanded.add(key);
        evaluate();
        results.querySelector(`tr[data-flag="${CSS.escape(key)}"] button[aria-expanded]`)?.focus();
      },
    });
    timing.textContent = `evaluated ${run.flags} flags${run.documents > 1 ? ' in 2 documents' : ''} in ${run.ms < 10 ? run.ms.toFixed(2) : Math.round(run.ms)} ms`;
  }

  const population = populationSection(() => ({ base: state.base, draft: state.draft, now: remembered.now }));
  const overrides = overridesPanel(() => local, () => state.base.engine, evaluate);

  function everything() {
    showNotices();
    evaluate();
    population.refresh();
  }

  const actions = {
    selected: () => ({ baseKind: state.baseKind, draftSpec: state.draftSpec }),
    useBase(kind, text, label) {
      const loaded = load(kind === 'live' ? app.live.text : text);
      if (loaded.error) {
        replace(notices, h('div', { class: 'notice error', role: 'alert' }, `${label} cannot be loaded: ${loaded.error}. The previous document is still shown.`));
        return;
      }
      state.base.engine.free();
      Object.assign(state, { baseKind: kind, base: loaded, baseLabel: kind === 'live' ? `Live (rev ${app.live.revision})` : label });
      local.reload(kind === 'live' ? app.live.text : text);
      loadTheDraft();
      overrides.refresh();
      everything();
    },
    useDraft(spec) {
      state.draftSpec = spec;
      loadTheDraft();
      everything();
    },
  };
  const source = sourcePanel(app, actions);

  whileShown(() => root, {
    // A new revision: the live document is loaded again; the context, the draft and the sample stay.
    'vexil:live': () => {
      if (state.baseKind === 'live') actions.useBase('live', null, 'live');
    },
    // The editor changed a draft: follow the one shown, or pick up the one the route names.
    'vexil:draft': (event) => {
      const key = event.detail?.key;
      if (state.draftSpec?.kind === 'key' && state.draftSpec.key === key) actions.useDraft(state.draftSpec);
      else if (!state.draftSpec && query.get('draft') === key && getDraft(key)) actions.useDraft({ kind: 'key', key });
      source.refreshDrafts();
    },
  }, () => {
    state.base.engine.free();
    state.draft?.engine?.free();
    local.close();
  });

  const editor = contextEditor(remembered.context, (context) => { remembered.context = context; evaluate(); });
  const now = nowControl(remembered.now, (ms) => { remembered.now = ms; evaluate(); population.refresh(); });
  const root = h('section', { class: 'preview', 'data-keep-on-live': '' },
    h('div', { class: 'toolbar' }, h('h1', {}, 'Preview'), timing),
    source.element,
    notices,
    h('div', { class: 'pv-main' },
      h('div', { class: 'pv-side' },
        h('section', { class: 'card', 'aria-labelledby': 'pv-context-title' }, h('h2', { id: 'pv-context-title' }, 'Context'), editor.element, now),
        overrides.element),
      h('section', { class: 'pv-results-section', 'aria-label': 'Results' }, results)),
    population.element);
  loadTheDraft();
  everything();
  return root;
}
