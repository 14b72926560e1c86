// Unit tests of the annotation queues (ui/js/lib/queue.js): the URL's query, the search body,
// the window of records in hand and how answering, navigating and the bulk view move it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as qu from '../../../ui/js/lib/queue.js';

const recs = (...ids) => ids.map((id) => ({ id }));
const query = (status, extra = {}) => ({ status, pos: 0, text: '', sort: '', filters: [], record: '', bulk: 0, ...extra });
const RECORD = '0b7a4c2e-93d1-4f57-8a55-3c1f0e9d2b61';
const source = (...values) => ({ kind: 'meta', name: 'source', values });

test('the URL query: known queues and sorts only, 1-based pages, defaults otherwise', () => {
  // The older `sort=oldest` and `meta=name=value` links still work.
  assert.deepEqual(qu.queueQuery(new URLSearchParams('status=draft&page=3&q=apples&sort=oldest&meta=source%3Dbook')), {
    status: 'draft', pos: 2, text: 'apples', sort: 'inserted-asc', filters: [source('book')], record: '', bulk: 0,
  });
  assert.deepEqual(qu.queueQuery(new URLSearchParams('status=nope&page=-4&sort=random')), query('pending'));
  assert.deepEqual(qu.queueQuery(new URLSearchParams('page=x')), query('pending'));
});

test('the bulk view in the URL: its page size (a known one) and pages of that size', () => {
  assert.deepEqual(qu.queueQuery(new URLSearchParams('view=bulk&size=25&page=3')), query('pending', { bulk: 25, pos: 50 }));
  assert.deepEqual(qu.queueQuery(new URLSearchParams('view=bulk&size=7')), query('pending', { bulk: qu.BULK_SIZES[0] }));
  assert.deepEqual(qu.queueQuery(new URLSearchParams('view=list&size=25&page=2')), query('pending', { pos: 1 }));
  // Written back: the page holding the position.
  assert.equal(qu.queueUrl('d1', query('pending', { bulk: 25 }), 'pending', 60), '/datasets/d1/annotate?status=pending&page=3&view=bulk&size=25');
});

test('narrowed: by search text or filters, not by one record opened by id', () => {
  assert.equal(qu.narrowed(query('pending')), false);
  assert.equal(qu.narrowed(query('pending', { text: 'x' })), true);
  assert.equal(qu.narrowed(query('pending', { filters: [source('web')] })), true);
  assert.equal(qu.narrowed(query('pending', { filters: [source('web')], record: RECORD })), false);
});

test('the search body: Pending also needs a pending record; text, sort and a metadata term', () => {
  const byResponse = { type: 'terms', scope: { entity: 'response', property: 'status' }, values: ['pending'] };
  const byRecord = { type: 'terms', scope: { entity: 'record', property: 'status' }, values: ['pending'] };
  assert.deepEqual(qu.searchBody(query('pending')), { filters: { type: 'and', and: [byResponse, byRecord] } });
  assert.deepEqual(qu.pendingCountBody(), { filters: { type: 'and', and: [byResponse, byRecord] } });
  const drafts = qu.searchBody(query('draft', { text: 'apples', sort: 'inserted-desc', filters: qu.queueQuery(new URLSearchParams('meta=source%3Da%3Db')).filters }));
  assert.deepEqual(drafts, {
    filters: {
      type: 'and',
      and: [
        { type: 'terms', scope: { entity: 'response', property: 'status' }, values: ['draft'] },
        // Only the first `=` splits: a value may hold one.
        { type: 'terms', scope: { entity: 'metadata', metadata_property: 'source' }, values: ['a=b'] },
      ],
    },
    query: { text: { q: 'apples' } },
    sort: [{ scope: { entity: 'record', property: 'inserted_at' }, order: 'desc' }],
  });
});

test('the view URL keeps search, sort and filter; the default sort is left out', () => {
  assert.equal(qu.queueUrl('d1', query('pending'), 'submitted', 0), '/datasets/d1/annotate?status=submitted&page=1');
  assert.equal(
    qu.queueUrl('d1', query('pending', { text: 'a b', sort: 'inserted-asc', filters: [source('book', 'web')] }), 'draft', 4),
    '/datasets/d1/annotate?status=draft&page=5&q=a+b&sort=inserted-asc&meta.source=book&meta.source=web',
  );
});

