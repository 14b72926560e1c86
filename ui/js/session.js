// What the views share with the page shell without importing it: the signed-in user (loaded once
// per sign-in) and navigation. app.js registers its router here, so views never import app.js
// and app.js is free to load them.

import * as api from './api.js';

/** @typedef {{id: string, username: string, first_name: string, role: string}} Me */

/** @type {Me|null} */
let me = null;
/** @type {() => void} */
let router = () => {};

/** The signed-in user (loaded once per sign-in). @returns {Promise<Me>} */
export async function currentUser() {
  if (!me) me = await api.get('/api/v1/me');
  return /** @type {Me} */ (me);
}

/** Signed in or out: forget the cached user. */
export function resetUser() {
  me = null;
}

/** Goes to `path` inside the app (a history entry, then the router). @param {string} path */
export function navigate(path) {
  history.pushState(null, '', path);
  router();
}

/** Sets the function that shows the view of the current location (app.js's router). @param {() => void} route */
export function setRouter(route) {
  router = route;
}

/** Shows the current location's view again (a settings change that adds questions). */
export function reload() {
  router();
}
