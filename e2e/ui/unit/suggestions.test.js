// Unit tests of what the model said, in plain sight (ui/js/lib/suggestions.js): the suggestion of a
// question and the marks on the options, ranking items and spans it picked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as s from '../../../ui/js/lib/suggestions.js';

const opts = (...values) => values.map((value) => ({ value, text: value }));
const Q = {
  label: { id: 'q1', name: 'label', title: 'Label', required: true, settings: { type: 'label_selection', options: opts('correct', 'incorrect') } },
  multi: { id: 'q2', name: 'multi', title: 'Multi', required: false, settings: { type: 'multi_label_selection', options: opts('a', 'b', 'c') } },
  rating: { id: 'q3', name: 'rating', title: 'Rating', required: false, settings: { type: 'rating', options: [0, 1, 2, 3].map((value) => ({ value })) } },
  ranking: { id: 'q4', name: 'ranking', title: 'Ranking', required: false, settings: { type: 'ranking', options: opts('x', 'y', 'z') } },
};

test('a question\'s suggestion is found by its question id; one without a value is none', () => {
  const all = [{ question_id: 'q1', value: 'correct', agent: 'judge' }, { question_id: 'q3', value: null }];
  assert.equal(s.suggestionFor(Q.label, all).agent, 'judge');
  assert.equal(s.suggestionFor(Q.rating, all), undefined);
  assert.equal(s.suggestionFor(Q.multi, null), undefined);
});

test('a mark names the agent and the score as text', () => {
  assert.equal(s.markText({ question_id: 'q', value: 1, agent: 'judge-v1', score: 0.8 }), 'judge-v1 · 0.80');
  assert.equal(s.markText({ question_id: 'q', value: 1, agent: null, score: 0.8 }), 'suggested · 0.80');
  assert.equal(s.markText({ question_id: 'q', value: 1, agent: 'judge' }), 'judge');
  assert.equal(s.markText({ question_id: 'q', value: ['a', 'b'], agent: 'm', score: [0.9, 0.25] }, 1), 'm · 0.25', 'one score per item');
  assert.equal(s.scoreText(Number.NaN), '');
});

test('the options a suggestion picked carry its mark, each with its own score', () => {
  assert.deepEqual(s.optionMarks(Q.label, { question_id: 'q1', value: 'incorrect', agent: 'judge', score: 0.91 }), { incorrect: 'judge · 0.91' });
  assert.deepEqual(s.optionMarks(Q.rating, { question_id: 'q3', value: 0, agent: 'judge', score: 0.5 }), { 0: 'judge · 0.50' }, 'a rating of 0 is marked too');
  assert.deepEqual(s.optionMarks(Q.multi, { question_id: 'q2', value: ['a', 'c'], agent: 'm', score: [0.9, 0.3] }), { a: 'm · 0.90', c: 'm · 0.30' });
  assert.deepEqual(s.optionMarks(Q.label, undefined), {});
});

test('a suggested ranking marks each item with its rank, null ranks read as the logged order', () => {
  const logged = { question_id: 'q4', value: [{ value: 'z', rank: null }, { value: 'x', rank: null }, { value: 'y', rank: null }], agent: 'judge', score: 0.7 };
  assert.deepEqual(s.optionMarks(Q.ranking, logged), { z: '#1 · judge · 0.70', x: '#2 · judge · 0.70', y: '#3 · judge · 0.70' });
  const ranked = { question_id: 'q4', value: [{ value: 'y', rank: 2 }, { value: 'x', rank: 1 }, { value: 'z', rank: 3 }], agent: 'judge' };
  assert.deepEqual(s.optionMarks(Q.ranking, ranked), { y: '#2 · judge', x: '#1 · judge', z: '#3 · judge' });
});

test('suggested spans are listed with their marks and whether the answer still holds them', () => {
  const sugg = { question_id: 'q5', value: [{ label: 'PER', start: 0, end: 3 }, { label: 'ORG', start: 8, end: 15 }], agent: 'ner', score: [0.9, 0.6] };
  const marks = s.spanMarks(sugg, [{ label: 'PER', start: 0, end: 3 }]);
  assert.deepEqual(marks.map((it) => [it.label, it.mark, it.kept]), [['PER', 'ner · 0.90', true], ['ORG', 'ner · 0.60', false]]);
  assert.deepEqual(s.spanMarks(undefined, []), []);
  assert.equal(s.spanMarks({ question_id: 'q5', value: [{ label: 'PER' }] }, []).length, 0, 'an item without offsets is left out');
});
