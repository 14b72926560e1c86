// Unit tests of what the question editors make of gestures (ui/js/lib/answers.js): labels,
// ratings, ranking moves, span ranges, number-key picks, and what an autosaved draft holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as a from '../../../ui/js/lib/answers.js';
import { initialState, moveRank, setAnswer } from '../../../ui/js/lib/form.js';

const opts = (...values) => values.map((value) => ({ value, text: value.toUpperCase() }));
const Q = {
  label: { id: 'q1', name: 'label', title: 'Label', required: true, settings: { type: 'label_selection', options: opts('pos', 'neg', 'neu', 'odd'), visible_options: 2 } },
  multi: { id: 'q2', name: 'multi', title: 'Multi', required: false, settings: { type: 'multi_label_selection', options: opts('a', 'b', 'c') } },
  rating: { id: 'q3', name: 'rating', title: 'Rating', required: false, settings: { type: 'rating', options: [{ value: 1 }, { value: 2 }, { value: 3 }] } },
  ranking: { id: 'q4', name: 'ranking', title: 'Ranking', required: false, settings: { type: 'ranking', options: opts('x', 'y', 'z') } },
  text: { id: 'q5', name: 'text', title: 'Text', required: false, settings: { type: 'text' } },
  span: { id: 'q6', name: 'span', title: 'Span', required: false, settings: { type: 'span', field: 'body', options: opts('PER', 'ORG') } },
};
const questions = Object.values(Q);

test('a label is chosen and cleared by picking it again; multi-labels toggle in the options order', () => {
  assert.equal(a.labelAnswer(Q.label, undefined, 'neg'), 'neg');
  assert.equal(a.labelAnswer(Q.label, 'pos', 'neg'), 'neg');
  assert.equal(a.labelAnswer(Q.label, 'neg', 'neg'), undefined);
  assert.deepEqual(a.labelAnswer(Q.multi, undefined, 'c'), ['c']);
  assert.deepEqual(a.labelAnswer(Q.multi, ['c'], 'a'), ['a', 'c']);
  assert.deepEqual(a.labelAnswer(Q.multi, ['a', 'c'], 'c'), ['a']);
  assert.equal(a.labelAnswer(Q.multi, ['a'], 'a'), undefined);
});

test('a rating click chooses, a second click on it clears', () => {
  assert.equal(a.ratingAnswer(undefined, 2), 2);
  assert.equal(a.ratingAnswer(3, 2), 2);
  assert.equal(a.ratingAnswer(2, 2), undefined);
});

test('ranking keys and drops move an item to the ranks expected', () => {
  assert.equal(a.rankKeyDelta('ArrowUp', 1), -1);
  assert.equal(a.rankKeyDelta('ArrowDown', 1), 1);
  assert.equal(a.rankKeyDelta('1', 2), -2, 'digit 1 moves the third item to the top');
  assert.equal(a.rankKeyDelta('3', 0), 2);
  assert.equal(a.rankKeyDelta('0', 0), null);
  assert.equal(a.rankKeyDelta('Enter', 0), null);
  const order = ['x', 'y', 'z'];
  // Dropping z on x puts z first (the browser test drags reply-c onto reply-a).
  assert.deepEqual(moveRank(order, 'z', a.dropDelta(order, 'z', 0)), [{ value: 'z', rank: 1 }, { value: 'x', rank: 2 }, { value: 'y', rank: 3 }]);
  assert.deepEqual(moveRank(order, 'x', a.dropDelta(order, 'x', 1)), [{ value: 'y', rank: 1 }, { value: 'x', rank: 2 }, { value: 'z', rank: 3 }]);
});

test('a span label takes the text box selection in code points, else the mouse selection in its field', () => {
  const text = '😀 Ada met Bob';
  // UTF-16: the emoji is two units; "Ada" is units 3..6, code points 2..5.
  assert.deepEqual(a.spanRange(text, 3, 6, null, 'body'), { start: 2, end: 5 });
  const mouse = { field: 'body', start: 10, end: 13 };
  assert.deepEqual(a.spanRange(text, 4, 4, mouse, 'body'), { start: 10, end: 13 });
  assert.deepEqual(a.spanRange(text, 3, 6, mouse, 'body'), { start: 2, end: 5 }, 'the text box selection wins');
  const empty = a.spanRange(text, 4, 4, { ...mouse, field: 'other' }, 'body');
  assert.ok(empty.end <= empty.start, 'a selection in another field does not count');
  const spans = [{ label: 'PER', start: 0, end: 1 }, { label: 'ORG', start: 2, end: 3 }, { label: 'PER', start: 4, end: 5 }];
  assert.deepEqual(a.withoutSpan(spans, 1), [spans[0], spans[2]]);
});

