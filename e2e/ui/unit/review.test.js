// Unit tests of the review view's rules (ui/js/lib/review.js), against the server's shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerText, columns, consolidatedAcceptable, decisionBody, eventText, finalText, inputText, mayReview, ownValues, reasonText, reviewKey } from '../../../ui/js/lib/review.js';

const review = {
  responses: [
    { user_id: 'u1', username: 'ada', status: 'submitted', values: { label: { value: 'a' } } },
    { user_id: 'u2', username: 'bo', status: 'draft', values: { label: { value: 'b' } } },
    { user_id: 'u3', username: 'cy', status: 'submitted', values: { label: { value: 'b' } } },
  ],
};

test('submitted responses become lettered columns in their order; drafts are left out', () => {
  assert.deepEqual(
    columns(review).map((c) => `${c.letter} ${c.username}`),
    ['A ada', 'B cy'],
  );
});

test('answers read as one line of text', () => {
  assert.equal(answerText(undefined), '—');
  assert.equal(answerText('a'), 'a');
  assert.equal(answerText(3), '3');
  assert.equal(answerText(['x', 'y']), 'x, y');
  assert.equal(answerText([]), '(none)');
  assert.equal(answerText([{ value: 'b', rank: 2 }, { value: 'a', rank: 1 }]), '1. a, 2. b');
  assert.equal(answerText([{ label: 'PER', start: 0, end: 3 }]), 'PER [0–3]');
  assert.equal(finalText({ status: 'resolved', value: 'a', reason: null }), 'a');
  assert.equal(finalText({ status: 'unresolved', value: null, reason: 'a tie between a and b' }), 'unresolved: a tie between a and b');
  assert.equal(finalText({ status: 'score', value: 3.456, reason: null }), 'score 3.46');
  assert.equal(finalText(undefined), '—');
});

test('the consolidated answer is acceptable when every required question is resolved', () => {
  const qs = [{ name: 'label', required: true }, { name: 'note', required: false }];
  assert.equal(consolidatedAcceptable(qs, { label: { status: 'resolved' }, note: { status: 'unresolved' } }), true);
  assert.equal(consolidatedAcceptable(qs, { label: { status: 'unresolved' }, note: { status: 'resolved' } }), false);
  assert.equal(consolidatedAcceptable(qs, {}), false);
});

test('keys: digits accept existing columns, c o r act, arrows and j k move, typing takes nothing', () => {
  assert.deepEqual(reviewKey('1', 2, false), { accept: 0 });
  assert.deepEqual(reviewKey('2', 2, false), { accept: 1 });
  assert.equal(reviewKey('3', 2, false), null);
  assert.equal(reviewKey('c', 2, false), 'consolidated');
  assert.equal(reviewKey('o', 2, false), 'own');
  assert.equal(reviewKey('r', 2, false), 'return');
  assert.equal(reviewKey('ArrowRight', 2, false), 'next');
  assert.equal(reviewKey('k', 2, false), 'prev');
  assert.equal(reviewKey('c', 2, true), null);
  assert.equal(reviewKey('x', 2, false), null);
});

test('decision bodies are what POST /api/v1/records/{id}/review takes', () => {
  assert.deepEqual(decisionBody('accept_response', { userId: 'u1' }), { action: 'accept_response', user_id: 'u1' });
  assert.deepEqual(decisionBody('accept_consolidated'), { action: 'accept_consolidated' });
  assert.deepEqual(decisionBody('own', { values: { q: { value: 1 } } }), { action: 'own', values: { q: { value: 1 } } });
  assert.deepEqual(decisionBody('return', { userId: 'u2', comment: 'why' }), { action: 'return', user_id: 'u2', comment: 'why' });
});

test("the reviewer's own answer is built per question kind; empty inputs are left out", () => {
  const qs = [
    { name: 'label', settings: { type: 'label_selection' } },
    { name: 'tags', settings: { type: 'multi_label_selection' } },
    { name: 'score', settings: { type: 'rating' } },
    { name: 'note', settings: { type: 'text' } },
    { name: 'rank', settings: { type: 'ranking' } },
  ];
  assert.deepEqual(ownValues(qs, { label: 'a', tags: ['x', 'y'], score: '4', note: '', rank: '[{"value":"a","rank":1}]' }), {
    values: { label: { value: 'a' }, tags: { value: ['x', 'y'] }, score: { value: 4 }, rank: { value: [{ value: 'a', rank: 1 }] } },
  });
  assert.deepEqual(ownValues(qs, { score: 'high' }), { error: { question: 'score', message: 'a rating is a whole number' } });
  assert.deepEqual(ownValues(qs, { rank: '[oops' }), { error: { question: 'rank', message: 'not valid JSON' } });
  assert.equal(inputText('ranking', [{ value: 'a', rank: 1 }]), '[{"value":"a","rank":1}]');
  assert.equal(inputText('text', undefined), '');
});

test('the audit trail and the reasons read as sentences', () => {
  const names = { u2: 'bo' };
  const at = '2026-01-01T00:00:00';
  assert.equal(eventText({ action: 'accept_response', actor_username: 'rev', user_id: 'u2', comment: null, inserted_at: at }, names), "rev accepted bo's answer");
  assert.equal(eventText({ action: 'return', actor_username: null, user_id: 'u2', comment: 'look again', inserted_at: at }, names), 'a removed user returned it to bo: “look again”');
  assert.equal(reasonText('disagreement'), 'answers differ');
  assert.equal(mayReview(['w1'], 'w1'), true);
  assert.equal(mayReview(['w1'], 'w2'), false);
});

test("others' answers: shown only after submitting in an open dataset; their submitted answers only", async () => {
  const { othersAnswers, showsOthers } = await import('../../../ui/js/lib/review.js');
  assert.equal(showsOthers({ responses_visible_for_annotators: true }, { status: 'submitted' }), true);
  assert.equal(showsOthers({ responses_visible_for_annotators: true }, { status: 'draft' }), false);
  assert.equal(showsOthers({ responses_visible_for_annotators: true }, null), false);
  assert.equal(showsOthers({ responses_visible_for_annotators: false }, { status: 'submitted' }), false);
  const list = othersAnswers(review.responses, 'u1', [{ name: 'label', title: 'Label' }]);
  assert.deepEqual(list, [{ label: 'Annotator 1', answers: [{ question: 'Label', text: 'b' }] }]);
});
