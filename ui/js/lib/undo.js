// Undo of the annotation view's last submit or discard, as plain data: what the caller's response
// was before (restored exactly, status and values, or removed when there was none), the request
// that puts it back, and where the record goes back into the queue in hand.
// Pure: no DOM, no network, so `node --test` covers it.

/**
 * @typedef {{id: string, status: string, values?: Record<string, {value: any}>|null}} StoredResponse
 * @typedef {object} UndoEntry
 * @property {any} record the record answered (its `responses` are kept in step)
 * @property {StoredResponse|null} before the caller's response before the answer, or null for none
 * @property {StoredResponse} after the response the answer wrote
 * @property {'submitted'|'discarded'} status what was done
 * @property {import('./form.js').FormState} form the form as it was when answered (shown again)
 * @property {number} pos where the record was in its queue
 * @property {string} queue which queue, search, sort and filter it was in (`queueKey`)
 */

/** A copy of a stored response, detached from the record it came from. @param {any} r @returns {StoredResponse|null} */
export function snapshot(r) {
  return r ? { id: r.id, status: r.status, values: r.values == null ? r.values : structuredClone(r.values) } : null;
}

/**
 * Which queue is shown (everything the URL asks for but the position): compared to tell whether an
 * undone record can go back where it was.
 * @param {{pos: number}} q
 */
export function queueKey(q) {
  const { pos: _pos, ...rest } = q;
  return JSON.stringify(rest);
}

/**
 * The request that puts the caller's response back as it was: the response the answer created is
 * deleted, or the one it changed gets its status and values again.
 * @param {UndoEntry} entry
 * @returns {{method: 'DELETE', path: string}|{method: 'PUT', path: string, body: {status: string, values: Record<string, {value: any}>}}}
 */
export function undoRequest(entry) {
  if (!entry.before) return { method: 'DELETE', path: `/api/v1/responses/${entry.after.id}` };
  return { method: 'PUT', path: `/api/v1/responses/${entry.before.id}`, body: { status: entry.before.status, values: entry.before.values || {} } };
}

/**
 * The record's responses once the undo is done: the caller's as it was before, or none.
 * @param {any[]|undefined} responses @param {UndoEntry} entry @param {StoredResponse|null} restored what the server answered
 */
export function responsesAfterUndo(responses, entry, restored) {
  const others = (responses || []).filter((r) => r.id !== entry.after.id && (!entry.before || r.id !== entry.before.id));
  return restored ? [...others, restored] : others;
}

/**
 * Puts an undone record back into the window of its queue at `pos` and returns where it is now;
 * null when the window no longer reaches `pos` (the caller opens the record by its id instead).
 * A record still in the window (it never left: an edit in its own queue) is found where it is.
 * @param {import('./queue.js').Window|null} w @param {number} pos @param {any} record
 */
export function putBack(w, pos, record) {
  if (!w) return null;
  const at = w.records.findIndex((r) => r.id === record.id);
  if (at >= 0) return w.offset + at;
  if (pos < w.offset || pos > w.offset + w.records.length) return null;
  w.records.splice(pos - w.offset, 0, record);
  w.total += 1;
  return pos;
}

/** The undo button's and toast's words. @param {'submitted'|'discarded'} status */
export function undoLabel(status) {
  return status === 'submitted' ? 'Undo submit' : 'Undo discard';
}
