// lib/pairwise.js: the placement both the server and the UI compute (FNV-1a 32 over
// "<user>:<record>:<question>"; the expected hashes below were computed independently, with a
// five-line Python FNV-1a, and match the server's test in loam-domain/src/pairwise.rs), the
// choices in screen terms and the canonical labels they save, the strength rules, what a save
// carries, the settings form's body and the judge figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  choices,
  comparableFields,
  describePairing,
  fieldsShown,
  fnv1a32,
  impliedPick,
  intervalText,
  placement,
  roleOf,
  shownOf,
  sideOf,
  strengthForKey,
  strengthKeys,
  strengthUnder,
  switchBody,
  takesStrength,
  valueForKey,
} from '../../../ui/js/lib/pairwise.js';

const USER = '01900000-0000-7000-8000-000000000001';
const RECORD = '01900000-0000-7000-8000-000000000002';
const QUESTION = '01900000-0000-7000-8000-000000000003';
const uuidOf = (/** @type {number} */ i) => `00000000-0000-0000-0000-${i.toString(16).padStart(12, '0')}`;

/** @type {import('../../../ui/js/lib/pairwise.js').Pairing} */
const PAIR = {
  question: 'preference',
  question_id: QUESTION,
  a: 'response_a',
  b: 'response_b',
  outcomes: { a: 'A', b: 'B', tie: 'tie', both_bad: 'both_bad' },
  strength: { question: 'preference-strength', question_id: 'q2', levels: ['slight', 'clear', 'strong'] },
  ratings: null,
};

test('fnv1a32 gives the reference values (UTF-8 bytes)', () => {
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  assert.equal(fnv1a32('héllo'), 0x4aa48540, 'é is two bytes');
  assert.equal(fnv1a32(`${USER}:${RECORD}:${QUESTION}`), 0x54a18462);
});

test('placement: even hash shows A first, odd B first; ids read in lowercase', () => {
  assert.equal(placement(USER, RECORD, QUESTION), 'ab'); // 0x54a18462
  assert.equal(placement(USER.toUpperCase(), RECORD, QUESTION.toUpperCase()), 'ab');
  // Hashes from the independent check: 0xa3667803, 0xcab651ea, 0x35a384f9, 0x667a96d0.
  assert.deepEqual([0, 1, 2, 3].map((i) => placement(USER, uuidOf(i), QUESTION)), ['ba', 'ab', 'ba', 'ab']);
  // Over records 0 … 999 exactly 500 are shown A first (counted by the same check).
  const ab = Array.from({ length: 1000 }, (_, i) => placement(USER, uuidOf(i), QUESTION)).filter((s) => s === 'ab').length;
  assert.equal(ab, 500);
});

test('the fields in the order shown', () => {
  assert.deepEqual(fieldsShown(PAIR, 'ab'), ['response_a', 'response_b']);
  assert.deepEqual(fieldsShown(PAIR, 'ba'), ['response_b', 'response_a']);
});

