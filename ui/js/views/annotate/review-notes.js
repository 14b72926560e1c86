// What review (issue 20) adds to the annotation view: the reviewer's comment on a record returned
// to the caller, and, in a dataset that shows answers after submitting, the "Others' answers"
// panel once the caller's own answer is submitted. The pure rules are in lib/review.js.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { othersAnswers, showsOthers } from '../../lib/review.js';

/**
 * The note of a returned record: who returned it and their comment, or null.
 * @param {{comment: string, returned_by: string|null}|undefined} returned
 */
export function returnedNote(returned) {
  if (!returned) return null;
  return h(
    'div',
    { class: 'returned-note', id: 'returned-note', role: 'note' },
    h('strong', null, `Returned by ${returned.returned_by || 'a reviewer'}: `),
    returned.comment,
    h('p', { class: 'muted' }, 'Your answer is a draft again; submit it once it is right, and it goes back to review.'),
  );
}

/**
 * The "Others' answers" panel of `record`, or null: read again by id, where the server sends the
 * others' submitted answers only once the caller's is submitted in an open dataset.
 * @param {any} record @param {any} mine the caller's response @param {string} meId
 * @param {any} dataset @param {{name: string, title?: string}[]} questions
 */
export async function othersPanel(record, mine, meId, dataset, questions) {
  if (!showsOthers(dataset, mine)) return null;
  const full = await api.get(`/api/v1/records/${record.id}`);
  const others = othersAnswers(full.responses || [], meId, questions);
  return h(
    'section',
    { class: 'others-answers', id: 'others-answers', 'aria-label': "Others' answers" },
    h('h3', null, "Others' answers"),
    others.length
      ? others.map((o) => h('div', { class: 'other' }, h('h4', null, o.label), h('dl', null, o.answers.map((a) => [h('dt', null, a.question), h('dd', null, a.text)]))))
      : h('p', { class: 'muted' }, 'No one else has submitted an answer yet.'),
  );
}
