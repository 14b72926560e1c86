// Unit tests of the home page's figures (ui/js/lib/overview.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countsText, ownFigures, percent, teamFigures } from '../../../ui/js/lib/overview.js';

const item = (over = {}) => ({
  dataset_id: 'd',
  status: 'ready',
  min_submitted: 2,
  records: { total: 10, completed: 4, pending: 6 },
  mine: { submitted: 2, discarded: 1, draft: 0 },
  team: {
    waiting: 3,
    responses: { submitted: 11, discarded: 2, draft: 1 },
    annotators: [
      { username: 'ada', submitted: 6, discarded: 1, draft: 0 },
      { username: 'bob', submitted: 5, discarded: 1, draft: 1 },
    ],
  },
  ...over,
});

test('percentages round and never divide by zero', () => {
  assert.equal(percent(1, 3), 33);
  assert.equal(percent(2, 3), 67);
  assert.equal(percent(0, 0), 0);
  assert.equal(countsText({ submitted: 1, discarded: 2, draft: 3 }), '1 submitted, 2 discarded, 3 draft');
});

test("an annotator's own figures: answered (submitted or discarded) of all records", () => {
  assert.deepEqual(ownFigures(item()), { pct: 30, text: '2 submitted, 1 discarded, 0 draft of 10' });
});

test("the team's figures: records completed, pending, waiting under min_submitted, per annotator", () => {
  const f = teamFigures(item());
  assert.equal(f.pct, 40);
  assert.equal(f.records, '4 of 10 records completed, 6 pending');
  assert.equal(f.waiting, '3 of the pending waiting for more responses (2 submitted responses complete a record)');
  assert.equal(f.responses, 'Team: 11 submitted, 2 discarded, 1 draft');
  assert.equal(f.mine, 'Mine: 2 submitted, 1 discarded, 0 draft');
  assert.deepEqual(f.annotators, [
    { username: 'ada', text: '6 submitted, 1 discarded, 0 draft' },
    { username: 'bob', text: '5 submitted, 1 discarded, 1 draft' },
  ]);
});

test('with one response per record nothing "waits", and a manager with no answers has no "mine" line', () => {
  const f = teamFigures(item({ min_submitted: 1, mine: { submitted: 0, discarded: 0, draft: 0 } }));
  assert.equal(f.waiting, null);
  assert.equal(f.mine, null);
  // An item without team figures (never sent to managers) still renders zeros, not a crash.
  assert.equal(teamFigures(item({ team: null })).responses, 'Team: 0 submitted, 0 discarded, 0 draft');
});
