// The console: sign-in, the environment, and the route (in the URL's fragment) to the view.

import { call, listFlags, onUnauthorized } from './api.js';
import { announce, h, replace } from './dom.js';
import { Live } from './live.js';
import * as session from './session.js';
import { flagListView } from './views/flag-list.js';
import { flagPageView } from './views/flag-page.js';
import { previewView } from './views/preview/index.js';
import { signInView } from './views/signin.js';

const root = document.getElementById('app');

// How often the page was drawn.
let draws = 0;

// The flag listing in flight: its environment, the revision it was started for (it lists that
// one or a later one), and its promise.
let listing = null;

/** What every view reads: the environment, its live document and its flag listing. */
const app = {
  environments: [],
  environment: null,
  live: null,
  flags: [],
  revision: 0,
  /** Lists the flags again; `revision` (if known) is one the listing will include. */
  reloadFlags(revision = 0) {
    const environment = app.environment;
    const promise = listFlags(environment)
      .then((listed) => {
        // A listing of an environment the page has left meanwhile is dropped.
        if (app.environment !== environment) return;
        app.flags = listed.flags;
        app.revision = listed.revision;
      })
      .finally(() => {
        if (listing?.promise === promise) listing = null;
      });
    listing = { environment, revision, promise };
    return promise;
  },
  /**
   * Makes the list that of `revision` or a later one. A change made here arrives twice, from its
   * own answer and from the live stream: the flags are listed once for it.
   */
  flagsAt(revision) {
    if (app.revision >= revision) return Promise.resolve();
    if (listing?.environment === app.environment && listing.revision >= revision) return listing.promise;
    return app.reloadFlags(revision);
  },
  /**
   * Called as a change is sent; what it returns is called with the revision its answer names.
   * That makes the list and the live document that revision's, and sees the page drawn once
   * since the change was sent: by the live subscriber for the new revision (perhaps before the
   * answer arrived), else there (no new revision, the live document did not load, or a form
   * held typing).
   */
  changing() {
    const before = draws;
    return async (revision) => {
      await app.flagsAt(revision).catch(() => {});
      await app.live.refresh().catch(() => {});
      if (draws === before) render();
    };
  },
  navigate(hash) {
    if (location.hash === hash) render();
    else location.hash = hash;
  },
  rerender: () => render(),
};

async function start() {
  if (!session.token()) {
    replace(root, signInView(start));
    return;
  }
  try {
    const { body } = await call('GET', '/environments');
    app.environments = body.environments;
  } catch (error) {
    if (error.status !== 401) replace(root, h('main', { id: 'main', class: 'card' }, h('p', { role: 'alert' }, error.message)));
    return;
  }
  const wanted = session.environment();
  const fallback = app.environments.find((env) => env.default) ?? app.environments[0];
  await useEnvironment(app.environments.some((env) => env.name === wanted) ? wanted : fallback?.name);
  window.addEventListener('hashchange', render);
}

async function useEnvironment(name) {
  app.live?.close();
  app.environment = name;
  session.chooseEnvironment(name);
  app.live = new Live(name);
  await Promise.all([app.live.refresh(), app.reloadFlags()]);
  // Another admin's change (or an override expiring) reaches the page by the stream.
  app.live.subscribe(async () => {
    await app.flagsAt(app.live.revision).catch(() => {});
    if (!document.querySelector('[data-keep-on-live]')) render();
    document.dispatchEvent(new CustomEvent('vexil:live'));
  });
  app.live.follow();
  render();
}

onUnauthorized(() => {
  session.signOut();
  app.live?.close();
  announce('The service refused the token; sign in again.', 'error');
  start();
});

function header() {
  const select = h('select', { id: 'environment', 'aria-label': 'Environment',
    onchange: (event) => useEnvironment(event.target.value) },
  app.environments.map((env) => h('option', { value: env.name, selected: env.name === app.environment }, env.name)));
  const route = location.hash || '#/flags';
  const link = (hash, label) => h('a', { href: hash, 'aria-current': route.startsWith(hash) ? 'page' : null }, label);
  return h('header', { class: 'top' },
    h('a', { class: 'skip', href: '#main', onclick: (event) => { event.preventDefault(); document.getElementById('main')?.focus(); } }, 'Skip to content'),
    h('span', { class: 'brand' }, 'Vexil'),
    h('nav', { 'aria-label': 'Sections' }, link('#/flags', 'Flags'), link('#/preview', 'Preview')),
    h('label', { class: 'env' }, h('span', { class: 'muted' }, 'Environment'), select),
    h('span', { class: 'revision muted', title: 'The revision SDKs are being served' }, `rev ${app.live?.revision ?? '–'}`),
    h('button', { class: 'link', onclick: () => { session.signOut(); app.live?.close(); start(); } }, 'Sign out'));
}

/** The route: `#/flags`, `#/flags/new`, `#/flags/KEY[/TAB]`, `#/preview`. */
function view() {
  const parts = (location.hash.replace(/^#\/?/, '') || 'flags').split('/').map(decodeURIComponent);
  if (parts[0].split('?')[0] === 'preview') return previewView(app);
  if (parts[0] === 'flags' && parts[1] === 'new') return flagPageView(app, null, 'edit');
  if (parts[0] === 'flags' && parts[1]) return flagPageView(app, parts[1], parts[2] ?? 'edit');
  return flagListView(app);
}

function render() {
  if (!session.token() || !app.live) return;
  draws += 1;
  const main = h('main', { id: 'main', tabindex: '-1' }, view());
  replace(root, header(), main);
}

start();
