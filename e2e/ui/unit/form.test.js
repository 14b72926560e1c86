// Unit tests of the annotation form's state (ui/js/lib/form.js): no browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as f from '../../../ui/js/lib/form.js';

const opts = (...values) => values.map((value) => ({ value, text: value.toUpperCase() }));
const Q = {
  label: { id: 'q1', name: 'label', title: 'Label', required: true, settings: { type: 'label_selection', options: opts('pos', 'neg', 'neu'), visible_options: 2 } },
  multi: { id: 'q2', name: 'multi', title: 'Multi', required: false, settings: { type: 'multi_label_selection', options: opts('a', 'b', 'c') } },
  rating: { id: 'q3', name: 'rating', title: 'Rating', required: true, settings: { type: 'rating', options: [{ value: 1 }, { value: 2 }, { value: 3 }] } },
  ranking: { id: 'q4', name: 'ranking', title: 'Ranking', required: false, settings: { type: 'ranking', options: opts('x', 'y', 'z') } },
  text: { id: 'q5', name: 'text', title: 'Text', required: false, settings: { type: 'text', use_markdown: true } },
  span: { id: 'q6', name: 'span', title: 'Span', required: false, settings: { type: 'span', field: 'body', options: opts('PER', 'ORG'), allow_overlapping: false } },
};
const questions = Object.values(Q);

test('a response fills the form; without one, suggestions do and are marked', () => {
  const response = { status: 'draft', values: { label: { value: 'neg' }, rating: { value: 2 } } };
  const suggestions = [{ question_id: 'q1', value: 'pos', score: 0.9, agent: 'model-a' }];
  const own = f.initialState(questions, response, suggestions);
  assert.deepEqual(own.answers, { label: 'neg', rating: 2 });
  assert.deepEqual(own.suggested, {});
  const suggested = f.initialState(questions, null, suggestions);
  assert.deepEqual(suggested.answers, { label: 'pos' });
  assert.equal(suggested.suggested.label.agent, 'model-a');
  // Answering a question makes it the annotator's own.
  const after = f.setAnswer(suggested, 'label', 'neu');
  assert.deepEqual(after.suggested, {});
  assert.equal(after.dirty, true);
});

test('submit is enabled exactly when every required question is answered', () => {
  let s = f.initialState(questions, null, null);
  assert.equal(f.canSubmit(questions, s), false);
  assert.deepEqual(f.missingRequired(questions, s), ['label', 'rating']);
  s = f.setAnswer(s, 'label', 'pos');
  assert.equal(f.canSubmit(questions, s), false);
  s = f.setAnswer(s, 'rating', 3);
  assert.equal(f.canSubmit(questions, s), true);
  s = f.setAnswer(s, 'text', '   ');
  assert.deepEqual(f.toValues(questions, s), { label: { value: 'pos' }, rating: { value: 3 } }, 'blank text is no answer');
  assert.deepEqual(f.responseBody(questions, f.clearState(s), 'discarded'), { values: {}, status: 'discarded' });
});

test('multi-label toggles keep the options order', () => {
  let v = f.toggleLabel(undefined, 'c', Q.multi.settings.options);
  v = f.toggleLabel(v, 'a', Q.multi.settings.options);
  assert.deepEqual(v, ['a', 'c']);
  assert.deepEqual(f.toggleLabel(f.toggleLabel(v, 'a', Q.multi.settings.options), 'c', Q.multi.settings.options), undefined);
});

test('ranking moves produce a full ranking', () => {
  assert.deepEqual(f.rankingOrder(Q.ranking, undefined), ['x', 'y', 'z']);
  const v = f.moveRank(['x', 'y', 'z'], 'x', 1);
  assert.deepEqual(v, [{ value: 'y', rank: 1 }, { value: 'x', rank: 2 }, { value: 'z', rank: 3 }]);
  assert.deepEqual(f.rankingOrder(Q.ranking, v), ['y', 'x', 'z']);
  assert.equal(f.isAnswered(Q.ranking, v), true);
  assert.deepEqual(f.moveRank(['x', 'y'], 'x', -5), [{ value: 'x', rank: 1 }, { value: 'y', rank: 2 }], 'clamped');
});

test('visible options honour visible_options and the filter box', () => {
  assert.deepEqual(f.visibleOptions(Q.label, '', false), { shown: Q.label.settings.options.slice(0, 2), hidden: 1 });
  assert.equal(f.visibleOptions(Q.label, '', true).shown.length, 3);
  assert.deepEqual(f.visibleOptions(Q.label, 'NE', false).shown.map((o) => o.value), ['neg', 'neu']);
});

test('spans: overlap rules, segments and code-point offsets', () => {
  const a = f.addSpan(undefined, { label: 'PER', start: 0, end: 4 }, false);
  assert.deepEqual(a, [{ label: 'PER', start: 0, end: 4 }]);
  assert.equal(f.addSpan(a, { label: 'ORG', start: 2, end: 6 }, false), null, 'overlap refused');
  const b = f.addSpan(a, { label: 'ORG', start: 2, end: 6 }, true);
  assert.equal(b.length, 2);
  assert.equal(f.addSpan(a, { label: 'ORG', start: 3, end: 3 }, true), null, 'empty span refused');
  assert.deepEqual(f.spanSegments('John Smith', b), [
    { text: 'Jo', labels: ['PER'] },
    { text: 'hn', labels: ['PER', 'ORG'] },
    { text: ' S', labels: ['ORG'] },
    { text: 'mith', labels: [] },
  ]);
  const text = '😀 Ann';
  assert.equal(f.codePointOffset(text, 3), 2, 'an emoji is two UTF-16 units, one code point');
  assert.equal(f.spanText(text, { label: 'PER', start: 2, end: 5 }), 'Ann');
});

test('a suggestion says who suggested it and how sure it was', () => {
  assert.equal(f.suggestionTitle({ question_id: 'q', value: 'x', agent: 'gpt', score: 0.912 }), 'Suggested by gpt (score 0.91)');
  assert.equal(f.suggestionTitle({ question_id: 'q', value: 'x' }), 'Suggested');
});

test('a ranking suggestion logged by the SDK (rank: null) opens as the logged order and submits ranked', () => {
  const logged = [{ value: 'z', rank: null }, { value: 'x', rank: null }, { value: 'y', rank: null }];
  const s = f.initialState(questions, null, [{ question_id: 'q4', value: logged, agent: 'judge', score: 0.7 }]);
  assert.deepEqual(f.rankingOrder(Q.ranking, s.answers.ranking), ['z', 'x', 'y']);
  assert.equal(f.isAnswered(Q.ranking, s.answers.ranking), true);
  assert.deepEqual(f.toValues(questions, s).ranking, { value: [{ value: 'z', rank: 1 }, { value: 'x', rank: 2 }, { value: 'y', rank: 3 }] });
  // Ranks given are kept, ties included; a draft stored with null ranks reads like a suggestion.
  const tied = [{ value: 'x', rank: 1 }, { value: 'y', rank: 1 }, { value: 'z', rank: 2 }];
  assert.deepEqual(f.normalizeValue(Q.ranking, tied), tied);
  const draft = f.initialState(questions, { status: 'draft', values: { ranking: { value: logged } } }, null);
  assert.deepEqual(draft.answers.ranking.map((it) => it.rank), [1, 2, 3]);
  // Other kinds pass through untouched.
  const spans = [{ label: 'PER', start: 0, end: 3 }];
  assert.equal(f.normalizeValue(Q.span, spans), spans);
});
