// Sign in with username and password (POST /api/v1/token, the SDKs' own sign-in).

import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { navigate, resetUser } from '../session.js';

/** @param {HTMLElement} main @param {{query: URLSearchParams}} params */
export function render(main, params) {
  const error = h('p', { class: 'error', role: 'alert', id: 'signin-error' });
  const username = /** @type {HTMLInputElement} */ (h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true }));
  const password = /** @type {HTMLInputElement} */ (
    h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })
  );
  const button = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  const form = h(
    'form',
    {
      class: 'signin card',
      onsubmit: async (/** @type {Event} */ ev) => {
        ev.preventDefault();
        error.textContent = '';
        button.disabled = true;
        try {
          await api.signIn(username.value, password.value);
          resetUser();
          const next = params.query.get('next');
          navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
        } catch (err) {
          const status = err instanceof api.ApiError ? err.status : 0;
          error.textContent = status === 401 ? 'Wrong username or password.' : `Could not sign in: ${err instanceof Error ? err.message : err}`;
          password.select();
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h1', null, 'Sign in to loam'),
    h('label', { for: 'username' }, 'Username'),
    username,
    h('label', { for: 'password' }, 'Password'),
    password,
    button,
    error,
  );
  replace(main, form);
  username.focus();
}