test('digits pick a rating by its value, a label by its place (by value when every label is a digit)', () => {
  const scale = (lo, hi) => ({ id: 'r', name: 'r', title: 'R', required: false, settings: { type: 'rating', options: Array.from({ length: hi - lo + 1 }, (_, i) => ({ value: lo + i })) } });
  const zeroToSeven = scale(0, 7);
  assert.deepEqual(a.pickFor(zeroToSeven, 0, undefined), { kind: 'rating', value: 0 });
  assert.deepEqual(a.pickFor(zeroToSeven, 1, undefined), { kind: 'rating', value: 1 }, 'on 0–7, 1 is 1, not the first option');
  assert.deepEqual(a.pickFor(zeroToSeven, 7, undefined), { kind: 'rating', value: 7 });
  assert.equal(a.pickFor(zeroToSeven, 8, undefined), null);
  assert.deepEqual(a.pickFor(scale(1, 5), 1, undefined), { kind: 'rating', value: 1 });
  assert.equal(a.pickFor(scale(1, 5), 0, undefined), null);
  assert.deepEqual(a.optionKeys(scale(0, 10), undefined).map((it) => it.key), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ''], 'a value past 9 has no key');
  assert.deepEqual(a.pickFor(Q.rating, 2, undefined), { kind: 'rating', value: 2 });
  assert.equal(a.pickFor(Q.rating, 4, undefined), null);
  // Labels: by place among those shown.
  assert.deepEqual(a.pickFor(Q.label, 2, undefined), { kind: 'label', value: 'neg' });
  assert.equal(a.pickFor(Q.label, 3, { filter: '', expanded: false }), null, 'only 2 are visible');
  assert.deepEqual(a.pickFor(Q.label, 3, { filter: '', expanded: true }), { kind: 'label', value: 'neu' });
  assert.deepEqual(a.pickFor(Q.label, 1, { filter: 'ODD', expanded: false }), { kind: 'label', value: 'odd' });
  assert.equal(a.pickFor(Q.label, 0, undefined), null);
  assert.deepEqual(a.optionKeys(Q.label, { filter: '', expanded: true }).map((it) => [it.option.value, it.key]), [['pos', '1'], ['neg', '2'], ['neu', '3'], ['odd', '4']]);
  const digits = { id: 'd', name: 'd', title: 'D', required: false, settings: { type: 'label_selection', options: opts('0', '1', '2') } };
  assert.deepEqual(a.pickFor(digits, 0, undefined), { kind: 'label', value: '0' }, 'labels that are digits go by value');
  assert.deepEqual(a.pickFor(Q.span, 2, undefined), { kind: 'span', value: 'ORG' });
  assert.equal(a.pickFor(Q.text, 1, undefined), null);
  assert.equal(a.pickFor(Q.ranking, 1, undefined), null);
});

test('a digit never clears a rating or label; on a suggested option it confirms it', () => {
  assert.equal(a.digitAnswer(Q.rating, 2, 2, false), 2, 'the key of the answer keeps it');
  assert.equal(a.digitAnswer(Q.rating, 2, 3, false), 3);
  assert.equal(a.digitAnswer(Q.label, 'neg', 'neg', true), 'neg', 'a suggested label is confirmed');
  assert.equal(a.digitAnswer(Q.label, 'neg', 'neg', false), 'neg');
  // Multi-labels toggle, but a suggested selection is confirmed first.
  assert.deepEqual(a.digitAnswer(Q.multi, ['a', 'c'], 'a', true), ['a', 'c']);
  assert.deepEqual(a.digitAnswer(Q.multi, ['a', 'c'], 'b', true), ['a', 'b', 'c']);
  assert.deepEqual(a.digitAnswer(Q.multi, ['a', 'c'], 'a', false), ['c']);
  // Clicks: a suggested option is confirmed by the first click, cleared by the next.
  assert.equal(a.labelAnswer(Q.label, 'neg', 'neg', true), 'neg');
  assert.equal(a.ratingAnswer(2, 2, true), 2);
  assert.equal(a.ratingAnswer(2, 2, false), undefined);
  // And the form: confirming keeps the value, which is the annotator's own from then on.
  const form = initialState(questions, null, [{ question_id: 'q1', value: 'neg', agent: 'judge' }]);
  const confirmed = setAnswer(form, 'label', a.digitAnswer(Q.label, form.answers.label, 'neg', !!form.suggested.label));
  assert.equal(confirmed.answers.label, 'neg');
  assert.deepEqual(confirmed.suggested, {});
});

test('the caller\'s own response is found among everyone\'s', () => {
  const record = { responses: [{ user_id: 'u2', status: 'submitted' }, { user_id: 'u1', status: 'draft' }] };
  assert.equal(a.ownResponse(record, 'u1').status, 'draft');
  assert.equal(a.ownResponse(record, 'u3'), null);
  assert.equal(a.ownResponse(null, 'u1'), null);
  assert.equal(a.ownResponse({}, 'u1'), null);
});

test('a change autosaves a draft only with an answer and unless the response is submitted or discarded', () => {
  const empty = initialState(questions, null, null);
  assert.equal(a.draftValues(questions, empty, null), null, 'nothing answered: nothing to save');
  const form = setAnswer(setAnswer(empty, 'label', 'neg'), 'text', '   ');
  assert.deepEqual(a.draftValues(questions, form, null), { label: { value: 'neg' } }, 'blank text is no answer');
  assert.deepEqual(a.draftValues(questions, form, { status: 'draft' }), { label: { value: 'neg' } });
  assert.equal(a.draftValues(questions, form, { status: 'submitted' }), null);
  assert.equal(a.draftValues(questions, form, { status: 'discarded' }), null);
});

test('a record opens with its unsaved local backup, else the caller\'s response, else the suggestions', () => {
  const mine = { status: 'draft', values: { label: { value: 'neu' } } };
  const suggestions = [{ question_id: 'q1', value: 'pos', agent: 'model' }];
  const backup = { label: 'neg', text: 'typed offline' };
  const restored = a.openingForm(questions, mine, suggestions, backup);
  assert.equal(restored.restored, true);
  assert.deepEqual(restored.form, { answers: backup, suggested: {}, dirty: true });
  const own = a.openingForm(questions, mine, suggestions, null);
  assert.equal(own.restored, false);
  assert.deepEqual(own.form.answers, { label: 'neu' });
  assert.deepEqual(own.form.suggested, {});
  const suggested = a.openingForm(questions, null, suggestions, null);
  assert.deepEqual(suggested.form.answers, { label: 'pos' });
  assert.equal(suggested.form.suggested.label.agent, 'model');
});
