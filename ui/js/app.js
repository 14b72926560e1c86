// The single-page app: a path router over the History API and the page shell. Each view is a
// module exporting `render(main, params)`; it may return a cleanup function.

import * as api from './api.js';
import { installCodeCopy } from './code-copy.js';
import { h, replace } from './dom.js';
import { currentUser, navigate, resetUser, setRouter } from './session.js';

/** @type {(() => void)|null} */
let cleanup = null;

/** Routes: [pattern, module loader]. */
const ROUTES = /** @type {[RegExp, () => Promise<any>][]} */ ([
  [/^\/signin$/, () => import('./views/signin.js')],
  [/^\/$/, () => import('./views/home.js')],
  [/^\/datasets\/(?<id>[0-9a-f-]{36})(?:\/annotate)?$/, () => import('./views/annotate.js')],
  [/^\/datasets\/(?<id>[0-9a-f-]{36})\/settings$/, () => import('./views/settings.js')],
  [/^\/datasets\/(?<id>[0-9a-f-]{36})\/insights$/, () => import('./views/insights.js')],
  [/^\/users$/, () => import('./views/users.js')],
  [/^\/me$/, () => import('./views/me.js')],
]);

async function route() {
  const main = /** @type {HTMLElement} */ (document.getElementById('main'));
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  const path = location.pathname;
  if (path !== '/signin' && !api.token()) {
    history.replaceState(null, '', `/signin?next=${encodeURIComponent(path + location.search)}`);
    return route();
  }
  const found = ROUTES.map(([re, load]) => /** @type {const} */ ([path.match(re), load])).find(([m]) => m);
  if (!found) {
    renderHeader(null);
    replace(main, h('h1', null, 'Not found'), h('p', null, h('a', { href: '/' }, 'Back to your datasets')));
    return;
  }
  const [match, load] = found;
  try {
    // The signed-in user and the view's module load side by side.
    const [user, view] = await Promise.all([path === '/signin' ? null : currentUser(), load()]);
    renderHeader(user);
    const res = await view.render(main, { ...(match?.groups || {}), query: new URLSearchParams(location.search), me: user });
    if (typeof res === 'function') cleanup = res;
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return;
    replace(main, h('h1', null, 'Something went wrong'), h('p', { class: 'error' }, err instanceof Error ? err.message : String(err)));
  }
}

/** @param {import('./session.js').Me|null} user */
function renderHeader(user) {
  const top = /** @type {HTMLElement} */ (document.getElementById('top'));
  if (!user) {
    replace(top, h('span', { class: 'brand' }, 'loam'));
    return;
  }
  replace(
    top,
    h('a', { class: 'brand', href: '/' }, 'loam'),
    h(
      'nav',
      { 'aria-label': 'Main' },
      h('a', { href: '/' }, 'Datasets'),
      // The API lets only owners manage users.
      user.role === 'owner' ? h('a', { href: '/users' }, 'Users') : null,
      h('a', { href: '/me' }, 'My settings'),
    ),
    h('span', { class: 'who' }, `${user.username} (${user.role})`),
    h('button', { type: 'button', class: 'link', id: 'sign-out', onclick: () => void signOut() }, 'Sign out'),
  );
}

/** Signs out everywhere: the server revokes every sign-in token of this user (a loam extension),
 * then this tab forgets its own. Signed out here even when the server cannot be reached. */
async function signOut() {
  try {
    if (api.token()) await api.call('DELETE', '/api/v1/token', { retries: 1 });
  } catch {
    // The token expires by itself; nothing else is lost.
  }
  api.setToken(null);
  resetUser();
  navigate('/signin');
}

/** Shows the network state: "connection lost, retrying" while calls are being retried. */
function networkBanner() {
  const net = /** @type {HTMLElement} */ (document.getElementById('net'));
  api.onRetry((attempt) => {
    if (attempt === 0) {
      net.hidden = true;
      return;
    }
    net.hidden = false;
    net.textContent = `Connection to the server lost; retrying (attempt ${attempt}). Nothing you typed is lost.`;
  });
}

api.onUnauthorized(() => {
  api.setToken(null);
  resetUser();
  const next = location.pathname + location.search;
  navigate(`/signin?next=${encodeURIComponent(next)}`);
});

// Same-origin links navigate inside the app.
document.addEventListener('click', (ev) => {
  const a = /** @type {HTMLElement} */ (ev.target).closest('a');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
  const href = a.getAttribute('href');
  if (!href || !href.startsWith('/') || href.startsWith('//') || a.target) return;
  ev.preventDefault();
  navigate(href);
});
window.addEventListener('popstate', () => void route());
// The Copy buttons of code blocks in rendered markdown.
installCodeCopy(document);

setRouter(() => void route());
networkBanner();
void route();
