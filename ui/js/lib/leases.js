// Leases of the Pending queue (issue 20) as plain data: which queue leases the record it shows,
// how a record held by others is replaced in the window of records in hand, when a lease is
// renewed, and what the view says when every pending record is held by others.
// Pure: no DOM, no network, so `node --test` covers it.

/** @typedef {import('./queue.js').QueueQuery} QueueQuery */
/** @typedef {import('./queue.js').Window} Window */

/**
 * Whether the view leases the record it shows: the Pending queue, one record at a time (not one
 * opened by its id, whatever its status).
 * @param {QueueQuery} q
 */
export function leasedQueue(q) {
  return q.status === 'pending' && !q.record && !q.bulk;
}

/**
 * Puts `record` (leased in place of the one held by others, or found free where the records in
 * hand ran out) at `pos` of the window. A copy of it
 * further on in the window is taken out (the queue's total loses the held record, which left the
 * caller's reach for now, only when a copy was there; otherwise the total stays, the held one
 * still counts).
 * @param {Window} w @param {number} pos @param {any} record
 */
export function replaceAt(w, pos, record) {
  const at = pos - w.offset;
  const later = w.records.findIndex((r, i) => i > at && r.id === record.id);
  if (later >= 0) {
    w.records.splice(later, 1);
    w.total -= 1;
  }
  if (at >= w.records.length) {
    // One past the records in hand (the queue looked done here): the record found joins it.
    w.records.push(record);
    w.total = Math.max(w.total, w.offset + w.records.length);
    return;
  }
  w.records[at] = record;
}

/**
 * Milliseconds between renewals of a lease of `seconds`: a third of it, so two renewals may fail
 * (a network hiccup) before it lapses; at least one second.
 * @param {number} seconds
 */
export function renewEvery(seconds) {
  return Math.max(1000, Math.floor((seconds * 1000) / 3));
}

/**
 * What the view says when no pending record is free for the caller.
 * @param {number} held records pending for the caller that others hold now
 */
export function heldMessage(held) {
  if (held === 1) return '1 record is being annotated by others; it comes back if not finished.';
  return `${held} records are being annotated by others; they come back if not finished.`;
}
