// The one way the UI talks to the server: the same /api/v1 the SDKs use, with the sign-in token.
// Network failures (not HTTP errors) are retried with backoff, and the caller is told so it can
// say "retrying" instead of losing what was typed.

import { retryDelay } from './lib/drafts.js';

const TOKEN = 'loam.token';

export class ApiError extends Error {
  /** @param {number} status @param {any} body */
  constructor(status, body) {
    super(describe(body) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** A readable message from an error body. @param {any} body @returns {string} */
function describe(body) {
  if (!body) return '';
  const d = body.detail;
  if (typeof d === 'string') return d;
  if (d && d.params) {
    if (typeof d.params.detail === 'string') return d.params.detail;
    if (Array.isArray(d.params.errors)) return d.params.errors.map((/** @type {any} */ e) => e.msg).join('; ');
    if (typeof d.params.message === 'string') return d.params.message;
  }
  return JSON.stringify(body);
}

export function token() {
  return localStorage.getItem(TOKEN);
}

/** @param {string|null} value */
export function setToken(value) {
  if (value) localStorage.setItem(TOKEN, value);
  else localStorage.removeItem(TOKEN);
}

/** Called with (attempt, error) before each retry, and with (0, null) when a call gets through. */
/** @type {(attempt: number, error: any) => void} */
let retryListener = () => {};
/** @param {(attempt: number, error: any) => void} fn */
export function onRetry(fn) {
  retryListener = fn;
}

/** Called when the server says the token is no longer valid. */
/** @type {() => void} */
let unauthorizedListener = () => {};
/** @param {() => void} fn */
export function onUnauthorized(fn) {
  unauthorizedListener = fn;
}

/**
 * @param {string} method @param {string} path
 * @param {{json?: any, form?: Record<string, string>, retries?: number, headers?: Record<string, string>}} [opts]
 * @returns {Promise<any>}
 */
export async function call(method, path, opts = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  /** @type {BodyInit|undefined} */
  let body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  }
  const retries = opts.retries ?? 8;
  for (let attempt = 0; ; attempt++) {
    /** @type {Response} */
    let res;
    try {
      res = (attempt === 0 && (await takeEarly(method, path, body, t))) || (await fetch(path, { method, headers, body, credentials: 'omit' }));
    } catch (err) {
      if (attempt >= retries) throw err;
      retryListener(attempt + 1, err);
      await new Promise((r) => setTimeout(r, retryDelay(attempt + 1)));
      continue;
    }
    if (attempt > 0) retryListener(0, null);
    if (res.status === 503 && attempt < retries) {
      retryListener(attempt + 1, new Error('the server is unavailable'));
      await new Promise((r) => setTimeout(r, retryDelay(attempt + 1)));
      continue;
    }
    const data = await readReply(res, t);
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }
}

/** How long after the page's start a reply that early.js asked for may still be taken (ms). */
const EARLY_FOR = 10_000;

/**
 * The reply early.js asked for with the page, if any, for `method` `path` with the body `sent` and
 * the token `sentToken`: once (a different body drops it), and only in the first seconds after the
 * page's start (a later call asks anew). Null when there is none or the early request failed on
 * the network.
 * @param {string} method @param {string} path @param {BodyInit|undefined} sent @param {string|null} sentToken
 * @returns {Promise<Response|null>}
 */
async function takeEarly(method, path, sent, sentToken) {
  const early = /** @type {any} */ (window).__loamEarly;
  if (!early || !sentToken || early.token !== sentToken || performance.now() > EARLY_FOR) return null;
  const key = `${method} ${path}`;
  const entry = early.started.get(key);
  if (!entry) return null;
  early.started.delete(key);
  const got = await entry;
  return got && got.body === sent ? got.reply : null;
}

/**
 * A reply's body as JSON (plain text when it is not JSON, null when empty); a 401 to a caller that
 * sent a token tells the sign-in listener.
 * @param {Response} res @param {string|null} sentToken
 */
async function readReply(res, sentToken) {
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (res.status === 401 && sentToken) unauthorizedListener();
  return data;
}

/**
 * A conditional GET for live views (lib/poll.js): sends `If-None-Match` with the ETag held and
 * reads a 304 as "unchanged". Not retried here: the poller backs off itself, and a failed poll is
 * no lost work, so it does not raise the "connection lost" banner either.
 * @param {string} path @param {string|null} etag
 * @returns {Promise<import('./lib/poll.js').PollResult>}
 */
export async function getIfChanged(path, etag) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  if (etag) headers['If-None-Match'] = etag;
  // no-store: the browser neither answers from its cache nor adds its own validators, so a 304
  // reaches us as one.
  const res = await fetch(path, { headers, credentials: 'omit', cache: 'no-store' });
  if (res.status === 304) return { changed: false, etag };
  const data = await readReply(res, t);
  if (!res.ok) throw new ApiError(res.status, data);
  return { changed: true, etag: res.headers.get('ETag'), data };
}

/**
 * POSTs `json` and reads the reply as a file (an export streamed by the server): its bytes and
 * its Content-Disposition. An error reply is read as JSON and thrown as an ApiError. Not retried:
 * an export is no lost work, and asking again is one click.
 * @param {string} path @param {any} json
 * @returns {Promise<{blob: Blob, disposition: string|null}>}
 */
export async function download(path, json) {
  /** @type {Record<string, string>} */
  const headers = { 'Content-Type': 'application/json' };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(json), credentials: 'omit' });
  if (!res.ok) throw new ApiError(res.status, await readReply(res, t));
  return { blob: await res.blob(), disposition: res.headers.get('Content-Disposition') };
}

/**
 * Sends a request that outlives the page (`keepalive`: a lease released on leaving); not retried,
 * and its reply is not read.
 * @param {string} method @param {string} path
 */
export function sendBeacon(method, path) {
  /** @type {Record<string, string>} */
  const headers = {};
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  fetch(path, { method, headers, credentials: 'omit', keepalive: true }).catch(() => {});
}

export const get = (/** @type {string} */ p) => call('GET', p);
export const post = (/** @type {string} */ p, /** @type {any} */ json) => call('POST', p, { json });
export const put = (/** @type {string} */ p, /** @type {any} */ json) => call('PUT', p, { json });
export const patch = (/** @type {string} */ p, /** @type {any} */ json) => call('PATCH', p, { json });
export const del = (/** @type {string} */ p) => call('DELETE', p);

/** Signs in; resolves to the token. @param {string} username @param {string} password */
export async function signIn(username, password) {
  setToken(null);
  const res = await call('POST', '/api/v1/token', { form: { username, password }, retries: 2 });
  setToken(res.access_token);
  return res.access_token;
}

/**
 * POSTs a file as the request body with XMLHttpRequest, for its upload progress (an import):
 * `onProgress(sent, total)` while the bytes go up; resolves to the JSON reply, throws an ApiError
 * for an error reply. Not retried: a half-sent upload is sent again by asking again.
 * @param {string} path @param {Blob} file @param {(sent: number, total: number) => void} [onProgress]
 * @returns {Promise<any>}
 */
export function upload(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    const t = token();
    if (t) xhr.setRequestHeader('Authorization', `Bearer ${t}`);
    if (onProgress) xhr.upload.onprogress = (ev) => onProgress(ev.loaded, ev.lengthComputable ? ev.total : file.size);
    xhr.onerror = () => reject(new Error('the upload failed (network error)'));
    xhr.onload = () => {
      let data = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        data = xhr.responseText;
      }
      if (xhr.status === 401 && t) unauthorizedListener();
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    };
    xhr.send(file);
  });
}
