// The Pending queue's leases as plain data (ui/js/lib/leases.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { heldMessage, leasedQueue, renewEvery, replaceAt } from '../../../ui/js/lib/leases.js';

const q = (/** @type {any} */ over) => ({ status: 'pending', pos: 0, text: '', sort: '', filters: [], record: '', bulk: 0, ...over });

test('only the Pending queue, one record at a time, leases what it shows', () => {
  assert.equal(leasedQueue(q({})), true);
  assert.equal(leasedQueue(q({ sort: 'oldest', text: 'x' })), true);
  assert.equal(leasedQueue(q({ status: 'draft' })), false);
  assert.equal(leasedQueue(q({ status: 'submitted' })), false);
  assert.equal(leasedQueue(q({ bulk: 10 })), false);
  assert.equal(leasedQueue(q({ record: '0190a5a4-0000-7000-8000-000000000000' })), false);
});

test('a held record is replaced in place; a later copy of the replacement leaves the window', () => {
  const w = { offset: 10, records: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }], total: 40 };
  replaceAt(w, 11, { id: 'd', fresh: true });
  assert.deepEqual(w.records, [{ id: 'a' }, { id: 'd', fresh: true }, { id: 'c' }]);
  assert.equal(w.total, 39);
  replaceAt(w, 12, { id: 'z' });
  assert.deepEqual(w.records.map((r) => r.id), ['a', 'd', 'z']);
  assert.equal(w.total, 39);
  // An earlier copy (behind the annotator) stays where it is.
  replaceAt(w, 12, { id: 'a' });
  assert.deepEqual(w.records.map((r) => r.id), ['a', 'd', 'a']);
  // Where the records in hand ran out, the one found joins them.
  const done = { offset: 0, records: [], total: 0 };
  replaceAt(done, 0, { id: 'n' });
  assert.deepEqual(done, { offset: 0, records: [{ id: 'n' }], total: 1 });
});

test('renewals come every third of the term, never more often than each second', () => {
  assert.equal(renewEvery(300), 100_000);
  assert.equal(renewEvery(3), 1000);
  assert.equal(renewEvery(1), 1000);
});

test('what the view says when every pending record is held by others', () => {
  assert.equal(heldMessage(1), '1 record is being annotated by others; it comes back if not finished.');
  assert.equal(heldMessage(3), '3 records are being annotated by others; they come back if not finished.');
});
