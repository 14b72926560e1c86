// Unit tests of consolidation strategies as forms (ui/js/lib/strategy.js): kinds per question
// type, stored strategies as form values and back, what a form catches before the server, and
// consolidated values as text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../../../ui/js/lib/strategy.js';

test('each question type offers the kinds the server takes', () => {
  assert.deepEqual(st.kindsOf('label_selection'), ['majority']);
  assert.deepEqual(st.kindsOf('multi_label_selection'), ['label_majority']);
  assert.deepEqual(st.kindsOf('rating'), ['majority', 'mean', 'median', 'min', 'max']);
  assert.deepEqual(st.kindsOf('ranking'), ['mean_rank', 'borda']);
  assert.deepEqual(st.kindsOf('text'), ['by_rating', 'by_annotator', 'by_weight', 'all']);
  assert.deepEqual(st.kindsOf('span'), ['majority']);
  assert.deepEqual(st.kindsOf('nope'), []);
});

test('a stored strategy as form values, and the same values back as the same strategy', () => {
  const cases = [
    ['label_selection', { kind: 'majority', tie_break: 'random', seed: 7 }],
    ['label_selection', { kind: 'majority', tie_break: 'unresolved' }],
    ['multi_label_selection', { kind: 'label_majority', threshold: 0.75 }],
    ['rating', { kind: 'mean', rounding: 'half_even' }],
    ['rating', { kind: 'majority', tie_break: 'highest' }],
    ['rating', { kind: 'majority', tie_break: 'random', seed: 42 }],
    ['rating', { kind: 'max' }],
    ['ranking', { kind: 'borda' }],
    ['text', { kind: 'by_rating', question: 'quality', pick: 'lowest', tie_break: 'unresolved' }],
    ['text', { kind: 'by_annotator', order: ['bob', 'ann'] }],
    ['text', { kind: 'by_weight', weights: { ann: 2, bob: 0.5 } }],
    ['text', { kind: 'all' }],
    ['span', { kind: 'majority' }],
  ];
  for (const [type, strategy] of cases) {
    const form = st.toForm(type, strategy);
    assert.equal(form.kind, strategy.kind, `${type} ${strategy.kind}`);
    assert.deepEqual(st.fromForm(type, form.kind, form.values), { strategy }, `${type} ${JSON.stringify(strategy)}`);
  }
  assert.deepEqual(st.toForm('text', { kind: 'by_weight', weights: { ann: 2, bob: 0.5 } }).values, { weights: 'ann=2, bob=0.5' });
  assert.deepEqual(st.toForm('text', { kind: 'by_annotator', order: ['bob', 'ann'] }).values, { order: 'bob, ann' });
});

test('a kind picked anew starts from the server defaults: ties unresolved, threshold 0.5, no rounding, optional ones empty', () => {
  assert.deepEqual(st.toForm('label_selection', null), { kind: 'majority', values: { tie_break: 'unresolved', seed: '' } });
  assert.deepEqual(st.toForm('multi_label_selection', null), { kind: 'label_majority', values: { threshold: '0.5' } });
  assert.deepEqual(st.toForm('rating', { kind: 'median' }), { kind: 'median', values: { rounding: 'none' } });
  assert.deepEqual(st.toForm('text', { kind: 'by_rating' }).values, { question: '', pick: 'highest', tie_break: 'first' });
  // Each kind takes only its own inputs (the server refuses others): min and max take none.
  assert.deepEqual(st.toForm('rating', { kind: 'min' }), { kind: 'min', values: {} });
  // A kind the type does not offer falls back to the first one.
  assert.equal(st.toForm('ranking', { kind: 'majority' }).kind, 'mean_rank');
});

test('a seed goes only with a random tie-break; left empty, the server picks it', () => {
  assert.deepEqual(st.fromForm('label_selection', 'majority', { tie_break: 'lowest', seed: '7' }), { strategy: { kind: 'majority', tie_break: 'lowest' } });
  assert.deepEqual(st.fromForm('label_selection', 'majority', { tie_break: 'random', seed: '7' }), { strategy: { kind: 'majority', tie_break: 'random', seed: 7 } });
  assert.deepEqual(st.fromForm('rating', 'majority', { tie_break: 'random', seed: ' ' }), { strategy: { kind: 'majority', tie_break: 'random' } });
  const seed = st.paramsOf('rating', 'majority').find((p) => p.name === 'seed');
  assert.equal(st.applies(seed, { tie_break: 'random' }), true);
  assert.equal(st.applies(seed, { tie_break: 'highest' }), false);
});

test('what a form refuses before the server: a number that is none, a bad weight, a missing input, a foreign kind', () => {
  assert.match(st.fromForm('multi_label_selection', 'label_majority', { threshold: 'half' }).error ?? '', /Threshold.*"half" is not a number/);
  assert.match(st.fromForm('label_selection', 'majority', { tie_break: 'random', seed: '1.5' }).error ?? '', /Seed.*whole number/);
  assert.match(st.fromForm('text', 'by_weight', { weights: 'ann=2, bob' }).error ?? '', /"bob" is not name=weight/);
  assert.match(st.fromForm('text', 'by_weight', { weights: 'ann=' }).error ?? '', /"ann=" is not name=weight/);
  assert.match(st.fromForm('text', 'by_rating', { question: '', pick: 'highest' }).error ?? '', /Rating question: required/);
  assert.match(st.fromForm('ranking', 'mean', {}).error ?? '', /"mean" is no strategy for a ranking question/);
  // What only the server can judge goes to it as typed (a threshold above 1, an unknown annotator).
  assert.deepEqual(st.fromForm('multi_label_selection', 'label_majority', { threshold: '3' }), { strategy: { kind: 'label_majority', threshold: 3 } });
  assert.deepEqual(st.fromForm('text', 'by_annotator', { order: ' zed ,, ann ' }), { strategy: { kind: 'by_annotator', order: ['zed', 'ann'] } });
});

test('a strategy in one line', () => {
  assert.equal(st.describe({ kind: 'majority', tie_break: 'lowest' }), 'Majority vote (tie_break: lowest)');
  assert.equal(st.describe({ kind: 'borda' }), 'Borda count');
  assert.equal(st.describe({ kind: 'by_weight', weights: { ann: 2 } }), 'By annotator weight (weights: ann=2)');
  assert.equal(st.describe(null), 'none');
});

test('consolidated values as text: labels, rankings, spans, each annotator, scores, unresolved with the reason', () => {
  assert.deepEqual(st.finalText({ status: 'resolved', value: 'positive' }), { text: 'positive', reason: null, status: 'resolved' });
  assert.equal(st.finalText({ status: 'resolved', value: ['a', 'b'] }).text, 'a, b');
  assert.equal(st.finalText({ status: 'resolved', value: [{ value: 'b', rank: 2 }, { value: 'a', rank: 1 }] }).text, 'a > b');
  assert.equal(st.finalText({ status: 'resolved', value: [{ start: 0, end: 3, label: 'PER' }] }).text, 'PER[0–3]');
  assert.equal(st.finalText({ status: 'each', value: [{ username: 'ann', value: 'x' }, { username: 'bob', value: 'y' }] }).text, 'ann: x; bob: y');
  assert.equal(st.finalText({ status: 'each', value: [['ann', 'x']] }).text, 'ann: x');
  assert.equal(st.finalText({ status: 'score', value: 3.3333333 }).text, '3.333');
  assert.deepEqual(st.finalText({ status: 'unresolved', value: null, reason: 'a tie' }), { text: '—', reason: 'a tie', status: 'unresolved' });
  assert.equal(st.finalText(undefined).text, '');
});