test('choices in screen terms save canonical labels; keys by position', () => {
  assert.deepEqual(
    choices(PAIR, 'ab').map((c) => [c.key, c.wide, c.narrow, c.value]),
    [
      ['1', 'Left better', 'Top better', 'A'],
      ['2', 'Right better', 'Bottom better', 'B'],
      ['3', 'Tie', 'Tie', 'tie'],
      ['4', 'Both bad', 'Both bad', 'both_bad'],
    ],
  );
  assert.deepEqual(choices(PAIR, 'ba').map((c) => c.value), ['B', 'A', 'tie', 'both_bad']);
  assert.equal(valueForKey(PAIR, 'ab', 1), 'A');
  assert.equal(valueForKey(PAIR, 'ba', 1), 'B', 'left is B when B is shown first');
  assert.equal(valueForKey(PAIR, 'ba', 2), 'A');
  assert.equal(valueForKey(PAIR, 'ba', 3), 'tie');
  assert.equal(valueForKey(PAIR, 'ba', 4), 'both_bad');
  assert.equal(valueForKey(PAIR, 'ba', 5), null);
  assert.equal(valueForKey(PAIR, 'ba', 0), null);
  // Left better then read back: the side follows the placement.
  assert.equal(sideOf(PAIR, 'ab', 'A'), 'first');
  assert.equal(sideOf(PAIR, 'ba', 'A'), 'second');
  assert.equal(sideOf(PAIR, 'ba', 'B'), 'first');
  assert.equal(sideOf(PAIR, 'ba', 'tie'), 'tie');
  assert.equal(sideOf(PAIR, 'ab', 'other'), null);
  // Only the outcomes the settings have, numbered by position.
  const noTie = { ...PAIR, outcomes: { a: 'A', b: 'B', tie: null, both_bad: 'bad' } };
  assert.deepEqual(choices(noTie, 'ab').map((c) => [c.key, c.side, c.value]), [['1', 'first', 'A'], ['2', 'second', 'B'], ['3', 'both_bad', 'bad']]);
  const bare = { ...PAIR, outcomes: { a: 'x', b: 'y', tie: null, both_bad: null } };
  assert.deepEqual(choices(bare, 'ba').map((c) => c.value), ['y', 'x']);
});

test('strength: keys 1 … 3 weakest first, only with an A or B answer', () => {
  assert.deepEqual(strengthKeys(PAIR), [{ value: 'slight', key: '1' }, { value: 'clear', key: '2' }, { value: 'strong', key: '3' }]);
  assert.equal(takesStrength(PAIR, 'A'), true);
  assert.equal(takesStrength(PAIR, 'B'), true);
  assert.equal(takesStrength(PAIR, 'tie'), false);
  assert.equal(takesStrength(PAIR, 'both_bad'), false);
  assert.equal(takesStrength(PAIR, undefined), false);
  assert.equal(strengthForKey(PAIR, 'B', 3), 'strong');
  assert.equal(strengthForKey(PAIR, 'A', 1), 'slight');
  assert.equal(strengthForKey(PAIR, 'tie', 1), null);
  assert.equal(strengthForKey(PAIR, 'A', 4), null);
  assert.deepEqual(strengthKeys({ ...PAIR, strength: null }), []);
});

test('every save carries the shown order of each pair; roles of questions', () => {
  const other = { ...PAIR, question: 'second', question_id: '01900000-0000-7000-8000-0000000000ff', strength: null };
  assert.deepEqual(shownOf([PAIR, other], USER, RECORD), { preference: 'ab', second: placement(USER, RECORD, other.question_id) });
  assert.deepEqual(shownOf([], USER, RECORD), {});
  assert.deepEqual(roleOf([PAIR], 'preference'), { pairing: PAIR, role: 'pairwise' });
  assert.deepEqual(roleOf([PAIR], 'preference-strength'), { pairing: PAIR, role: 'strength' });
  assert.equal(roleOf([PAIR], 'notes'), null);
});

test('comparable fields are the text fields', () => {
  const fields = [
    { name: 'instruction', settings: { type: 'text' } },
    { name: 'chat', settings: { type: 'chat' } },
    { name: 'generations-0', settings: { type: 'text' } },
    { name: 'img', settings: { type: 'image' } },
  ];
  assert.deepEqual(comparableFields(fields), ['instruction', 'generations-0']);
});

