// The annotation queues as plain data: which queue and page the URL asks for, the search body
// that reads a queue, the window of records in hand and how it moves when the annotator answers,
// navigates or selects in the bulk view, and the counts and progress shown above it.
// Pure: no DOM, no network, so `node --test` covers it.

import { filterItems, parseFilters, parseSort, sortItems, sortToken, writeFilters } from './filters.js';

/** @typedef {import('./filters.js').Filter} Filter */

/** The queues, by the caller's response status, in the order they are shown; then `returned`:
 * the records a reviewer returned to the caller (their response a draft again), shown while
 * there are some (`GET /api/v1/me/datasets/{id}/review/returned`). */
export const QUEUES = ['pending', 'draft', 'submitted', 'discarded', 'returned'];
/** Records asked for per page. */
export const PAGE = 50;
/** The page sizes the bulk view offers; the first is the default. */
export const BULK_SIZES = [10, 25, 50, 100];

/**
 * What the URL asks for: the queue, the position in it (0-based), the search text, the sort (a
 * token of lib/filters.js, '' for the server's order) and the filters; or one record by its id
 * (`record`, '' for none: a link from Insights, whatever the caller's response to it), which the
 * queue's filters then do not narrow. `bulk` is the bulk view's page size (0: one record at a
 * time); there `page` counts pages of that size.
 * @typedef {{status: string, pos: number, text: string, sort: string, filters: Filter[], record: string, bulk: number}} QueueQuery
 * The records in hand: `records` hold the queue's positions `offset`, `offset + 1`, …
 * @typedef {{offset: number, records: any[], total: number}} Window
 */

/**
 * The queue a URL's query asks for; unknown values fall back to the defaults.
 * @param {URLSearchParams} query
 * @returns {QueueQuery}
 */
