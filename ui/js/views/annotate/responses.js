// The caller's responses as the annotation view writes them: a record's response created or
// updated (the record's copy of its responses follows), a cleared draft deleted, one answer for
// many records, and the draft autosaver, whose state the status line shows.

import * as api from '../../api.js';
import { ownResponse } from '../../lib/answers.js';
import { Autosaver, dropBackup } from '../../lib/drafts.js';

/**
 * The header that marks the web UI's writes (loam's leased flow): a submit that would give a record
 * more submitted answers than it needs is refused (409) and a submit or discard releases the lease.
 */
const LEASED = { 'X-Loam-Lease': '1' };

/**
 * Writes the caller's response on `record` (`PUT` their response, else `POST` a new one).
 * @param {any} record @param {string} userId @param {string} status @param {Record<string, any>} values
 */
export async function saveResponse(record, userId, status, values) {
  const mine = ownResponse(record, userId);
  const body = { values, status };
  const res = mine
    ? await api.call('PUT', `/api/v1/responses/${mine.id}`, { json: body, headers: LEASED })
    : await api.call('POST', `/api/v1/records/${record.id}/responses`, { json: body, headers: LEASED }).catch((err) => answeredElsewhere(record, userId, err));
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
 * One answer for many records: `POST /api/v1/me/responses/bulk`; its items say, in order, which
 * failed.
 * @param {string[]} ids @param {string} status @param {Record<string, any>} values
 * @returns {Promise<{items: {error?: any}[]}>}
 */
export function answerMany(ids, status, values) {
  return api.call('POST', '/api/v1/me/responses/bulk', { json: { items: ids.map((record_id) => ({ record_id, status, values })) }, headers: LEASED });
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
