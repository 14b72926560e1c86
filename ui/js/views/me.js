// My settings: rotate my own API key; the new key is shown once, with a copy button and the two
// lines of Python that connect the SDK with it.

import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { keyOnce } from './users/key-once.js';

/** @param {HTMLElement} main @param {{me: any}} params */
export function render(main, params) {
  const me = params.me;
  const out = h('div', { id: 'new-key' });
  const rotate = async () => {
    if (!confirm('Replace your API key? Scripts using the old key stop working, and you are signed out everywhere.')) return;
    const res = await api.post(`/api/v1/users/${me.id}/api-key`, {});
    replace(
      out,
      keyOnce({ notice: 'Your new API key.', apiKey: res.api_key, keyId: 'api-key' }),
      h('p', { id: 'signed-out-note' }, 'Rotating the key also signed you out everywhere: the next page asks you to sign in again.'),
    );
  };
  replace(
    main,
    h('h1', null, 'My settings'),
    h('section', { class: 'card' },
      h('dl', null, h('dt', null, 'Username'), h('dd', null, me.username), h('dt', null, 'Role'), h('dd', null, me.role)),
      h('h2', null, 'API key'),
      h('p', null, 'Rotating creates a new key and invalidates the old one, and signs you out everywhere.'),
      h('button', { type: 'button', class: 'primary', id: 'rotate-key', onclick: () => void rotate() }, 'Rotate my API key'),
      out,
    ),
  );
}