test('switch to pairwise: the POST body, or the problem named by its key', () => {
  const form = { name: ' preference ', title: '', description: '', a: 'generations-0', b: 'generations-1', tie: true, both_bad: false, strength: true, required: true, ratingA: '', ratingB: '' };
  assert.deepEqual(switchBody(form), {
    body: { name: 'preference', title: 'preference', description: null, a: 'generations-0', b: 'generations-1', tie: true, both_bad: false, strength: true, required: true, ratings: null },
    problem: null,
  });
  const rated = switchBody({ ...form, title: 'Which is better?', ratingA: 'generations-0-rating', ratingB: 'generations-1-rating' });
  assert.deepEqual(rated.body.ratings, { a: 'generations-0-rating', b: 'generations-1-rating' });
  assert.equal(rated.body.title, 'Which is better?');
  assert.deepEqual(switchBody({ ...form, name: ' ' }).problem, { key: 'name', message: 'Name the question' });
  assert.equal(switchBody({ ...form, b: 'generations-0' }).problem?.key, 'b');
  assert.equal(switchBody({ ...form, a: '' }).problem?.key, 'a');
  assert.equal(switchBody({ ...form, ratingA: 'x' }).problem?.key, 'ratings.b');
  assert.equal(switchBody({ ...form, ratingB: 'x' }).problem?.key, 'ratings.a');
  assert.equal(switchBody({ ...form, ratingA: 'x', ratingB: 'x' }).problem?.key, 'ratings.b');
});

test('a pairing in words', () => {
  assert.equal(describePairing(PAIR), 'response_a (A) vs response_b (B); outcomes A / B / tie / both_bad; strength preference-strength: slight < clear < strong');
  assert.equal(
    describePairing({ ...PAIR, strength: null, outcomes: { a: 'A', b: 'B', tie: null, both_bad: null }, ratings: { a: 'r0', b: 'r1' } }),
    'response_a (A) vs response_b (B); outcomes A / B; judge ratings r0 vs r1',
  );
});

test('judge figures: value, interval and n; a dash with the reason when undefined; nothing when n/a', () => {
  assert.deepEqual(intervalText({ value: 0.81, low: 0.73, high: 0.87, n: 120 }), { text: '0.810 [0.730, 0.870] n = 120', reason: null });
  assert.deepEqual(intervalText({ value: 0, low: 0, high: 0.2, n: 15 }), { text: '0.000 [0.000, 0.200] n = 15', reason: null });
  assert.deepEqual(intervalText({ value: null, n: 0, reason: 'no records judged in both orders' }), { text: '—', reason: 'no records judged in both orders' });
  assert.deepEqual(intervalText({ value: null }), { text: '—', reason: 'not defined' });
  assert.deepEqual(intervalText(null), { text: '', reason: null });
  assert.deepEqual(intervalText({ value: 0.5 }), { text: '0.500', reason: null });
});

test("a judge's ratings imply a pick: the higher rated, equal is a tie", () => {
  assert.equal(impliedPick(PAIR, 4, 2), 'A');
  assert.equal(impliedPick(PAIR, 1, 5), 'B');
  assert.equal(impliedPick(PAIR, 3, 3), 'tie');
  assert.equal(impliedPick({ ...PAIR, outcomes: { ...PAIR.outcomes, tie: null } }, 3, 3), null);
  assert.equal(impliedPick(PAIR, 4, undefined), null);
  assert.equal(impliedPick(PAIR, '4', 2), null);
});

test('the strength question is shown right under its pairwise question', () => {
  const q = (/** @type {string} */ name) => ({ name });
  const names = (/** @type {{name: string}[]} */ qs) => qs.map((it) => it.name);
  assert.deepEqual(names(strengthUnder([PAIR], ['preference-strength', 'notes', 'preference', 'rating'].map(q))), ['notes', 'preference', 'preference-strength', 'rating']);
  assert.deepEqual(names(strengthUnder([PAIR], ['preference', 'preference-strength'].map(q))), ['preference', 'preference-strength']);
  assert.deepEqual(names(strengthUnder([{ ...PAIR, strength: null }], ['preference-strength', 'preference'].map(q))), ['preference-strength', 'preference']);
  assert.deepEqual(names(strengthUnder([PAIR], ['preference-strength', 'notes'].map(q))), ['notes', 'preference-strength']);
});