test('one record by its id: read from the URL (a uuid only), searched by id alone, kept in the URL', () => {
  assert.equal(qu.queueQuery(new URLSearchParams(`record=${RECORD.toUpperCase()}`)).record, RECORD);
  assert.equal(qu.queueQuery(new URLSearchParams('record=not-a-uuid')).record, '');
  assert.equal(qu.queueQuery(new URLSearchParams(`record=${RECORD}x`)).record, '');
  // Whatever the caller's response to it (an owner looking at others' answers has none): no status
  // filter, and neither text, sort nor metadata narrow it.
  assert.deepEqual(qu.searchBody(query('pending', { record: RECORD, text: 'apples', filters: [source('a')] })), {
    filters: { type: 'and', and: [{ type: 'terms', scope: { entity: 'record', property: 'id' }, values: [RECORD] }] },
  });
  assert.equal(qu.queueUrl('d1', query('pending', { record: RECORD }), 'pending', 0), `/datasets/d1/annotate?status=pending&page=1&record=${RECORD}`);
  // The Pending count is never narrowed to the record.
  assert.deepEqual(qu.pendingCountBody().filters.and.map((f) => f.scope.property), ['status', 'status']);
});

test('a page is fetched when nothing is in hand or the position is outside the window but in the queue', () => {
  const w = { offset: 50, records: recs('a', 'b', 'c'), total: 60 };
  assert.equal(qu.needsPage(null, 0), true);
  assert.equal(qu.needsPage(w, 50), false);
  assert.equal(qu.needsPage(w, 52), false);
  assert.equal(qu.needsPage(w, 53), true);
  assert.equal(qu.needsPage(w, 49), true);
  assert.equal(qu.needsPage(w, 60), false, 'one past the end shows the empty queue without asking');
  assert.equal(qu.recordAt(w, 51).id, 'b');
  assert.equal(qu.recordAt(w, 53), null);
});

test('the next page is fetched ahead near the end of the window only when more exist; no record twice', () => {
  const w = { offset: 0, records: recs('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), total: 20 };
  assert.equal(qu.nearEnd(w, 3), false);
  assert.equal(qu.nearEnd(w, 4), true);
  assert.equal(qu.nearEnd({ ...w, total: 8 }, 7), false);
  qu.extend(w, { offset: 8, records: recs('h', 'i'), total: 19 });
  assert.deepEqual(w.records.map((r) => r.id), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
  assert.equal(w.total, 19);
});

test('← and → stop at the first record and one past the last', () => {
  const w = { offset: 0, records: recs('a', 'b'), total: 2 };
  assert.equal(qu.step(null, 0, 1), null);
  assert.equal(qu.step(w, 0, -1), null);
  assert.equal(qu.step(w, 0, 1), 1);
  assert.equal(qu.step(w, 1, 1), 2);
  assert.equal(qu.step(w, 2, 1), null);
});

test('an answer that leaves the queue drops the record and keeps the position; one that stays moves on', () => {
  const w = { offset: 10, records: recs('a', 'b', 'c'), total: 13 };
  assert.equal(qu.afterAnswer(w, 11, 'submitted', 'pending'), 11);
  assert.deepEqual(w.records.map((r) => r.id), ['a', 'c']);
  assert.equal(w.total, 12);
  // Re-submitting a record in Submitted keeps it there: the next one is shown.
  assert.equal(qu.afterAnswer(w, 11, 'submitted', 'submitted'), 12);
  assert.deepEqual(w.records.map((r) => r.id), ['a', 'c']);
  assert.equal(qu.afterAnswer(null, 3, 'draft', 'pending'), 4);
});

test('counts and progress from the metrics', () => {
  const metrics = { records: { count: 8 }, responses: { draft: 1, submitted: 2, discarded: 1, pending: 4 } };
  assert.deepEqual(qu.queueCounts(metrics, 3), { pending: 3, draft: 1, submitted: 2, discarded: 1 });
  assert.deepEqual(qu.progressOf(metrics), { done: 3, total: 8, pct: 38 });
  assert.deepEqual(qu.progressOf({ records: { count: 0 }, responses: { submitted: 0, discarded: 0 } }), { done: 0, total: 0, pct: 0 });
});

test('the Returned queue: records by id, shown while there are some; a draft keeps a record in it', () => {
  const returnedQuery = qu.queueQuery(new URLSearchParams('status=returned'));
  assert.equal(returnedQuery.status, 'returned');
  assert.deepEqual(qu.searchBody(returnedQuery, ['r1', 'r2']), {
    filters: { type: 'and', and: [{ type: 'terms', scope: { entity: 'record', property: 'id' }, values: ['r1', 'r2'] }] },
  });
  assert.equal(qu.returnedEmpty(returnedQuery, []), true);
  assert.equal(qu.returnedEmpty(returnedQuery, ['r1']), false);
  assert.equal(qu.returnedEmpty(qu.queueQuery(new URLSearchParams('status=draft')), []), false);
  const metrics = { responses: { draft: 1, submitted: 2, discarded: 1 } };
  assert.deepEqual(qu.queueCounts(metrics, 3, 2), { pending: 3, draft: 1, submitted: 2, discarded: 1, returned: 2 });
  assert.equal(qu.statusInQueue('draft', 'returned'), 'returned');
  assert.equal(qu.statusInQueue('submitted', 'returned'), 'submitted');
  assert.equal(qu.statusInQueue('draft', 'draft'), 'draft');
});
