// The Insights view's "Judges" section (issue 22): for every question that suggestion agents (or
// judges' verdicts) and people both answer, each agent's agreement with the people's consolidated
// answer, and on pairwise questions how often it picks the response shown first and how often its
// pick changes side when the order is swapped (position bias), with the annotators' own
// first-shown rate beside it; every proportion with its 95 % interval and n
// (`GET …/agreement/judges`). An undefined figure is a dash with the server's reason.

import { h } from '../../dom.js';
import { intervalText } from '../../lib/pairwise.js';
import { figure, scroller } from './agreement.js';

/** @param {any} reply the reply of `GET /api/v1/datasets/{id}/agreement/judges` */
export function renderJudges(reply) {
  const questions = (reply && reply.questions) || [];
  return h(
    'section',
    { id: 'judges', 'aria-labelledby': 'judges-title' },
    h('h2', { id: 'judges-title' }, 'Judges'),
    questions.length
      ? questions.map((/** @type {any} */ q) => renderQuestion(q))
      : h(
          'div',
          { class: 'card', id: 'no-judges' },
          h('p', null, 'No judges yet: a judge appears here once a suggestion agent (an LLM judge, a model) has answered a question that annotators have submitted answers to.'),
        ),
  );
}

/** @param {any} q */
function renderQuestion(q) {
  const pairwise = !!q.pairwise;
  const heads = ['Agent', 'Records', 'Agreement with people', ...(pairwise ? ['Picks the first shown', 'Flips when the order flips'] : [])];
  const cell = (/** @type {any} */ f) => h('td', null, figure(intervalText(f)));
  const annotators = intervalText(q.annotators_first_shown);
  return h(
    'article',
    { class: 'card judges-question', 'data-question': q.question },
    h('h3', null, q.question, ' ', h('span', { class: 'muted' }, `(${pairwise ? 'pairwise, ' : ''}${String(q.kind || '').replaceAll('_', ' ')})`)),
    scroller(
      `Judges on ${q.question}`,
      h(
        'table',
        null,
        h('thead', null, h('tr', null, heads.map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          null,
          (q.agents || []).map((/** @type {any} */ a) =>
            h(
              'tr',
              { class: 'judge', 'data-agent': a.agent },
              h('td', null, a.agent),
              h('td', null, String(a.records ?? '')),
              cell(a.agreement),
              pairwise ? [cell(a.first_shown), cell(a.flips)] : null,
            ),
          ),
        ),
      ),
    ),
    pairwise && q.annotators_first_shown
      ? h('p', { class: 'annotators-first-shown' }, 'Annotators pick the first-shown response: ', figure(annotators), h('span', { class: 'muted' }, ' (0.5 is no position bias)'))
      : null,
    // Ratings: how far off the agent is on average, besides exact agreement.
    (q.agents || []).some((/** @type {any} */ a) => typeof a.mean_abs_diff === 'number')
      ? h('p', { class: 'muted mean-abs-diff' }, 'Mean absolute difference from people: ', (q.agents || []).map((/** @type {any} */ a) => `${a.agent} ${typeof a.mean_abs_diff === 'number' ? a.mean_abs_diff.toFixed(3) : '—'}`).join(', '))
      : null,
  );
}
