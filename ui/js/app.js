// The single-page app: a path router over the History API and the page shell. Each view is a
// module exporting `render(main, params)`; it may return a cleanup function.

import * as api from './api.js';
import { installCodeCopy } from './code-copy.js';
import { h, replace } from './dom.js';
import { currentUser, navigate, resetUser, setRouter } from './session.js';
import { mayOpen, navLinks } from './lib/roles.js';
import { renderForbidden } from './views/forbidden.js';

/** @type {(() => void)|null} */
let cleanup = null;

/** Routes: [pattern, module loader, screen (lib/roles.js: who may open it)]. */
const ROUTES = /** @type {[RegExp, () => Promise<any>, import('./lib/roles.js').Screen|null][]} */ ([
  [/^\/signin$/, () => import('./views/signin.js'), null],
  [/^\/$/, () => import('./views/home.js'), 'home'],
  [/^\/datasets\/(?<id>[0-9a-f-]{36})(?:\/annotate)?$/, () => import('./views/annotate.js'), 'annotate'],
  [/^\/datasets\/(?<id>[0-9a-f-]{36})\/settings$/, () => import('./views/settings.js'), 'settings'],
  [/^\/datasets\/(?<id>[0-9a-f-]{36})\/insights$/, () => import('./views/insights.js'), 'insights'],
  [/^\/datasets\/(?<id>[0-9a-f-]{36})\/review$/, () => import('./views/review.js'), 'review'],
  [/^\/users$/, () => import('./views/users.js'), 'users'],
  [/^\/me$/, () => import('./views/me.js'), 'me'],
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
  const found = ROUTES.map(([re, load, screen]) => /** @type {const} */ ([path.match(re), load, screen])).find(([m]) => m);
  if (!found) {
    renderHeader(null);
    replace(main, h('h1', null, 'Not found'), h('p', null, h('a', { href: '/' }, 'Back to your datasets')));
    return;
  }
  const [match, load, screen] = found;
  try {
    // The signed-in user and the view's module load side by side.
    const [user, view] = await Promise.all([path === '/signin' ? null : currentUser(), load()]);
    renderHeader(user);
    // A screen the role may not use says so before anything is asked of the server.
    if (user && screen && !mayOpen(screen, user.role)) {
      renderForbidden(main, { screen });
      return;
    }
    const res = await view.render(main, { ...(match?.groups || {}), query: new URLSearchParams(location.search), me: user });
    if (typeof res === 'function') cleanup = res;
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return;
    if (err instanceof api.ApiError && err.status === 403) {
      renderForbidden(main, { screen: screen || 'home' });
      return;
    }
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
      // Only the screens the role may use (lib/roles.js mirrors the server's policy).
      navLinks(user.role).map((it) => h('a', { href: it.href }, it.label)),
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
