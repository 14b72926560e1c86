// My settings: rotate my own API key; the new key is shown once, with a copy button and the two
// lines of Python that connect the SDK with it.

import * as api from '../api.js';
import { h, replace } from '../dom.js';

/** @param {HTMLElement} main @param {{me: any}} params */
export function render(main, params) {
  const me = params.me;
  const out = h('div', { id: 'new-key' });
  const rotate = async () => {
    if (!confirm('Replace your API key? Scripts using the old key stop working, and you are signed out everywhere.')) return;
    const res = await api.post(`/api/v1/users/${me.id}/api-key`, {});
    const key = res.api_key;
    const python = `import argilla as rg\nclient = rg.Argilla(api_url="${location.origin}", api_key="${key}")`;
    const copied = h('span', { role: 'status', 'aria-live': 'polite' });
    replace(
      out,
      h('p', null, 'Your new API key. It is shown only now: copy it somewhere safe.'),
      h('pre', { class: 'key', id: 'api-key' }, key),
      h('button', { type: 'button', onclick: async () => { await navigator.clipboard.writeText(key); copied.textContent = ' Copied'; } }, 'Copy key'),
      copied,
      h('p', null, 'Connect the Python SDK with it:'),
      h('pre', { class: 'code' }, python),
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