export function queueQuery(query) {
  const size = Number(query.get('size'));
  const bulk = query.get('view') === 'bulk' ? (BULK_SIZES.includes(size) ? size : BULK_SIZES[0]) : 0;
  const page = Math.max(0, (Number(query.get('page')) || 1) - 1);
  return {
    status: QUEUES.includes(query.get('status') || '') ? /** @type {string} */ (query.get('status')) : 'pending',
    pos: bulk ? page * bulk : page,
    text: query.get('q') || '',
    sort: sortToken(parseSort(query.get('sort'))),
    filters: parseFilters(query),
    record: UUID.test(query.get('record') || '') ? /** @type {string} */ (query.get('record')).toLowerCase() : '',
    bulk,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether the queue is narrowed by search text or filters (an empty one is not "done"). @param {QueueQuery} q */
export function narrowed(q) {
  return !q.record && (q.text !== '' || q.filters.length > 0);
}

/**
 * The body of `POST /api/v1/me/datasets/{id}/records/search` that reads a queue; the Returned
 * queue is the records of `returned` (ids; at least one, see `returnedEmpty`).
 * @param {QueueQuery} q @param {string[]} [returned]
 */
export function searchBody(q, returned = []) {
  if (q.record) {
    return { filters: { type: 'and', and: [{ type: 'terms', scope: { entity: 'record', property: 'id' }, values: [q.record] }] } };
  }
  /** @type {any[]} */
  const and =
    q.status === 'returned'
      ? [{ type: 'terms', scope: { entity: 'record', property: 'id' }, values: returned }]
      : [{ type: 'terms', scope: { entity: 'response', property: 'status' }, values: [q.status] }];
  if (q.status === 'pending') {
    // A record that reached its min_submitted is no longer anyone's to do.
    and.push({ type: 'terms', scope: { entity: 'record', property: 'status' }, values: ['pending'] });
  }
  and.push(...filterItems(q.filters));
  /** @type {any} */
  const body = { filters: { type: 'and', and } };
  if (q.text) body.query = { text: { q: q.text } };
  const sort = sortItems(parseSort(q.sort));
  if (sort) body.sort = sort;
  return body;
}

/** The search body whose `total` is the Pending queue's count (no text, sort or filter). */
export function pendingCountBody() {
  return searchBody({ status: 'pending', pos: 0, text: '', sort: '', filters: [], record: '', bulk: 0 });
}

/**
 * The view's URL for queue `status` at `pos`, keeping the search, sort, filters and view of `q`.
 * @param {string} datasetId @param {QueueQuery} q @param {string} status @param {number} pos
 */
export function queueUrl(datasetId, q, status, pos) {
  const page = q.bulk ? Math.floor(pos / q.bulk) : pos;
  const p = new URLSearchParams({ status, page: String(page + 1) });
  if (q.bulk) {
    p.set('view', 'bulk');
    p.set('size', String(q.bulk));
  }
  if (q.text) p.set('q', q.text);
  if (q.sort) p.set('sort', q.sort);
  writeFilters(p, q.filters);
  if (q.record) p.set('record', q.record);
  return `/datasets/${datasetId}/annotate?${p}`;
}

/**
 * Whether showing `pos` needs a page fetched from `pos`: nothing is in hand, or `pos` is outside
 * the window and still inside the queue (one past the end shows "nothing here" without asking).
 * @param {Window|null} w @param {number} pos
 */
export function needsPage(w, pos) {
  if (!w) return true;
  const inWindow = pos >= w.offset && pos < w.offset + w.records.length;
  return !inWindow && pos < w.total;
}

/** The record at `pos`, or null. @param {Window} w @param {number} pos */
export function recordAt(w, pos) {
  return w.records[pos - w.offset] || null;
}

/** Whether to fetch the next page ahead: `pos` is near the window's end and more exist. @param {Window} w @param {number} pos */
export function nearEnd(w, pos) {
  return pos - w.offset > w.records.length - 5 && w.offset + w.records.length < w.total;
}

/** Appends a later page to the window (records already in hand are not repeated). @param {Window} w @param {Window} more */
export function extend(w, more) {
  w.records.push(...more.records.filter((r) => !w.records.some((x) => x.id === r.id)));
  w.total = more.total;
}

/**
 * Where ← / → lead from `pos`: the new position, or null when there is nowhere to go. One past
 * the last record is a place (it says the queue is done).
 * @param {Window|null} w @param {number} pos @param {number} delta
 */
export function step(w, pos, delta) {
  if (!w) return null;
  const to = pos + delta;
  return to < 0 || to > w.total ? null : to;
}

/** Takes the record at `pos` out of the window: it left this queue. @param {Window} w @param {number} pos */
export function dropAt(w, pos) {
  w.records.splice(pos - w.offset, 1);
  w.total -= 1;
}

/**
 * After the record at `pos` was answered with `status` while queue `queue` is shown: a record
 * that left the queue is dropped and the next one slides into `pos`; one that stays (an edit in
 * its own queue) is passed. Returns the position to show next.
 * @param {Window|null} w @param {number} pos @param {string} status @param {string} queue
 */
export function afterAnswer(w, pos, status, queue) {
  if (w && status !== queue) {
    dropAt(w, pos);
    return pos;
  }
  return pos + 1;
}

/**
 * The queue counts shown in the toolbar: Pending from its own count, the others from the
 * caller's metrics.
 * @param {{responses: {draft: number, submitted: number, discarded: number}}} metrics
 * @param {number} pendingTotal @param {number} [returned] records returned to the caller (the
 *   Returned queue's count; left out when none)
 * @returns {Record<string, number>}
 */
export function queueCounts(metrics, pendingTotal, returned = 0) {
  /** @type {Record<string, number>} */
  const res = { pending: pendingTotal, draft: metrics.responses.draft, submitted: metrics.responses.submitted, discarded: metrics.responses.discarded };
  if (returned > 0) res.returned = returned;
  return res;
}

/** Whether the Returned queue is empty, so that nothing need be asked. @param {QueueQuery} q @param {string[]} returned */
export function returnedEmpty(q, returned) {
  return !q.record && q.status === 'returned' && returned.length === 0;
}

/**
 * The status a record answered with counts as, for the queue it is shown in: in the Returned
 * queue a draft stays (the record is still returned until submitted).
 * @param {string} status @param {string} queue
 */
export function statusInQueue(status, queue) {
  return queue === 'returned' && status === 'draft' ? 'returned' : status;
}

/**
 * The caller's progress: records submitted or discarded of all records, as a whole percentage.
 * @param {{records: {count: number}, responses: {submitted: number, discarded: number}}} metrics
 */
export function progressOf(metrics) {
  const total = metrics.records.count;
  const done = metrics.responses.submitted + metrics.responses.discarded;
  const pct = total ? Math.round((100 * done) / total) : 0;
  return { done, total, pct };
}
