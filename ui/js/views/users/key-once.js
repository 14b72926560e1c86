// An API key shown once: the key, a copy button, a plain "you won't see it again", and the two
// lines of Python that connect the SDK with it. Used where a key is made: a user created on the
// users page, and one's own key rotated in My settings.

import { h } from '../../dom.js';

/**
 * @param {{notice: string, apiKey: string, keyId: string, onDismiss?: () => void}} opts
 *   `notice` says whose key it is; `keyId` is the id of the element holding the key.
 */
export function keyOnce(opts) {
  const copied = h('span', { role: 'status', 'aria-live': 'polite', class: 'copied' });
  const python = `import argilla as rg\nclient = rg.Argilla(api_url="${location.origin}", api_key="${opts.apiKey}")`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(opts.apiKey);
      copied.textContent = ' Copied';
    } catch {
      // No clipboard (an insecure origin, a refused permission): the key is selectable.
      copied.textContent = ' Could not copy: select the key and copy it by hand';
    }
  };
  return h(
    'section',
    { class: 'card key-once', 'aria-label': opts.notice },
    h('p', { class: 'key-notice' }, h('strong', null, opts.notice), " Copy it now: you won't see it again."),
    h('pre', { class: 'key', id: opts.keyId }, opts.apiKey),
    h('button', { type: 'button', class: 'primary copy-key', onclick: () => void copy() }, 'Copy key'),
    copied,
    h('p', null, 'Connect the Python SDK with it:'),
    h('pre', { class: 'code' }, python),
    opts.onDismiss ? h('button', { type: 'button', class: 'dismiss-key', onclick: opts.onDismiss }, "I saved it: hide the key") : null,
  );
}
