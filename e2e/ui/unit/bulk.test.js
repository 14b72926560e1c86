// Unit tests of the bulk view's rules (ui/js/lib/bulk.js): selection (some, a page, all matching),
// pages, and answering many records in batches the endpoint takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as bk from '../../../ui/js/lib/bulk.js';

test('selection: some records, then all matching, then one taken out of all leaves the page shown', () => {
  let s = bk.noSelection();
  assert.equal(bk.selectedCount(s), 0);
  s = bk.toggle(s, ['a', 'b'], true, ['a', 'b', 'c']);
  assert.equal(bk.selectedCount(s), 2);
  assert.equal(bk.isSelected(s, 'c'), false);
  s = bk.toggle(s, ['a'], false, ['a', 'b', 'c']);
  assert.deepEqual([...s.ids], ['b']);
  s = bk.selectAll(57);
  assert.equal(bk.selectedCount(s), 57);
  assert.equal(bk.isSelected(s, 'anything'), true, 'every record on every page');
  s = bk.toggle(s, ['b'], false, ['a', 'b', 'c']);
  assert.equal(s.all, false);
  assert.deepEqual([...s.ids].sort(), ['a', 'c']);
});

test('pages: start, step with the arrows, and after records left the queue', () => {
  assert.equal(bk.pageStart(37, 10), 30);
  assert.equal(bk.pageStart(-3, 10), 0);
  assert.equal(bk.pageStep(0, 10, 25, 1), 10);
  assert.equal(bk.pageStep(20, 10, 25, 1), null, 'no page past the last');
  assert.equal(bk.pageStep(0, 10, 25, -1), null);
  assert.equal(bk.pageStep(20, 10, 25, -1), 10);
  assert.equal(bk.pageAfter(20, 10, 25), 20, 'the page still has records');
  assert.equal(bk.pageAfter(20, 10, 20), 10, 'the last page emptied: the one before');
  assert.equal(bk.pageAfter(20, 10, 3), 0);
  assert.equal(bk.pageAfter(10, 10, 0), 0, 'an empty queue');
  assert.equal(bk.pageLabel(10, 10, 57), '11–20 of 57');
  assert.equal(bk.pageLabel(0, 0, 0), '0 in this queue');
});

test('batches of at most 100', () => {
  const ids = Array.from({ length: 250 }, (_, i) => `r${i}`);
  assert.deepEqual(bk.batches(ids).map((b) => b.length), [100, 100, 50]);
  assert.deepEqual(bk.batches([]), []);
  assert.deepEqual(bk.batches(ids.slice(0, 3), 2), [['r0', 'r1'], ['r2']]);
});

test('collecting every matching id: pages of 1000 until the total, no id twice', async () => {
  const all = Array.from({ length: 2500 }, (_, i) => `r${i}`);
  const asked = [];
  const ids = await bk.collectIds(async (offset, limit) => {
    asked.push([offset, limit]);
    return { ids: all.slice(offset, offset + limit), total: all.length };
  });
  assert.deepEqual(ids, all);
  assert.deepEqual(asked, [[0, 1000], [1000, 1000], [2000, 1000]]);
  // A page that repeats records (the order shifted) adds nothing twice; a short page ends it.
  const shifted = await bk.collectIds(async (offset) => ({ ids: offset === 0 ? ['a', 'b'] : [], total: 5 }));
  assert.deepEqual(shifted, ['a', 'b']);
});

test('answering in batches: failures per item counted, a thrown batch stops the run and keeps what was saved', async () => {
  const ids = Array.from({ length: 230 }, (_, i) => `r${i}`);
  const progress = [];
  const sent = [];
  const res = await bk.answerInBatches(
    ids,
    async (batch) => {
      sent.push(batch.length);
      return { items: batch.map((id) => (id === 'r5' ? { item: null, error: { detail: 'not allowed' } } : { item: {}, error: null })) };
    },
    (done, total) => progress.push([done, total]),
  );
  assert.deepEqual(sent, [100, 100, 30]);
  assert.deepEqual(progress, [[100, 230], [200, 230], [230, 230]]);
  assert.deepEqual(res, { saved: 229, failed: [{ id: 'r5', detail: 'not allowed' }], error: null });
  assert.equal(bk.answeredText(res, 'submitted'), '229 records submitted; 1 failed: not allowed');

  let calls = 0;
  const broken = await bk.answerInBatches(
    ids,
    async (batch) => {
      calls += 1;
      if (calls === 2) throw new Error('connection lost');
      return { items: batch.map(() => ({ error: null })) };
    },
    () => {},
  );
  assert.equal(broken.saved, 100);
  assert.equal(calls, 2, 'no batch after the one that failed');
  assert.equal(bk.answeredText(broken, 'discarded'), '100 records discarded; stopped: connection lost');
  assert.equal(bk.answeredText({ saved: 1, failed: [], error: null }, 'draft'), '1 record saved as drafts');
});
