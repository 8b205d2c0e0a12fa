// Signing in: an admin token, checked against the service before it is kept.

import { call, ApiError } from '../api.js';
import { h, field } from '../dom.js';
import * as session from '../session.js';

export function signInView(onSignedIn) {
  const input = h('input', {
    type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true,
    placeholder: 'vxa_…',
  });
  const message = h('p', { class: 'error-text', role: 'alert' });
  const form = h('form', { class: 'signin card', novalidate: true }, 
    h('h1', {}, 'Vexil console'),
    h('p', { class: 'muted' }, 'Sign in with an admin token. It is kept in this tab only, until you close it or sign out.'),
    field('Admin token', input, { hint: '`vexil serve` prints one at its first start; `vexil token` makes more.' }),
    message,
    h('button', { class: 'primary', type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    message.textContent = '';
    if (!session.looksLikeAdminToken(token)) {
      message.textContent = token.startsWith('vxs_') || token.startsWith('vxc_')
        ? 'That is an SDK key; the console needs an admin token (vxa_…).'
        : 'An admin token looks like vxa_ followed by 12 and 64 hexadecimal digits.';
      input.focus();
      return;
    }
    try {
      await call('GET', '/environments', { token });
    } catch (error) {
      message.textContent = error instanceof ApiError && error.status === 401
        ? 'The service does not know this token (or it was revoked).'
        : error.message;
      input.focus();
      return;
    }
    session.signIn(token);
    onSignedIn();
  });
  queueMicrotask(() => input.focus());
  return h('main', { id: 'main', class: 'signin-page' }, form);
}
