// The caller's responses as the annotation view writes them: a record's response created or
// updated (the record's copy of its responses follows), a cleared draft deleted, one answer for
// many records, and the draft autosaver, whose state the status line shows.

import * as api from '../../api.js';
import { ownResponse } from '../../lib/answers.js';
import { Autosaver, dropBackup } from '../../lib/drafts.js';
import { BULK, shareOut } from '../../lib/timing.js';

/** Time on task: the view's timer (timing.js), whose time each save sends. @type {import('../../lib/timing.js').ActiveTime|null} */
let timer = null;

/** The view's timer from now on. @param {import('../../lib/timing.js').ActiveTime} it */
export function useTimer(it) {
  timer = it;
}

/** A view that ends lets go of its timer (unless a newer view has its own). @param {import('../../lib/timing.js').ActiveTime} it */
export function dropTimer(it) {
  if (timer === it) timer = null;
}

/**
 * What a save of a record's response carries besides its values (pairwise: `loam_shown`, issue
 * 22); `bulk`: saved from the bulk view (the record as the bulk view shows it, by its id).
 * @type {((record: any, bulk?: boolean) => Record<string, any>)|null}
 */
let extras = null;

/** The annotation view's extension keys for each save from now on (null: none). @param {((record: any, bulk?: boolean) => Record<string, any>)|null} fn */
export function useSaveExtras(fn) {
  extras = fn;
}

/**
 * Runs `write` with the active time gathered on `key` (`loam_active_ms`, a loam extension); a
 * failed write gives the time back to be sent with the next save.
 * @template T @param {string} key @param {(ms: number|undefined) => Promise<T>} write @returns {Promise<T>}
 */
async function withTime(key, write) {
  const held = timer;
  const ms = held ? held.take(key) : undefined;
  try {
    return await write(ms);
  } catch (err) {
    if (held && ms) held.giveBack(key, ms);
    throw err;
  }
}

/**
 * The header that marks the web UI's writes (loam's leased flow): a submit that would give a record
 * more submitted answers than it needs is refused (409) and a submit or discard releases the lease.
 */
const LEASED = { 'X-Loam-Lease': '1' };

/**
 * Writes the caller's response on `record` (`PUT` their response, else `POST` a new one); as the
 * leased flow's write only when `leased` (the view holds the record's lease): a record opened by
 * id, in the Returned queue or in another queue is written as any client writes it, so a
 * resubmission after a return is never refused for the record's other answers.
 * @param {any} record @param {string} userId @param {string} status @param {Record<string, any>} values
 * @param {boolean} [leased]
 */
export async function saveResponse(record, userId, status, values, leased = false) {
  const mine = ownResponse(record, userId);
  const headers = leased ? LEASED : {};
  const res = await withTime(record.id, (ms) => {
    const extra = extras ? extras(record) : {};
    const body = ms === undefined ? { ...extra, values, status } : { ...extra, values, status, loam_active_ms: ms };
    return mine
      ? api.call('PUT', `/api/v1/responses/${mine.id}`, { json: body, headers })
      : api.call('POST', `/api/v1/records/${record.id}/responses`, { json: body, headers }).catch((err) => answeredElsewhere(record, userId, err));
  });
  record.responses = [...(record.responses || []).filter((/** @type {any} */ r) => r.user_id !== userId), res];
  return res;
}

/** The error of a write refused because the caller answered the record in another tab or window. */
export class AnsweredElsewhere extends Error {}

/**
 * A new response refused with 409: the caller answered the record meanwhile in another tab or
 * window. The record takes in that response (so the next write changes it, and an undo restores
 * it), and the write fails saying so; nothing is overwritten unasked.
 * @param {any} record @param {string} userId @param {any} err @returns {Promise<never>}
 */
async function answeredElsewhere(record, userId, err) {
  if (!(err instanceof api.ApiError && err.status === 409)) throw err;
  const fresh = ownResponse(await api.get(`/api/v1/records/${record.id}?include=responses`), userId);
  if (!fresh) throw err;
  record.responses = [...(record.responses || []).filter((/** @type {any} */ r) => r.user_id !== userId), fresh];
  throw new AnsweredElsewhere(`this record was answered meanwhile in another tab or window (${fresh.status}); answer again to replace that answer with this one`);
}

/** Deletes the caller's response `mine` on `record`. @param {any} record @param {any} mine */
export async function deleteResponse(record, mine) {
  await api.del(`/api/v1/responses/${mine.id}`);
  record.responses = (record.responses || []).filter((/** @type {any} */ r) => r.id !== mine.id);
}

/**
 * The time spent in the bulk view since its last answer, shared out over the `n` records one
 * answer saves (null without a timer); `giveBack` when the answer saved nothing.
 * @param {number} n @returns {{shares: number[]|null, giveBack: () => void}}
 */
export function takeBulkTime(n) {
  const held = timer;
  const ms = held ? held.take(BULK) : undefined;
  return {
    shares: ms === undefined ? null : shareOut(ms, n),
    giveBack: () => {
      if (held && ms) held.giveBack(BULK, ms);
    },
  };
}

/**
 * One answer for many records: `POST /api/v1/me/responses/bulk`; its items say, in order, which
 * failed. `shares`: the active time of each record (`loam_active_ms`), from takeBulkTime.
 * @param {string[]} ids @param {string} status @param {Record<string, any>} values @param {number[]|null} [shares]
 * @returns {Promise<{items: {error?: any}[]}>}
 */
export function answerMany(ids, status, values, shares = null) {
  const items = ids.map((record_id, i) => ({ ...(extras ? extras({ id: record_id }, true) : {}), record_id, status, values, ...(shares ? { loam_active_ms: shares[i] } : {}) }));
  // The bulk view holds no leases (it releases the one the view had): written as any client writes.
  return api.call('POST', '/api/v1/me/responses/bulk', { json: { items } });
}

/**
 * The draft autosaver of the single view: saves `{record, values}` as the caller's draft, drops
 * the local backup once saved, and shows its state in `statusLine`.
 * @param {string} userId @param {HTMLElement} statusLine @param {() => void} saved after each save
 */
export function draftSaver(userId, statusLine, saved) {
  /** Why the last change was not saved as a draft, when it was left unsaved on purpose. */
  let kept = '';
  return new Autosaver({
    save: async (/** @type {{record: any, values: any}} */ p) => {
      kept = '';
      // An autosave never turns a submitted or discarded response back into a draft (a change
      // made just before a submit is saved by the submit, or dropped with it).
      const mine = ownResponse(p.record, userId);
      if (mine && mine.status !== 'draft') return;
      try {
        await saveResponse(p.record, userId, 'draft', p.values);
      } catch (err) {
        if (!(err instanceof AnsweredElsewhere)) throw err;
        const now = ownResponse(p.record, userId);
        if (now && now.status !== 'draft') {
          kept = `Not saved as a draft: ${err.message}.`;
          return;
        }
        await saveResponse(p.record, userId, 'draft', p.values);
      }
      dropBackup(localStorage, userId, p.record.id);
      saved();
    },
    onStatus: (status) => {
      const text = {
        idle: '',
        pending: 'Unsaved changes',
        saving: 'Saving draft…',
        saved: kept || 'Draft saved',
        retrying: 'Could not save: connection lost, retrying. Your answers are kept.',
      }[status];
      statusLine.textContent = text;
      statusLine.className = `save-status ${status === 'saved' && kept ? 'error' : status}`;
    },
  });
}

/** Drops the autosaver's unsaved change and waits for a save under way. @param {Autosaver} saver */
export async function settle(saver) {
  saver.cancel();
  while (saver.running) await saver.running;
}
