// The "not allowed" page: shown instead of a screen the signed-in role may not use (checked before
// anything is asked of the server, lib/roles.js), and when the server answers 403 (an admin on a
// dataset of a workspace they do not belong to). Always with a way home; never a form.

import { h, replace } from '../dom.js';
import { forbiddenReason } from '../lib/roles.js';

/**
 * @param {HTMLElement} main
 * @param {{screen?: import('../lib/roles.js').Screen, reason?: string}} [opts]
 *   `reason` overrides the screen's own text; the message's id is `<screen>-forbidden`.
 */
export function renderForbidden(main, opts = {}) {
  const screen = opts.screen || 'home';
  const reason = opts.reason || forbiddenReason(screen);
  replace(
    main,
    h(
      'section',
      { class: 'card forbidden', id: 'forbidden' },
      h('h1', null, 'Not allowed'),
      h('p', { class: 'error', id: `${screen}-forbidden` }, reason),
      h('p', null, h('a', { href: '/', id: 'forbidden-home' }, 'Back to your datasets')),
    ),
  );
  const home = main.querySelector('#forbidden-home');
  if (home instanceof HTMLElement) home.focus();
}
