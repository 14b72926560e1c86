// A tiny element builder: h('button', {class: 'x', onclick: fn}, 'text', child).
// Text is always inserted as text; only `trustedHtml` (sanitised markdown from the server) is
// inserted as HTML.

/** @typedef {Node|string|number|null|undefined|false|any[]} Child (arrays nest) */

/**
 * @param {string} tag
 * @param {Record<string, any>|null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = String(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && 'value' in el) /** @type {HTMLInputElement} */ (el).value = String(v);
    else if (k === 'checked' && 'checked' in el) /** @type {HTMLInputElement} */ (el).checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** @param {HTMLElement} el @param {Child[]} children */
function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(typeof c === 'object' ? c : String(c));
  }
}

/**
 * An element holding HTML that the server has sanitised (markdown rendered with ammonia).
 * @param {string} tag @param {string} className @param {string} sanitised
 */
export function trustedHtml(tag, className, sanitised) {
  const el = document.createElement(tag);
  el.className = className;
  el.innerHTML = sanitised;
  return el;
}

/** @param {HTMLElement} el @param {...any} children */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * Resolves once the frame being prepared has been painted (or after `ms` when no frame comes, as
 * in a hidden tab): for work that need not delay what that frame shows (a request whose answer
 * nothing on screen waits for, the address bar's URL).
 * @param {number} [ms]
 * @returns {Promise<void>}
 */
export function afterFrame(ms = 100) {
  return new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
    setTimeout(resolve, ms);
  });
}
