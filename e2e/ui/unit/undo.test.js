// Unit tests of the undo of the last submit or discard (ui/js/lib/undo.js): the response put back
// exactly as it was, and the record back into its queue where it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as u from '../../../ui/js/lib/undo.js';

const form = { answers: {}, suggested: {}, dirty: false };
const entry = (before) => ({ record: { id: 'r2' }, before, after: { id: 'resp-1', status: 'submitted', values: { q: { value: 3 } } }, status: 'submitted', form, pos: 1, queue: '' });

test('a response the answer created is deleted; one it changed gets its status and values back', () => {
  assert.deepEqual(u.undoRequest(entry(null)), { method: 'DELETE', path: '/api/v1/responses/resp-1' });
  const draft = { id: 'resp-1', status: 'draft', values: { q: { value: 2 }, t: { value: 'half typed' } } };
  assert.deepEqual(u.undoRequest(entry(draft)), { method: 'PUT', path: '/api/v1/responses/resp-1', body: { status: 'draft', values: draft.values } });
  const discarded = { id: 'resp-1', status: 'discarded', values: null };
  assert.deepEqual(u.undoRequest(entry(discarded)).body, { status: 'discarded', values: {} });
});

test('the response before is a copy: later changes to the record do not reach it', () => {
  const stored = { id: 'x', status: 'draft', values: { q: { value: [1, 2] } }, user_id: 'u' };
  const copy = u.snapshot(stored);
  stored.values.q.value.push(3);
  assert.deepEqual(copy, { id: 'x', status: 'draft', values: { q: { value: [1, 2] } } });
  assert.equal(u.snapshot(null), null);
});

test('the record\'s responses after an undo: the caller\'s as it was, others untouched', () => {
  const others = { id: 'o', user_id: 'u2', status: 'submitted' };
  const after = { id: 'resp-1', user_id: 'u1', status: 'submitted' };
  assert.deepEqual(u.responsesAfterUndo([others, after], entry(null), null), [others]);
  const restored = { id: 'resp-1', user_id: 'u1', status: 'draft' };
  assert.deepEqual(u.responsesAfterUndo([others, after], entry({ id: 'resp-1', status: 'draft' }), restored), [others, restored]);
});

test('an undone record goes back into its queue where it was', () => {
  const w = { offset: 0, records: [{ id: 'r1' }, { id: 'r3' }], total: 2 };
  assert.equal(u.putBack(w, 1, { id: 'r2' }), 1);
  assert.deepEqual(w.records.map((r) => r.id), ['r1', 'r2', 'r3']);
  assert.equal(w.total, 3);
  // One that never left (an edit in its own queue) is found where it is.
  assert.equal(u.putBack(w, 0, { id: 'r3' }), 2);
  assert.equal(w.total, 3);
  // At the end of the window (the last record answered) it goes back at the end.
  assert.equal(u.putBack(w, 3, { id: 'r4' }), 3);
  // A window that no longer reaches the place: none (the record opens by its id).
  assert.equal(u.putBack({ offset: 50, records: [{ id: 'a' }], total: 60 }, 3, { id: 'r9' }), null);
  assert.equal(u.putBack(null, 0, { id: 'r9' }), null);
});

test('the queue shown is compared by everything the URL asks for but the position', () => {
  const q = { status: 'pending', pos: 4, text: '', sort: 'default', meta: '', record: '' };
  assert.equal(u.queueKey(q), u.queueKey({ ...q, pos: 0 }), 'the position is not the queue');
  assert.notEqual(u.queueKey(q), u.queueKey({ ...q, text: 'apples' }));
  assert.equal(u.undoLabel('submitted'), 'Undo submit');
  assert.equal(u.undoLabel('discarded'), 'Undo discard');
});
